//! JS values into the core's inputs. Reads only own enumerable properties (an inherited or
//! polluted prototype key is never a parameter), catches every throw, and never trusts a type.

use wasm_bindgen::JsValue;

use crate::error::{code, quote_name, Error, ErrorKind};
use crate::operations::fields::MAX_KEYS;
use crate::operations::input::{RawParams, Value};
use crate::text::nearest;

use super::js;

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
    } else if js_sys::Array::is_array(value) {
        "array"
    } else {
        "object"
    }
}

/// A JS string as Rust text; `None` when it holds a lone surrogate (which has no UTF-8 form and
/// would otherwise be replaced by U+FFFD and signed).
pub fn text_of(value: &JsValue) -> Option<Option<String>> {
    let text = value.as_string()?;
    if text.contains('\u{FFFD}') && !js::is_well_formed(value) {
        return Some(None);
    }
    Some(Some(text))
}

/// A plain object's own enumerable entries whose values are not `undefined` or `null`.
/// `what` names the argument in messages (`request`, `params`).
pub fn entries(value: &JsValue, what: &str, kind: ErrorKind) -> Result<Vec<(String, JsValue)>, Error> {
    let not_object = || {
        let mut err = Error::validation(
            code::INVALID_PARAMETER,
            what,
            format!("{what} must be a plain object, not {}", article(type_name(value))),
        );
        err.kind = kind;
        err
    };
    if !value.is_object() || value.is_function() {
        return Err(not_object());
    }
    let tag = js::type_tag(value).map_err(|_| threw(what, kind))?;
    if tag != "[object Object]" {
        let shown = tag.trim_start_matches("[object ").trim_end_matches(']').to_owned();
        let mut err = Error::validation(code::INVALID_PARAMETER, what, format!("{what} must be a plain object, not {}", article(&shown)));
        err.kind = kind;
        return Err(err);
    }
    let keys = js::own_keys(value).map_err(|_| threw(what, kind))?;
    let count = keys.length() as usize;
    if count > MAX_KEYS {
        let mut err = Error::validation(code::INVALID_PARAMETER, what, format!("{what} has {count} keys, far more than any operation takes"));
        err.kind = kind;
        return Err(err);
    }
    let mut out = Vec::with_capacity(count);
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        let item = js_sys::Reflect::get(value, &key).map_err(|_| {
            let mut err = Error::validation(
                code::INVALID_PARAMETER,
                name.chars().take(64).collect::<String>(),
                format!("reading {what}.{} threw an exception", quote_name(&name)),
            );
            err.kind = kind;
            err
        })?;
        if !item.is_undefined() && !item.is_null() {
            out.push((name, item));
        }
    }
    Ok(out)
}

fn threw(what: &str, kind: ErrorKind) -> Error {
    let mut err = Error::validation(code::INVALID_PARAMETER, what, format!("reading {what} threw an exception"));
    err.kind = kind;
    err
}

fn article(name: &str) -> String {
    if matches!(name, "undefined" | "null") {
        return name.to_owned();
    }
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
    format!("{article} {name}")
}

/// Operation parameters: each value as the core's `Value`.
pub fn raw_params(value: &JsValue) -> Result<RawParams, Error> {
    let mut params = RawParams::new();
    for (key, item) in entries(value, "params", ErrorKind::Validation)? {
        let converted = if let Some(text) = text_of(&item) {
            text.map_or(Value::IllFormedText, Value::Text)
        } else if let Some(number) = item.as_f64() {
            Value::Number(number)
        } else {
            Value::WrongType(type_name(&item))
        };
        params.push(key, converted);
    }
    Ok(params)
}

/// A string-valued option of the request (`accessKeyId`, `endpoint`, …).
pub fn option_text(value: &JsValue, field: &str, kind: ErrorKind) -> Result<String, Error> {
    let mut err = match text_of(value) {
        Some(Some(text)) => return Ok(text),
        Some(None) => Error::validation(
            code::INVALID_PARAMETER,
            field,
            format!("{field} contains a lone UTF-16 surrogate, which cannot be encoded as UTF-8"),
        ),
        None => Error::validation(code::INVALID_PARAMETER, field, format!("{field} must be a string, not {}", article(type_name(value)))),
    };
    err.kind = kind;
    Err(err)
}

/// The known keys of a request object; anything else is refused with the nearest known name.
pub fn check_keys(entries: &[(String, JsValue)], known: &[&'static str], what: &str) -> Result<(), Error> {
    for (key, _) in entries {
        if known.contains(&key.as_str()) {
            continue;
        }
        let mut message = format!("{} is not an option of {what}", quote_name(key));
        if let Some(suggestion) = nearest(key, known.iter().copied()) {
            message.push_str(&format!("; did you mean \"{suggestion}\"?"));
        }
        return Err(Error::validation(code::INVALID_PARAMETER, key.chars().take(64).collect::<String>(), message));
    }
    Ok(())
}

/// Milliseconds since the epoch of a Date object, or `None` if the value is not one.
pub fn date_millis(value: &JsValue) -> Option<f64> {
    if !value.is_object() {
        return None;
    }
    match js::type_tag(value) {
        Ok(tag) if tag == "[object Date]" => js::date_value(value).ok(),
        _ => None,
    }
}
