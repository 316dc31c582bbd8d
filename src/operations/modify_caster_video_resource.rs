//! ModifyCasterVideoResource: changes a video source, named by its ResourceId.

use crate::error::{code, Error};

use super::add_caster_video_resource::{check_end_offset, check_source, SOURCE};
use super::fields::{FieldSpec, Form, Slot};
use super::{Fields, Operation};
#[cfg(feature = "table")]
use super::{About, ReplyField, ReplyType, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "ModifyCasterVideoResource",
    params: FIELDS,
    check,
    #[cfg(feature = "table")]
    about: About {
        summary: "change a video source",
        // A retry after a lost reply would apply the change again over whatever changed since.
        idempotent: false,
        qps: 10,
        reply: &[ReplyField { name: "CasterId", ty: ReplyType::String }, ReplyField { name: "ResourceId", ty: ReplyType::String }],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: code::INVALID_PARAMETER, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: code::INVALID_LIVE_STREAM_URL, status: 400 },
            ServerCode { code: code::INVALID_MATERIAL_ID, status: 400 },
            ServerCode { code: code::INVALID_VOD_URL, status: 400 },
            ServerCode { code: code::MISSING_PARAMETER, status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: "InvalidResource.NotFound", status: 404 },
            ServerCode { code: code::INTERNAL, status: 500 },
        ],
    },
};

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("ResourceId").required().form(Form::Id(code::INVALID_PARAMETER)).rule("id"),
    FieldSpec::text("ResourceName").form(Form::Plain).rule("text"),
    FieldSpec::text("LiveStreamUrl").in_group(SOURCE).rule("stream url"),
    FieldSpec::text("MaterialId").in_group(SOURCE).rule("id"),
    FieldSpec::text("VodUrl").in_group(SOURCE).rule("mp4/flv/ts url"),
    FieldSpec::integer("BeginOffset").form(Form::Range(0, i32::MAX)).rule("file; 0.."),
    FieldSpec::integer("EndOffset").rule("file; after BeginOffset or < 0"),
    FieldSpec::integer("RepeatNum").form(Form::Range(-1, i32::MAX)).rule("file; -1.."),
    FieldSpec::integer("PtsCallbackInterval").form(Form::Range(0, i32::MAX)).rule("0.."),
    FieldSpec::text("ImageId").in_group(SOURCE).rule("id"),
    FieldSpec::text("ImageUrl").in_group(SOURCE).rule("jpg/png url"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];

fn check(slots: &[Slot<'_>], errors: &mut Vec<Error>) {
    let fields = &Fields { specs: FIELDS, slots };
    check_source(fields, false, errors);
    check_end_offset(fields, errors);
}
