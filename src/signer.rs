//! The generic RPC signer: any action, any version, any parameters. The operations build their
//! parameters and hand them here; the vendor's own examples are signed through this too.

use crate::canonical::{canonical_query, string_to_sign};
use crate::config::{Endpoint, Method};
use crate::encoding::percent_encode_into;
use crate::error::Error;
use crate::signature::SignatureAlgorithm;

/// A request ready to send. Nothing in it but `signature` derives from the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: Method,
    /// For GET, with the signed query; for POST, the endpoint.
    pub url: String,
    pub headers: Vec<(&'static str, &'static str)>,
    /// For POST: the form body.
    pub body: Option<String>,
    /// Every signed parameter, decoded, in canonical order, `Signature` last.
    pub params: Vec<(String, String)>,
    pub canonical_query: String,
    pub string_to_sign: String,
    pub signature: String,
}

pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Signs `params` (which must already hold every common parameter the algorithm needs) and lays
/// out the request for `method`.
pub fn sign(
    algorithm: SignatureAlgorithm,
    method: Method,
    endpoint: &Endpoint,
    params: Vec<(String, String)>,
    access_key_secret: &str,
) -> Result<SignedRequest, Error> {
    let (canonical, order) = canonical_query(&params);
    let to_sign = string_to_sign(method.as_str(), &canonical);
    let signature = algorithm.sign(access_key_secret, &to_sign)?;

    let mut wire = String::with_capacity(canonical.len() + 11 + signature.len() * 3 / 2);
    wire.push_str(&canonical);
    wire.push_str("&Signature=");
    percent_encode_into(&signature, &mut wire);

    // Decoded parameters in the canonical order.
    let mut slots: Vec<Option<(String, String)>> = params.into_iter().map(Some).collect();
    let mut ordered: Vec<(String, String)> = Vec::with_capacity(order.len() + 1);
    for index in order {
        if let Some(pair) = slots.get_mut(index).and_then(Option::take) {
            ordered.push(pair);
        }
    }
    ordered.push(("Signature".to_owned(), signature.clone()));

    let (url, headers, body) = match method {
        Method::Get => (format!("{}?{wire}", endpoint.as_str()), Vec::new(), None),
        Method::Post => (endpoint.as_str().to_owned(), vec![("content-type", FORM_CONTENT_TYPE)], Some(wire)),
    };
    Ok(SignedRequest { method, url, headers, body, params: ordered, canonical_query: canonical, string_to_sign: to_sign, signature })
}
