//! Errors of the core. Each carries the code the server would use for the same problem, the field
//! it concerns, and a message a person can act on. Messages never contain a parameter's value or a
//! credential: stream URLs carry auth keys, and secrets must not travel in errors.

use std::fmt;

/// The codes the core produces. They are the server's own codes where the server has one.
pub mod code {
    pub const MISSING_PARAMETER: &str = "MissingParameter";
    pub const INVALID_PARAMETER: &str = "InvalidParameter.Malformed";
    pub const INVALID_CASTER_ID: &str = "InvalidCasterId.Malformed";
    pub const INVALID_SCENE_ID: &str = "InvalidSceneId.Malformed";
    pub const INVALID_MATERIAL_ID: &str = "InvalidMaterialId.Malformed";
    pub const INVALID_LIVE_STREAM_URL: &str = "InvalidLiveStreamUrl.Malformed";
    pub const INVALID_VOD_URL: &str = "InvalidVodUrl.Malformed";
    pub const UNEXPECTED_LOCATION_ID: &str = "UnexpectedLocationID";
    /// An action this package does not implement (the server's code for an unknown action).
    pub const INVALID_ACTION: &str = "InvalidAction.NotFound";
    /// A V3 `Authorization` header that is malformed, or that leaves a header unsigned which must
    /// be signed (the server's code for a signature that does not follow the rules).
    pub const INCOMPLETE_SIGNATURE: &str = "IncompleteSignature";
    /// The runtime offers no cryptographic random source for the nonce.
    pub const RANDOM_UNAVAILABLE: &str = "RandomSourceUnavailable";
    /// A bug in this package, never the caller's input.
    pub const INTERNAL: &str = "InternalError";
}

/// Which side of the call a problem is on. The JS client adds `api`, `network` and `timeout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The operation's parameters, or the per-request inputs (action, timestamp, nonce).
    Validation,
    /// The credentials, endpoint, region, method, or the runtime itself.
    Config,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::Config => "config",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: &'static str,
    /// The field as the API names it (`CasterId`), or the argument's key (`accessKeyId`).
    pub field: Option<String>,
    pub message: String,
}

impl Error {
    pub fn validation(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Validation, code, field: Some(field.into()), message: message.into() }
    }

    pub fn config(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Config, code, field: Some(field.into()), message: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Config, code: code::INTERNAL, field: None, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A name taken from the caller's input (an unknown key), made safe to quote in a message: at most
/// 64 characters, with control characters shown as `\u{..}`.
pub fn quote_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(70) + 2);
    out.push('"');
    for (count, ch) in name.chars().enumerate() {
        if count == 64 {
            out.push('…');
            break;
        }
        if ch.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    out.push('"');
    out
}

/// A caller's key used as an error's `field`: at most 64 characters, control characters replaced
/// by U+FFFD (a field is shown in forms and logs, and must never carry a NUL).
pub fn field_name(key: &str) -> String {
    key.chars().take(64).map(|ch| if ch.is_control() { '\u{FFFD}' } else { ch }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names() {
        assert_eq!(field_name("Caster\0Id"), "Caster\u{FFFD}Id");
        assert_eq!(field_name(&"k".repeat(100)).len(), 64);
    }

    #[test]
    fn quoting_names() {
        assert_eq!(quote_name("casterID"), "\"casterID\"");
        assert_eq!(quote_name("a\nb"), "\"a\\u{a}b\"");
        let long = "x".repeat(1000);
        assert_eq!(quote_name(&long).chars().count(), 64 + 3);
    }
}
