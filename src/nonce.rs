//! The `SignatureNonce` parameter: unique per request. Generated nonces are 128 random bits written
//! in UUID form (8-4-4-4-12 lower-case hex); the random bytes come from the caller.

use crate::encoding::hex_digit;
use crate::error::{code, Error};
use crate::text::{has_control, has_whitespace};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nonce(String);

impl Nonce {
    /// 16 random bytes in UUID form.
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        let mut out = String::with_capacity(36);
        for (index, byte) in bytes.iter().enumerate() {
            if matches!(index, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(hex_digit(byte >> 4, false));
            out.push(hex_digit(*byte, false));
        }
        Self(out)
    }

    /// A caller's own nonce (for reproducible signing): 1 to 128 bytes, no whitespace or control
    /// characters.
    pub fn parse(text: String, field: &str) -> Result<Self, Error> {
        if text.is_empty() || text.len() > 128 || has_whitespace(&text) || has_control(&text) {
            return Err(Error::validation(
                code::INVALID_PARAMETER,
                field,
                format!("{field} must be 1 to 128 bytes with no whitespace or control characters"),
            ));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_form() {
        let bytes = [0x3e, 0xe8, 0xc1, 0xb8, 0x83, 0xd3, 0x44, 0xaf, 0xa9, 0x4f, 0x4e, 0x0a, 0xd8, 0x2f, 0xd6, 0xcf];
        assert_eq!(Nonce::from_random_bytes(bytes).as_str(), "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
        assert_eq!(Nonce::from_random_bytes([0xff; 16]).as_str(), "ffffffff-ffff-ffff-ffff-ffffffffffff");
    }

    #[test]
    fn caller_nonces() {
        assert!(Nonce::parse("abc".into(), "nonce").is_ok());
        assert!(Nonce::parse(String::new(), "nonce").is_err());
        assert!(Nonce::parse("a b".into(), "nonce").is_err());
        assert!(Nonce::parse("x".repeat(129), "nonce").is_err());
    }
}
