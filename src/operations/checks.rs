//! Rules shared by both operations.

use crate::error::{code, Error};
use crate::text::{has_control, has_whitespace};

use super::fields::{FieldSpec, Form, Slot};
use super::Fields;

/// The longest ID the API takes, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 128;

/// A field's own rules, as declared: present when required, and of its form.
pub fn declared(spec: &'static FieldSpec, slot: &Slot<'_>, errors: &mut Vec<Error>) {
    let fields = &Fields { specs: std::slice::from_ref(spec), slots: std::slice::from_ref(slot) };
    let name = spec.name;
    if spec.required {
        required(fields, name, errors);
    }
    match spec.form {
        Form::Any => {}
        Form::Id(error_code) => id(fields, name, error_code, errors),
        Form::Plain => plain_text(fields, name, errors),
        Form::Region => region(fields, errors),
        Form::UtcTime => utc_time(fields, name, errors),
        Form::Range(min, max) => integer_range(fields, name, min, max, errors),
        Form::OneOf(allowed) => integer_in(fields, name, allowed, errors),
        Form::OneOfText(allowed) => text_in(fields, name, allowed, errors),
    }
}

/// A required field that is absent.
pub fn required(fields: &Fields<'_>, name: &'static str, errors: &mut Vec<Error>) {
    if !fields.slot(name).is_present() {
        errors.push(Error::validation(code::MISSING_PARAMETER, name, format!("{name} is required")));
    }
}

/// An ID: not empty, no whitespace or control characters, at most 128 bytes.
pub fn id(fields: &Fields<'_>, name: &'static str, error_code: &'static str, errors: &mut Vec<Error>) {
    let Some(text) = fields.text(name) else { return };
    let problem = if text.is_empty() {
        Some("must not be empty")
    } else if has_whitespace(text) || has_control(text) {
        Some("must not contain whitespace or control characters")
    } else if text.len() > MAX_ID_BYTES {
        Some("must be at most 128 bytes")
    } else {
        None
    };
    if let Some(problem) = problem {
        errors.push(Error::validation(error_code, name, format!("{name} {problem}")));
    }
}

/// A region ID such as `cn-shanghai`: lower-case letters, digits and hyphens, starting with a
/// letter, at most 64 bytes.
pub fn is_region_id(text: &str) -> bool {
    text.len() <= 64
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.ends_with('-')
}

pub fn region(fields: &Fields<'_>, errors: &mut Vec<Error>) {
    if let Some(text) = fields.text("RegionId") {
        if !is_region_id(text) {
            errors.push(Error::validation(
                code::INVALID_PARAMETER,
                "RegionId",
                "RegionId must be a region ID such as cn-shanghai (lower-case letters, digits and hyphens)",
            ));
        }
    }
}

/// Free text (a name): not empty, no control characters.
pub fn plain_text(fields: &Fields<'_>, name: &'static str, errors: &mut Vec<Error>) {
    let Some(text) = fields.text(name) else { return };
    if text.is_empty() {
        errors.push(Error::validation(code::INVALID_PARAMETER, name, format!("{name} must not be empty")));
    } else if has_control(text) {
        errors.push(Error::validation(code::INVALID_PARAMETER, name, format!("{name} must not contain control characters")));
    }
}

/// An integer field's range. `Slot::Invalid` fields were reported already.
pub fn integer_range(fields: &Fields<'_>, name: &'static str, min: i32, max: i32, errors: &mut Vec<Error>) {
    if let Slot::Integer(n) = fields.slot(name) {
        if !(min..=max).contains(n) {
            let range = match (min, max) {
                (min, i32::MAX) => format!("at least {min}"),
                (min, max) => format!("from {min} to {max}"),
            };
            errors.push(Error::validation(code::INVALID_PARAMETER, name, format!("{name} must be {range}")));
        }
    }
}

/// A time as the API takes it in queries: `yyyy-MM-ddTHH:mm:ssZ`, UTC.
pub fn utc_time(fields: &Fields<'_>, name: &'static str, errors: &mut Vec<Error>) {
    let Some(text) = fields.text(name) else { return };
    if crate::time::Timestamp::read(text).is_none() {
        errors.push(Error::validation(
            code::INVALID_PARAMETER,
            name,
            format!("{name} must be a UTC time as yyyy-MM-ddTHH:mm:ssZ, such as 2026-01-01T00:00:00Z"),
        ));
    }
}

/// An integer field that takes only the documented values.
pub fn integer_in(fields: &Fields<'_>, name: &'static str, allowed: &[i32], errors: &mut Vec<Error>) {
    if let Slot::Integer(n) = fields.slot(name) {
        if !allowed.contains(n) {
            // Written into one string: a Vec of the values' strings joined cost 0.5 KB of the .wasm.
            let mut message = [name, " must be one of "].concat();
            for (index, value) in allowed.iter().enumerate() {
                if index > 0 {
                    message.push_str(", ");
                }
                message.push_str(&value.to_string());
            }
            errors.push(Error::validation(code::INVALID_PARAMETER, name, message));
        }
    }
}

/// A text field that takes only the documented values (exactly as written).
pub fn text_in(fields: &Fields<'_>, name: &'static str, allowed: &[&str], errors: &mut Vec<Error>) {
    if let Some(text) = fields.text(name) {
        if !allowed.contains(&text) {
            errors.push(Error::validation(
                code::INVALID_PARAMETER,
                name,
                format!("{name} must be one of \"{}\"", allowed.join("\", \"")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{validate, Action, RawParams};

    /// The messages of a value outside the documented ones name every allowed value.
    #[test]
    fn values_outside_the_documented_ones_are_listed() {
        let describe = Action::from_name("DescribeCasters").expect("in the table");
        let errors = validate(describe, &RawParams::new().with("Status", 2).with("NormType", "2")).expect_err("refused");
        let messages: Vec<(Option<&str>, &str)> = errors.iter().map(|e| (e.field.as_deref(), e.message.as_str())).collect();
        assert!(messages.contains(&(Some("Status"), "Status must be one of 0, 1")), "{messages:?}");
        assert!(messages.contains(&(Some("NormType"), "NormType must be one of \"1\", \"3\", \"4\", \"6\"")), "{messages:?}");
    }

    #[test]
    fn region_ids() {
        for good in ["cn-shanghai", "ap-southeast-1", "cn-hangzhou-finance", "us-west-1"] {
            assert!(is_region_id(good), "{good}");
        }
        for bad in ["", "CN-shanghai", "cn shanghai", "-cn", "cn-", "1cn", "cn_shanghai", "cn-上海"] {
            assert!(!is_region_id(bad), "{bad}");
        }
    }
}
