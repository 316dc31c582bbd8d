//! The server-side exports (the `server` feature, built into `dist/server/` only): reading a
//! received request's parameters and checking its v1 or V3 signature, for servers such as the
//! emulator. Pages and workers that only sign never download them.

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::error::{code, Error};
use crate::limits::{shown, too_long, MAX_RECEIVED_BYTES};
use crate::time::Timestamp;
use crate::verify::{parse_authorization, parse_params, split_headers, verify_v1, verify_v3};

use super::convert::{string_units, value_bytes, value_text};
use super::{json, to_js};

fn too_big(field: &str) -> Error {
    Error::validation(
        code::INVALID_PARAMETER,
        field,
        too_long(field, shown::MAX_RECEIVED_BYTES, "a received request"),
    )
}

/// A text a server received (a query, body, headers, …), refused when it is surely over
/// [`MAX_RECEIVED_BYTES`] (longer in UTF-16 units) before it is copied into the instance. The
/// counts that bound the work on what crosses are `crate::verify`'s.
#[inline(never)]
fn received(value: &JsValue, field: &str) -> Result<String, Error> {
    if string_units(value).is_some_and(|units| units > MAX_RECEIVED_BYTES) {
        return Err(too_big(field));
    }
    value_text(value, field)
}

fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|_| to_js(&Error::internal("a result could not be read back as JSON")))
}

/// The parameters of a received request, query first, then the form body: `[[key, value], …]`,
/// decoded. Throws a CasterError for a malformed encoding or a key given twice. (For servers such
/// as the emulator.)
#[wasm_bindgen(js_name = parseRequestParams)]
pub fn parse_request_params(query: JsValue, body: JsValue) -> Result<JsValue, JsValue> {
    let query = received(&query, "query").map_err(|e| to_js(&e))?;
    let body = received(&body, "body").map_err(|e| to_js(&e))?;
    let params = parse_params(&query, &body).map_err(|e| to_js(&e))?;
    parse_json(&json::pairs(&params))
}

/// `{"valid":…,"<key>":"<text>",…}`: a signature check's outcome.
fn verification_json(valid: bool, texts: &[(&str, &str)]) -> String {
    let mut out = String::from(if valid { "{\"valid\":true" } else { "{\"valid\":false" });
    for (key, text) in texts {
        out.push_str(",\"");
        out.push_str(key);
        out.push_str("\":");
        json::string(&mut out, text);
    }
    out.push('}');
    out
}

/// Checks the v1 signature of a received request against `accessKeySecret`:
/// `{ valid, stringToSign }`, where `stringToSign` is what the server signed.
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(method: JsValue, query: JsValue, body: JsValue, access_key_secret: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<String, Error> {
        let method = received(&method, "method")?;
        let params = parse_params(&received(&query, "query")?, &received(&body, "body")?)?;
        let secret = received(&access_key_secret, "accessKeySecret")?;
        let verification = verify_v1(&method, &params, &secret)?;
        Ok(verification_json(verification.valid, &[("stringToSign", &verification.string_to_sign)]))
    };
    let text = run().map_err(|e| to_js(&e))?;
    parse_json(&text)
}

/// The parts of a V3 `Authorization` header: `{ accessKeyId, signedHeaders: [names], signature }`.
/// Throws an `IncompleteSignature` CasterError when it is malformed. (For servers.)
#[wasm_bindgen(js_name = parseAuthorization)]
pub fn parse_authorization_header(header: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<String, Error> {
        let parsed = parse_authorization(&received(&header, "Authorization")?)?;
        let mut out = String::from("{\"accessKeyId\":");
        json::string(&mut out, &parsed.access_key_id);
        out.push_str(",\"signedHeaders\":[");
        for (index, name) in parsed.signed_headers.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            json::string(&mut out, name);
        }
        out.push_str("],\"signature\":");
        json::string(&mut out, &parsed.signature);
        out.push('}');
        Ok(out)
    };
    let text = run().map_err(|e| to_js(&e))?;
    parse_json(&text)
}

/// Checks a received V3 request against `accessKeySecret`: `headers` is every header received,
/// names and values in turn joined by NUL (Node: `req.rawHeaders.join('\0')`), `body` the body's
/// bytes (a Uint8Array, or a string taken as UTF-8). `{ valid, canonicalRequest, stringToSign }`,
/// what the server rebuilt; throws a CasterError (`IncompleteSignature`) when the Authorization
/// header is malformed or a header that must be signed is not.
#[wasm_bindgen(js_name = verifySignatureV3)]
pub fn verify_signature_v3(
    method: JsValue,
    query: JsValue,
    headers: JsValue,
    body: JsValue,
    access_key_secret: JsValue,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<String, Error> {
        let method = received(&method, "method")?;
        let query = received(&query, "query")?;
        let headers = received(&headers, "headers")?;
        let body = if body.is_string() { received(&body, "body")?.into_bytes() } else { value_bytes(&body, "body")? };
        if body.len() > MAX_RECEIVED_BYTES {
            return Err(too_big("body"));
        }
        let secret = Zeroizing::new(received(&access_key_secret, "accessKeySecret")?);
        let verification = verify_v3(&method, &query, &split_headers(&headers)?, &body, &secret)?;
        Ok(verification_json(
            verification.valid,
            &[("canonicalRequest", &verification.canonical_request), ("stringToSign", &verification.string_to_sign)],
        ))
    };
    let text = run().map_err(|e| to_js(&e))?;
    parse_json(&text)
}

/// Seconds since the epoch of a `Timestamp` parameter (`YYYY-MM-DDThh:mm:ssZ`); throws a
/// CasterError when it is not one.
#[wasm_bindgen(js_name = parseTimestamp)]
pub fn parse_timestamp(text: JsValue) -> Result<f64, JsValue> {
    let run = || -> Result<f64, Error> {
        let text = received(&text, "Timestamp")?;
        // Exact seconds well inside f64's integer range (years up to 9999).
        Ok(Timestamp::parse(&text, "Timestamp")?.unix_secs() as f64)
    };
    run().map_err(|e| to_js(&e))
}
