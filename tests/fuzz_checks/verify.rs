//! `verify`: the server side (what the emulator runs on every request) on arbitrary query strings,
//! bodies, methods and secrets, and on requests this crate signed with one byte changed.
//!
//! Properties:
//! - nothing panics, and `verify_v1` never fails;
//! - `parse_params` agrees with an independent reference reading: it refuses a malformed escape, a
//!   key given twice, or more than `MAX_PARAMS` parameters (forms of 250 to 262 parameters are
//!   generated around that cap), and what it accepts has no duplicate key and reads back the same
//!   re-encoded; `split_headers` refuses more than `MAX_HEADERS` headers;
//! - `verify_v1` accepts exactly the signature an independent reference computes, and its string
//!   to sign (shown to clients) does not depend on the secret;
//! - a request signed by `v1::sign_request` verifies; changed in one byte (replaced, inserted or
//!   removed, in the method, query or body) it is refused, or it still means the same request;
//! - V3: `split_headers` and `verify_v3` on arbitrary headers (an `Authorization` header among
//!   them, often well formed) never panic; every refusal names a field; the canonical request and
//!   string to sign agree with an independent reference, and `valid` holds exactly when the
//!   reference signature and payload hash match; a request signed by `v3::sign` verifies, and
//!   changed in one byte (method, query, a header's name or value, body) it is refused or still
//!   means the same request.

use aliyun_caster::config::{Endpoint, Method};
use aliyun_caster::error::Error;
use aliyun_caster::limits::{MAX_HEADERS, MAX_PARAMS};
use aliyun_caster::signing::{v1, v3::{self, V3Request}};
use aliyun_caster::time::Timestamp;
use aliyun_caster::verify::{parse_authorization, parse_params, split_headers, verify_v1, verify_v3};

use super::bytes::Bytes;
use super::percent_decode::ref_decode;
use super::reference::{
    ref_canonical, ref_enc, ref_hmac_sha256_hex, ref_sha256_hex, ref_signature, ref_string_to_sign,
    ref_v3_canonical_request, ref_v3_string_to_sign,
};

const METHODS: [&str; 4] = ["GET", "POST", "get", ""];

fn check_error(error: &Error) {
    assert!(!error.code.is_empty() && !error.message.is_empty(), "an error without a code or message: {error:?}");
    let Some(field) = error.field.as_deref() else { panic!("an error without a field: {error:?}") };
    // The one empty field: the caller's own empty key, given twice.
    assert!(!field.is_empty() || error.message.starts_with("\"\" is given twice"), "an empty field: {error:?}");
}

/// The parameters as the contract describes them: query then body, split on `&`, empty parts
/// skipped, `key=value` or a bare key, `+` a space; `None` where they must be refused.
fn ref_parse(query: &str, body: &str) -> Option<Vec<(String, String)>> {
    let parts = query.split('&').chain(body.split('&')).filter(|part| !part.is_empty()).count();
    if parts > MAX_PARAMS {
        return None;
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for part in query.split('&').chain(body.split('&')).filter(|part| !part.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let key = ref_decode(key, true)?;
        if params.iter().any(|(seen, _)| *seen == key) {
            return None;
        }
        params.push((key, ref_decode(value, true)?));
    }
    Some(params)
}

fn sorted(mut params: Vec<(String, String)>) -> Vec<(String, String)> {
    params.sort();
    params
}

/// Parsing and verifying one received request; returns what verified.
fn receive(method: &str, query: &str, body: &str, secret: &str) -> Option<Vec<(String, String)>> {
    let parsed = parse_params(query, body);
    let reference = ref_parse(query, body);
    let params = match parsed {
        Err(error) => {
            assert!(reference.is_none(), "refused a request the reference reads: {error:?}");
            check_error(&error);
            return None;
        }
        Ok(params) => params,
    };
    assert_eq!(Some(&params), reference.as_ref(), "parse_params differs from the reference");
    for (index, (key, _)) in params.iter().enumerate() {
        assert!(!params.iter().skip(index + 1).any(|(other, _)| other == key), "{key:?} is there twice");
    }
    let encoded: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", ref_enc(k), ref_enc(v))).collect();
    assert_eq!(parse_params(&encoded.join("&"), "").as_ref(), Ok(&params), "the parameters do not read back");

    let verification = match verify_v1(method, &params, secret) {
        Ok(verification) => verification,
        Err(error) => panic!("verify_v1 failed: {error:?}"),
    };
    let canonical = ref_canonical(&params);
    assert_eq!(verification.string_to_sign, ref_string_to_sign(method, &canonical));
    let given = params.iter().find(|(key, _)| key == "Signature").map(|(_, value)| value.as_str());
    let expected = ref_signature(method, &canonical, secret);
    assert_eq!(verification.valid, given == Some(expected.as_str()), "verify_v1 differs from the reference");
    let other = verify_v1(method, &params, &format!("{secret}x")).map(|v| v.string_to_sign);
    assert_eq!(other.as_ref(), Ok(&verification.string_to_sign), "the string to sign depends on the secret");

    // The emulator reads the Timestamp parameter too.
    if let Some((_, text)) = params.iter().find(|(key, _)| key == "Timestamp") {
        if let Ok(timestamp) = Timestamp::parse(text, "Timestamp") {
            let shown = timestamp.to_string();
            assert_eq!(Timestamp::parse(&shown, "t").ok(), Some(timestamp), "{shown} does not read back");
            if !text.contains('.') {
                assert_eq!(&shown, text, "a whole-second Timestamp does not format back");
            }
        }
    }
    verification.valid.then_some(params)
}

/// Changes one byte of `text`: replaces it, inserts before it, or removes it.
fn mutate(text: &str, input: &mut Bytes<'_>) -> Option<String> {
    String::from_utf8(mutate_bytes(text.as_bytes(), input)).ok()
}

fn mutate_bytes(bytes: &[u8], input: &mut Bytes<'_>) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    let op = input.below(3);
    let at = usize::from(input.u16()) % (bytes.len() + 1);
    let byte = input.byte();
    match op {
        0 if at < bytes.len() => bytes[at] = byte,
        1 => bytes.insert(at, byte),
        _ if at < bytes.len() => {
            bytes.remove(at);
        }
        _ => bytes.push(byte),
    }
    bytes
}

pub fn check(data: &[u8]) {
    let mut input = Bytes::new(data);

    // Anything at all.
    let raw_method = if input.flag() { input.pick(&METHODS).to_owned() } else { input.text(8) };
    let raw_query = input.long_text(2048);
    let raw_body = input.long_text(2048);
    let raw_secret = input.text(64);
    receive(&raw_method, &raw_query, &raw_body, &raw_secret);
    check_counts(&mut input, &raw_query, &raw_body);
    check_v1_signed(&mut input);
    // The same received request read as V3, with arbitrary headers; then a V3 request changed.
    check_v3(&mut input, &raw_method, &raw_query, &raw_body, &raw_secret);
}

/// Forms of 250 to 262 parameters split between query and body, around the cap, sometimes with
/// the fuzzed text mixed in; and as many headers.
fn check_counts(input: &mut Bytes<'_>, raw_query: &str, raw_body: &str) {
    let count = MAX_PARAMS - 6 + input.below(13);
    let in_query = input.below(count + 1);
    let pairs: Vec<String> = (0..count).map(|i| format!("k{i}={i}")).collect();
    let (mut query, mut body) = (pairs[..in_query].join("&"), pairs[in_query..].join("&"));
    if input.flag() {
        query = format!("{query}&&{raw_query}");
        body = format!("{raw_body}&{body}&");
    }
    let parsed = receive("POST", &query, &body, "secret");
    if count > MAX_PARAMS {
        assert!(parsed.is_none(), "{count} parameters were read");
    }
    let headers: Vec<String> = (0..count).map(|i| format!("h{i}\0v")).collect();
    let joined = headers.join("\0");
    let split = split_headers(&joined);
    assert_eq!(split.is_ok(), count <= MAX_HEADERS, "{count} headers: {split:?}");
    if let Err(error) = split {
        check_error(&error);
    }
}

/// A request this crate signed with v1, then one byte changed.
fn check_v1_signed(input: &mut Bytes<'_>) {
    let method = if input.flag() { Method::Get } else { Method::Post };
    let secret = input.text(32);
    let mut params: Vec<(String, String)> = Vec::new();
    for _ in 0..input.below(12) {
        let key = input.text(16);
        let value = input.text(32);
        if key != "Signature" && !params.iter().any(|(seen, _)| *seen == key) {
            params.push((key, value));
        }
    }
    let signed = match v1::sign_request(method, &Endpoint::default(), &params, &secret) {
        Ok(signed) => signed,
        Err(error) => panic!("signing failed: {error:?}"),
    };
    let wire = match method {
        Method::Get => signed.url.split_once('?').map(|(_, query)| query.to_owned()).unwrap_or_default(),
        Method::Post => signed.body.clone().unwrap_or_default(),
    };
    let split = |wire: &str| match method {
        Method::Get => (wire.to_owned(), String::new()),
        Method::Post => (String::new(), wire.to_owned()),
    };
    let (query, body) = split(&wire);
    let original = receive(method.as_str(), &query, &body, &secret);
    assert_eq!(original.map(sorted), Some(sorted(signed.params.clone())), "our own signed request does not verify");

    let (changed_method, changed_query, changed_body) = match input.below(8) {
        0 => (mutate(method.as_str(), input), Some(query), Some(body)),
        1 if method == Method::Post => (Some(method.as_str().to_owned()), mutate(&query, input), Some(body)),
        _ => match mutate(&wire, input).map(|wire| split(&wire)) {
            Some((query, body)) => (Some(method.as_str().to_owned()), Some(query), Some(body)),
            None => return,
        },
    };
    let (Some(changed_method), Some(changed_query), Some(changed_body)) = (changed_method, changed_query, changed_body) else {
        return;
    };
    if let Some(params) = receive(&changed_method, &changed_query, &changed_body, &secret) {
        assert_eq!(changed_method, method.as_str(), "a request verifies under another method");
        assert_eq!(sorted(params), sorted(signed.params.clone()), "a changed request verifies with other parameters");
    }
}

/// A received V3 request as it is signed: method, parameters, headers (names lower-cased, values
/// trimmed, `authorization` left out, sorted) and body.
type V3Meaning = (String, Vec<(String, String)>, Vec<(String, String)>, Vec<u8>);

/// Verifying one received V3 request; returns what it means when it verified.
fn receive_v3(method: &str, query: &str, headers: &[(&str, &str)], body: &[u8], secret: &str) -> Option<V3Meaning> {
    let verification = match verify_v3(method, query, headers, body, secret) {
        Ok(verification) => verification,
        Err(error) => {
            check_error(&error);
            return None;
        }
    };
    // It verified or not: either way it read a well-formed Authorization header and query.
    let Some((_, given)) = headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("authorization")) else {
        panic!("verify_v3 read a request without an Authorization header")
    };
    let authorization = match parse_authorization(given) {
        Ok(authorization) => authorization,
        Err(error) => panic!("verify_v3 took an Authorization header that does not parse: {error:?}"),
    };
    let params = match parse_params(query, "") {
        Ok(params) => params,
        Err(error) => panic!("verify_v3 took a query that does not parse: {error:?}"),
    };
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| authorization.signed_headers.iter().any(|signed| signed.eq_ignore_ascii_case(name)))
        .copied()
        .collect();
    let payload_hash = ref_sha256_hex(body);
    let (canonical_request, names) = ref_v3_canonical_request(method, &ref_canonical(&params), &signed, &payload_hash);
    assert_eq!(names, authorization.signed_headers.join(";"), "the headers signed are not the ones named");
    assert_eq!(verification.canonical_request, canonical_request, "the V3 canonical request differs from the reference");
    let string_to_sign = ref_v3_string_to_sign(&canonical_request);
    assert_eq!(verification.string_to_sign, string_to_sign, "the V3 string to sign differs from the reference");
    let claimed: Vec<&str> =
        headers.iter().filter(|(name, _)| name.eq_ignore_ascii_case("x-acs-content-sha256")).map(|(_, value)| value.trim()).collect();
    let expected = ref_hmac_sha256_hex(secret, &string_to_sign) == authorization.signature && claimed == [payload_hash.as_str()];
    assert_eq!(verification.valid, expected, "verify_v3 differs from the reference");
    if !verification.valid {
        return None;
    }
    let mut meaning: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("authorization"))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    meaning.sort();
    Some((method.to_owned(), sorted(params), meaning, body.to_vec()))
}

const HOSTS: [&str; 3] = ["live.aliyuncs.com", "127.0.0.1:8080", "[::1]:9000"];

/// An Authorization header: often well formed around fuzzed parts, sometimes anything.
fn authorization(input: &mut Bytes<'_>) -> String {
    if input.flag() {
        return input.text(255);
    }
    let names = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];
    let signed = if input.flag() { names.join(";") } else { input.text(96) };
    let signature = if input.flag() { ref_sha256_hex(&input.array::<8>()) } else { input.text(70) };
    format!("ACS3-HMAC-SHA256 Credential={},SignedHeaders={signed},Signature={signature}", input.text(16))
}

fn borrow(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect()
}

/// The V3 half: arbitrary headers, then a signed request changed in one byte.
fn check_v3(input: &mut Bytes<'_>, method: &str, query: &str, body: &str, secret: &str) {
    let header_text = input.long_text(1024);
    let auth = authorization(input);
    match split_headers(&header_text) {
        Err(error) => check_error(&error),
        Ok(mut headers) => {
            for (name, value) in &headers {
                assert!(header_text.contains(name) && header_text.contains(value));
            }
            if input.flag() {
                let at = input.below(headers.len() + 1);
                headers.insert(at, ("Authorization", &auth));
            }
            receive_v3(method, query, &headers, body.as_bytes(), secret);
        }
    }

    let method = if input.flag() { "GET" } else { "POST" };
    let secret = input.text(32);
    let token = if input.flag() { Some(input.text(24)) } else { None };
    let request = V3Request {
        method: if method == "GET" { Method::Get } else { Method::Post },
        host: input.pick(&HOSTS),
        action: "AddCasterVideoResource",
        version: "2016-11-01",
        date: "2026-01-02T03:04:05Z",
        nonce: "0123456789abcdef0123456789abcdef",
        access_key_id: "LTAIv3Key",
        security_token: token.as_deref(),
    };
    let mut params: Vec<(String, String)> = Vec::new();
    for _ in 0..input.below(8) {
        let key = input.text(16);
        let value = input.text(32);
        if key != "Signature" && !params.iter().any(|(seen, _)| *seen == key) {
            params.push((key, value));
        }
    }
    let signed = match v3::sign(&request, &params, &secret) {
        Ok(signed) => signed,
        Err(error) => panic!("V3 signing failed: {error:?}"),
    };
    let mut headers: Vec<(String, String)> = signed.headers.iter().map(|(name, value)| ((*name).to_owned(), value.clone())).collect();
    headers.insert(input.below(headers.len() + 1), ("Host".to_owned(), request.host.to_owned()));
    let query = signed.canonical_query.clone();
    let Some(original) = receive_v3(method, &query, &borrow(&headers), b"", &secret) else {
        panic!("our own V3 request does not verify")
    };
    assert_eq!(original.1, sorted(params.clone()), "the V3 request does not carry what was signed");

    let (mut method2, mut query2, mut headers2, mut body2) = (method.to_owned(), query.clone(), headers.clone(), Vec::new());
    let which = input.below(headers.len() + 3);
    match which {
        0 => match mutate(method, input) {
            Some(changed) => method2 = changed,
            None => return,
        },
        1 => match mutate(&query, input) {
            Some(changed) => query2 = changed,
            None => return,
        },
        2 => body2 = mutate_bytes(b"", input),
        header => {
            let index = header - 3;
            let value_side = input.flag();
            let Some((name, value)) = headers2.get_mut(index) else { return };
            let target = if value_side { value } else { name };
            match mutate(target, input) {
                Some(changed) => *target = changed,
                None => return,
            }
        }
    }
    if let Some(meaning) = receive_v3(&method2, &query2, &borrow(&headers2), &body2, &secret) {
        assert_eq!(meaning, original, "a changed V3 request verifies with another meaning");
    }
}
