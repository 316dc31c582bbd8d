//! Results leave the instance as JSON text that JS parses: one string crossing instead of dozens,
//! and `JSON.parse` defines properties without running any setter a polluted prototype may hold.

use crate::error::Error;
use crate::signer::SignedRequest;

pub fn string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut run_start = 0;
    for (index, &byte) in text.as_bytes().iter().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // Only ASCII bytes end a run, so every slice edge is a character boundary.
        out.push_str(text.get(run_start..index).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(crate::encoding::hex_digit(byte >> 4, false));
            out.push(crate::encoding::hex_digit(byte, false));
        } else {
            out.push_str(escape);
        }
        run_start = index + 1;
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
    out.push('"');
}

fn member(out: &mut String, first: &mut bool, key: &str, value: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    string(out, key);
    out.push(':');
    string(out, value);
}

fn object<'a>(out: &mut String, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) {
    out.push('{');
    let mut first = true;
    for (key, value) in pairs {
        member(out, &mut first, key, value);
    }
    out.push('}');
}

pub fn signed_request(request: &SignedRequest) -> String {
    let mut out = String::with_capacity(request.canonical_query.len() * 4 + request.url.len() + 512);
    out.push('{');
    let mut first = true;
    member(&mut out, &mut first, "method", request.method.as_str());
    member(&mut out, &mut first, "url", &request.url);
    out.push_str(",\"headers\":");
    object(&mut out, request.headers.iter().map(|(k, v)| (*k, *v)));
    if let Some(body) = &request.body {
        member(&mut out, &mut first, "body", body);
    }
    out.push_str(",\"params\":");
    object(&mut out, request.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    member(&mut out, &mut first, "canonicalQuery", &request.canonical_query);
    member(&mut out, &mut first, "stringToSign", &request.string_to_sign);
    member(&mut out, &mut first, "signature", &request.signature);
    out.push('}');
    out
}

pub fn problems(errors: &[Error]) -> String {
    let mut out = String::from("[");
    for (index, error) in errors.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        object(
            &mut out,
            [("field", error.field.as_deref().unwrap_or("")), ("code", error.code), ("message", error.message.as_str())],
        );
    }
    out.push(']');
    out
}
