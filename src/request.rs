//! Signing one of the two operations: the common parameters of contract section 1 around the
//! validated operation parameters.

use crate::config::{Endpoint, Method, DEFAULT_REGION_ID};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::nonce::Nonce;
use crate::operations::{ValidParams, API_VERSION};
use crate::signature::SignatureAlgorithm;
use crate::signer::{self, SignedRequest};
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

/// Signs a validated operation at `timestamp` with `nonce`.
pub fn sign_operation(
    params: &ValidParams,
    config: &RequestConfig,
    timestamp: Timestamp,
    nonce: &Nonce,
) -> Result<SignedRequest, Error> {
    let algorithm = config.algorithm;
    let credentials = &config.credentials;
    let mut all: Vec<(String, String)> = Vec::with_capacity(params.values.len() + 10);
    all.push(("Action".into(), params.action.name().into()));
    all.push(("Version".into(), API_VERSION.into()));
    all.push(("Format".into(), "JSON".into()));
    all.push(("AccessKeyId".into(), credentials.access_key_id().into()));
    all.push(("SignatureMethod".into(), algorithm.method().into()));
    all.push(("SignatureVersion".into(), algorithm.version().into()));
    all.push(("SignatureNonce".into(), nonce.as_str().into()));
    all.push(("Timestamp".into(), timestamp.to_string()));
    if let Some(token) = credentials.security_token() {
        all.push(("SecurityToken".into(), token.into()));
    }
    if params.get("RegionId").is_none() {
        all.push(("RegionId".into(), config.region_id.clone()));
    }
    all.extend(params.values.iter().map(|(key, value)| ((*key).to_owned(), value.clone())));
    signer::sign(algorithm, config.method, &config.endpoint, all, credentials.access_key_secret())
}
