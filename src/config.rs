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

/// The names of a request's configuration, in the order [`check_config`] reads them.
pub const CONFIG_KEYS: [&str; 7] =
    ["accessKeyId", "accessKeySecret", "securityToken", "regionId", "endpoint", "method", "signatureAlgorithm"];

/// Checks a configuration as a caller gives it, each option read by `text` (`None` when absent),
/// in the order signing reads them, so that both report the same first problem: the credentials'
/// shape, then region, endpoint, method and signature algorithm. `credentials: false` leaves the
/// credentials alone (a client that is given them later, by a function). The one check that the
/// client, the page and signing share.
pub fn check_config(
    text: &mut dyn FnMut(&'static str) -> Result<Option<String>, Error>,
    credentials: bool,
) -> Result<crate::RequestConfig, Error> {
    let credentials = if credentials {
        crate::Credentials::new(
            text("accessKeyId")?.unwrap_or_default(),
            text("accessKeySecret")?.unwrap_or_default(),
            text("securityToken")?,
        )?
    } else {
        // A stand-in that passes the shape check and never signs anything.
        crate::Credentials::new("LTAI".to_owned(), "unchecked".to_owned(), None)?
    };
    let mut config = crate::RequestConfig::new(credentials);
    if let Some(region) = text("regionId")? {
        config.region_id = region_id(&region)?;
    }
    if let Some(endpoint) = text("endpoint")? {
        config.endpoint = Endpoint::parse(&endpoint)?;
    }
    if let Some(method) = text("method")? {
        config.method = Method::parse(&method)?;
    }
    if let Some(algorithm) = text("signatureAlgorithm")? {
        config.algorithm = crate::SignatureAlgorithm::parse(&algorithm)?;
    }
    Ok(config)
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

    fn options<'a>(given: &'a [(&'static str, &'a str)]) -> impl FnMut(&'static str) -> Result<Option<String>, Error> + 'a {
        |key| Ok(given.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn check_config_accepts_defaults_and_good_settings() {
        let keys = [("accessKeyId", "LTAI5tCheck"), ("accessKeySecret", "s")];
        let config = check_config(&mut options(&keys), true).expect("defaults");
        assert_eq!((config.region_id.as_str(), config.method), (DEFAULT_REGION_ID, Method::Post));
        let all = [
            ("accessKeyId", "LTAI5tCheck"),
            ("accessKeySecret", "s"),
            ("securityToken", "CAIS"),
            ("regionId", "cn-beijing"),
            ("endpoint", "http://127.0.0.1:8080"),
            ("method", "get"),
            ("signatureAlgorithm", "v3"),
        ];
        let config = check_config(&mut options(&all), true).expect("all given");
        assert_eq!((config.region_id.as_str(), config.method, config.algorithm), ("cn-beijing", Method::Get, crate::SignatureAlgorithm::Acs3HmacSha256));
        assert!(check_config(&mut options(&[]), false).is_ok(), "credentials left to later");
    }

    #[test]
    fn check_config_names_the_first_bad_option_in_signing_order() {
        type Options<'a> = &'a [(&'static str, &'a str)];
        let cases: [(Options<'_>, bool, &str); 8] = [
            (&[], true, "accessKeyId"),
            (&[("accessKeyId", "LTAI5tCheck")], true, "accessKeySecret"),
            (&[("regionId", "CN SHANGHAI")], false, "regionId"),
            (&[("endpoint", "ftp://example.com")], false, "endpoint"),
            (&[("method", "PUT")], false, "method"),
            (&[("signatureAlgorithm", "V2")], false, "signatureAlgorithm"),
            (&[("endpoint", "https://u:p@example.com"), ("method", "PUT")], false, "endpoint"),
            (&[("regionId", "x y"), ("accessKeyId", "a b")], true, "accessKeyId"),
        ];
        for (given, credentials, field) in cases {
            let error = check_config(&mut options(given), credentials).expect_err(field);
            assert_eq!(error.kind, crate::ErrorKind::Config, "{field}");
            assert_eq!(error.field.as_deref(), Some(field), "{given:?}: {}", error.message);
        }
    }
}
