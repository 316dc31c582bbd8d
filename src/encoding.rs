//! Percent-encoding as the RPC signature v1 (and V3) specify it.
//!
//! The UTF-8 bytes `A-Z a-z 0-9 - _ . ~` stay as they are; every other byte becomes `%XX` with
//! upper-case hex. Space is therefore `%20` (never `+`), `*` is `%2A`, and `~` stays `~`.

/// The hex digit of a nibble (`0..=15`), upper-case or lower-case.
pub fn hex_digit(nibble: u8, upper: bool) -> char {
    let nibble = nibble & 0x0f;
    char::from(match nibble {
        0..=9 => b'0' + nibble,
        _ if upper => b'A' + nibble - 10,
        _ => b'a' + nibble - 10,
    })
}

/// Whether a byte stays as it is.
pub fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Appends the percent-encoding of `input` to `out`. Runs of unreserved bytes are copied whole.
pub fn percent_encode_into(input: &str, out: &mut String) {
    out.reserve(input.len());
    let bytes = input.as_bytes();
    let mut run_start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if is_unreserved(byte) {
            continue;
        }
        // `index` is at a byte that is not unreserved ASCII, and the run before it is all ASCII,
        // so both ends are character boundaries.
        out.push_str(input.get(run_start..index).unwrap_or_default());
        out.push('%');
        out.push(hex_digit(byte >> 4, true));
        out.push(hex_digit(byte, true));
        run_start = index + 1;
    }
    out.push_str(input.get(run_start..).unwrap_or_default());
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
