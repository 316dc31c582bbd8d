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
    /// A 64-bit signed integer (the SDK's `Long`, such as `OwnerId`); from JS, a safe integer or
    /// a string of decimal digits.
    Long,
    /// A repeat list of objects whose members are strings (`Tag`: `Key`, `Value`), at most `max`
    /// of them. JS gives an array of objects; the wire carries each member as `Name.N.Member`,
    /// N counted from 1, as the vendor's SDKs flatten it.
    List { members: &'static [&'static str], max: u16 },
}

impl FieldType {
    /// The type's name in the operation table that JS reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "string",
            Self::Integer => "integer",
            Self::Long => "long",
            Self::List { .. } => "list",
        }
    }
}

/// What a field's own value must be, declared with it and checked by `validate` for every
/// operation; an operation's `check` adds only the rules that join fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Anything of its type.
    Any,
    /// An ID: not empty, no whitespace or control characters, at most 128 bytes; else this code.
    Id(&'static str),
    /// Free text (a name): not empty, no control characters.
    Plain,
    /// A region ID such as `cn-shanghai`.
    Region,
    /// `yyyy-MM-ddTHH:mm:ssZ`, UTC.
    UtcTime,
    /// An integer from the first to the second, inclusive.
    Range(i32, i32),
    /// An integer among these.
    OneOf(&'static [i32]),
    /// A text among these, exactly.
    OneOfText(&'static [&'static str]),
}

/// One parameter of an operation, named as the API names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    /// The request is refused without it (`MissingParameter`).
    pub required: bool,
    /// What its value must be.
    pub form: Form,
    /// A set of alternatives of which exactly one must be given (AddCasterVideoResource's
    /// `source`), or none.
    #[cfg(feature = "table")]
    pub group: Option<&'static str>,
    /// The rule its value must follow, in a few words (contract section 3). This and `group` are
    /// the table's description for JS (the `table` feature): the checks are `required`, `form`
    /// and the operation's `check`, and the table's tests hold them to agree.
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

    pub const fn long(name: &'static str) -> Self {
        Self::of(name, FieldType::Long)
    }

    /// A repeat list of at most `max` objects of these string members.
    pub const fn list(name: &'static str, members: &'static [&'static str], max: u16) -> Self {
        Self::of(name, FieldType::List { members, max })
    }

    /// An optional field of that type, in no source group, its rule not described.
    const fn of(name: &'static str, ty: FieldType) -> Self {
        Self {
            name,
            ty,
            required: false,
            form: Form::Any,
            #[cfg(feature = "table")]
            group: None,
            #[cfg(feature = "table")]
            rule: "",
        }
    }

    /// The same field, required.
    pub const fn required(self) -> Self {
        Self { required: true, ..self }
    }

    /// The same field, its value of this form.
    pub const fn form(self, form: Form) -> Self {
        Self { form, ..self }
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
    Long(i64),
    /// A repeat list: how many items it has (its members are in [`Collected::items`]).
    List(u16),
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

/// One member of one item of a repeat list (`Tag.2.Key`), as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListItem<'a> {
    /// The list's index among the operation's fields.
    pub field: usize,
    /// The item's number on the wire, from 1.
    pub n: u16,
    /// The member's index among the list's members.
    pub member: usize,
    pub value: &'a str,
}

/// What [`collect`] found: one slot per field, and the members of every repeat list.
#[derive(Debug, Default)]
pub struct Collected<'a> {
    pub slots: Vec<Slot<'a>>,
    pub items: Vec<ListItem<'a>>,
}

/// `Name.N.Member` of a repeat list `spec`: `None` when `key` is not of that list, else the item's
/// number and the member's index, or why the rest of the key is wrong.
fn list_key(spec: &FieldSpec, key: &str) -> Option<Result<(u16, usize), String>> {
    let FieldType::List { members, max } = spec.ty else { return None };
    let (name, rest) = key.split_once('.')?;
    if !spec.matches(name) {
        return None;
    }
    let shape = || {
        [&quote_name(key), " is not a member of the list ", spec.name, ": its keys are ", &list_shape(spec, members), ", N from 1 to ", &max.to_string()].concat()
    };
    let Some((number, member)) = rest.split_once('.') else { return Some(Err(shape())) };
    let n = match number.parse::<u16>() {
        Ok(n) if !number.starts_with(['0', '+']) && n >= 1 && n <= max => n,
        _ => return Some(Err(shape())),
    };
    let Some(index) = members.iter().position(|m| FieldSpec::text(m).matches(member)) else { return Some(Err(shape())) };
    Some(Ok((n, index)))
}

/// Matches keys to fields and checks each value's type. Returns one slot per field of the action,
/// in the action's field order, and every member of its repeat lists, with the problems found;
/// `None` when the object is refused whole.
pub fn collect<'a>(action: Action, params: &'a RawParams, errors: &mut Vec<Error>) -> Option<Collected<'a>> {
    let specs = action.fields();
    let mut slots = vec![Slot::Absent; specs.len()];
    let mut keys_seen: Vec<Option<&str>> = vec![None; specs.len()];
    let mut items: Vec<ListItem<'a>> = Vec::new();

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
            match specs.iter().enumerate().find_map(|(field, spec)| list_key(spec, key).map(|found| (field, spec, found))) {
                Some((field, spec, Ok((n, member)))) => {
                    list_member(spec, field, n, member, key, value, &mut items, &mut slots, errors);
                }
                Some((_, spec, Err(why))) => errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, why)),
                None => errors.push(unknown_field(action, key)),
            }
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
                    errors.push(integer_problem(spec.name, why, value));
                    Slot::Invalid
                }
            },
            (FieldType::Long, value) => match long_of(value) {
                Ok(n) => Slot::Long(n),
                Err(why) => {
                    errors.push(integer_problem(spec.name, why, value));
                    Slot::Invalid
                }
            },
            (FieldType::List { members, .. }, _) => {
                let message = [spec.name, " must be an array of objects { ", &members.join(": string, "), ": string } (on the wire: ", &list_shape(spec, members), ")"].concat();
                errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, message));
                Slot::Invalid
            }
        };
    }
    Some(Collected { slots, items })
}

/// Records one member of a repeat list, or the problem with it.
#[allow(clippy::too_many_arguments)]
fn list_member<'a>(
    spec: &FieldSpec,
    field: usize,
    n: u16,
    member: usize,
    key: &str,
    value: &'a Value,
    items: &mut Vec<ListItem<'a>>,
    slots: &mut [Slot<'a>],
    errors: &mut Vec<Error>,
) {
    let invalid = |slots: &mut [Slot<'a>]| {
        if let Some(slot) = slots.get_mut(field) {
            *slot = Slot::Invalid;
        }
    };
    if items.iter().any(|item| item.field == field && item.n == n && item.member == member) {
        errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, [&quote_name(key), " is given twice"].concat()));
        return invalid(slots);
    }
    let text = match value {
        Value::Text(text) if text.len() <= MAX_VALUE_BYTES => text,
        Value::Text(_) | Value::Oversized(_) => {
            errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, too_long(spec.name, shown::MAX_VALUE_BYTES, "one value")));
            return invalid(slots);
        }
        other => {
            errors.push(Error::validation(code::INVALID_PARAMETER, spec.name, [&quote_name(key), " ", &text_problem(other)].concat()));
            return invalid(slots);
        }
    };
    items.push(ListItem { field, n, member, value: text });
    if let Some(slot) = slots.get_mut(field) {
        // Items counted by their numbers (a walk, not a sort: see `validate`).
        let count = (1..=n_max(spec)).filter(|n| items.iter().any(|item| item.field == field && item.n == *n)).count();
        if !matches!(slot, Slot::Invalid) {
            *slot = Slot::List(u16::try_from(count).unwrap_or(u16::MAX));
        }
    }
}

/// A list's most items (none for any other field).
fn n_max(spec: &FieldSpec) -> u16 {
    match spec.ty {
        FieldType::List { max, .. } => max,
        _ => 0,
    }
}

/// `Tag.N.Key, Tag.N.Value`: a list's wire keys, as messages show them.
fn list_shape(spec: &FieldSpec, members: &[&str]) -> String {
    let mut out = String::new();
    for (index, member) in members.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        out.push_str(spec.name);
        out.push_str(".N.");
        out.push_str(member);
    }
    out
}

fn integer_problem(name: &str, why: &str, value: &Value) -> Error {
    let got = match value {
        Value::WrongType(type_name) => format!(", not {}", with_article(type_name)),
        _ => String::new(),
    };
    Error::validation(code::INVALID_PARAMETER, name, format!("{name} {why}{got}"))
}

/// Reads a 64-bit integer from a JS number (a safe integer: a larger one has already lost its
/// digits) or a decimal string.
fn long_of(value: &Value) -> Result<i64, &'static str> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value {
        Value::Number(n) if n.is_finite() && n.fract() == 0.0 && n.abs() <= MAX_SAFE => Ok(*n as i64),
        Value::Number(n) if n.is_finite() && n.fract() == 0.0 => Err("must be a safe integer (a larger number has lost digits; pass it as a string)"),
        Value::Number(_) => Err("must be a whole number"),
        Value::Text(text) => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("must be an integer (a number, or a string of decimal digits)");
            }
            text.parse::<i64>().map_err(|_| "must fit in a 64-bit signed integer")
        }
        Value::IllFormedText => Err("must be an integer, not a string with a lone UTF-16 surrogate"),
        Value::WrongType(_) | Value::Oversized(_) => Err("must be an integer"),
    }
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
