//! Turning a caller's keys and values into typed fields: names (PascalCase or camelCase), unknown
//! names with a suggestion, duplicates, and each value's type.

use crate::error::{code, field_name, quote_name, Error};
use crate::limits::{shown, too_long, MAX_PARAMS_BYTES, MAX_VALUE_BYTES};
use crate::text::nearest;

use super::input::{RawParams, Value};
use super::Action;

/// What a field holds on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    /// A 32-bit signed integer (milliseconds or a count).
    Integer,
}

impl FieldType {
    /// The type's name in the operation table that JS reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "string",
            Self::Integer => "integer",
        }
    }
}

/// One parameter of an operation, named as the API names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    /// The request is refused without it (`MissingParameter`).
    #[cfg(feature = "table")]
    pub required: bool,
    /// A set of alternatives of which exactly one must be given (AddCasterVideoResource's
    /// `source`), or none.
    #[cfg(feature = "table")]
    pub group: Option<&'static str>,
    /// The rule its value must follow, in a few words (contract section 3). This and the two
    /// above are the table's description for JS (the `table` feature): the checks themselves are
    /// the operation's `check`, and the table's tests hold the two to agree.
    #[cfg(feature = "table")]
    pub rule: &'static str,
}

impl FieldSpec {
    pub const fn text(name: &'static str) -> Self {
        Self::of(name, FieldType::Text)
    }

    pub const fn integer(name: &'static str) -> Self {
        Self::of(name, FieldType::Integer)
    }

    /// An optional field of that type, in no source group, its rule not described.
    const fn of(name: &'static str, ty: FieldType) -> Self {
        Self {
            name,
            ty,
            #[cfg(feature = "table")]
            required: false,
            #[cfg(feature = "table")]
            group: None,
            #[cfg(feature = "table")]
            rule: "",
        }
    }

    /// The same field, required.
    #[cfg(feature = "table")]
    pub const fn required(self) -> Self {
        Self { required: true, ..self }
    }

    /// The same field, one of the alternatives of `group`.
    #[cfg(feature = "table")]
    pub const fn in_group(self, group: &'static str) -> Self {
        Self { group: Some(group), ..self }
    }

    /// The same field with its rule described.
    #[cfg(feature = "table")]
    pub const fn rule(self, rule: &'static str) -> Self {
        Self { rule, ..self }
    }

    // Without the `table` feature (both .wasm builds) the description is not carried.

    #[cfg(not(feature = "table"))]
    pub const fn required(self) -> Self {
        self
    }

    #[cfg(not(feature = "table"))]
    pub const fn in_group(self, _group: &'static str) -> Self {
        self
    }

    #[cfg(not(feature = "table"))]
    pub const fn rule(self, _rule: &'static str) -> Self {
        self
    }

    /// The API's PascalCase spelling, or the same with its first letter lower-cased.
    pub fn matches(&self, key: &str) -> bool {
        if key == self.name {
            return true;
        }
        let mut key_chars = key.chars();
        let mut name_chars = self.name.chars();
        match (key_chars.next(), name_chars.next()) {
            (Some(k), Some(n)) => k == n.to_ascii_lowercase() && key_chars.as_str() == name_chars.as_str(),
            _ => false,
        }
    }
}

/// A field's value after its type was checked, borrowed from the caller's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot<'a> {
    Absent,
    /// Present, but its type or form was wrong; the error is already recorded.
    Invalid,
    Text(&'a str),
    Integer(i32),
}

impl Slot<'_> {
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }
}

/// The most keys one call may carry; a larger object is refused whole.
pub const MAX_KEYS: usize = 64;

/// Parameters whose names and values (each within its own limit) exceed [`MAX_PARAMS_BYTES`].
pub fn params_too_large(what: &str) -> Error {
    Error::validation(
        code::INVALID_PARAMETER,
        what,
        [what, " hold more than ", shown::MAX_PARAMS_BYTES, " bytes of names and values, the limit for one request"].concat(),
    )
}

/// The bytes a name or a value counts towards [`MAX_PARAMS_BYTES`]: none when it is over
/// [`MAX_VALUE_BYTES`] (that rule refuses it on its own).
fn counted(bytes: usize) -> usize {
    if bytes > MAX_VALUE_BYTES {
        0
    } else {
        bytes
    }
}

/// The bytes of all names and values that count towards [`MAX_PARAMS_BYTES`].
fn total_bytes(params: &RawParams) -> usize {
    params
        .entries
        .iter()
        .map(|(key, value)| {
            let value_bytes = match value {
                Value::Text(text) => counted(text.len()),
                _ => 0,
            };
            counted(key.len()).saturating_add(value_bytes)
        })
        .fold(0, usize::saturating_add)
}

/// Whether a value is over [`MAX_VALUE_BYTES`] (a string left outside by the JS boundary is).
fn is_too_long(value: &Value) -> bool {
    match value {
        Value::Text(text) => text.len() > MAX_VALUE_BYTES,
        Value::Oversized(_) => true,
        _ => false,
    }
}

/// The code a field's malformed value gets: the operation's own code where it has one.
fn malformed_code(name: &str) -> &'static str {
    match name {
        "CasterId" => code::INVALID_CASTER_ID,
        "SceneId" => code::INVALID_SCENE_ID,
        "MaterialId" => code::INVALID_MATERIAL_ID,
        "LiveStreamUrl" => code::INVALID_LIVE_STREAM_URL,
        "VodUrl" => code::INVALID_VOD_URL,
        "LocationId" => code::UNEXPECTED_LOCATION_ID,
        _ => code::INVALID_PARAMETER,
    }
}

/// Reads an integer from a JS number or a decimal string.
fn integer_of(value: &Value) -> Result<i32, &'static str> {
    match value {
        Value::Number(n) => {
            if !n.is_finite() {
                Err("must be a finite integer, not NaN or Infinity")
            } else if n.fract() != 0.0 {
                Err("must be a whole number")
            } else if *n < f64::from(i32::MIN) || *n > f64::from(i32::MAX) {
                Err("must fit in a 32-bit signed integer")
            } else {
                // Whole and in range, so the conversion is exact.
                Ok(*n as i32)
            }
        }
        Value::Text(text) => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("must be an integer (a number, or a string of decimal digits)");
            }
            // Only digits and one sign remain, so the one way to fail is overflow.
            text.parse::<i32>().map_err(|_| "must fit in a 32-bit signed integer")
        }
        Value::IllFormedText => Err("must be an integer, not a string with a lone UTF-16 surrogate"),
        Value::WrongType(_) | Value::Oversized(_) => Err("must be an integer"),
    }
}

/// Matches keys to fields and checks each value's type. Returns one slot per field of the action,
/// in the action's field order, and the problems found; `None` when the object is refused whole.
pub fn collect<'a>(action: Action, params: &'a RawParams, errors: &mut Vec<Error>) -> Option<Vec<Slot<'a>>> {
    let specs = action.fields();
    let mut slots = vec![Slot::Absent; specs.len()];
    let mut keys_seen: Vec<Option<&str>> = vec![None; specs.len()];

    if params.entries.len() > MAX_KEYS {
        errors.push(Error::validation(
            code::INVALID_PARAMETER,
            "params",
            format!("params has {} keys; {} takes {} parameters", params.entries.len(), action.name(), specs.len()),
        ));
        return None;
    }
    // Before any value is looked at.
    if total_bytes(params) > MAX_PARAMS_BYTES {
        errors.push(params_too_large("params"));
        return None;
    }

    for (key, value) in &params.entries {
        let found = specs.iter().zip(slots.iter_mut().zip(keys_seen.iter_mut())).find(|(spec, _)| spec.matches(key));
        let Some((spec, (slot, seen))) = found else {
            errors.push(unknown_field(action, key));
            continue;
        };
        if let Some(first) = seen {
            errors.push(Error::validation(
                code::INVALID_PARAMETER,
                spec.name,
                format!("{} is given twice (as {} and {})", spec.name, quote_name(first), quote_name(key)),
            ));
            *slot = Slot::Invalid;
            continue;
        }
        *seen = Some(key);
        if is_too_long(value) {
            let message = too_long(spec.name, shown::MAX_VALUE_BYTES, "one value");
            errors.push(Error::validation(malformed_code(spec.name), spec.name, message));
            *slot = Slot::Invalid;
            continue;
        }
        *slot = match (spec.ty, value) {
            (FieldType::Text, Value::Text(text)) => Slot::Text(text),
            (FieldType::Text, _) => {
                errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, format!("{} {}", spec.name, text_problem(value))));
                Slot::Invalid
            }
            (FieldType::Integer, value) => match integer_of(value) {
                Ok(n) => Slot::Integer(n),
                Err(why) => {
                    let got = match value {
                        Value::WrongType(type_name) => format!(", not {}", with_article(type_name)),
                        _ => String::new(),
                    };
                    errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, format!("{} {why}{got}", spec.name)));
                    Slot::Invalid
                }
            },
        };
    }
    Some(slots)
}

/// Why a value is not text.
fn text_problem(value: &Value) -> String {
    match value {
        Value::IllFormedText => "contains a lone UTF-16 surrogate, which cannot be encoded as UTF-8".to_owned(),
        Value::Number(_) => "must be a string, not a number".to_owned(),
        Value::WrongType(type_name) => format!("must be a string, not {}", with_article(type_name)),
        Value::Text(_) | Value::Oversized(_) => "must be a string".to_owned(),
    }
}

fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {type_name}")
}

fn unknown_field(action: Action, key: &str) -> Error {
    let names = action.fields().iter().map(|spec| spec.name);
    let mut message = format!("{} is not a parameter of {}", quote_name(key), action.name());
    if let Some(other) = Action::ALL.iter().find(|other| **other != action && other.fields().iter().any(|s| s.matches(key))) {
        message.push_str(&format!(" (it belongs to {})", other.name()));
    } else if let Some(suggestion) = nearest(key, names.clone()) {
        message.push_str(&format!("; did you mean \"{suggestion}\"?"));
    } else {
        message.push_str("; its parameters are ");
        message.push_str(&names.collect::<Vec<_>>().join(", "));
    }
    let field = field_name(key);
    Error::validation(code::INVALID_PARAMETER, field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let spec = FieldSpec::text("CasterId");
        assert!(spec.matches("CasterId"));
        assert!(spec.matches("casterId"));
        assert!(!spec.matches("casterid"));
        assert!(!spec.matches("CASTERID"));
        assert!(!spec.matches("asterId"));
        assert!(!spec.matches(""));
    }

    #[test]
    fn integers() {
        assert_eq!(integer_of(&Value::Number(5.0)), Ok(5));
        assert_eq!(integer_of(&Value::Number(-0.0)), Ok(0));
        assert_eq!(integer_of(&Value::Text("-12".into())), Ok(-12));
        assert_eq!(integer_of(&Value::Text("0007".into())), Ok(7));
        assert_eq!(integer_of(&Value::Text("+1".into())), Ok(1));
        assert_eq!(integer_of(&Value::Text("000000000000000000000000007".into())), Ok(7));
        assert_eq!(integer_of(&Value::Number(2_147_483_647.0)), Ok(i32::MAX));
        assert_eq!(integer_of(&Value::Number(-2_147_483_648.0)), Ok(i32::MIN));
        for bad in [
            Value::Number(1.5), Value::Number(f64::NAN), Value::Number(f64::INFINITY), Value::Number(2_147_483_648.0),
            Value::Text("1.0".into()), Value::Text("1e3".into()), Value::Text(" 1".into()), Value::Text("++1".into()), Value::Text("-+1".into()),
            Value::Text("".into()), Value::Text("-".into()), Value::Text("2147483648".into()),
            Value::Text("99999999999999999999999".into()), Value::IllFormedText, Value::WrongType("boolean"),
        ] {
            assert!(integer_of(&bad).is_err(), "{bad:?}");
        }
    }
}
