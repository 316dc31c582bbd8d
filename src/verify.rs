//! The server side of signature v1: read the parameters a request carries (query and form body,
//! as the vendor's clients send them) and check the signature against a secret. The emulator uses
//! this, so signing and verifying share one canonicalisation.

use crate::canonical::{canonical_query, string_to_sign};
use crate::encoding::{percent_decode, Plus};
use crate::error::{code, field_name, quote_name, Error};
use crate::signature::SignatureAlgorithm;

/// The parameters of a request: the query's, then the form body's, decoded (`+` is a space, as
/// in any `application/x-www-form-urlencoded` text). A key given twice, in one place or across
/// both, is refused: a signature must cover one unambiguous set.
pub fn parse_params(query: &str, body: &str) -> Result<Vec<(String, String)>, Error> {
    let mut params: Vec<(String, String)> = Vec::new();
    for part in query.split('&').chain(body.split('&')) {
        if part.is_empty() {
            continue;
        }
        let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
        let malformed = || {
            Error::validation(code::INVALID_PARAMETER, "request", "the request holds a malformed percent-encoding or bytes that are not UTF-8")
        };
        let key = percent_decode(raw_key, Plus::Space).ok_or_else(malformed)?;
        let value = percent_decode(raw_value, Plus::Space).ok_or_else(malformed)?;
        if params.iter().any(|(existing, _)| *existing == key) {
            return Err(Error::validation(code::INVALID_PARAMETER, field_name(&key), format!("{} is given twice", quote_name(&key))));
        }
        params.push((key, value));
    }
    Ok(params)
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
    let string_to_sign = string_to_sign(method, &canonical);
    let expected = SignatureAlgorithm::HmacSha1V1.sign(access_key_secret, &string_to_sign)?;
    let given = params.iter().find(|(key, _)| key == "Signature").map_or("", |(_, value)| value.as_str());
    Ok(Verification { valid: constant_time_eq(expected.as_bytes(), given.as_bytes()), string_to_sign })
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

    #[test]
    fn comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
