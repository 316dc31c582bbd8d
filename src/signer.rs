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
    /// Names in lower case. V3's carry the signature (`authorization` last).
    pub headers: Vec<(&'static str, String)>,
    /// For a v1 POST: the form body.
    pub body: Option<String>,
    /// Every signed parameter, decoded, in canonical order; v1's with `Signature` last.
    pub params: Vec<(String, String)>,
    pub canonical_query: String,
    /// V3 only: the canonical request whose hash is signed.
    pub canonical_request: Option<String>,
    pub string_to_sign: String,
    pub signature: String,
}

pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The signature of a parameter list, without copying the parameters: what [`SignedRequest`] is
/// laid out from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Indices into the signed parameters, in canonical order (`Signature` itself left out).
    pub order: Vec<usize>,
    pub canonical_query: String,
    pub string_to_sign: String,
    pub signature: String,
}

impl Signature {
    /// The headers a v1 request of `method` carries.
    pub fn headers(method: Method) -> Vec<(&'static str, String)> {
        match method {
            Method::Get => Vec::new(),
            Method::Post => vec![("content-type", FORM_CONTENT_TYPE.to_owned())],
        }
    }

    /// Where the signed query goes for `method`: `(url, body)`, the URL carrying it for GET, the
    /// body for POST.
    pub fn url_and_body(&self, method: Method, endpoint: &Endpoint) -> (String, Option<String>) {
        let wire = self.wire();
        match method {
            Method::Get => (format!("{}?{wire}", endpoint.as_str()), None),
            Method::Post => (endpoint.as_str().to_owned(), Some(wire)),
        }
    }

    /// The signed query string: the canonical query and the encoded `Signature`. The GET query and
    /// the POST body both are this.
    pub fn wire(&self) -> String {
        let mut wire = String::with_capacity(self.canonical_query.len() + 11 + self.signature.len() * 3 / 2);
        wire.push_str(&self.canonical_query);
        wire.push_str("&Signature=");
        percent_encode_into(&self.signature, &mut wire);
        wire
    }
}

/// Signs `params` (which must already hold every common parameter the algorithm needs).
pub fn signature<K: AsRef<str>, V: AsRef<str>>(
    algorithm: SignatureAlgorithm,
    method: Method,
    params: &[(K, V)],
    access_key_secret: &str,
) -> Result<Signature, Error> {
    let (canonical_query, order) = canonical_query(params);
    let string_to_sign = string_to_sign(method.as_str(), &canonical_query);
    let signature = algorithm.sign(access_key_secret, &string_to_sign)?;
    Ok(Signature { order, canonical_query, string_to_sign, signature })
}

/// The parameters at `order`, owned, in that order.
pub fn ordered<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)], order: &[usize]) -> Vec<(String, String)> {
    order
        .iter()
        .filter_map(|index| params.get(*index))
        .map(|(key, value)| (key.as_ref().to_owned(), value.as_ref().to_owned()))
        .collect()
}

/// Lays out a v1 request for `method` from its signature and the parameters it covers.
pub fn signed_request<K: AsRef<str>, V: AsRef<str>>(
    method: Method,
    endpoint: &Endpoint,
    signed: Signature,
    params: &[(K, V)],
) -> SignedRequest {
    let (url, body) = signed.url_and_body(method, endpoint);
    // Decoded parameters in the canonical order, Signature last.
    let mut params = ordered(params, &signed.order);
    params.push(("Signature".to_owned(), signed.signature.clone()));
    SignedRequest {
        method,
        url,
        headers: Signature::headers(method),
        body,
        params,
        canonical_query: signed.canonical_query,
        canonical_request: None,
        string_to_sign: signed.string_to_sign,
        signature: signed.signature,
    }
}

/// Signs `params` (which must already hold every common parameter the algorithm needs) and lays
/// out the request for `method`.
pub fn sign<K: AsRef<str>, V: AsRef<str>>(
    algorithm: SignatureAlgorithm,
    method: Method,
    endpoint: &Endpoint,
    params: &[(K, V)],
    access_key_secret: &str,
) -> Result<SignedRequest, Error> {
    Ok(signed_request(method, endpoint, signature(algorithm, method, params, access_key_secret)?, params))
}
