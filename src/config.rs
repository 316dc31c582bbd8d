//! What a caller configures once: endpoint, HTTP method, region.

use crate::error::{code, Error};
use crate::operations::is_region_id;
use crate::url;

pub const DEFAULT_ENDPOINT: &str = "https://live.aliyuncs.com";
/// The host of [`DEFAULT_ENDPOINT`].
pub const DEFAULT_HOST: &str = "live.aliyuncs.com";
pub const DEFAULT_REGION_ID: &str = "cn-shanghai";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// The default: a form body, which a browser sends as a CORS simple request.
    #[default]
    Post,
    Get,
}

impl Method {
    /// `POST` or `GET`, in any case.
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.eq_ignore_ascii_case("POST") {
            Ok(Self::Post)
        } else if text.eq_ignore_ascii_case("GET") {
            Ok(Self::Get)
        } else {
            Err(Error::config(code::INVALID_PARAMETER, "method", "method must be \"POST\" or \"GET\""))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Get => "GET",
        }
    }
}

/// An http(s) base URL with no query, fragment or user info. The path defaults to `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
    /// What an HTTP client sends as `host` for this URL: the host in lower case, and the port
    /// when it is not the scheme's default.
    host: String,
}

impl Endpoint {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::config(code::INVALID_PARAMETER, "endpoint", format!("endpoint {why}"));
        let parts = url::parse(text).ok_or_else(|| bad("must be an absolute http or https URL, such as https://live.aliyuncs.com"))?;
        if !parts.scheme.eq_ignore_ascii_case("http") && !parts.scheme.eq_ignore_ascii_case("https") {
            return Err(bad("must use http or https"));
        }
        if parts.has_userinfo {
            return Err(bad("must not carry a user name or password"));
        }
        if parts.query.is_some() || parts.fragment.is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        let mut base = text.to_owned();
        if parts.path.is_empty() {
            base.push('/');
        }
        let default_port = if parts.scheme.eq_ignore_ascii_case("https") { 443 } else { 80 };
        let mut host = parts.host.to_ascii_lowercase();
        if let Some(port) = parts.port.filter(|port| *port != default_port) {
            host.push(':');
            host.push_str(&port.to_string());
        }
        Ok(Self { base, host })
    }

    /// The `host` header a request to this endpoint carries (signed by V3).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The URL requests go to (a POST's URL; a GET's before its query).
    pub fn as_str(&self) -> &str {
        &self.base
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        Self { base: format!("{DEFAULT_ENDPOINT}/"), host: DEFAULT_HOST.to_owned() }
    }
}

/// The region a request is for, when the parameters do not name one.
pub fn region_id(text: &str) -> Result<String, Error> {
    if is_region_id(text) {
        Ok(text.to_owned())
    } else {
        Err(Error::config(
            code::INVALID_PARAMETER,
            "regionId",
            "regionId must be a region ID such as cn-shanghai (lower-case letters, digits and hyphens)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(Endpoint::parse("https://live.aliyuncs.com").map(|e| e.base), Ok("https://live.aliyuncs.com/".into()));
        assert_eq!(Endpoint::parse("http://127.0.0.1:8080/").map(|e| e.base), Ok("http://127.0.0.1:8080/".into()));
        assert_eq!(Endpoint::parse("http://h/proxy/").map(|e| e.base), Ok("http://h/proxy/".into()));
        assert_eq!(Endpoint::default().as_str(), "https://live.aliyuncs.com/");
        assert_eq!(Endpoint::default().host(), "live.aliyuncs.com");
        for (url, host) in [
            ("https://Live.Aliyuncs.com", "live.aliyuncs.com"),
            ("https://live.aliyuncs.com:443/", "live.aliyuncs.com"),
            ("http://127.0.0.1:80/", "127.0.0.1"),
            ("http://127.0.0.1:8080/x/", "127.0.0.1:8080"),
            ("https://h:80/", "h:80"),
            ("http://[::1]:9000/", "[::1]:9000"),
        ] {
            assert_eq!(Endpoint::parse(url).map(|e| e.host), Ok(host.into()), "{url}");
        }
        for bad in ["live.aliyuncs.com", "ftp://h/", "https://u:p@h/", "https://h/?a=1", "https://h/#x", "javascript://x"] {
            let err = Endpoint::parse(bad).expect_err(bad);
            assert_eq!((err.kind, err.field.as_deref()), (crate::error::ErrorKind::Config, Some("endpoint")));
        }
    }

    #[test]
    fn methods() {
        assert_eq!(Method::parse("post"), Ok(Method::Post));
        assert_eq!(Method::parse("GET"), Ok(Method::Get));
        assert!(Method::parse("PUT").is_err());
    }
}
