//! The canonical query, the same for v1 and V3: every parameter percent-encoded (RFC 3986, as
//! [`crate::encoding`] does it), sorted by encoded key in byte order.

use std::borrow::Cow;

use crate::encoding::{ascii_to_string, is_unreserved, percent_encode_bytes};

/// A key as it sorts: its percent-encoding, borrowed when encoding changes nothing.
fn sort_key(key: &str) -> Cow<'_, str> {
    if key.bytes().all(is_unreserved) {
        Cow::Borrowed(key)
    } else {
        let mut bytes = Vec::with_capacity(key.len() * 3);
        percent_encode_bytes(key.as_bytes(), &mut bytes);
        Cow::Owned(ascii_to_string(bytes))
    }
}

/// Sorts by `greater` in O(n log n) without allocating. Small in code, unlike the standard
/// library's sorts (about 5 KB of wasm); with a total order, as here, the result is the same.
pub(crate) fn heap_sort<T>(items: &mut [T], greater: impl Fn(&T, &T) -> bool) {
    let is_greater = |items: &[T], a: usize, b: usize| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => greater(x, y),
        _ => false,
    };
    // Moves the item at `root` down until the heap within `items[..end]` is in order again.
    let sift_down = |items: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && is_greater(items, child + 1, child) {
            child += 1;
        }
        if !is_greater(items, child, root) {
            break;
        }
        items.swap(root, child);
        root = child;
    };
    let len = items.len();
    for root in (0..len / 2).rev() {
        sift_down(items, root, len);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

/// Builds the canonical query: every parameter, key and value percent-encoded, sorted by encoded key
/// in byte order, joined as `k=v` with `&`. Parameters named `Signature` are left out.
///
/// Returns the canonical query and the indices of the parameters it holds, in its order.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> (String, Vec<usize>) {
    let mut keyed: Vec<(Cow<'_, str>, usize)> = params
        .iter()
        .enumerate()
        .filter(|(_, (key, _))| key.as_ref() != "Signature")
        .map(|(index, (key, _))| (sort_key(key.as_ref()), index))
        .collect();
    // By encoded key in byte order, then by position: a repeated key keeps the order it was given in.
    heap_sort(&mut keyed, |a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)).is_gt());
    let order: Vec<usize> = keyed.into_iter().map(|(_, index)| index).collect();
    let capacity = params.iter().map(|(k, v)| k.as_ref().len() + v.as_ref().len() * 3 / 2 + 2).sum();
    let mut query = Vec::with_capacity(capacity);
    for (position, index) in order.iter().enumerate() {
        let Some((key, value)) = params.get(*index) else { continue };
        if position > 0 {
            query.push(b'&');
        }
        percent_encode_bytes(key.as_ref().as_bytes(), &mut query);
        query.push(b'=');
        percent_encode_bytes(value.as_ref().as_bytes(), &mut query);
    }
    (ascii_to_string(query), order)
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
    fn heap_sort_sorts_every_arrangement() {
        // Every permutation of up to 7 items, with repeats, against the standard sort.
        fn permutations(items: &mut Vec<u8>, k: usize, out: &mut Vec<Vec<u8>>) {
            if k == items.len() {
                out.push(items.clone());
                return;
            }
            for i in k..items.len() {
                items.swap(k, i);
                permutations(items, k + 1, out);
                items.swap(k, i);
            }
        }
        for base in [vec![], vec![1], vec![2, 1], vec![3, 1, 2, 1], vec![5, 4, 3, 2, 1, 0, 9], vec![1, 1, 2, 2, 3, 3, 0]] {
            let mut all = Vec::new();
            permutations(&mut base.clone(), 0, &mut all);
            let mut expected = base.clone();
            expected.sort_unstable();
            for mut arrangement in all {
                heap_sort(&mut arrangement, |a, b| a > b);
                assert_eq!(arrangement, expected);
            }
        }
    }
}
