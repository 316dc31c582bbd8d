//! Reference implementations of signature v1, written from contract section 1 and never from the
//! crate's own functions. Shared by the property tests and the fuzz checks.

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
