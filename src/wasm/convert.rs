//! JS values into the core's inputs. Reads only own enumerable properties (an inherited or
//! polluted prototype key is never a parameter), catches every throw, and never trusts a type.

use wasm_bindgen::JsValue;
use zeroize::Zeroizing;

use crate::error::{code, field_name, quote_name, Error, ErrorKind};
use crate::limits::{shown, too_long, MAX_OPTION_BYTES, MAX_PARAMS_BYTES, MAX_VALUE_BYTES};
use crate::operations::fields::{params_too_large, MAX_KEYS};
use crate::operations::input::{RawParams, Value};
use crate::text::nearest;

use super::js;

/// One property's value as read from JS.
pub enum Item {
    Text(String),
    /// A string with a lone surrogate.
    IllFormed,
    /// A string longer than its limit, left outside the instance: its length in UTF-16 units (its
    /// UTF-8 form has at least as many bytes).
    Oversized(usize),
    Number(f64),
    /// A Date under a request's `timestamp`: its time value.
    Date(f64),
    /// The object under a request's `params`, read.
    Params(Result<RawParams, Error>),
    /// Any other type, named as `typeof` names it (`array` for arrays).
    Other(&'static str),
}

impl Item {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text(_) | Self::IllFormed | Self::Oversized(_) => "string",
            Self::Number(_) => "number",
            Self::Date(_) | Self::Params(_) => "object",
            Self::Other(name) => name,
        }
    }
}

fn static_type(name: &str) -> &'static str {
    match name {
        "boolean" => "boolean",
        "bigint" => "bigint",
        "symbol" => "symbol",
        "function" => "function",
        "array" => "array",
        _ => "object",
    }
}

/// A JS value's type as a person names it, for messages.
fn type_name(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.is_string() {
        "string"
    } else if value.as_f64().is_some() {
        "number"
    } else if value.as_bool().is_some() {
        "boolean"
    } else if value.is_bigint() {
        "bigint"
    } else if value.is_symbol() {
        "symbol"
    } else if value.is_function() {
        "function"
    } else {
        // `Array.isArray` throws for a revoked proxy; the tag read is caught.
        match js::type_tag(value) {
            Ok(tag) if tag == "[object Array]" => "array",
            _ => "object",
        }
    }
}

/// A JS string as Rust text; `Some(None)` when it holds a lone surrogate (which has no UTF-8 form
/// and would otherwise be replaced by U+FFFD and signed); `None` when it is not a string.
fn text_of(value: &JsValue) -> Option<Option<String>> {
    let text = value.as_string()?;
    // U+FFFD's UTF-8 bytes, searched as bytes: `contains('\u{FFFD}')` searches with a `&str`
    // pattern, whose panic path formats chars and ranges with `Debug` (about 3 KB of the .wasm).
    if !text.is_ascii() && text.as_bytes().windows(3).any(|bytes| bytes == "\u{FFFD}".as_bytes()) && !js::is_well_formed(value) {
        return Some(None);
    }
    Some(Some(text))
}

fn with_kind(mut error: Error, kind: ErrorKind) -> Error {
    error.kind = kind;
    error
}

fn article(name: &str) -> String {
    if matches!(name, "undefined" | "null") {
        return name.to_owned();
    }
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
    format!("{article} {name}")
}

fn not_plain(what: &str, shown: &str, kind: ErrorKind) -> Error {
    with_kind(
        Error::validation(code::INVALID_PARAMETER, what, format!("{what} must be a plain object, not {}", article(shown))),
        kind,
    )
}

/// Reads the packed form of `js/boundary.js`'s `readObject`: lengths count UTF-16 units.
struct Packed<'a> {
    rest: &'a str,
}

impl<'a> Packed<'a> {
    /// Decimal digits and a `:`. Read a byte at a time: a length is a few digits, where
    /// `split_once(':')` and `parse` (a char search through `memchr`, then a second pass) cost a
    /// few percent of `signRequest`.
    fn length(&mut self) -> Option<usize> {
        let mut value: usize = 0;
        for (index, &byte) in self.rest.as_bytes().iter().enumerate() {
            match byte {
                b'0'..=b'9' => value = value.checked_mul(10)?.checked_add(usize::from(byte - b'0'))?,
                b':' if index > 0 => {
                    self.rest = self.rest.get(index + 1..)?;
                    return Some(value);
                }
                _ => return None,
            }
        }
        None
    }

    fn units(&mut self, units: usize) -> Option<&'a str> {
        // ASCII (the usual case): one UTF-16 unit per byte.
        if let Some(head) = self.rest.as_bytes().get(..units) {
            if head.is_ascii() {
                let (taken, rest) = (self.rest.get(..units)?, self.rest.get(units..)?);
                self.rest = rest;
                return Some(taken);
            }
        }
        let mut counted = 0;
        let mut end = 0;
        for ch in self.rest.chars() {
            if counted >= units {
                break;
            }
            counted += ch.len_utf16();
            end += ch.len_utf8();
        }
        if counted != units {
            return None;
        }
        let (taken, rest) = (self.rest.get(..end)?, self.rest.get(end..)?);
        self.rest = rest;
        Some(taken)
    }

    fn tag(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let tag = chars.next()?;
        self.rest = chars.as_str();
        Some(tag)
    }

    fn entry(&mut self) -> Option<(&'a str, char, &'a str)> {
        let key_len = self.length()?;
        let key = self.units(key_len)?;
        let tag = self.tag()?;
        let text_len = self.length()?;
        let text = self.units(text_len)?;
        Some((key, tag, text))
    }
}

/// The most numbers one reading can carry: every key of a request and of its params. JS sizes
/// its NUMBERS buffer from it (`readPacked`).
const MAX_NUMBERS: usize = 2 * MAX_KEYS + 2;

/// The numbers of one reading, taken in the order JS wrote them.
struct Numbers {
    next: usize,
}

impl Numbers {
    fn take(&mut self) -> Option<f64> {
        if self.next >= MAX_NUMBERS {
            return None;
        }
        let value = js::take_number(self.next);
        self.next += 1;
        Some(value)
    }
}

fn broken() -> Error {
    Error::internal("the packed entries could not be read")
}

/// The entries of one reading. `what` names the object in messages (`request`, `params`).
fn parse_reading(text: &str, numbers: &mut Numbers, what: &str, kind: ErrorKind) -> Result<Vec<(String, Item)>, Error> {
    let mut chars = text.chars();
    let head = chars.next();
    let rest = chars.as_str();
    let error = |code, field: String, message: String| with_kind(Error::validation(code, field, message), kind);
    match head {
        Some('=') => {}
        Some('*') => return Err(error(code::INVALID_PARAMETER, what.to_owned(), format!("reading {what} threw an exception"))),
        Some('!') => return Err(not_plain(what, rest, kind)),
        Some('#') => {
            return Err(error(
                code::INVALID_PARAMETER,
                what.to_owned(),
                format!("{what} has {rest} keys, far more than any operation takes"),
            ))
        }
        Some('?') => {
            return Err(error(
                code::INVALID_PARAMETER,
                field_name(rest),
                format!("reading {what}.{} threw an exception", quote_name(rest)),
            ))
        }
        Some('>') => return Err(with_kind(params_too_large(what), kind)),
        _ => return Err(broken()),
    }
    let mut reader = Packed { rest };
    let mut out = Vec::new();
    while !reader.rest.is_empty() {
        let (key, tag, text) = reader.entry().ok_or_else(broken)?;
        let item = match tag {
            's' => Item::Text(text.to_owned()),
            'x' => Item::IllFormed,
            'l' => Item::Oversized(text.parse().map_err(|_| broken())?),
            'n' => Item::Number(numbers.take().ok_or_else(broken)?),
            'd' => Item::Date(numbers.take().ok_or_else(broken)?),
            'p' => Item::Params(parse_reading(text, numbers, "params", ErrorKind::Validation).map(into_params)),
            _ => Item::Other(static_type(text)),
        };
        out.push((key.to_owned(), item));
    }
    Ok(out)
}

/// A reading without the U+00FF that `readPacked` puts first (see there why).
fn unmarked(text: &str) -> Result<&str, Error> {
    text.strip_prefix('\u{ff}').ok_or_else(broken)
}

fn into_params(entries: Vec<(String, Item)>) -> RawParams {
    let mut params = RawParams::new();
    for (key, item) in entries {
        let converted = match item {
            Item::Text(text) => Value::Text(text),
            Item::IllFormed => Value::IllFormedText,
            Item::Oversized(units) => Value::Oversized(units),
            Item::Number(number) => Value::Number(number),
            other => Value::WrongType(other.type_name()),
        };
        params.push(key, converted);
    }
    params
}



/// One reading of `value` by `js/boundary.js`, with the limits it applies before it copies a
/// string: a longer one stays outside the instance and crosses as its length.
fn read_packed(value: &JsValue, request: bool) -> String {
    js::read_packed(value, MAX_NUMBERS, MAX_KEYS, MAX_OPTION_BYTES, MAX_VALUE_BYTES, MAX_PARAMS_BYTES, request)
}

/// A request object's own enumerable entries whose values are not `undefined` or `null`, read in
/// one call into JS, its `params` object with them.
pub fn request_entries(value: &JsValue) -> Result<Vec<(String, Item)>, Error> {
    let mut numbers = Numbers { next: 0 };
    // The reading holds the secret: zeroed when dropped.
    let text = Zeroizing::new(read_packed(value, true));
    parse_reading(unmarked(&text)?, &mut numbers, "request", ErrorKind::Validation)
}

/// Operation parameters from a `params` object.
pub fn raw_params(value: &JsValue) -> Result<RawParams, Error> {
    let mut numbers = Numbers { next: 0 };
    let text = read_packed(value, false);
    parse_reading(unmarked(&text)?, &mut numbers, "params", ErrorKind::Validation).map(into_params)
}

/// `params` as given in a request: it must be an object.
pub fn params_item(item: Item) -> Result<RawParams, Error> {
    match item {
        Item::Params(params) => params,
        other => Err(not_plain("params", other.type_name(), ErrorKind::Validation)),
    }
}

/// An option longer than [`MAX_OPTION_BYTES`]; the message never quotes it.
pub fn option_too_long(field: &str) -> Error {
    Error::validation(
        code::INVALID_PARAMETER,
        field,
        too_long(field, shown::MAX_OPTION_BYTES, "an option"),
    )
}

/// A string-valued option of a request (`accessKeyId`, `endpoint`, …), at most
/// [`MAX_OPTION_BYTES`] of UTF-8 (checked here exactly; JS left out only what is surely longer).
pub fn item_text(item: &Item, field: &str, kind: ErrorKind) -> Result<String, Error> {
    let error = match item {
        Item::Text(text) if text.len() <= MAX_OPTION_BYTES => return Ok(text.clone()),
        Item::Text(_) | Item::Oversized(_) => option_too_long(field),
        Item::IllFormed => Error::validation(
            code::INVALID_PARAMETER,
            field,
            format!("{field} contains a lone UTF-16 surrogate, which cannot be encoded as UTF-8"),
        ),
        other => Error::validation(code::INVALID_PARAMETER, field, format!("{field} must be a string, not {}", article(other.type_name()))),
    };
    Err(with_kind(error, kind))
}

/// The length of a JS string in UTF-16 units, read without copying it; `None` for other values.
pub fn string_units(value: &JsValue) -> Option<usize> {
    wasm_bindgen::JsCast::dyn_ref::<js_sys::JsString>(value).map(|text| usize::try_from(text.length()).unwrap_or(usize::MAX))
}

/// A string argument (`validateParams`' action, the server's texts).
pub fn value_text(value: &JsValue, field: &str) -> Result<String, Error> {
    match text_of(value) {
        Some(Some(text)) => Ok(text),
        Some(None) => item_text(&Item::IllFormed, field, ErrorKind::Validation),
        None => Err(Error::validation(
            code::INVALID_PARAMETER,
            field,
            format!("{field} must be a string, not {}", article(type_name(value))),
        )),
    }
}

/// A received body's bytes: a string's UTF-8, or a `Uint8Array`'s (a Node `Buffer` is one),
/// copied through `Uint8Array.from` so that no getter or trap of the value runs outside a `catch`.
#[cfg(feature = "server")]
pub fn value_bytes(value: &JsValue, field: &str) -> Result<Vec<u8>, Error> {
    if value.is_string() {
        return value_text(value, field).map(String::into_bytes);
    }
    if wasm_bindgen::JsCast::is_instance_of::<js_sys::Uint8Array>(value) {
        return js::uint8_array_from(value).map_err(|_| {
            Error::validation(code::INVALID_PARAMETER, field, format!("{field} could not be read (a proxy, or a getter that threw)"))
        });
    }
    Err(Error::validation(
        code::INVALID_PARAMETER,
        field,
        format!("{field} must be a string or a Uint8Array, not {}", article(type_name(value))),
    ))
}

/// The known keys of a request object; anything else is refused with the nearest known name.
pub fn check_keys(entries: &[(String, Item)], known: &[&'static str], what: &str) -> Result<(), Error> {
    for (key, _) in entries {
        if known.contains(&key.as_str()) {
            continue;
        }
        let mut message = format!("{} is not an option of {what}", quote_name(key));
        match nearest(key, known.iter().copied()) {
            Some(suggestion) => message.push_str(&format!("; did you mean \"{suggestion}\"?")),
            None => message.push_str(&format!("; its options are {}", known.join(", "))),
        }
        return Err(Error::validation(code::INVALID_PARAMETER, field_name(key), message));
    }
    Ok(())
}
