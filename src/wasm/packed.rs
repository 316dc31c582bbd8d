//! Results leave the instance as one string of NUL-separated fields that `js/boundary.js` splits:
//! one crossing instead of dozens. Keys the package knows (parameter and header names) cross as
//! one control character each, a code into the name table the JS side received once
//! (`setNames`): JS then uses property keys it already holds instead of turning fresh strings into
//! keys on every call.

use std::sync::OnceLock;

use crate::config::{Endpoint, Method};
use crate::error::Error;
use crate::request::param_names;
use crate::signer::Signature;

use super::js;

/// Header names a result may hold, after the parameter names in the table.
const HEADER_NAMES: [&str; 1] = ["content-type"];

/// Codes are `U+0001 ..= U+001F`; a name past that crosses spelled out.
const MAX_CODES: usize = 31;

/// The name table, built once per instance; the JS side gets it on first use.
fn names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = param_names();
        names.extend(HEADER_NAMES);
        names.truncate(MAX_CODES);
        js::set_names(&names.join("\0"));
        names
    })
}

struct Out {
    text: String,
    first: bool,
}

impl Out {
    fn field(&mut self, field: &str) -> Result<(), Error> {
        if field.contains('\0') {
            return Err(Error::internal("a result held a NUL character, which validation should have refused"));
        }
        self.encoded(field);
        Ok(())
    }

    /// A field that is percent-encoded or base64 (no NUL is possible), taken without a look.
    fn encoded(&mut self, field: &str) {
        if !self.first {
            self.text.push('\0');
        }
        self.first = false;
        self.text.push_str(field);
    }

    /// A key: its code when the table has it, else the key itself (never a lone control character:
    /// validation refuses those in keys).
    fn key(&mut self, names: &[&str], key: &str) -> Result<(), Error> {
        match names.iter().position(|name| *name == key).and_then(|index| char::from_u32(index as u32 + 1)) {
            Some(code) => {
                if !self.first {
                    self.text.push('\0');
                }
                self.first = false;
                self.text.push(code);
                Ok(())
            }
            None => self.field(key),
        }
    }
}

/// `method, url, body, canonicalQuery, stringToSign, signature, n, n header pairs, param pairs`,
/// the parameters in canonical order with `Signature` last.
pub fn signed_request(method: Method, endpoint: &Endpoint, signed: &Signature, params: &[(&str, &str)]) -> Result<String, Error> {
    let names = names();
    let wire = signed.wire();
    let (url, body) = match method {
        Method::Get => (format!("{}?{wire}", endpoint.as_str()), String::new()),
        Method::Post => (endpoint.as_str().to_owned(), wire),
    };
    let headers = Signature::headers(method);
    let capacity = url.len() + body.len() + signed.string_to_sign.len() + signed.canonical_query.len() * 2 + 128;
    let mut out = Out { text: String::with_capacity(capacity), first: true };
    out.field(method.as_str())?;
    out.field(&url)?;
    out.encoded(&body);
    out.encoded(&signed.canonical_query);
    out.encoded(&signed.string_to_sign);
    out.encoded(&signed.signature);
    out.field(&headers.len().to_string())?;
    for (key, value) in &headers {
        out.key(names, key)?;
        out.field(value)?;
    }
    for index in &signed.order {
        if let Some((key, value)) = params.get(*index) {
            out.key(names, key)?;
            out.field(value)?;
        }
    }
    out.key(names, "Signature")?;
    out.encoded(&signed.signature);
    Ok(out.text)
}

/// `field, code, message` triples.
pub fn problems(errors: &[Error]) -> Result<String, Error> {
    let mut out = Out { text: String::with_capacity(errors.len() * 96), first: true };
    for error in errors {
        out.field(error.field.as_deref().unwrap_or(""))?;
        out.field(error.code)?;
        out.field(&error.message)?;
    }
    Ok(out.text)
}
