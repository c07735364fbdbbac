//! CSRF: a synchronizer token per session, carried by every form as
//! `_csrf`, and a refusal of cross-site POSTs by their Origin and
//! Sec-Fetch-Site headers.

use actix_session::Session;
use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use super::errors::PageError;
use super::session::{self, CSRF};
use crate::directory::ids::random_token;

/// This session's token, created on first use.
pub fn token(s: &Session) -> Result<String, PageError> {
    if let Some(t) = session::get::<String>(s, CSRF) {
        return Ok(t);
    }
    rotate(s)
}

/// A fresh token (after each sign-in step).
pub fn rotate(s: &Session) -> Result<String, PageError> {
    let t = random_token(32);
    s.insert(CSRF, &t)
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(t)
}

/// The origin (`scheme://host[:port]`) of a URL.
pub fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// Refuses a POST that comes from another site or lacks the right token.
pub fn check(
    req: &HttpRequest,
    s: &Session,
    public_origin: &str,
    presented: Option<&str>,
) -> Result<(), PageError> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let cross_site = || {
        Err(PageError::Forbidden(
            "This form was sent from another site and was refused.".into(),
        ))
    };
    // Browsers that send Fetch Metadata say where a request comes from.
    if matches!(
        header("sec-fetch-site").as_deref(),
        Some("cross-site") | Some("same-site")
    ) {
        return cross_site();
    }
    // Pages are sent with Referrer-Policy: no-referrer, under which
    // browsers post forms with `Origin: null`; any real origin must be ours.
    if let Some(origin) = header("origin") {
        if origin != "null" && origin != public_origin {
            return cross_site();
        }
    }
    let expected = session::get::<String>(s, CSRF);
    let ok = match (expected, presented) {
        (Some(e), Some(p)) => bool::from(e.as_bytes().ct_eq(p.as_bytes())),
        _ => false,
    };
    if !ok {
        return Err(PageError::Forbidden(
            "Your session has expired or the form is stale. Go back, reload the page and try again."
                .into(),
        ));
    }
    Ok(())
}
