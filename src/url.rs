//! A small absolute-URL reader: enough to check the URLs the API takes and the endpoint, without
//! the weight of a full WHATWG parser.

use crate::text::{has_control, has_whitespace};

/// The parts of `scheme://[userinfo@]host[:port][/path][?query][#fragment]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// As written; compare case-insensitively.
    pub scheme: &'a str,
    pub has_userinfo: bool,
    pub host: &'a str,
    pub port: Option<u16>,
    /// Everything from the first `/` after the authority up to `?` or `#`; may be empty.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub fragment: Option<&'a str>,
}

/// Reads an absolute URL with an authority. `None` when it is not one: no scheme, no `//`, an empty
/// host, a bad port, whitespace before the query or fragment (in the scheme, authority or path),
/// or a control character anywhere. The query and fragment may hold spaces: the vendor's clients
/// send them (a stream's `?…&a=b c` goes out as `a%3Db+c`), and the API takes them.
pub fn parse(input: &str) -> Option<UrlParts<'_>> {
    let before_query = input.find(['?', '#']).map_or(input, |end| input.get(..end).unwrap_or(input));
    if input.is_empty() || has_whitespace(before_query) || has_control(input) {
        return None;
    }
    // Searched as bytes, and split with `get`: a `&str` pattern and `split_at` each bring in a
    // panic path whose message formats chars and ranges with `Debug`, about 3 KB of the .wasm.
    let separator = input.as_bytes().windows(3).position(|window| window == b"://")?;
    let (scheme, rest) = (input.get(..separator)?, input.get(separator + 3..)?);
    let mut scheme_chars = scheme.chars();
    let first_ok = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (rest, None),
    };
    let (before_query, query) = match before_fragment.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (before_fragment, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(index) => before_query.split_at_checked(index)?,
        None => (before_query, ""),
    };
    let (has_userinfo, host_port) = match authority.rsplit_once('@') {
        Some((_, host_port)) => (true, host_port),
        None => (false, authority),
    };
    let (host, port_text) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (inner, after) = bracketed.split_once(']')?;
        if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.')) {
            return None;
        }
        let port_text = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host_port.get(..inner.len() + 2)?, port_text)
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`' | '[' | ']' | ':' | '@'))
        || host.starts_with('[');
    if !host_ok {
        return None;
    }
    let port = match port_text {
        None => None,
        Some(text) => {
            if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(text.parse::<u16>().ok()?)
        }
    };
    Some(UrlParts { scheme, has_userinfo, host, port, path, query, fragment })
}

/// Whether the URL's path (before `?` and `#`) ends in one of `extensions` (lower-case, with the
/// dot), in any case.
pub fn path_ends_with(parts: &UrlParts<'_>, extensions: &[&str]) -> bool {
    let path = parts.path.as_bytes();
    extensions.iter().any(|ext| {
        path.len() > ext.len() + 1
            && path.get(path.len() - ext.len()..).is_some_and(|tail| tail.eq_ignore_ascii_case(ext.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parts() {
        let p = parse("rtmp://user:pw@example.com:1935/app/stream?auth_key=1-0-0-abc#frag").expect("url");
        assert_eq!(p.scheme, "rtmp");
        assert!(p.has_userinfo);
        assert_eq!(p.host, "example.com");
        assert_eq!(p.port, Some(1935));
        assert_eq!(p.path, "/app/stream");
        assert_eq!(p.query, Some("auth_key=1-0-0-abc"));
        assert_eq!(p.fragment, Some("frag"));

        let p = parse("https://[::1]:8080").expect("ipv6");
        assert_eq!((p.host, p.port, p.path), ("[::1]", Some(8080), ""));
        let p = parse("HTTP://Example.COM/a.MP4").expect("upper");
        assert_eq!(p.scheme, "HTTP");

        let p = parse("rtmp://h/a/s?auth_key=1-0-0-x&a=b c#d e").expect("spaced query");
        assert_eq!((p.path, p.query, p.fragment), ("/a/s", Some("auth_key=1-0-0-x&a=b c"), Some("d e")));
        let p = parse("rtmp://h#a b?c").expect("spaced fragment");
        assert_eq!((p.host, p.query, p.fragment), ("h", None, Some("a b?c")));
    }

    #[test]
    fn rejects() {
        for bad in [
            "", "example.com/a", "/a/b", "http:/example.com", "http://", "http:///path", "http://:80/",
            "http://host:/", "http://host:99999/", "http://host:8o/", "http://ho st/", "http://host/a b",
            "http://host/\u{0}", "1http://host/", "ht tp://host/", "http://[::1/", "http://[zz]/",
            "http://a<b/", "://host/", " http://host/?a", "http://ho st/?a b", "http://host/a b?c", "http://host/?a\u{0}b",
            "http://host/?a\nb", "http://host/#a\u{7f}", "http://host/?a\u{85}", "http:// host/?a", "http://?a b",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn extensions() {
        let has = |url: &str, ext: &[&str]| parse(url).is_some_and(|p| path_ends_with(&p, ext));
        assert!(has("http://h/v.mp4", &[".mp4"]));
        assert!(has("http://h/v.MP4?x=.avi", &[".mp4"]));
        assert!(!has("http://h/v.avi?x=.mp4", &[".mp4"]));
        assert!(!has("http://h/.mp4", &[".mp4"]));
        assert!(!has("http://h/mp4", &[".mp4"]));
        assert!(!has("http://h.mp4", &[".mp4"]));
    }
}
