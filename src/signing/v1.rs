//! RPC signature v1: `HMAC-SHA1` over `METHOD&%2F&enc(canonical query)` with the key
//! `AccessKeySecret + "&"`, the signature sent as the `Signature` parameter. Any action, any
//! version, any parameters: the operations build theirs and hand them here, and the vendor's own
//! examples are signed through this too.

use base64::Engine as _;
use sha1::Sha1;

use super::canonical::canonical_query;
use super::mac::hmac;
use super::{SignatureAlgorithm, SignedParams, SignedRequest};
use crate::config::{Endpoint, Method};
use crate::encoding::{ascii_to_string, percent_encode_bytes, percent_encode_into};
use crate::error::Error;

/// The value of the `SignatureMethod` parameter.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";

/// The value of the `SignatureVersion` parameter.
pub const SIGNATURE_VERSION: &str = "1.0";

/// The one header a v1 request carries (a POST only); first in the wasm boundary's header-name
/// table, before V3's.
pub const CONTENT_TYPE: &str = "content-type";

/// The content type of a v1 POST's form body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// `METHOD & enc("/") & enc(canonicalQuery)`: the canonical query is encoded a second time.
pub fn string_to_sign(method: &str, canonical_query: &str) -> String {
    let mut out = Vec::with_capacity(method.len() + 5 + canonical_query.len() * 3 / 2);
    out.extend_from_slice(method.as_bytes());
    out.extend_from_slice(b"&%2F&");
    percent_encode_bytes(canonical_query.as_bytes(), &mut out);
    ascii_to_string(out)
}

/// `base64(HMAC-SHA1(key = secret + "&", string_to_sign))`.
pub fn sign_string(access_key_secret: &str, string_to_sign: &str) -> Result<String, Error> {
    let digest = hmac::<Sha1>(&[access_key_secret.as_bytes(), b"&"], string_to_sign.as_bytes())?;
    // Into a buffer of the encoded length (28 for SHA-1's 20 bytes) rather than `encode`, whose
    // `String::from_utf8(…).expect(…)` brings in `Debug` for `FromUtf8Error`, `Vec` and structs.
    let mut encoded = [0u8; 28];
    let length = base64::engine::general_purpose::STANDARD
        .encode_slice(digest, &mut encoded)
        .map_err(|_| Error::internal("the signature did not fit its base64 buffer"))?;
    encoded
        .get(..length)
        .and_then(|text| core::str::from_utf8(text).ok())
        .map(str::to_owned)
        .ok_or_else(|| Error::internal("the signature's base64 was not text"))
}

/// The headers a v1 request of `method` carries.
fn headers(method: Method) -> Vec<(&'static str, String)> {
    match method {
        Method::Get => Vec::new(),
        Method::Post => vec![(CONTENT_TYPE, FORM_CONTENT_TYPE.to_owned())],
    }
}

/// The signed query string: the canonical query and the encoded `Signature`. The GET query and
/// the POST body both are this.
fn wire(canonical_query: &str, signature: &str) -> String {
    let mut wire = String::with_capacity(canonical_query.len() + 11 + signature.len() * 3 / 2);
    wire.push_str(canonical_query);
    wire.push_str("&Signature=");
    percent_encode_into(signature, &mut wire);
    wire
}

/// Signs `params` for `method`. They must already hold every common parameter of contract
/// section 1 (`SignatureMethod` [`SIGNATURE_METHOD`], `SignatureVersion` [`SIGNATURE_VERSION`],
/// nonce, time…); a `Signature` among them is left out.
pub fn sign<K: AsRef<str>, V: AsRef<str>>(
    method: Method,
    params: &[(K, V)],
    access_key_secret: &str,
) -> Result<SignedParams, Error> {
    let (canonical_query, order) = canonical_query(params);
    let string_to_sign = string_to_sign(method.as_str(), &canonical_query);
    let signature = sign_string(access_key_secret, &string_to_sign)?;
    Ok(SignedParams {
        algorithm: SignatureAlgorithm::HmacSha1V1,
        method,
        order,
        query: wire(&canonical_query, &signature),
        canonical_query,
        canonical_request: None,
        string_to_sign,
        signature,
        headers: headers(method),
    })
}

/// Signs `params` as [`sign`] does and lays out the request to `endpoint`.
pub fn sign_request<K: AsRef<str>, V: AsRef<str>>(
    method: Method,
    endpoint: &Endpoint,
    params: &[(K, V)],
    access_key_secret: &str,
) -> Result<SignedRequest, Error> {
    Ok(sign(method, params, access_key_secret)?.into_request(endpoint, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_known_answer() {
        // Computed independently with openssl:
        // printf %s 'The quick brown fox jumps over the lazy dog' |
        //   openssl dgst -sha1 -hmac 'key&' -binary | base64
        assert_eq!(sign_string("key", "The quick brown fox jumps over the lazy dog").expect("signs"), "zjRQZUOj4J+rptg+OBGxGKXW68g=");
    }

    #[test]
    fn string_to_sign_encodes_twice() {
        assert_eq!(string_to_sign("GET", "A=1&B=a%20b"), "GET&%2F&A%3D1%26B%3Da%2520b");
        assert_eq!(string_to_sign("POST", ""), "POST&%2F&");
    }
}
