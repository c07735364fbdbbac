//! The one check of an app client's callback and sign-out URLs, for the
//! API, the console's client form and the wizard alike.
//!
//! A URL is read with a real URL parser (the WHATWG rules browsers follow),
//! and refused where a browser could be sent somewhere other than what the
//! text seems to say, or to something that is not an app:
//! - a backslash anywhere (browsers read `\` as `/` in http(s) URLs, so
//!   `http://evil.com\@localhost/cb` goes to evil.com);
//! - user information (`https://app.example.com@evil.com/`);
//! - a fragment (Cognito's rule: the code is added to the query);
//! - script, data, file and other schemes that no app receives a sign-in on;
//! - plain `http` to anything but this machine (`localhost`, a loopback
//!   address), as Cognito allows it for testing only.
//!
//! Apps' own schemes (`myapp://callback`, `com.example.app:/redirect`) are
//! allowed, as Cognito allows them.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Schemes that are never an app's redirect target.
const NOT_REDIRECT_SCHEMES: &[&str] = &[
    "about",
    "blob",
    "data",
    "file",
    "filesystem",
    "ftp",
    "javascript",
    "mailto",
    "sms",
    "tel",
    "vbscript",
    "view-source",
    "ws",
    "wss",
];

/// Why a URL cannot be a callback or sign-out URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an absolute URL (or not one the parser reads).
    NotAbsolute,
    /// Whitespace or control characters.
    Pattern,
    Backslash,
    Userinfo,
    Fragment,
    /// A scheme that is not an app (`javascript:`, `data:`, `file:`, …).
    Scheme,
    /// Plain `http` to a host other than this machine.
    PlainHttp,
}

impl UrlProblem {
    /// The API's message for `url`.
    pub fn message(self, url: &str) -> String {
        match self {
            UrlProblem::NotAbsolute => format!("{url} is not a valid absolute URI."),
            UrlProblem::Pattern => "Member must satisfy regular expression pattern: \
                 [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
                .into(),
            UrlProblem::Backslash => format!("{url} cannot contain a backslash."),
            UrlProblem::Userinfo => format!("{url} cannot contain user information."),
            UrlProblem::Fragment => format!("{url} cannot contain a fragment."),
            UrlProblem::Scheme => format!("{url} does not use a redirect scheme."),
            UrlProblem::PlainHttp => format!("{url} cannot use the HTTP protocol."),
        }
    }
}

/// Whether `host` is this machine.
fn is_loopback(host: Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip == Ipv4Addr::LOCALHOST,
        Host::Ipv6(ip) => ip == Ipv6Addr::LOCALHOST,
    }
}

/// Checks one callback or sign-out URL (its length is the caller's).
pub fn check(url: &str) -> Result<(), UrlProblem> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlProblem::Pattern);
    }
    if url.contains('\\') {
        return Err(UrlProblem::Backslash);
    }
    let parsed = Url::parse(url).map_err(|_| UrlProblem::NotAbsolute)?;
    // The parser forgives what a registration should not: `https:x`,
    // `https:///x` (it would read the path as the host).
    let scheme = parsed.scheme();
    let rest = &url[scheme.len() + 1..];
    if rest.is_empty() {
        return Err(UrlProblem::NotAbsolute);
    }
    if NOT_REDIRECT_SCHEMES.contains(&scheme) {
        return Err(UrlProblem::Scheme);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlProblem::Userinfo);
    }
    if url.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    if scheme != "http" && scheme != "https" {
        return Ok(());
    }
    let authority = rest.strip_prefix("//").ok_or(UrlProblem::NotAbsolute)?;
    let authority = authority.split(['/', '?']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err(if authority.is_empty() {
            UrlProblem::NotAbsolute
        } else {
            UrlProblem::Userinfo
        });
    }
    let host = parsed.host().ok_or(UrlProblem::NotAbsolute)?;
    if scheme == "http" && !is_loopback(host) {
        return Err(UrlProblem::PlainHttp);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_and_this_machine_are_allowed() {
        for good in [
            "https://example.com",
            "https://example.com:8443/cb?x=1",
            "http://localhost:3000/cb",
            "http://127.0.0.1",
            "http://[::1]:8080/x",
            "HTTP://LOCALHOST/",
            "myapp://example",
            "com.example.app:/oauth2redirect",
            "https://xn--bcher-kva.example/cb",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn what_would_send_a_browser_elsewhere_is_refused() {
        use UrlProblem::*;
        for (bad, why) in [
            ("http://evil.com\\@localhost/cb", Backslash),
            ("https://app.example.com\\.evil.com/", Backslash),
            ("http://localhost@evil.com/", Userinfo),
            ("https://app.example.com@evil.com/", Userinfo),
            ("https://user:pw@app.example.com/", Userinfo),
            ("myapp://user@cb", Userinfo),
            ("javascript:alert(1)", Scheme),
            ("JavaScript://%0aalert(1)", Scheme),
            ("data:text/html,<script>x</script>", Scheme),
            ("file:///etc/passwd", Scheme),
            ("http://example.com/cb", PlainHttp),
            ("http://localhost.com/", PlainHttp),
            ("http://127.0.0.2/", PlainHttp),
            ("http://0x7f.0.0.1.evil.com/", PlainHttp),
            ("https://example.com/#frag", Fragment),
            ("https://exa mple.com", Pattern),
            ("https://example.com/\u{7}", Pattern),
        ] {
            assert_eq!(check(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn relative_or_hostless_urls_are_not_absolute() {
        for bad in [
            "/relative",
            "example.com",
            "https:",
            "https:///path",
            "https:path",
            "1http://x",
            "https//x",
            "",
        ] {
            assert_eq!(check(bad), Err(UrlProblem::NotAbsolute), "{bad}");
        }
    }
}
