//! Reference implementations of signature v1, written from contract section 1 and never from the
//! crate's own functions. Shared by the property tests and the fuzz checks (each takes what it
//! needs).
#![allow(dead_code)]

use std::fmt::Write as _;

/// `A-Z a-z 0-9 - _ . ~` stay; every other UTF-8 byte is `%XX`, upper-case hex.
pub fn ref_enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Every parameter but `Signature`, encoded, sorted by encoded key in byte order, joined.
pub fn ref_canonical(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> =
        params.iter().filter(|(k, _)| k != "Signature").map(|(k, v)| (ref_enc(k), ref_enc(v))).collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// `METHOD & enc("/") & enc(canonical)`.
pub fn ref_string_to_sign(method: &str, canonical: &str) -> String {
    format!("{method}&{}&{}", ref_enc("/"), ref_enc(canonical))
}

/// base64(HMAC-SHA1(secret + "&", string to sign)).
pub fn ref_signature(method: &str, canonical: &str, secret: &str) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};
    let key = format!("{secret}&");
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(ref_string_to_sign(method, canonical).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What a V3 (`ACS3-HMAC-SHA256`) request signs over, besides its query.
pub struct RefV3<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub action: &'a str,
    pub version: &'a str,
    pub date: &'a str,
    pub nonce: &'a str,
    pub security_token: Option<&'a str>,
    pub access_key_id: &'a str,
}

/// A V3 signature: canonical request, string to sign, signature and `Authorization` header.
pub struct RefV3Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: String,
}

fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signature V3 from the vendor's description: the signed headers sorted by name, each
/// `name:value`, the payload hash of an empty body, SHA-256 and HMAC-SHA-256 in lower-case hex.
pub fn ref_v3(request: &RefV3<'_>, canonical_query: &str, secret: &str) -> RefV3Signed {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};
    let empty_hash = lower_hex(&Sha256::digest(b""));
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("host", request.host);
    headers.insert("x-acs-action", request.action);
    headers.insert("x-acs-content-sha256", &empty_hash);
    headers.insert("x-acs-date", request.date);
    headers.insert("x-acs-signature-nonce", request.nonce);
    headers.insert("x-acs-version", request.version);
    if let Some(token) = request.security_token {
        headers.insert("x-acs-security-token", token);
    }
    let lines: String = headers.iter().map(|(name, value)| format!("{name}:{}\n", value.trim())).collect();
    let names = headers.keys().copied().collect::<Vec<_>>().join(";");
    let canonical_request = format!("{}\n/\n{canonical_query}\n{lines}\n{names}\n{empty_hash}", request.method);
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", lower_hex(&Sha256::digest(canonical_request.as_bytes())));
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    let signature = lower_hex(&mac.finalize().into_bytes());
    let authorization =
        format!("ACS3-HMAC-SHA256 Credential={},SignedHeaders={names},Signature={signature}", request.access_key_id);
    RefV3Signed { canonical_request, string_to_sign, signature, authorization }
}
