//! Signing one of the two operations: the common parameters of contract section 1 around the
//! validated operation parameters, signed with the configured algorithm.

use super::v3::{self, V3Request};
use super::{v1, SignatureAlgorithm, SignedParams, SignedRequest};
use crate::config::{Endpoint, Method, DEFAULT_REGION_ID};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::nonce::Nonce;
use crate::operations::{Action, ValidParams, API_VERSION};
use crate::time::Timestamp;

/// Everything a signed request needs besides the operation's parameters.
#[derive(Clone, Debug)]
pub struct RequestConfig {
    pub credentials: Credentials,
    /// Used when the parameters carry no `RegionId`.
    pub region_id: String,
    pub endpoint: Endpoint,
    pub method: Method,
    pub algorithm: SignatureAlgorithm,
}

impl RequestConfig {
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            region_id: DEFAULT_REGION_ID.to_owned(),
            endpoint: Endpoint::default(),
            method: Method::default(),
            algorithm: SignatureAlgorithm::default(),
        }
    }
}

/// The common parameters of signature v1 (`Signature` itself included), in the order they are
/// added to a request.
pub const COMMON_PARAMS: [&str; 11] = [
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "SecurityToken",
    "RegionId",
    "Signature",
];

/// How many names one of the wasm boundary's name tables (parameters, headers) can give a code:
/// the codes are the control characters U+0001 to U+001F (`src/wasm/packed.rs`). Parameter names
/// past them cross spelled out; the header table must fit (checked at compile time).
pub const NAME_CODES: usize = 31;

/// Every parameter name a signed request of either operation can hold: the common parameters and
/// each operation's own, once each.
pub fn param_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = COMMON_PARAMS.to_vec();
    for action in Action::ALL {
        for field in action.fields() {
            if !names.contains(&field.name) {
                names.push(field.name);
            }
        }
    }
    names
}

/// Hands `with` every parameter of a v1 request (borrowed, in no particular order; the
/// signer sorts them): the common parameters around the validated operation parameters.
fn with_operation_params<R>(
    params: &ValidParams,
    config: &RequestConfig,
    timestamp: Timestamp,
    nonce: &Nonce,
    with: impl FnOnce(&[(&str, &str)]) -> R,
) -> R {
    let credentials = &config.credentials;
    let timestamp = timestamp.to_text();
    let mut all: Vec<(&str, &str)> = Vec::with_capacity(params.values.len() + 10);
    all.extend([
        ("Action", params.action.name()),
        ("Version", API_VERSION),
        ("Format", "JSON"),
        ("AccessKeyId", credentials.access_key_id()),
        ("SignatureMethod", v1::SIGNATURE_METHOD),
        ("SignatureVersion", v1::SIGNATURE_VERSION),
        ("SignatureNonce", nonce.as_str()),
        ("Timestamp", timestamp.as_str()),
    ]);
    if let Some(token) = credentials.security_token() {
        all.push(("SecurityToken", token));
    }
    if params.get("RegionId").is_none() {
        all.push(("RegionId", config.region_id.as_str()));
    }
    all.extend(params.values.iter().map(|(key, value)| (key.as_ref(), value.as_str())));
    with(&all)
}

/// Hands `with` the query parameters of a V3 request (borrowed, unsorted): the operation's own,
/// and `RegionId` from the configuration when they carry none. Action, version, time and nonce
/// travel in headers.
fn with_v3_params<R>(params: &ValidParams, config: &RequestConfig, with: impl FnOnce(&[(&str, &str)]) -> R) -> R {
    let mut all: Vec<(&str, &str)> = Vec::with_capacity(params.values.len() + 1);
    all.extend(params.values.iter().map(|(key, value)| (key.as_ref(), value.as_str())));
    if params.get("RegionId").is_none() {
        all.push(("RegionId", config.region_id.as_str()));
    }
    with(&all)
}

/// What a V3 signature of this operation is computed with, besides its parameters.
fn v3_request<'a>(params: &ValidParams, config: &'a RequestConfig, date: &'a str, nonce: &'a Nonce) -> V3Request<'a> {
    V3Request {
        method: config.method,
        host: config.endpoint.host(),
        action: params.action.name(),
        version: API_VERSION,
        date,
        nonce: nonce.as_str(),
        access_key_id: config.credentials.access_key_id(),
        security_token: config.credentials.security_token(),
    }
}

/// Signs a validated operation at `timestamp` with `nonce`, with the configured algorithm, and
/// hands `with` the signature and the parameters it covers (borrowed, in the order they were
/// built; the signature's `order` sorts them), so that a caller lays out the request without
/// copying them.
pub fn with_signed_operation<R>(
    params: &ValidParams,
    config: &RequestConfig,
    timestamp: Timestamp,
    nonce: &Nonce,
    with: impl FnOnce(&SignedParams, &[(&str, &str)]) -> Result<R, Error>,
) -> Result<R, Error> {
    let secret = config.credentials.access_key_secret();
    match config.algorithm {
        SignatureAlgorithm::HmacSha1V1 => with_operation_params(params, config, timestamp, nonce, |all| {
            with(&v1::sign(config.method, all, secret)?, all)
        }),
        SignatureAlgorithm::Acs3HmacSha256 => {
            let date = timestamp.to_text();
            let request = v3_request(params, config, &date, nonce);
            with_v3_params(params, config, |all| with(&v3::sign(&request, all, secret)?, all))
        }
    }
}

/// Signs a validated operation at `timestamp` with `nonce`, with the configured algorithm.
pub fn sign_operation(
    params: &ValidParams,
    config: &RequestConfig,
    timestamp: Timestamp,
    nonce: &Nonce,
) -> Result<SignedRequest, Error> {
    with_signed_operation(params, config, timestamp, nonce, |signed, all| {
        Ok(signed.clone().into_request(&config.endpoint, all))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The boundary gives a code to the first `NAME_CODES` names and spells out the rest (as it
    /// does a repeat list's `Tag.1.Key`): the common parameters and those of the first
    /// operations of the table, the ones most calls carry, must be among the coded.
    #[test]
    fn the_common_names_and_the_first_operations_get_codes() {
        let names = param_names();
        let coded = &names[..NAME_CODES.min(names.len())];
        for common in COMMON_PARAMS {
            assert!(coded.contains(&common), "{common}");
        }
        for field in Action::StartCasterScene.fields().iter().chain(Action::AddCasterVideoResource.fields()) {
            assert!(coded.contains(&field.name), "{}", field.name);
        }
    }

    #[test]
    fn param_names_cover_both_operations_once_each() {
        let names = param_names();
        for action in Action::ALL {
            for field in action.fields() {
                assert!(names.contains(&field.name), "{}", field.name);
            }
        }
        for common in COMMON_PARAMS {
            assert!(names.contains(&common), "{common}");
        }
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a name is listed twice");
    }
}
