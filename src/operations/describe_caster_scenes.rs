//! DescribeCasterScenes: a studio's scenes, or one of them.

use crate::error::code;

use super::fields::{FieldSpec, Form};
use super::Operation;
#[cfg(feature = "table")]
use super::{About, ReplyField, ReplyType, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "DescribeCasterScenes",
    params: FIELDS,
    check: super::no_joint_rules,
    #[cfg(feature = "table")]
    about: About {
        summary: "list a studio's scenes",
        idempotent: true,
        qps: 15,
        reply: &[
            ReplyField { name: "SceneList", ty: ReplyType::Object(&[ReplyField { name: "Scene", ty: ReplyType::List(&ReplyType::Object(SCENE)) }]) },
            ReplyField { name: "Total", ty: ReplyType::Integer },
        ],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: code::INVALID_SCENE_ID, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: "InvalidDomainName.NotFound", status: 404 },
            ServerCode { code: code::INTERNAL, status: 500 },
        ],
    },
};

/// One scene, as the vendor's SDK models it: `OutputType` "0" is a preview (PVW) scene and "1"
/// the program (PGM); `Status` 0 is off and 1 is started.
#[cfg(feature = "table")]
const SCENE: &[ReplyField] = &[
    ReplyField { name: "SceneId", ty: ReplyType::String },
    ReplyField { name: "SceneName", ty: ReplyType::String },
    ReplyField { name: "OutputType", ty: ReplyType::String },
    ReplyField { name: "Status", ty: ReplyType::Integer },
    ReplyField { name: "StreamUrl", ty: ReplyType::String },
    ReplyField { name: "LayoutId", ty: ReplyType::String },
    ReplyField { name: "ComponentIds", ty: ReplyType::Object(&[ReplyField { name: "componentId", ty: ReplyType::List(&ReplyType::String) }]) },
    ReplyField {
        name: "StreamInfos",
        ty: ReplyType::Object(&[ReplyField {
            name: "StreamInfo",
            ty: ReplyType::List(&ReplyType::Object(&[
                ReplyField { name: "OutputStreamUrl", ty: ReplyType::String },
                ReplyField { name: "TranscodeConfig", ty: ReplyType::String },
                ReplyField { name: "VideoFormat", ty: ReplyType::String },
            ])),
        }]),
    },
];

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("SceneId").form(Form::Id(code::INVALID_SCENE_ID)).rule("id"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];
