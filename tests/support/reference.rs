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

/// HMAC as RFC 2104 writes it, over a hash with 64-byte blocks: written out here, so that the
/// signer's HMAC (the `hmac` crate) is compared against code it does not share.
fn ref_hmac<D: sha2::Digest>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = if key.len() > 64 { D::digest(key).to_vec() } else { key.to_vec() };
    block.resize(64, 0);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = D::new().chain_update(pad(0x36)).chain_update(message).finalize();
    D::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

/// base64(HMAC-SHA1(secret + "&", string to sign)).
pub fn ref_signature(method: &str, canonical: &str, secret: &str) -> String {
    use base64::Engine as _;
    let key = format!("{secret}&");
    let mac = ref_hmac::<sha1::Sha1>(key.as_bytes(), ref_string_to_sign(method, canonical).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac)
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

/// `hex(SHA-256(bytes))`, lower case.
pub fn ref_sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    lower_hex(&Sha256::digest(bytes))
}

/// `hex(HMAC-SHA-256(secret, message))`, lower case.
pub fn ref_hmac_sha256_hex(secret: &str, message: &str) -> String {
    lower_hex(&ref_hmac::<sha2::Sha256>(secret.as_bytes(), message.as_bytes()))
}

/// A V3 canonical request and its signed header names: the headers' names lower-cased and
/// sorted, each `name:value` with the value trimmed (several values of one name sorted and joined
/// by `,`), then the names joined by `;`, then the payload hash.
pub fn ref_v3_canonical_request(
    method: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    payload_hash: &str,
) -> (String, String) {
    let mut by_name: std::collections::BTreeMap<String, Vec<&str>> = std::collections::BTreeMap::new();
    for (name, value) in headers {
        by_name.entry(name.to_ascii_lowercase()).or_default().push(value.trim());
    }
    let mut lines = String::new();
    for (name, values) in &mut by_name {
        values.sort();
        lines.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let names = by_name.keys().cloned().collect::<Vec<_>>().join(";");
    (format!("{method}\n/\n{canonical_query}\n{lines}\n{names}\n{payload_hash}"), names)
}

/// `ACS3-HMAC-SHA256 \n hex(SHA-256(canonical request))`.
pub fn ref_v3_string_to_sign(canonical_request: &str) -> String {
    format!("ACS3-HMAC-SHA256\n{}", ref_sha256_hex(canonical_request.as_bytes()))
}

/// Signature V3 of a request without a body, from the vendor's description.
pub fn ref_v3(request: &RefV3<'_>, canonical_query: &str, secret: &str) -> RefV3Signed {
    let empty_hash = ref_sha256_hex(b"");
    let mut headers = vec![
        ("host", request.host),
        ("x-acs-action", request.action),
        ("x-acs-content-sha256", empty_hash.as_str()),
        ("x-acs-date", request.date),
        ("x-acs-signature-nonce", request.nonce),
        ("x-acs-version", request.version),
    ];
    headers.extend(request.security_token.map(|token| ("x-acs-security-token", token)));
    let (canonical_request, names) = ref_v3_canonical_request(request.method, canonical_query, &headers, &empty_hash);
    let string_to_sign = ref_v3_string_to_sign(&canonical_request);
    let signature = ref_hmac_sha256_hex(secret, &string_to_sign);
    let authorization =
        format!("ACS3-HMAC-SHA256 Credential={},SignedHeaders={names},Signature={signature}", request.access_key_id);
    RefV3Signed { canonical_request, string_to_sign, signature, authorization }
}
