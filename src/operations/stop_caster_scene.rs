//! StopCasterScene: stops a started preview (PVW) scene.

use crate::error::code;

use super::fields::{FieldSpec, Form};
use super::Operation;
#[cfg(feature = "table")]
use super::{About, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "StopCasterScene",
    params: FIELDS,
    check: super::no_joint_rules,
    #[cfg(feature = "table")]
    about: About {
        summary: "stop a preview (PVW) scene",
        // A second stop leaves the scene stopped (and answers IncorrectSceneStatus.Idle).
        idempotent: true,
        qps: 10,
        reply: &[],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: code::INVALID_SCENE_ID, status: 400 },
            ServerCode { code: "IncorrectSceneStatus", status: 400 },
            ServerCode { code: "IncorrectSceneStatus.Idle", status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: code::INTERNAL, status: 500 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: "InvalidScene.NotFound", status: 404 },
        ],
    },
};

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("SceneId").required().form(Form::Id(code::INVALID_SCENE_ID)).rule("id"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];
