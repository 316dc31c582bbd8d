//! StartCasterScene: starts a preview (PVW) scene.

use crate::error::code;

use super::fields::{FieldSpec, Form};
use super::Operation;
#[cfg(feature = "table")]
use super::{About, ReplyField, ReplyType, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "StartCasterScene",
    params: FIELDS,
    check: super::no_joint_rules,
    #[cfg(feature = "table")]
    about: About {
        summary: "start a preview (PVW) scene",
        // Starting a scene that is already in use answers IncorrectSceneStatus.Inuse: nothing twice.
        idempotent: true,
        qps: 10,
        reply: &[ReplyField { name: "StreamUrl", ty: ReplyType::String }],
        codes: &[
            ServerCode { code: "IncorrectSceneStatus", status: 400 },
            ServerCode { code: "IncorrectSceneStatus.Inuse", status: 400 },
            ServerCode { code: "IncorrectCasterStatus.Idle", status: 400 },
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: code::INVALID_SCENE_ID, status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: "UserQuotaExceed", status: 403 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: "InvalidScene.NotFound", status: 404 },
            ServerCode { code: "InvalidLayout.NotFound", status: 404 },
            ServerCode { code: "InvalidConfiguration.NotFound", status: 404 },
            ServerCode { code: "InvalidCasterTemplate.NotFound", status: 404 },
            ServerCode { code: code::INTERNAL, status: 500 },
        ],
    },
};

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("SceneId").required().form(Form::Id(code::INVALID_SCENE_ID)).rule("id"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];
