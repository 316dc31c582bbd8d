//! Signature V3, `ACS3-HMAC-SHA256`, for RPC APIs: the operation's parameters in the query, the
//! action, version, time, nonce and payload hash in `x-acs-*` headers, and an `Authorization`
//! header over a canonical request.
//!
//! ```text
//! CanonicalRequest = METHOD \n / \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = ACS3-HMAC-SHA256 \n hex(SHA-256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA-256(AccessKeySecret, StringToSign))
//! Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>
//! ```
//!
//! Canonical headers are the signed ones: names lower-cased and sorted, values trimmed, each line
//! `name:value\n`. This signer signs `host` and every `x-acs-*` header it sends; a server accepts
//! any set that holds every `host`, `content-type` and `x-acs-*` header the request carries (the
//! vendor's SDKs also sign `accept` and `user-agent`). Hex is lower-case; percent-encoding is the
//! same RFC 3986 encoding as v1's.

use sha2::{Digest, Sha256};

use super::canonical::{canonical_query, heap_sort};
use super::mac::hmac;
use super::{SignatureAlgorithm, SignedParams};
use crate::config::Method;
use crate::error::{code, Error};

/// The algorithm's name, first in the string to sign and in `Authorization`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The headers this signer sends, in the order `sign` puts them in [`SignedParams::headers`]:
/// the `x-acs-*` ones (the token only with STS credentials), then `authorization`. The wasm
/// boundary's header-name table is this list (after v1's `content-type`).
pub const HEADER_NAMES: [&str; 7] = [ACTION, VERSION, DATE, NONCE, CONTENT_SHA256, SECURITY_TOKEN, AUTHORIZATION];
const ACTION: &str = "x-acs-action";
const VERSION: &str = "x-acs-version";
const DATE: &str = "x-acs-date";
const NONCE: &str = "x-acs-signature-nonce";
const CONTENT_SHA256: &str = "x-acs-content-sha256";
const SECURITY_TOKEN: &str = "x-acs-security-token";
const AUTHORIZATION: &str = "authorization";

/// The canonical URI of every RPC request.
pub const CANONICAL_URI: &str = "/";

/// `hex(SHA-256(""))`: the payload hash of a request without a body.
pub const EMPTY_PAYLOAD_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(crate::encoding::hex_digit(byte >> 4, false));
        out.push(crate::encoding::hex_digit(*byte, false));
    }
    out
}

/// `hex(SHA-256(bytes))`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Whether a header must take part in the signature when a request carries it: `host`,
/// `content-type` and `x-acs-*`, in any case.
pub fn is_signed_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("host")
        || name.eq_ignore_ascii_case("content-type")
        || name.get(..6).is_some_and(|prefix| prefix.eq_ignore_ascii_case("x-acs-"))
}

/// The canonical headers and the signed-header list of `headers`, all of them (the caller picks
/// which are signed): names lower-cased and sorted, values trimmed at both ends, a name given
/// twice (in any case) with its values joined by `,` in sorted order. So does the vendor's SDK
/// (`alibabacloud_tea_openapi` 0.4.6, `utils.py` `get_canonicalized_headers`: `k.lower()`,
/// `str(v).strip()`, `','.join(sorted(values))`).
pub fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut picked: Vec<(String, &str)> =
        headers.iter().map(|(name, value)| (name.to_ascii_lowercase(), value.trim())).collect();
    heap_sort(&mut picked, |a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)).is_gt());
    let mut canonical = String::new();
    let mut signed = String::new();
    let mut index = 0;
    while let Some((name, first)) = picked.get(index) {
        if !signed.is_empty() {
            signed.push(';');
        }
        signed.push_str(name);
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(first);
        index += 1;
        while let Some((_, value)) = picked.get(index).filter(|(next, _)| next == name) {
            canonical.push(',');
            canonical.push_str(value);
            index += 1;
        }
        canonical.push('\n');
    }
    (canonical, signed)
}

/// The canonical request. `canonical_headers` ends in a newline of its own, so an empty line
/// comes before the signed headers.
pub fn canonical_request(
    method: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    let mut out = String::with_capacity(
        method.len() + canonical_query.len() + canonical_headers.len() + signed_headers.len() + 80,
    );
    for (index, part) in [method, CANONICAL_URI, canonical_query, canonical_headers, signed_headers, hashed_payload]
        .into_iter()
        .enumerate()
    {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(part);
    }
    out
}

/// `ACS3-HMAC-SHA256\n` and the hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// `hex(HMAC-SHA-256(secret, string_to_sign))`. Kept out of line: the signer and the verifier
/// call it, and a copy of SHA-256 inlined into each would cost kilobytes of wasm.
#[inline(never)]
pub fn sign_string(access_key_secret: &str, string_to_sign: &str) -> Result<String, Error> {
    Ok(hex(&hmac::<Sha256>(&[access_key_secret.as_bytes()], string_to_sign.as_bytes())?))
}

/// The `Authorization` header's value.
pub fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}")
}

/// What a V3 request is signed with, besides its parameters.
#[derive(Clone, Copy, Debug)]
pub struct V3Request<'a> {
    pub method: Method,
    /// The endpoint's host (with its port, when it has one), as the `host` header carries it.
    pub host: &'a str,
    pub action: &'a str,
    pub version: &'a str,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub date: &'a str,
    pub nonce: &'a str,
    pub access_key_id: &'a str,
    pub security_token: Option<&'a str>,
}

/// Signs `params` (all in the query, none in a body) with V3; the headers to send come back in
/// [`SignedParams::headers`], `authorization` last, `host` left to the HTTP client, which takes it
/// from the URL (and signed as such). Out of line, so that the v1 path it sits beside stays small.
#[inline(never)]
pub fn sign<K: AsRef<str>, V: AsRef<str>>(
    request: &V3Request<'_>,
    params: &[(K, V)],
    access_key_secret: &str,
) -> Result<SignedParams, Error> {
    if request.host.is_empty() {
        return Err(Error::config(code::INVALID_PARAMETER, "endpoint", "a V3 signature needs the endpoint's host"));
    }
    let (canonical_query, order) = canonical_query(params);
    let mut headers: Vec<(&'static str, String)> = vec![
        (ACTION, request.action.to_owned()),
        (VERSION, request.version.to_owned()),
        (DATE, request.date.to_owned()),
        (NONCE, request.nonce.to_owned()),
        (CONTENT_SHA256, EMPTY_PAYLOAD_HASH.to_owned()),
    ];
    if let Some(token) = request.security_token {
        headers.push((SECURITY_TOKEN, token.to_owned()));
    }
    let mut signed_over: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    signed_over.push(("host", request.host));
    let (canonical_headers, signed_headers) = canonical_headers(&signed_over);
    let canonical_request =
        canonical_request(request.method.as_str(), &canonical_query, &canonical_headers, &signed_headers, EMPTY_PAYLOAD_HASH);
    let string_to_sign = string_to_sign(&canonical_request);
    let signature = sign_string(access_key_secret, &string_to_sign)?;
    headers.push((AUTHORIZATION, authorization(request.access_key_id, &signed_headers, &signature)));
    Ok(SignedParams {
        algorithm: SignatureAlgorithm::Acs3HmacSha256,
        method: request.method,
        order,
        query: canonical_query.clone(),
        canonical_query,
        canonical_request: Some(canonical_request),
        string_to_sign,
        signature,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_payload_hash_is_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_PAYLOAD_HASH);
    }

    /// The boundary codes header names from `HEADER_NAMES`: a header the signer sends that is
    /// missing there would cross spelled out, one listed but never sent would waste a code.
    #[test]
    fn header_names_are_the_headers_sign_sends_in_order() {
        let request = V3Request {
            method: Method::Post,
            host: "live.aliyuncs.com",
            action: "StartCasterScene",
            version: "2016-11-01",
            date: "2026-01-02T03:04:05Z",
            nonce: "n",
            access_key_id: "id",
            security_token: Some("token"),
        };
        let signed = sign(&request, &[("CasterId", "c")], "secret").expect("signs");
        let sent: Vec<&str> = signed.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(sent, HEADER_NAMES);
        let unsts = sign(&V3Request { security_token: None, ..request }, &[("CasterId", "c")], "secret").expect("signs");
        assert!(unsts.headers.iter().all(|(name, _)| HEADER_NAMES.contains(name)));
    }

    #[test]
    fn headers_are_lowered_sorted_and_trimmed() {
        let (canonical, signed) = canonical_headers(&[
            ("X-Acs-Date", " 2026-01-01T00:00:00Z "),
            ("Host", "live.aliyuncs.com"),
            ("user-agent", " signed too "),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("x-acs-action", "StartCasterScene"),
            ("X-ACS-Action", "A  B"),
        ]);
        assert_eq!(
            canonical,
            "content-type:application/x-www-form-urlencoded\nhost:live.aliyuncs.com\nuser-agent:signed too\n\
             x-acs-action:A  B,StartCasterScene\nx-acs-date:2026-01-01T00:00:00Z\n"
        );
        assert_eq!(signed, "content-type;host;user-agent;x-acs-action;x-acs-date");
        assert!(!is_signed_header("user-agent"));
        assert!(!is_signed_header("x-acs"));
        assert!(is_signed_header("X-ACS-"));
    }
}
