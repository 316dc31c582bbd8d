//! Results leave the instance as one string of NUL-separated fields that `js/boundary.js` splits:
//! one crossing instead of dozens. Keys the package knows (parameter and header names) cross as
//! one control character each, a code into the name tables the JS side received once
//! (`setNames`): JS then uses property keys it already holds instead of turning fresh strings into
//! keys on every call.

use std::sync::OnceLock;

use crate::config::{Endpoint, Method};
use crate::error::Error;
use crate::signing::operation::{param_names, NAME_CODES};
use crate::signing::{v1, v3, SignatureAlgorithm, SignedParams};

use super::js;

/// Codes are the control characters U+0001 to U+001F, which no key holds (validation refuses
/// them), so the result stays ASCII: a string with any other character would reach JS as a
/// two-byte string, and so would every field split from it.
const MAX_CODES: usize = NAME_CODES;
/// Header names a result may hold, the second name table: v1's `content-type`, then every header
/// the V3 signer sends, from its own list. Built at compile time, and checked there to fit the
/// codes. Its indexing runs in the compiler: an index out of range fails the build, it cannot
/// panic at run time.
#[allow(clippy::indexing_slicing)]
const HEADER_NAMES: [&str; 1 + v3::HEADER_NAMES.len()] = {
    let mut names = [v1::CONTENT_TYPE; 1 + v3::HEADER_NAMES.len()];
    let mut index = 0;
    while index < v3::HEADER_NAMES.len() {
        names[index + 1] = v3::HEADER_NAMES[index];
        index += 1;
    }
    names
};
const _: () = assert!(HEADER_NAMES.len() <= MAX_CODES, "more header names than codes");

/// The two name tables, parameters and headers, built once per instance; the JS side gets them
/// on first use. The header table fits the codes (checked at compile time above); parameter names
/// past them cross spelled out, and `the_common_names_and_the_first_operations_get_codes` holds
/// the ones most calls carry among the coded.
fn names() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static NAMES: OnceLock<(Vec<&'static str>, Vec<&'static str>)> = OnceLock::new();
    NAMES.get_or_init(|| {
        let params = param_names();
        let headers = HEADER_NAMES.to_vec();
        js::set_names(&params.join("\0"), &headers.join("\0"));
        (params, headers)
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

    /// A key: its code when the table has it, else the key itself.
    fn key(&mut self, names: &[&str], key: &str) -> Result<(), Error> {
        match names.iter().position(|name| *name == key).filter(|index| *index < MAX_CODES).and_then(|index| u32::try_from(index + 1).ok()).and_then(char::from_u32) {
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

/// One signed request, laid out for `js/boundary.js`.
pub struct Layout<'a> {
    pub method: Method,
    pub url: &'a str,
    /// Empty when there is none.
    pub body: &'a str,
    pub canonical_query: &'a str,
    /// V3's; empty for v1.
    pub canonical_request: &'a str,
    pub string_to_sign: &'a str,
    pub signature: &'a str,
    pub headers: &'a [(&'static str, String)],
    /// The signed parameters and their canonical order.
    pub params: &'a [(&'a str, &'a str)],
    pub order: &'a [usize],
    /// v1 lists `Signature` among the parameters, last.
    pub signature_param: bool,
}

/// `method, url, body, canonicalQuery, canonicalRequest, stringToSign, signature, n, n header
/// pairs, param pairs`, the parameters in canonical order.
pub fn signed_request(layout: &Layout<'_>) -> Result<String, Error> {
    let (param_names, header_names) = names();
    let capacity = layout.url.len()
        + layout.body.len()
        + layout.string_to_sign.len()
        + layout.canonical_request.len()
        + layout.canonical_query.len() * 2
        + 256;
    let mut out = Out { text: String::with_capacity(capacity), first: true };
    out.field(layout.method.as_str())?;
    out.field(layout.url)?;
    out.encoded(layout.body);
    out.encoded(layout.canonical_query);
    out.field(layout.canonical_request)?;
    out.encoded(layout.string_to_sign);
    out.encoded(layout.signature);
    out.field(&layout.headers.len().to_string())?;
    for (key, value) in layout.headers {
        out.key(header_names, key)?;
        out.field(value)?;
    }
    for index in layout.order {
        if let Some((key, value)) = layout.params.get(*index) {
            out.key(param_names, key)?;
            out.field(value)?;
        }
    }
    if layout.signature_param {
        out.key(param_names, "Signature")?;
        out.encoded(layout.signature);
    }
    Ok(out.text)
}

/// A signed request's layout: v1's signed query in the GET URL or the POST body, V3's in the URL
/// with the signature in the headers.
pub fn signed(endpoint: &Endpoint, signed: &SignedParams, params: &[(&str, &str)]) -> Result<String, Error> {
    let (url, body) = signed.url_and_body(endpoint);
    signed_request(&Layout {
        method: signed.method,
        url: &url,
        body: body.as_deref().unwrap_or(""),
        canonical_query: &signed.canonical_query,
        canonical_request: signed.canonical_request.as_deref().unwrap_or(""),
        string_to_sign: &signed.string_to_sign,
        signature: &signed.signature,
        headers: &signed.headers,
        params,
        order: &signed.order,
        signature_param: signed.algorithm == SignatureAlgorithm::HmacSha1V1,
    })
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
