//! The server side of the signatures: read the parameters a request carries (query and form body,
//! as the vendor's clients send them) and check a v1 signature, or a V3 `Authorization` header,
//! against a secret. The emulator uses this, so signing and verifying share one canonicalisation.

use crate::encoding::{percent_decode, Plus};
use crate::error::{code, field_name, quote_name, Error};
use crate::limits::{count_parts, MAX_HEADERS, MAX_PARAMS};
use crate::signing::canonical::{canonical_query, heap_sort};
use crate::signing::{v1, v3};

/// The parameters of a request: the query's, then the form body's, decoded (`+` is a space, as
/// in any `application/x-www-form-urlencoded` text). A key given twice, in one place or across
/// both, is refused: a signature must cover one unambiguous set. More than [`MAX_PARAMS`]
/// parameters are refused before anything is decoded (a byte scan counts them), and duplicates
/// are found by sorting, so the work grows as n log n of a request that is itself bounded.
pub fn parse_params(query: &str, body: &str) -> Result<Vec<(String, String)>, Error> {
    check_param_count(query, body)?;
    let mut params: Vec<(String, String)> = Vec::new();
    let mut malformed = false;
    for part in query.split('&').chain(body.split('&')) {
        if part.is_empty() {
            continue;
        }
        let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
        match (percent_decode(raw_key, Plus::Space), percent_decode(raw_value, Plus::Space)) {
            (Some(key), Some(value)) => params.push((key, value)),
            _ => {
                malformed = true;
                break;
            }
        }
    }
    // The first problem in the order of the request: a key repeated before the malformed part, or
    // that part.
    if let Some(key) = first_repeated(&params) {
        return Err(Error::validation(code::INVALID_PARAMETER, field_name(key), format!("{} is given twice", quote_name(key))));
    }
    if malformed {
        return Err(Error::validation(
            code::INVALID_PARAMETER,
            "request",
            "the request holds a malformed percent-encoding or bytes that are not UTF-8",
        ));
    }
    Ok(params)
}

/// Refuses a query and body that hold more than [`MAX_PARAMS`] parameters (non-empty
/// `&`-separated parts), counted by a scan of their bytes.
fn check_param_count(query: &str, body: &str) -> Result<(), Error> {
    if count_parts(query, b'&') + count_parts(body, b'&') > MAX_PARAMS {
        return Err(Error::validation(
            code::INVALID_PARAMETER,
            "request",
            "the request holds more than 256 parameters, the limit for one request",
        ));
    }
    Ok(())
}

/// The key whose second occurrence comes first in `params`, if any key repeats.
fn first_repeated(params: &[(String, String)]) -> Option<&str> {
    // Positions sorted by key, then by position: a repeat sits right after an earlier occurrence.
    let mut order: Vec<usize> = (0..params.len()).collect();
    // The crate's own heap sort: n log n, and no second sort in the .wasm.
    heap_sort(&mut order, |a, b| key_at(params, *a).cmp(key_at(params, *b)).then(a.cmp(b)).is_gt());
    let mut repeat: Option<usize> = None;
    let mut previous: Option<&str> = None;
    for index in order {
        let key = key_at(params, index);
        if previous == Some(key) {
            repeat = Some(repeat.map_or(index, |earliest| earliest.min(index)));
        }
        previous = Some(key);
    }
    repeat.map(|index| key_at(params, index))
}

fn key_at(params: &[(String, String)], index: usize) -> &str {
    params.get(index).map_or("", |(key, _)| key.as_str())
}

/// The outcome of a signature check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub valid: bool,
    /// What the server signed: the `server string to sign` of a `SignatureDoesNotMatch` reply.
    pub string_to_sign: String,
}

/// Recomputes the v1 signature of `params` (all but `Signature`) for `method` with the secret and
/// compares it with the `Signature` they carry, in constant time.
pub fn verify_v1(method: &str, params: &[(String, String)], access_key_secret: &str) -> Result<Verification, Error> {
    let (canonical, _) = canonical_query(params);
    let string_to_sign = v1::string_to_sign(method, &canonical);
    let expected = v1::sign_string(access_key_secret, &string_to_sign)?;
    let given = params.iter().find(|(key, _)| key == "Signature").map_or("", |(_, value)| value.as_str());
    Ok(Verification { valid: constant_time_eq(expected.as_bytes(), given.as_bytes()), string_to_sign })
}

/// The headers every V3 request signs (and `x-acs-security-token` when it carries one, which the
/// rule that every `x-acs-*` header is signed covers).
pub const V3_REQUIRED_SIGNED: [&str; 6] =
    ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

/// A V3 `Authorization` header's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Authorization {
    pub access_key_id: String,
    /// Lower-case, in ascending order, each once.
    pub signed_headers: Vec<String>,
    /// 64 lower-case hex digits.
    pub signature: String,
}

fn incomplete(field: &str, message: String) -> Error {
    Error::validation(code::INCOMPLETE_SIGNATURE, field_name(field), message)
}

/// Out of line: one copy serves every refusal of [`parse_authorization`].
#[inline(never)]
fn malformed(why: &str) -> Error {
    incomplete(
        "Authorization",
        ["the Authorization header must be `ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>`: ", why]
            .concat(),
    )
}

/// Reads `ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;c>,Signature=<hex>`: the
/// three parts once each, in any order (spaces around them are allowed); the signed header names
/// lower-case header tokens, sorted, each once. Any header may be signed: the vendor's SDKs sign
/// `accept`, `user-agent` and whatever else they send (`alibabacloud_tea_openapi` `utils.py`
/// `get_canonicalized_headers` takes every header of the request). At most [`MAX_HEADERS`] names,
/// counted before they are read. Anything else is an `IncompleteSignature` error whose message
/// quotes no value. (Out of line, as are the other V3 checks: kept out of the exports that call
/// them, they cost the wasm less.)
#[inline(never)]
pub fn parse_authorization(header: &str) -> Result<V3Authorization, Error> {
    let rest = header
        .trim_ascii()
        .strip_prefix(v3::ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or_else(|| malformed("it does not start with the algorithm's name and a space"))?;
    let mut parts: [Option<&str>; 3] = [None; 3];
    for part in rest.split(',') {
        let (name, value) = part.trim_ascii().split_once('=').ok_or_else(|| malformed("a part has no `=`"))?;
        let index = ["Credential", "SignedHeaders", "Signature"]
            .iter()
            .position(|known| *known == name)
            .ok_or_else(|| malformed("a part is not Credential, SignedHeaders or Signature"))?;
        let slot = parts.get_mut(index).ok_or_else(|| malformed("a part is not known"))?;
        if slot.replace(value).is_some() {
            return Err(malformed("a part is given twice"));
        }
    }
    let [Some(credential), Some(signed), Some(signature)] = parts else {
        return Err(malformed("Credential, SignedHeaders and Signature are each required"));
    };
    // An AccessKeyId: not empty, no space or control character.
    if credential.is_empty() || credential.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(malformed("Credential must be an AccessKeyId"));
    }
    // Counted before they are read: each is matched against every header received.
    if count_parts(signed, b';') > MAX_HEADERS {
        return Err(malformed("SignedHeaders names more than 256 headers, the limit for one request"));
    }
    let mut signed_headers: Vec<String> = Vec::new();
    for name in signed.split(';') {
        if !is_lower_token(name) || signed_headers.last().is_some_and(|last| last.as_str() >= name) {
            return Err(malformed("SignedHeaders must name header names in lower case, in ascending order, each once, joined by `;`"));
        }
        signed_headers.push(name.to_owned());
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(malformed("Signature must be 64 lower-case hex digits"));
    }
    Ok(V3Authorization { access_key_id: credential.to_owned(), signed_headers, signature: signature.to_owned() })
}

/// A header name as HTTP writes one (a token: RFC 9110 section 5.6.2), with no upper-case letter.
fn is_lower_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

/// Headers given as one text, `name NUL value NUL name NUL value…` (HTTP header values hold no
/// NUL): `[(name, value)]`. The empty text is no headers.
/// More than [`MAX_HEADERS`] headers are refused before the text is split (a byte scan counts
/// the NULs).
pub fn split_headers(text: &str) -> Result<Vec<(&str, &str)>, Error> {
    let mut pairs = Vec::new();
    if text.is_empty() {
        return Ok(pairs);
    }
    // n headers are 2n - 1 NULs (2n with a trailing one).
    let parts = text.bytes().filter(|byte| *byte == 0).count() + 1;
    if parts.div_ceil(2) > MAX_HEADERS {
        return Err(Error::validation(
            code::INVALID_PARAMETER,
            "headers",
            "the request holds more than 256 headers, the limit for one request",
        ));
    }
    let mut parts = text.split('\0');
    while let Some(name) = parts.next() {
        let value = parts.next().ok_or_else(|| {
            Error::validation(code::INVALID_PARAMETER, "headers", "headers must be names and values in turn, joined by NUL characters")
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// The outcome of a V3 signature check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Verification {
    pub valid: bool,
    /// What the server hashed: it holds the signed headers' values (an STS token among them).
    pub canonical_request: String,
    /// `ACS3-HMAC-SHA256\n<hex hash of the canonical request>`: what a `SignatureDoesNotMatch`
    /// reply shows.
    pub string_to_sign: String,
}

/// Whether `name` (in any case) is one of `names` (lower-case).
#[inline(never)]
fn is_named(names: &[String], name: &str) -> bool {
    names.iter().any(|known| known.eq_ignore_ascii_case(name))
}

/// Checks a received V3 request: its `Authorization` header (see [`parse_authorization`]) must
/// sign `host`, the five `x-acs-*` headers every request carries and every other `host`,
/// `content-type` or `x-acs-*` header present, and name no header that is absent (an
/// `IncompleteSignature` error otherwise); it may sign any other header it carries. The canonical
/// request is rebuilt from what was received: the method, the query decoded (as [`parse_params`]
/// decodes it) and canonicalised again, the signed headers' values (see
/// [`v3::canonical_headers`]), and the SHA-256 of the body bytes. Valid when
/// `x-acs-content-sha256` is that hash and the signature matches, compared in constant time.
#[inline(never)]
pub fn verify_v3(
    method: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    access_key_secret: &str,
) -> Result<V3Verification, Error> {
    let mut given = None;
    let mut claimed = None;
    for &(name, value) in headers {
        if name.eq_ignore_ascii_case("authorization") {
            if given.replace(value).is_some() {
                return Err(incomplete("Authorization", "a V3 request needs one Authorization header".into()));
            }
        } else if name.eq_ignore_ascii_case("x-acs-content-sha256") {
            // Given twice, it claims no one hash: the check below fails.
            claimed = if claimed.is_none() { Some(value) } else { Some("") };
        }
    }
    let Some(given) = given else {
        return Err(incomplete("Authorization", "a V3 request needs one Authorization header".into()));
    };
    let authorization = parse_authorization(given)?;
    let signed = &authorization.signed_headers;
    for name in V3_REQUIRED_SIGNED {
        if !is_named(signed, name) {
            return Err(incomplete(name, ["SignedHeaders must include ", name].concat()));
        }
    }
    let mut picked: Vec<(&str, &str)> = Vec::with_capacity(signed.len());
    for &(name, value) in headers {
        if is_named(signed, name) {
            picked.push((name, value));
        } else if v3::is_signed_header(name) {
            let shown = field_name(name);
            return Err(incomplete(&shown, ["the ", &shown, " header is not in SignedHeaders: V3 signs every host, content-type and x-acs-* header"].concat()));
        }
    }
    for name in signed {
        if !picked.iter().any(|(given, _)| given.eq_ignore_ascii_case(name)) {
            return Err(incomplete(name, ["SignedHeaders names ", name, ", which the request does not carry"].concat()));
        }
    }
    let (canonical_headers, signed_headers) = v3::canonical_headers(&picked);
    let (canonical_query, _) = canonical_query(&parse_params(query, "")?);
    let hashed_payload = v3::sha256_hex(body);
    let payload_matches = claimed.is_some_and(|value| value.trim() == hashed_payload);
    let canonical_request = v3::canonical_request(method, &canonical_query, &canonical_headers, &signed_headers, &hashed_payload);
    let string_to_sign = v3::string_to_sign(&canonical_request);
    let expected = v3::sign_string(access_key_secret, &string_to_sign)?;
    let valid = constant_time_eq(expected.as_bytes(), authorization.signature.as_bytes()) & payload_matches;
    Ok(V3Verification { valid, canonical_request, string_to_sign })
}

/// Equal bytes, in time that depends only on the lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_are_merged_and_decoded() {
        let params = parse_params("Action=StartCasterScene&A=a+b", "B=%2B%20&C=&D").expect("params");
        let expected: Vec<(String, String)> = [("Action", "StartCasterScene"), ("A", "a b"), ("B", "+ "), ("C", ""), ("D", "")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(params, expected);
    }

    #[test]
    fn duplicates_and_bad_encoding_are_refused() {
        assert_eq!(parse_params("A=1", "A=1").map_err(|e| e.field), Err(Some("A".into())));
        assert_eq!(parse_params("A=1&A=2", "").map_err(|e| e.code), Err(code::INVALID_PARAMETER));
        assert!(parse_params("A=%zz", "").is_err());
        assert!(parse_params("A=%FF", "").is_err());
    }

    fn form(count: usize, from: usize) -> String {
        (from..from + count).map(|i| format!("k{i}={i}")).collect::<Vec<_>>().join("&")
    }

    #[test]
    fn at_most_256_parameters_in_query_and_body_together() {
        assert_eq!(parse_params(&form(100, 0), &form(156, 100)).map(|p| p.len()), Ok(256));
        // Empty parts are not parameters.
        assert_eq!(parse_params(&format!("&&{}&&", form(256, 0)), "&&&").map(|p| p.len()), Ok(256));
        for (query, body) in [(form(257, 0), String::new()), (String::new(), form(257, 0)), (form(100, 0), form(157, 100))] {
            let error = parse_params(&query, &body).expect_err("257 parameters");
            assert_eq!((error.code, error.field.as_deref()), (code::INVALID_PARAMETER, Some("request")));
            assert!(error.message.contains(&format!("more than {} parameters", crate::limits::shown::MAX_PARAMS)), "{}", error.message);
        }
        // Counted before decoding: 257 malformed parts are refused for their number.
        let error = parse_params(&"%zz&".repeat(257), "").expect_err("refused");
        assert!(error.message.contains("256"), "{}", error.message);
    }

    #[test]
    fn a_megabyte_of_distinct_keys_is_refused_at_once() {
        let body: String = (0..150_000).map(|i| format!("{i:x}=1&")).collect();
        let started = std::time::Instant::now();
        let error = parse_params("", &body).expect_err("refused");
        assert_eq!((error.code, error.field.as_deref()), (code::INVALID_PARAMETER, Some("request")));
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn the_first_problem_in_order_is_reported() {
        // A key repeated before a malformed part is reported; a malformed part before the repeat
        // is.
        assert_eq!(parse_params("B=1&A=1&B=2&A=2&C=%zz", "").map_err(|e| e.field), Err(Some("B".into())));
        assert_eq!(parse_params("A=1&C=%zz&A=2", "").map_err(|e| e.field), Err(Some("request".into())));
        assert_eq!(parse_params("A=1&B=1", "B=2&A=2").map_err(|e| e.field), Err(Some("B".into())));
    }

    #[test]
    fn at_most_256_headers() {
        let headers = |count: usize| (0..count).map(|i| format!("h{i}\0v")).collect::<Vec<_>>().join("\0");
        assert_eq!(split_headers(&headers(256)).map(|h| h.len()), Ok(256));
        assert_eq!(split_headers(&format!("{}\0", headers(255) + "\0last")).map(|h| h.len()), Ok(256));
        let error = split_headers(&headers(257)).expect_err("257 headers");
        assert_eq!((error.code, error.field.as_deref()), (code::INVALID_PARAMETER, Some("headers")));
        assert!(error.message.contains(&format!("more than {} headers", crate::limits::shown::MAX_HEADERS)), "{}", error.message);
        let names = |count: usize| (0..count).map(|i| format!("x-acs-{i:04}")).collect::<Vec<_>>().join(";");
        let signature = "0".repeat(64);
        let header = |count| format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders={},Signature={signature}", names(count));
        assert_eq!(parse_authorization(&header(256)).map(|a| a.signed_headers.len()), Ok(256));
        let error = parse_authorization(&header(257)).expect_err("257 names");
        assert_eq!(error.code, code::INCOMPLETE_SIGNATURE);
        assert!(error.message.contains(&format!("more than {} headers", crate::limits::shown::MAX_HEADERS)), "{}", error.message);
    }

    #[test]
    fn the_vendor_example_verifies() {
        // The vendor's documented DescribeRegions example, as its GET query.
        let query = "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
                     &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
                     &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D";
        let params = parse_params(query, "").expect("params");
        assert!(verify_v1("GET", &params, "testsecret").expect("verify").valid);
        let wrong = verify_v1("GET", &params, "wrongsecret").expect("verify");
        assert!(!wrong.valid);
        assert!(wrong.string_to_sign.starts_with("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions"));
        assert!(!verify_v1("POST", &params, "testsecret").expect("verify").valid);
    }

    const SECRET: &str = "v3-secret/+=";
    const HOST: &str = "127.0.0.1:8080";

    /// A V3 request signed by the client side: its query (as the client's URL carries it) and
    /// headers (with the `host` the HTTP client adds).
    fn signed_request(token: Option<&str>) -> (String, Vec<(String, String)>) {
        let request = v3::V3Request {
            method: crate::config::Method::Post,
            host: HOST,
            action: "AddCasterVideoResource",
            version: "2016-11-01",
            date: "2026-01-02T03:04:05Z",
            nonce: "0123456789abcdef0123456789abcdef",
            access_key_id: "LTAIv3Key",
            security_token: token,
        };
        let params = [("CasterId", "c 1"), ("ResourceName", "Cam *(主)~!'+"), ("LocationId", "RV01"), ("RegionId", "cn-shanghai")];
        let signed = v3::sign(&request, &params, SECRET).expect("signs");
        let mut headers: Vec<(String, String)> = signed.headers.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
        headers.push(("Host".into(), HOST.into()));
        headers.push(("user-agent".into(), "not signed".into()));
        (signed.canonical_query, headers)
    }

    fn check(query: &str, headers: &[(String, String)], body: &[u8], secret: &str) -> Result<V3Verification, Error> {
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        verify_v3("POST", query, &pairs, body, secret)
    }

    fn with(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
        headers.iter().map(|(n, v)| (n.clone(), if n == name { value.to_owned() } else { v.clone() })).collect()
    }

    #[test]
    fn authorization_headers_are_parsed() {
        let signature = "0".repeat(64);
        let parsed = parse_authorization(&format!(
            "ACS3-HMAC-SHA256 Credential=LTAIkey,SignedHeaders=host;x-acs-action;x-acs-date,Signature={signature}"
        ))
        .expect("parses");
        assert_eq!(parsed.access_key_id, "LTAIkey");
        assert_eq!(parsed.signed_headers, ["host", "x-acs-action", "x-acs-date"]);
        assert_eq!(parsed.signature, signature);
        // Any order, spaces around the parts.
        let reordered =
            parse_authorization(&format!("ACS3-HMAC-SHA256  Signature={signature}, SignedHeaders=host ,Credential=LTAIkey"));
        assert_eq!(reordered.map(|p| p.signed_headers), Ok(vec!["host".to_owned()]));
    }

    #[test]
    fn malformed_authorization_headers_are_refused() {
        let sig = "a".repeat(64);
        for header in [
            String::new(),
            format!("ACS3-HMAC-SHA1 Credential=k,SignedHeaders=host,Signature={sig}"),
            format!("acs3-hmac-sha256 Credential=k,SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256Credential=k,SignedHeaders=host,Signature={sig}"),
            "ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host".to_owned(),
            format!("ACS3-HMAC-SHA256 SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,Credential=k,SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature={sig},Extra=1"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature={sig},"),
            format!("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=a b,SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=Host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;;x-acs-date,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=x-acs-date;host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;user agent,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;User-Agent,Signature={sig}"),
            "ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature=abc".to_owned(),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature={}", "A".repeat(64)),
            format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature={}", "g".repeat(64)),
            "ACS3-HMAC-SHA256 Credential".to_owned(),
        ] {
            let error = parse_authorization(&header).expect_err(&header);
            assert_eq!((error.code, error.field.as_deref()), (code::INCOMPLETE_SIGNATURE, Some("Authorization")), "{header}");
        }
        // The message names the rule, never the values given.
        let error = parse_authorization("ACS3-HMAC-SHA256 Credential=LTAIsecretish,Signature=zz").expect_err("refused");
        assert!(!error.message.contains("LTAIsecretish") && !error.message.contains("zz"), "{}", error.message);
    }

    #[test]
    fn headers_split_on_nul() {
        assert_eq!(split_headers(""), Ok(vec![]));
        assert_eq!(split_headers("a\0b\0C\0"), Ok(vec![("a", "b"), ("C", "")]));
        assert_eq!(split_headers("a").map_err(|e| e.field), Err(Some("headers".into())));
        assert!(split_headers("a\0b\0c").is_err());
    }

    #[test]
    fn a_signed_v3_request_verifies() {
        for token in [None, Some("CAIS+token/==")] {
            let (query, headers) = signed_request(token);
            let verification = check(&query, &headers, b"", SECRET).expect("verifies");
            assert!(verification.valid, "{verification:?}");
            assert!(verification.canonical_request.contains("\nhost:127.0.0.1:8080\n"));
            assert_eq!(verification.string_to_sign, v3::string_to_sign(&verification.canonical_request));
            // Header names in any case, values with spaces around them, the query in another order
            // and `+` for a space, as a server may receive them.
            let shuffled: Vec<(String, String)> =
                headers.iter().rev().map(|(n, v)| (n.to_ascii_uppercase(), format!("  {v} "))).collect();
            let reordered = query.split('&').rev().collect::<Vec<_>>().join("&").replace("%20", "+");
            assert!(check(&reordered, &shuffled, b"", SECRET).expect("verifies").valid);
        }
    }

    #[test]
    fn every_tampering_fails() {
        let (query, headers) = signed_request(Some("CAIS+token/=="));
        let invalid = |query: &str, headers: &[(String, String)], body: &[u8], secret: &str| {
            let verification = check(query, headers, body, secret).expect("checked");
            assert!(!verification.valid);
            verification
        };
        invalid(&query, &headers, b"", "wrong-secret");
        invalid(&query.replace("RV01", "RV02"), &headers, b"", SECRET);
        invalid(&format!("{query}&Extra=1"), &headers, b"", SECRET);
        invalid(&query, &headers, b"CasterId=c", SECRET);
        for (name, value) in [
            ("x-acs-date", "2026-01-02T03:04:06Z"),
            ("x-acs-action", "StartCasterScene"),
            ("x-acs-version", "2016-11-02"),
            ("x-acs-signature-nonce", "0123456789abcdef0123456789abcdee"),
            ("x-acs-security-token", "CAIS+other/=="),
            ("Host", "127.0.0.1:8081"),
        ] {
            invalid(&query, &with(&headers, name, value), b"", SECRET);
        }
        // A body whose hash is claimed: the claim is signed, so changing it breaks the signature.
        let claimed = with(&headers, "x-acs-content-sha256", &v3::sha256_hex(b"CasterId=c"));
        let verification = invalid(&query, &claimed, b"CasterId=c", SECRET);
        assert!(verification.canonical_request.ends_with(&v3::sha256_hex(b"CasterId=c")));
        // A payload hash that is not the body's, even correctly signed: refused.
        let (query, mut headers) = signed_request(None);
        headers.retain(|(n, _)| n != "authorization");
        headers = with(&headers, "x-acs-content-sha256", &"0".repeat(64));
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let (canonical_headers, signed) = v3::canonical_headers(&pairs);
        let lying = v3::canonical_request("POST", &query, &canonical_headers, &signed, &"0".repeat(64));
        let signature = v3::sign_string(SECRET, &v3::string_to_sign(&lying)).expect("signs");
        headers.push(("authorization".into(), v3::authorization("LTAIv3Key", &signed, &signature)));
        invalid(&query, &headers, b"", SECRET);
    }

    #[test]
    fn unsigned_or_missing_headers_are_refused() {
        let (query, headers) = signed_request(Some("CAIS+token/=="));
        let refused = |headers: &[(String, String)], field: &str| {
            let error = check(&query, headers, b"", SECRET).expect_err("refused");
            assert_eq!((error.code, error.field.as_deref()), (code::INCOMPLETE_SIGNATURE, Some(field)));
        };
        let mut extra = headers.clone();
        extra.push(("X-Acs-Foo".into(), "1".into()));
        refused(&extra, "X-Acs-Foo");
        let mut typed = headers.clone();
        typed.push(("content-type".into(), "application/x-www-form-urlencoded".into()));
        refused(&typed, "content-type");
        let without = |name: &str| headers.iter().filter(|(n, _)| n != name).cloned().collect::<Vec<_>>();
        refused(&without("authorization"), "Authorization");
        refused(&without("x-acs-security-token"), "x-acs-security-token");
        let mut twice = headers.clone();
        twice.push(("Authorization".into(), headers.iter().find(|(n, _)| n == "authorization").map(|(_, v)| v.clone()).unwrap_or_default()));
        refused(&twice, "Authorization");
        // Each required header left out of SignedHeaders (and the request).
        let authorization = headers.iter().find(|(n, _)| n == "authorization").map(|(_, v)| v.clone()).unwrap_or_default();
        for name in V3_REQUIRED_SIGNED {
            let shortened = authorization.replace(&format!("{name};"), "").replace(&format!(";{name},"), ",");
            assert_ne!(shortened, authorization, "{name}");
            let mut dropped = without(name);
            dropped.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            dropped = with(&dropped, "authorization", &shortened);
            refused(&dropped, name);
        }
    }

    #[test]
    fn comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
