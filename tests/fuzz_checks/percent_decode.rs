//! `percent_decode`: the decoder in both `Plus` modes on arbitrary text, and the encoder's output
//! form and round trip on arbitrary UTF-8.
//!
//! Properties:
//! - nothing panics;
//! - the decoder agrees with an independent reference in both modes, and `Plus::Space` is exactly
//!   `Plus::Literal` with every `+` read as `%20`;
//! - the encoder agrees with the reference, writes only unreserved bytes and upper-case `%XX`
//!   escapes of the other bytes, appends without touching what is there, and decodes back.

use aliyun_caster::encoding::{is_unreserved, percent_decode, percent_encode, percent_encode_bytes, percent_encode_into, Plus};

use super::reference::ref_enc;

/// Decodes `%XX` (either case) and, when `plus_is_space`, `+`; `None` for a bad escape or bytes
/// that are not UTF-8.
pub fn ref_decode(input: &str, plus_is_space: bool) -> Option<String> {
    let mut out = Vec::new();
    let mut rest = input.as_bytes();
    loop {
        rest = match rest {
            [] => break,
            [b'%', high, low, tail @ ..] if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                let digits = [*high, *low];
                out.push(u8::from_str_radix(std::str::from_utf8(&digits).ok()?, 16).ok()?);
                tail
            }
            [b'%', ..] => return None,
            [b'+', tail @ ..] if plus_is_space => {
                out.push(b' ');
                tail
            }
            [byte, tail @ ..] => {
                out.push(*byte);
                tail
            }
        };
    }
    String::from_utf8(out).ok()
}

/// Only unreserved bytes and upper-case `%XX` escapes of bytes that are not unreserved.
pub fn assert_canonical_encoding(encoded: &[u8]) {
    let mut rest = encoded;
    while let Some((first, tail)) = rest.split_first() {
        rest = if *first == b'%' {
            let [high, low, tail @ ..] = tail else { panic!("a truncated escape in {encoded:?}") };
            let upper_hex = |b: &u8| b.is_ascii_digit() || (b'A'..=b'F').contains(b);
            assert!(upper_hex(high) && upper_hex(low), "not an upper-case escape in {encoded:?}");
            let digits = [*high, *low];
            let byte = u8::from_str_radix(std::str::from_utf8(&digits).unwrap(), 16).unwrap();
            assert!(!is_unreserved(byte), "an unreserved byte {byte:#04x} was escaped");
            tail
        } else {
            assert!(is_unreserved(*first), "a reserved byte {first:#04x} was left as it is");
            tail
        };
    }
}

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    // Decoding.
    let literal = percent_decode(text, Plus::Literal);
    let space = percent_decode(text, Plus::Space);
    assert_eq!(literal, ref_decode(text, false), "Plus::Literal differs from the reference");
    assert_eq!(space, ref_decode(text, true), "Plus::Space differs from the reference");
    assert_eq!(space, percent_decode(&text.replace('+', "%20"), Plus::Literal), "Plus::Space is not + as %20");
    if !text.contains('+') {
        assert_eq!(literal, space, "the modes differ without a +");
    }
    if let Some(decoded) = &literal {
        assert!(decoded.len() <= text.len(), "decoding grew the text");
        assert_eq!(percent_decode(&percent_encode(decoded), Plus::Literal).as_ref(), Some(decoded));
    }

    // Encoding and the round trip.
    let encoded = percent_encode(text);
    assert_eq!(encoded, ref_enc(text), "the encoding differs from the reference");
    assert_canonical_encoding(encoded.as_bytes());
    let unreserved = text.bytes().filter(|b| is_unreserved(*b)).count();
    assert_eq!(encoded.len(), unreserved + 3 * (text.len() - unreserved));
    assert_eq!(percent_decode(&encoded, Plus::Literal).as_deref(), Some(text), "Literal round trip");
    assert_eq!(percent_decode(&encoded, Plus::Space).as_deref(), Some(text), "Space round trip");
    let mut appended = String::from("k=");
    percent_encode_into(text, &mut appended);
    assert_eq!(appended, format!("k={encoded}"), "percent_encode_into did not append");

    // Raw bytes, UTF-8 or not.
    let mut raw = vec![b'!'];
    percent_encode_bytes(data, &mut raw);
    assert_eq!(raw.first(), Some(&b'!'));
    assert_canonical_encoding(raw.get(1..).unwrap_or_default());
    let unreserved = data.iter().filter(|b| is_unreserved(**b)).count();
    assert_eq!(raw.len(), 1 + unreserved + 3 * (data.len() - unreserved));
}
