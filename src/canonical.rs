//! The canonical query and the string to sign of signature v1.

use crate::encoding::{percent_encode, percent_encode_into};

/// Builds the canonical query: every parameter, key and value percent-encoded, sorted by encoded key
/// in byte order, joined as `k=v` with `&`. Parameters named `Signature` are left out.
///
/// Returns the canonical query and the indices of the parameters it holds, in its order.
pub fn canonical_query(params: &[(String, String)]) -> (String, Vec<usize>) {
    let mut encoded: Vec<(String, usize)> = params
        .iter()
        .enumerate()
        .filter(|(_, (key, _))| key != "Signature")
        .map(|(index, (key, _))| (percent_encode(key), index))
        .collect();
    // By encoded key, then by position: a repeated key keeps the order it was given in.
    encoded.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
    let capacity = params.iter().map(|(k, v)| k.len() + v.len() * 3 / 2 + 2).sum();
    let mut query = String::with_capacity(capacity);
    let mut order = Vec::with_capacity(encoded.len());
    for (position, (key, index)) in encoded.iter().enumerate() {
        if position > 0 {
            query.push('&');
        }
        query.push_str(key);
        query.push('=');
        if let Some((_, value)) = params.get(*index) {
            percent_encode_into(value, &mut query);
        }
        order.push(*index);
    }
    (query, order)
}

/// `METHOD & enc("/") & enc(canonicalQuery)`: the canonical query is encoded a second time.
pub fn string_to_sign(method: &str, canonical_query: &str) -> String {
    let mut out = String::with_capacity(method.len() + 5 + canonical_query.len() * 3 / 2);
    out.push_str(method);
    out.push('&');
    percent_encode_into("/", &mut out);
    out.push('&');
    percent_encode_into(canonical_query, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn sorted_by_encoded_key_in_byte_order() {
        let (query, _) = canonical_query(&pairs(&[
            ("b", "2"),
            ("B", "1"),
            ("a b", "x"),
            ("a", "y z"),
            ("Signature", "dropped"),
        ]));
        // "B" (0x42) < "a" (0x61) < "a%20b" < "b"
        assert_eq!(query, "B=1&a=y%20z&a%20b=x&b=2");
    }

    #[test]
    fn encoded_sort_differs_from_raw_sort() {
        // Raw order puts "a_" (0x5f) before "a~"; the encoded keys keep that order, while "a*"
        // (raw 0x2a, first) becomes "a%2A" and sorts before both by '%' (0x25).
        let (query, _) = canonical_query(&pairs(&[("a~", "1"), ("a_", "2"), ("a*", "3")]));
        assert_eq!(query, "a%2A=3&a_=2&a~=1");
    }

    #[test]
    fn string_to_sign_encodes_twice() {
        assert_eq!(string_to_sign("GET", "A=1&B=a%20b"), "GET&%2F&A%3D1%26B%3Da%2520b");
        assert_eq!(string_to_sign("POST", ""), "POST&%2F&");
    }
}
