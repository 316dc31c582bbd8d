//! AddCasterVideoResource: adds a video source to a production studio.

use crate::error::{code, Error};
use crate::url::{self, path_ends_with, UrlParts};

use super::checks;
use super::fields::{FieldSpec, Form, Slot};
use super::{Fields, Operation};
#[cfg(feature = "table")]
use super::{About, ReplyField, ReplyType, ServerCode};

pub const OPERATION: Operation = Operation {
    name: "AddCasterVideoResource",
    params: FIELDS,
    check,
    #[cfg(feature = "table")]
    about: About {
        summary: "add a video source",
        // After a timeout the source may exist: a second one would take another location.
        idempotent: false,
        qps: 10,
        reply: &[ReplyField { name: "ResourceId", ty: ReplyType::String }],
        codes: &[
            ServerCode { code: code::INVALID_CASTER_ID, status: 400 },
            ServerCode { code: code::INVALID_PARAMETER, status: 400 },
            ServerCode { code: "InvalidUserId.Malformed", status: 400 },
            ServerCode { code: code::INVALID_LIVE_STREAM_URL, status: 400 },
            ServerCode { code: code::INVALID_MATERIAL_ID, status: 400 },
            ServerCode { code: code::INVALID_VOD_URL, status: 400 },
            ServerCode { code: "ResourceNumberExceed", status: 400 },
            ServerCode { code: code::MISSING_PARAMETER, status: 400 },
            ServerCode { code: "DuplicateLocationID", status: 400 },
            ServerCode { code: code::UNEXPECTED_LOCATION_ID, status: 400 },
            ServerCode { code: "IllegalOperation", status: 401 },
            ServerCode { code: "InvalidCaster.NotFound", status: 404 },
            ServerCode { code: code::INTERNAL, status: 500 },
        ],
    },
};

/// The group of the five ways to name a source.
pub(super) const SOURCE: &str = "source";

pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("CasterId").required().form(Form::Id(code::INVALID_CASTER_ID)).rule("id"),
    FieldSpec::text("ResourceName").required().form(Form::Plain).rule("text"),
    FieldSpec::text("LocationId").required().rule("RV01-RV99"),
    FieldSpec::text("LiveStreamUrl").in_group(SOURCE).rule("stream url"),
    FieldSpec::text("MaterialId").in_group(SOURCE).rule("id"),
    FieldSpec::text("VodUrl").in_group(SOURCE).rule("mp4/flv/ts url"),
    FieldSpec::integer("BeginOffset").form(Form::Range(0, i32::MAX)).rule("file; 0.."),
    FieldSpec::integer("EndOffset").rule("file; after BeginOffset or < 0"),
    FieldSpec::integer("RepeatNum").form(Form::Range(-1, i32::MAX)).rule("file; -1.."),
    FieldSpec::integer("PtsCallbackInterval").form(Form::Range(0, i32::MAX)).rule("0.."),
    FieldSpec::integer("FixedDelayDuration").form(Form::Range(0, 5000)).rule("0..5000"),
    FieldSpec::text("ImageId").in_group(SOURCE).rule("id"),
    FieldSpec::text("ImageUrl").in_group(SOURCE).rule("jpg/png url"),
    FieldSpec::long("OwnerId").rule("integer"),
    FieldSpec::text("RegionId").form(Form::Region).rule("region"),
];

/// The five ways to name a source, in the table's order; exactly one must be given.
pub const SOURCES: [&str; 5] = ["LiveStreamUrl", "MaterialId", "VodUrl", "ImageId", "ImageUrl"];

/// Parameters that apply only to a file source (VodUrl or MaterialId).
const FILE_ONLY: [&str; 3] = ["BeginOffset", "EndOffset", "RepeatNum"];

const LIVE_SCHEMES: [&str; 6] = ["rtmp", "rtmps", "http", "https", "artc", "srt"];

/// `RV01` … `RV99`.
pub fn is_location_id(text: &str) -> bool {
    match text.as_bytes() {
        [b'R', b'V', tens, ones] => tens.is_ascii_digit() && ones.is_ascii_digit() && (*tens, *ones) != (b'0', b'0'),
        _ => false,
    }
}

fn check(slots: &[Slot<'_>], errors: &mut Vec<Error>) {
    let fields = &Fields { specs: FIELDS, slots };
    if let Some(location) = fields.text("LocationId") {
        if !is_location_id(location) {
            errors.push(Error::validation(
                code::UNEXPECTED_LOCATION_ID,
                "LocationId",
                "LocationId must be RV followed by two digits, RV01 to RV99",
            ));
        }
    }
    check_source(fields, true, errors);
    check_end_offset(fields, errors);
}

/// A positive EndOffset after BeginOffset (also ModifyCasterVideoResource's rule).
pub(super) fn check_end_offset(fields: &Fields<'_>, errors: &mut Vec<Error>) {
    if let Some(end) = fields.integer("EndOffset") {
        let begin = fields.integer("BeginOffset").unwrap_or(0);
        if end > 0 && end <= begin {
            errors.push(Error::validation(
                code::INVALID_PARAMETER,
                "EndOffset",
                "EndOffset must be after BeginOffset when positive (a negative EndOffset counts from the last frame)",
            ));
        }
    }
}

/// The one source of a video source (`required`: AddCasterVideoResource's), its form, and the
/// parameters that apply only to a file source. ModifyCasterVideoResource may leave the source
/// as it is, and then its file-only parameters are the server's to judge.
pub(super) fn check_source(fields: &Fields<'_>, required: bool, errors: &mut Vec<Error>) {
    let given: Vec<&str> = SOURCES.iter().copied().filter(|name| fields.slot(name).is_present()).collect();
    let source = match given.as_slice() {
        [] if !required => return,
        [] => {
            errors.push(Error::validation(
                code::MISSING_PARAMETER,
                SOURCES.join("|"),
                "a video source is required: give one of LiveStreamUrl, MaterialId, VodUrl, ImageId or ImageUrl",
            ));
            return;
        }
        [one] => *one,
        several => {
            errors.push(Error::validation(
                code::INVALID_PARAMETER,
                several.join("|"),
                format!("give exactly one video source; got {}", several.join(" and ")),
            ));
            return;
        }
    };

    let is_file = matches!(source, "VodUrl" | "MaterialId");
    if !is_file {
        for name in FILE_ONLY {
            if fields.slot(name).is_present() {
                errors.push(Error::validation(
                    code::INVALID_PARAMETER,
                    name,
                    format!("{name} applies only to a file source (VodUrl or MaterialId), not to {source}"),
                ));
            }
        }
    }

    let Some(text) = fields.text(source) else { return };
    if let Some(rule) = URL_RULES.iter().find(|rule| rule.field == source) {
        if !url::parse(text).is_some_and(|parts| (rule.accepts)(&parts)) {
            errors.push(Error::validation(rule.code, source, rule.message));
        }
    } else if source == "MaterialId" {
        checks::id(fields, source, code::INVALID_MATERIAL_ID, errors);
    } else {
        checks::id(fields, source, code::INVALID_PARAMETER, errors);
    }
}

/// What a URL-valued source must look like.
struct UrlRule {
    field: &'static str,
    code: &'static str,
    accepts: fn(&UrlParts<'_>) -> bool,
    message: &'static str,
}

const URL_RULES: [UrlRule; 3] = [
    UrlRule {
        field: "LiveStreamUrl",
        code: code::INVALID_LIVE_STREAM_URL,
        accepts: |u| LIVE_SCHEMES.iter().any(|s| u.scheme.eq_ignore_ascii_case(s)),
        message: "LiveStreamUrl must be an absolute URL with a host and one of the schemes rtmp, rtmps, http, https, artc or srt",
    },
    UrlRule {
        field: "VodUrl",
        code: code::INVALID_VOD_URL,
        accepts: |u| is_http(u.scheme) && path_ends_with(u, &[".mp4", ".flv", ".ts"]),
        message: "VodUrl must be an http or https URL of an MP4, FLV or TS file (its path ends in .mp4, .flv or .ts)",
    },
    UrlRule {
        field: "ImageUrl",
        code: code::INVALID_PARAMETER,
        accepts: |u| is_http(u.scheme) && path_ends_with(u, &[".jpg", ".jpeg", ".png"]),
        message: "ImageUrl must be an http or https URL of a JPG or PNG image (its path ends in .jpg, .jpeg or .png)",
    },
];

fn is_http(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_ids() {
        for good in ["RV01", "RV09", "RV10", "RV99"] {
            assert!(is_location_id(good), "{good}");
        }
        for bad in ["RV00", "RV1", "RV100", "rv01", "RV0a", "RV 1", "", "XRV01", "RV٠١"] {
            assert!(!is_location_id(bad), "{bad}");
        }
    }
}
