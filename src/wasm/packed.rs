//! Results leave the instance as one string of NUL-separated fields that `js/boundary.js` splits:
//! one crossing instead of dozens, and the objects are built with `Object.fromEntries` and
//! literals, which run no setter a polluted prototype may hold.

use crate::error::Error;
use crate::signer::SignedRequest;

/// Joins `fields` with NUL. `None` if a field holds a NUL itself (validation makes that
/// impossible; this keeps it so).
fn join<'a>(fields: impl IntoIterator<Item = &'a str>, capacity: usize) -> Option<String> {
    let mut out = String::with_capacity(capacity);
    for (index, field) in fields.into_iter().enumerate() {
        if field.contains('\0') {
            return None;
        }
        if index > 0 {
            out.push('\0');
        }
        out.push_str(field);
    }
    Some(out)
}

fn unexpected_nul() -> Error {
    Error::internal("a result held a NUL character, which validation should have refused")
}

/// `method, url, body, canonicalQuery, stringToSign, signature, n, n header pairs, param pairs`.
pub fn signed_request(request: &SignedRequest) -> Result<String, Error> {
    let header_count = request.headers.len().to_string();
    let head = [
        request.method.as_str(),
        request.url.as_str(),
        request.body.as_deref().unwrap_or(""),
        request.canonical_query.as_str(),
        request.string_to_sign.as_str(),
        request.signature.as_str(),
        header_count.as_str(),
    ];
    let headers = request.headers.iter().flat_map(|(k, v)| [*k, *v]);
    let params = request.params.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]);
    let capacity = request.url.len() + request.string_to_sign.len() + request.canonical_query.len() * 3 + 256;
    join(head.into_iter().chain(headers).chain(params), capacity).ok_or_else(unexpected_nul)
}

/// `field, code, message` triples.
pub fn problems(errors: &[Error]) -> Result<String, Error> {
    let fields = errors
        .iter()
        .flat_map(|e| [e.field.as_deref().unwrap_or(""), e.code, e.message.as_str()]);
    join(fields, errors.len() * 96).ok_or_else(unexpected_nul)
}
