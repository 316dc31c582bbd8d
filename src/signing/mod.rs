//! Signing a request: v1 (`HMAC-SHA1` over the RPC string to sign, in the parameters) in [`v1`],
//! V3 (`ACS3-HMAC-SHA256`, in an `Authorization` header) in [`v3`], both over the canonical query
//! of [`canonical`], and the common parameters of the two operations around them in
//! [`operation`]. Each signer returns a [`SignedParams`]; [`SignedParams::into_request`] lays it
//! out as the one [`SignedRequest`] both algorithms produce.
//!
//! The types here depend on neither algorithm: `v1` and `v3` use them, `canonical` and `mac` (the
//! HMAC), never each other, and only `operation` picks between them.

pub mod canonical;
mod mac;
pub mod operation;
pub mod v1;
pub mod v3;

use crate::config::{Endpoint, Method};
use crate::error::Error;

/// A signature algorithm the signer knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RPC signature v1: `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, key `secret + "&"`.
    /// The default: a v1 POST is a CORS simple request, so a browser sends it without a preflight.
    #[default]
    HmacSha1V1,
    /// Signature V3, `ACS3-HMAC-SHA256`, in an `Authorization` header (see [`v3`]).
    Acs3HmacSha256,
}

impl SignatureAlgorithm {
    /// The name callers use: `"v1"` or `"v3"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha1V1 => "v1",
            Self::Acs3HmacSha256 => "v3",
        }
    }

    /// The algorithm of that name (`"v1"` or `"v3"`, in any case).
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.eq_ignore_ascii_case("v1") {
            Ok(Self::HmacSha1V1)
        } else if text.eq_ignore_ascii_case("v3") {
            Ok(Self::Acs3HmacSha256)
        } else {
            Err(Error::config(
                crate::error::code::INVALID_PARAMETER,
                "signatureAlgorithm",
                "signatureAlgorithm must be \"v1\" (HMAC-SHA1 in the parameters) or \"v3\" (ACS3-HMAC-SHA256 in headers)",
            ))
        }
    }
}

/// A signature over a parameter list and everything it was computed over, without a copy of the
/// parameters: `order` indexes into them. What [`SignedRequest`] is laid out from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedParams {
    pub algorithm: SignatureAlgorithm,
    pub method: Method,
    /// Indices into the signed parameters, in canonical order (a `Signature` parameter left out).
    pub order: Vec<usize>,
    pub canonical_query: String,
    /// The query as sent: v1's with `&Signature=…` at the end (in the URL for GET, the body for
    /// POST); V3's is the canonical query, always in the URL.
    pub query: String,
    /// V3 only: the canonical request whose hash is signed.
    pub canonical_request: Option<String>,
    pub string_to_sign: String,
    pub signature: String,
    /// Names in lower case. V3's carry the signature (`authorization` last).
    pub headers: Vec<(&'static str, String)>,
}

impl SignedParams {
    /// Where the signed query goes: `(url, body)`. Only a v1 POST has a body.
    pub fn url_and_body(&self, endpoint: &Endpoint) -> (String, Option<String>) {
        match (self.algorithm, self.method) {
            (SignatureAlgorithm::HmacSha1V1, Method::Post) => (endpoint.as_str().to_owned(), Some(self.query.clone())),
            _ => (format!("{}?{}", endpoint.as_str(), self.query), None),
        }
    }

    /// Lays out the request to `endpoint` from this signature and the parameters it covers.
    pub fn into_request<K: AsRef<str>, V: AsRef<str>>(self, endpoint: &Endpoint, params: &[(K, V)]) -> SignedRequest {
        let (url, body) = self.url_and_body(endpoint);
        // Decoded parameters in the canonical order; v1's with Signature last.
        let mut ordered = ordered(params, &self.order);
        if self.algorithm == SignatureAlgorithm::HmacSha1V1 {
            ordered.push(("Signature".to_owned(), self.signature.clone()));
        }
        SignedRequest {
            method: self.method,
            url,
            headers: self.headers,
            body,
            params: ordered,
            canonical_query: self.canonical_query,
            canonical_request: self.canonical_request,
            string_to_sign: self.string_to_sign,
            signature: self.signature,
        }
    }
}

/// A request ready to send. Nothing in it but `signature` (and V3's `authorization` header, which
/// carries it) derives from the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: Method,
    /// For GET and for V3, with the signed query; for a v1 POST, the endpoint.
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

/// The parameters at `order`, owned, in that order.
fn ordered<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)], order: &[usize]) -> Vec<(String, String)> {
    order
        .iter()
        .filter_map(|index| params.get(*index))
        .map(|(key, value)| (key.as_ref().to_owned(), value.as_ref().to_owned()))
        .collect()
}
