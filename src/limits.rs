//! The limits on what the package reads from outside, in one place. Each is checked before the
//! work it bounds: a count by a byte scan before anything is decoded, a length before the value is
//! copied (the wasm boundary hands these numbers to `js/boundary.js`, which leaves a longer string
//! outside the instance and sends only its length). Legitimate requests stay far below them.

/// Parameters of one received request, query and form body together: each operation has at most
/// about 20 of its own and 11 common ones.
pub const MAX_PARAMS: usize = 256;

/// Headers of one received V3 request, and names in its `SignedHeaders`.
pub const MAX_HEADERS: usize = 256;

/// UTF-8 bytes of one parameter's value, and of one parameter's name.
pub const MAX_VALUE_BYTES: usize = 16_384;

/// UTF-8 bytes of all parameter names and values of one request together (a name or value over
/// [`MAX_VALUE_BYTES`] is refused by that rule and not counted here).
pub const MAX_PARAMS_BYTES: usize = 65_536;

/// UTF-8 bytes of one option string of a request (`accessKeyId`, `accessKeySecret`,
/// `securityToken`, `endpoint`, `regionId`, `nonce`, …) and of one option name. An STS token is a
/// few kilobytes.
pub const MAX_OPTION_BYTES: usize = 8_192;

/// The limits as messages show them, written out so that no number is formatted at run time
/// (a test holds each equal to its limit).
pub mod shown {
    pub const MAX_PARAMS: &str = "256";
    pub const MAX_HEADERS: &str = "256";
    pub const MAX_VALUE_BYTES: &str = "16,384";
    pub const MAX_PARAMS_BYTES: &str = "65,536";
    pub const MAX_OPTION_BYTES: &str = "8,192";
    pub const MAX_RECEIVED_BYTES: &str = "1,048,576";
}

/// UTF-8 bytes of one text a server hands over to be checked (a received query, body, headers,
/// Authorization header, …): the emulator reads bodies of at most a mebibyte.
pub const MAX_RECEIVED_BYTES: usize = 1 << 20;

/// `<name> is longer than <limit> bytes, the limit for <what>`: one message for every length
/// limit, which never quotes the value.
pub fn too_long(name: &str, limit: &str, what: &str) -> String {
    [name, " is longer than ", limit, " bytes, the limit for ", what].concat()
}

/// `16,384`: a limit as messages show it.
#[cfg(test)]
fn shown(limit: usize) -> String {
    let digits = limit.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// How many `separator`-separated parts of `text` are not empty: a byte scan, nothing decoded.
pub fn count_parts(text: &str, separator: u8) -> usize {
    let mut count = 0;
    let mut in_part = false;
    for &byte in text.as_bytes() {
        if byte == separator {
            in_part = false;
        } else if !in_part {
            in_part = true;
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_as_shown() {
        assert_eq!(shown(256), "256");
        assert_eq!(shown(8_192), "8,192");
        assert_eq!(shown(65_536), "65,536");
        assert_eq!(shown(1_048_576), "1,048,576");
        assert_eq!(shown(MAX_PARAMS), shown::MAX_PARAMS);
        assert_eq!(shown(MAX_HEADERS), shown::MAX_HEADERS);
        assert_eq!(shown(MAX_VALUE_BYTES), shown::MAX_VALUE_BYTES);
        assert_eq!(shown(MAX_PARAMS_BYTES), shown::MAX_PARAMS_BYTES);
        assert_eq!(shown(MAX_OPTION_BYTES), shown::MAX_OPTION_BYTES);
        assert_eq!(shown(MAX_RECEIVED_BYTES), shown::MAX_RECEIVED_BYTES);
    }

    #[test]
    fn parts_are_counted_without_the_empty_ones() {
        assert_eq!(count_parts("", b'&'), 0);
        assert_eq!(count_parts("&&&", b'&'), 0);
        assert_eq!(count_parts("a=1", b'&'), 1);
        assert_eq!(count_parts("&a=1&&b&", b'&'), 2);
        assert_eq!(count_parts("a\0b\0\0c", b'\0'), 3);
    }
}
