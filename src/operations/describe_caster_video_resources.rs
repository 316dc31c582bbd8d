//! DescribeCasterVideoResources: a studio's video sources.

use crate::error::code;

use super::fields::{FieldSpec, Form};
use super::Operation;
#[cfg(feature = "table")]
use super::{About, ReplyField, ReplyType, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "DescribeCasterVideoResources",
    params: FIELDS,
    check: super::no_joint_rules,
    #[cfg(feature = "table")]
    about: About {
        summary: "list a studio's video sources",
        idempotent: true,
        qps: 15,
        reply: &[
            ReplyField {
                name: "VideoResources",
                ty: ReplyType::Object(&[ReplyField { name: "VideoResource", ty: ReplyType::List(&ReplyType::Object(VIDEO_RESOURCE)) }]),
            },
            ReplyField { name: "Total", ty: ReplyType::Integer },
        ],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: code::INTERNAL, status: 500 },
        ],
    },
};

/// One video source, as the vendor's SDK models it.
#[cfg(feature = "table")]
const VIDEO_RESOURCE: &[ReplyField] = &[
    ReplyField { name: "ResourceId", ty: ReplyType::String },
    ReplyField { name: "ResourceName", ty: ReplyType::String },
    ReplyField { name: "LocationId", ty: ReplyType::String },
    ReplyField { name: "LiveStreamUrl", ty: ReplyType::String },
    ReplyField { name: "MaterialId", ty: ReplyType::String },
    ReplyField { name: "VodUrl", ty: ReplyType::String },
    ReplyField { name: "ImageId", ty: ReplyType::String },
    ReplyField { name: "ImageUrl", ty: ReplyType::String },
    ReplyField { name: "FlvUrl", ty: ReplyType::String },
    ReplyField { name: "BeginOffset", ty: ReplyType::Integer },
    ReplyField { name: "EndOffset", ty: ReplyType::Integer },
    ReplyField { name: "RepeatNum", ty: ReplyType::Integer },
    ReplyField { name: "PtsCallbackInterval", ty: ReplyType::Integer },
];

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];
