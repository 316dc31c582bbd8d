//! DescribeCasters: lists production studios, a page at a time, with filters.

use crate::error::{code, Error};

use super::fields::{FieldSpec, Form, Slot};
use super::{Fields, Operation};
#[cfg(feature = "table")]
use super::{About, ReplyField, ReplyType, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "DescribeCasters",
    params: FIELDS,
    check,
    #[cfg(feature = "table")]
    about: About {
        summary: "list production studios",
        idempotent: true,
        qps: 15,
        reply: &[
            ReplyField { name: "CasterList", ty: ReplyType::Object(&[ReplyField { name: "Caster", ty: ReplyType::List(&ReplyType::Object(CASTER)) }]) },
            ReplyField { name: "Total", ty: ReplyType::Integer },
        ],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: code::INVALID_PARAMETER, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: code::INTERNAL, status: 500 },
        ],
    },
};

/// One studio of the list, as the vendor's SDK models it (`ChargeType` is text here, though
/// the filter of that name is an integer).
#[cfg(feature = "table")]
const CASTER: &[ReplyField] = &[
    ReplyField { name: "CasterId", ty: ReplyType::String },
    ReplyField { name: "CasterName", ty: ReplyType::String },
    ReplyField { name: "CasterTemplate", ty: ReplyType::String },
    ReplyField { name: "ChannelEnable", ty: ReplyType::Integer },
    ReplyField { name: "ChargeType", ty: ReplyType::String },
    ReplyField { name: "ClientTokenId", ty: ReplyType::String },
    ReplyField { name: "CreateTime", ty: ReplyType::String },
    ReplyField { name: "Duration", ty: ReplyType::String },
    ReplyField { name: "ExpireTime", ty: ReplyType::String },
    ReplyField { name: "LastModified", ty: ReplyType::String },
    ReplyField { name: "NormType", ty: ReplyType::Integer },
    ReplyField { name: "PurchaseTime", ty: ReplyType::String },
    ReplyField { name: "ResourceGroupId", ty: ReplyType::String },
    ReplyField { name: "StartTime", ty: ReplyType::String },
    ReplyField { name: "Status", ty: ReplyType::Integer },
    ReplyField {
        name: "Tags",
        ty: ReplyType::Object(&[ReplyField {
            name: "tag",
            ty: ReplyType::List(&ReplyType::Object(&[
                ReplyField { name: "TagKey", ty: ReplyType::String },
                ReplyField { name: "TagValue", ty: ReplyType::String },
            ])),
        }]),
    },
];

/// The most tags one filter may name (`Tag.1` … `Tag.20`).
pub const MAX_TAGS: u16 = 20;

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("CasterName").form(Form::Plain).rule("text"),
    FieldSpec::text("StartTime").form(Form::UtcTime).rule("yyyy-MM-ddTHH:mm:ssZ"),
    FieldSpec::text("EndTime").form(Form::UtcTime).rule("yyyy-MM-ddTHH:mm:ssZ; not before StartTime"),
    FieldSpec::integer("PageNum").form(Form::Range(1, i32::MAX)).rule("1.."),
    FieldSpec::integer("PageSize").form(Form::Range(1, i32::MAX)).rule("1..; default 100"),
    FieldSpec::integer("Status").form(Form::OneOf(&[0, 1])).rule("0 idle, 1 in production"),
    FieldSpec::integer("ChargeType").form(Form::OneOf(&[0, 1])).rule("0 subscription, 1 pay-as-you-go"),
    FieldSpec::text("OrderByModifyAsc").form(Form::OneOfText(&["true", "false"])).rule("\"true\" or \"false\""),
    FieldSpec::text("NormType").form(Form::OneOfText(&["1", "3", "4", "6"])).rule("\"1\", \"3\", \"4\" or \"6\""),
    FieldSpec::text("ResourceGroupId").form(Form::Id(code::INVALID_PARAMETER)).rule("id"),
    FieldSpec::list("Tag", &["Key", "Value"], MAX_TAGS).rule("[{ Key, Value }], at most 20"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];

fn check(slots: &[Slot<'_>], errors: &mut Vec<Error>) {
    let fields = &Fields { specs: FIELDS, slots };
    if let (Some(start), Some(end)) = (fields.text("StartTime"), fields.text("EndTime")) {
        // Both in the one fixed-width form, so text order is time order.
        if end < start && errors.iter().all(|e| e.field.as_deref() != Some("StartTime") && e.field.as_deref() != Some("EndTime")) {
            errors.push(Error::validation(code::INVALID_PARAMETER, "EndTime", "EndTime must not be before StartTime"));
        }
    }
}
