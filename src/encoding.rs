//! Percent-encoding as the RPC signature v1 (and V3) specify it.
//!
//! The UTF-8 bytes `A-Z a-z 0-9 - _ . ~` stay as they are; every other byte becomes `%XX` with
//! upper-case hex. Space is therefore `%20` (never `+`), `*` is `%2A`, and `~` stays `~`.

/// The upper-case hex digit of a nibble (`0..=15`) as a byte.
#[inline]
fn hex_byte(nibble: u8) -> u8 {
    let nibble = nibble & 0x0f;
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' + nibble - 10
    }
}

/// The hex digit of a nibble (`0..=15`), upper-case or lower-case.
pub fn hex_digit(nibble: u8, upper: bool) -> char {
    let digit = char::from(hex_byte(nibble));
    if upper {
        digit
    } else {
        digit.to_ascii_lowercase()
    }
}

/// `true` at each unreserved byte: `A-Z a-z 0-9 - _ . ~`.
// Evaluated at compile time: an index out of range fails the build, it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        byte += 1;
    }
    table
};

/// Whether a byte stays as it is.
#[inline]
pub fn is_unreserved(byte: u8) -> bool {
    // A u8 index into a 256-entry table: the bounds check folds away.
    UNRESERVED.get(usize::from(byte)).copied().unwrap_or(false)
}

/// Appends the percent-encoding of `input` to a byte buffer (the fast path: runs of unreserved
/// bytes are copied whole; everything it appends is ASCII).
pub fn percent_encode_bytes(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(input.len() + input.len() / 2);
    let mut run_start = 0;
    for (index, &byte) in input.iter().enumerate() {
        if is_unreserved(byte) {
            continue;
        }
        out.extend_from_slice(input.get(run_start..index).unwrap_or_default());
        out.extend_from_slice(&[b'%', hex_byte(byte >> 4), hex_byte(byte & 0x0f)]);
        run_start = index + 1;
    }
    out.extend_from_slice(input.get(run_start..).unwrap_or_default());
}

/// Text from a buffer that holds ASCII by construction. The fallback (each byte as the char of
/// that number) is never taken; it keeps the function total without a panic path, and is smaller
/// than `from_utf8_lossy`, whose UTF-8 chunking was 1.3 KB of the .wasm for a path never taken.
pub fn ascii_to_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| e.into_bytes().into_iter().map(char::from).collect())
}

/// Appends the percent-encoding of `input` to `out`.
pub fn percent_encode_into(input: &str, out: &mut String) {
    let mut bytes = Vec::with_capacity(input.len() + input.len() / 4);
    percent_encode_bytes(input.as_bytes(), &mut bytes);
    out.push_str(&ascii_to_string(bytes));
}

/// The percent-encoding of `input`.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    percent_encode_into(input, &mut out);
    out
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// How `+` is read when decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plus {
    /// `+` is a literal plus sign (a signed canonical query).
    Literal,
    /// `+` is a space (an `application/x-www-form-urlencoded` body as browsers write it).
    Space,
}

/// Decodes `%XX` sequences. Returns `None` for a truncated or non-hex escape, or bytes that are not
/// UTF-8.
pub fn percent_decode(input: &str, plus: Plus) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter();
    while let Some(&byte) = iter.next() {
        match byte {
            b'%' => {
                let high = hex_value(*iter.next()?)?;
                let low = hex_value(*iter.next()?)?;
                out.push((high << 4) | low);
            }
            b'+' if plus == Plus::Space => out.push(b' '),
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding of every ASCII byte, written out by hand from the rule, not computed.
    #[test]
    fn every_ascii_byte() {
        let expected: [&str; 128] = [
            "%00", "%01", "%02", "%03", "%04", "%05", "%06", "%07", "%08", "%09", "%0A", "%0B",
            "%0C", "%0D", "%0E", "%0F", "%10", "%11", "%12", "%13", "%14", "%15", "%16", "%17",
            "%18", "%19", "%1A", "%1B", "%1C", "%1D", "%1E", "%1F", "%20", "%21", "%22", "%23",
            "%24", "%25", "%26", "%27", "%28", "%29", "%2A", "%2B", "%2C", "-", ".", "%2F", "0",
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "%3A", "%3B", "%3C", "%3D", "%3E", "%3F",
            "%40", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
            "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "%5B", "%5C", "%5D", "%5E", "_",
            "%60", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
            "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "%7B", "%7C", "%7D", "~", "%7F",
        ];
        for (byte, want) in (0u8..128).zip(expected.iter()) {
            let input = char::from(byte).to_string();
            assert_eq!(percent_encode(&input), *want, "byte {byte:#04x}");
        }
    }

    /// ASCII comes back as it is; any other byte (never given: the callers build ASCII) comes
    /// back as one char, not a panic, and never merges with its neighbours into fewer chars.
    #[test]
    fn ascii_to_string_keeps_ascii_and_is_total() {
        let ascii: Vec<u8> = (0u8..128).collect();
        assert_eq!(ascii_to_string(ascii.clone()).as_bytes(), ascii.as_slice());
        for bytes in [vec![0x80], vec![0xff], vec![b'a', 0xe2, 0x82, b'b'], vec![0xf0, 0x9f, 0x98]] {
            assert_eq!(ascii_to_string(bytes.clone()).chars().count(), bytes.len(), "{bytes:?}");
        }
    }

    #[test]
    fn multi_byte_utf8() {
        // 2-, 3- and 4-byte sequences, and U+FFFD itself.
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("€"), "%E2%82%AC");
        assert_eq!(percent_encode("中文"), "%E4%B8%AD%E6%96%87");
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
        assert_eq!(percent_encode("\u{FFFD}"), "%EF%BF%BD");
        assert_eq!(percent_encode("\u{80}"), "%C2%80");
        assert_eq!(percent_encode("\u{10FFFF}"), "%F4%8F%BF%BF");
    }

    #[test]
    fn the_rules_named_in_the_contract() {
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("~"), "~");
        assert_eq!(percent_encode("/"), "%2F");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b%2A~", Plus::Literal).as_deref(), Some("a b*~"));
        assert_eq!(percent_decode("a+b", Plus::Literal).as_deref(), Some("a+b"));
        assert_eq!(percent_decode("a+b", Plus::Space).as_deref(), Some("a b"));
        assert_eq!(percent_decode("%e2%82%ac", Plus::Literal).as_deref(), Some("€"));
        assert_eq!(percent_decode("%", Plus::Literal), None);
        assert_eq!(percent_decode("%2", Plus::Literal), None);
        assert_eq!(percent_decode("%zz", Plus::Literal), None);
        assert_eq!(percent_decode("%FF", Plus::Literal), None);
    }
}
