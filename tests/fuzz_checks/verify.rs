//! `verify`: the server side (what the emulator runs on every request) on arbitrary query strings,
//! bodies, methods and secrets, and on requests this crate signed with one byte changed.
//!
//! Properties:
//! - nothing panics, and `verify_v1` never fails;
//! - `parse_params` agrees with an independent reference reading: it refuses a malformed escape or a
//!   key given twice, and what it accepts has no duplicate key and reads back the same re-encoded;
//! - `verify_v1` accepts exactly the signature an independent reference computes, and its string
//!   to sign (shown to clients) does not depend on the secret;
//! - a request signed by `signer::sign` verifies; changed in one byte (replaced, inserted or
//!   removed, in the method, query or body) it is refused, or it still means the same request.

use aliyun_caster::config::{Endpoint, Method};
use aliyun_caster::error::Error;
use aliyun_caster::signer;
use aliyun_caster::time::Timestamp;
use aliyun_caster::verify::{parse_params, verify_v1};
use aliyun_caster::SignatureAlgorithm;

use super::bytes::Bytes;
use super::percent_decode::ref_decode;
use super::reference::{ref_canonical, ref_enc, ref_signature, ref_string_to_sign};

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
    let mut bytes = text.as_bytes().to_vec();
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
    String::from_utf8(bytes).ok()
}

pub fn check(data: &[u8]) {
    let mut input = Bytes::new(data);

    // Anything at all.
    let method = if input.flag() { input.pick(&METHODS).to_owned() } else { input.text(8) };
    let query = input.long_text(2048);
    let body = input.long_text(2048);
    let secret = input.text(64);
    receive(&method, &query, &body, &secret);

    // A request this crate signed, then one byte changed.
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
    let signed = match signer::sign(SignatureAlgorithm::HmacSha1V1, method, &Endpoint::default(), &params, &secret) {
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
        0 => (mutate(method.as_str(), &mut input), Some(query), Some(body)),
        1 if method == Method::Post => (Some(method.as_str().to_owned()), mutate(&query, &mut input), Some(body)),
        _ => match mutate(&wire, &mut input).map(|wire| split(&wire)) {
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
