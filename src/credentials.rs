//! The AccessKey pair, and the STS token when there is one.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{code, Error};
use crate::limits::{shown, MAX_OPTION_BYTES};
use crate::text::{has_control, has_whitespace};

/// Credentials to sign with. `Debug` never shows the secret or the token, and all three are zeroed
/// when the value is dropped (a refused value too).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
}

impl Credentials {
    /// Checks the credentials' form. An empty token counts as no token, as the vendor's SDKs do.
    pub fn new(
        access_key_id: String,
        access_key_secret: String,
        security_token: Option<String>,
    ) -> Result<Self, Error> {
        let security_token = security_token.filter(|token| !token.is_empty());
        let credentials = Self { access_key_id, access_key_secret, security_token };
        credentials.check()?;
        Ok(credentials)
    }

    fn check(&self) -> Result<(), Error> {
        let Self { access_key_id, access_key_secret, security_token } = self;
        if access_key_id.is_empty() {
            return Err(Error::config(code::MISSING_PARAMETER, "accessKeyId", "accessKeyId is required"));
        }
        if access_key_id.len() > 256 || has_whitespace(access_key_id) || has_control(access_key_id) {
            return Err(Error::config(
                code::INVALID_PARAMETER,
                "accessKeyId",
                "accessKeyId must be at most 256 bytes with no whitespace or control characters",
            ));
        }
        if access_key_secret.is_empty() {
            return Err(Error::config(
                code::MISSING_PARAMETER,
                "accessKeySecret",
                "accessKeySecret is required",
            ));
        }
        if access_key_secret.len() > 1024 || has_control(access_key_secret) {
            return Err(Error::config(
                code::INVALID_PARAMETER,
                "accessKeySecret",
                "accessKeySecret must be at most 1024 bytes with no control characters",
            ));
        }
        if let Some(token) = security_token {
            if token.len() > MAX_OPTION_BYTES || has_whitespace(token) || has_control(token) {
                return Err(Error::config(
                    code::INVALID_PARAMETER,
                    "securityToken",
                    ["securityToken must be at most ", shown::MAX_OPTION_BYTES, " bytes with no whitespace or control characters"].concat(),
                ));
            }
        }
        Ok(())
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }
}

impl Credentials {
    /// Overwrites all three with zeros (what dropping does), leaving them empty.
    fn wipe(&mut self) {
        self.access_key_id.zeroize();
        self.access_key_secret.zeroize();
        self.security_token.zeroize();
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl ZeroizeOnDrop for Credentials {}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("security_token", &self.security_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secret_and_token() {
        let creds = Credentials::new("LTAIid".into(), "s3cr3t-value".into(), Some("tok-value".into()))
            .expect("valid");
        let shown = format!("{creds:?}");
        assert!(shown.contains("LTAIid"));
        assert!(!shown.contains("s3cr3t-value"));
        assert!(!shown.contains("tok-value"));
    }

    #[test]
    fn zeroed_on_drop() {
        fn zeroes_on_drop<T: ZeroizeOnDrop>() {}
        zeroes_on_drop::<Credentials>();
        // What drop does, observed on a live value.
        let mut creds = Credentials::new("LTAIid".into(), "s3cr3t".into(), Some("tok".into())).expect("valid");
        creds.wipe();
        assert_eq!(creds.access_key_id(), "");
        assert_eq!(creds.access_key_secret(), "");
        assert_eq!(creds.security_token(), None);
    }

    #[test]
    fn form_checks() {
        let err = Credentials::new(String::new(), "s".into(), None).expect_err("empty id");
        assert_eq!((err.code, err.field.as_deref()), (code::MISSING_PARAMETER, Some("accessKeyId")));
        let err = Credentials::new("id".into(), String::new(), None).expect_err("empty secret");
        assert_eq!(err.field.as_deref(), Some("accessKeySecret"));
        let err = Credentials::new("i d".into(), "s".into(), None).expect_err("space in id");
        assert_eq!(err.code, code::INVALID_PARAMETER);
        let err = Credentials::new("id".into(), "top\nsecret".into(), None).expect_err("control");
        assert!(!err.message.contains("top"));
        let creds = Credentials::new("id".into(), "s".into(), Some(String::new())).expect("ok");
        assert_eq!(creds.security_token(), None);
        let err = Credentials::new("id".into(), "s".into(), Some("a b".into())).expect_err("token");
        assert_eq!(err.field.as_deref(), Some("securityToken"));
    }
}
