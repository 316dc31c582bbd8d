//! DeleteCasterVideoResource: removes a video source, freeing its location.

use crate::error::code;

use super::fields::{FieldSpec, Form};
use super::Operation;
#[cfg(feature = "table")]
use super::{About, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "DeleteCasterVideoResource",
    params: FIELDS,
    check: super::no_joint_rules,
    #[cfg(feature = "table")]
    about: About {
        summary: "remove a video source",
        // A retry after a lost reply finds the source gone: InvalidResource.NotFound.
        idempotent: false,
        qps: 10,
        reply: &[],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: code::INVALID_PARAMETER, status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: code::INTERNAL, status: 500 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: "InvalidResource.NotFound", status: 404 },
        ],
    },
};

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("ResourceId").required().form(Form::Id(code::INVALID_PARAMETER)).rule("id"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];
