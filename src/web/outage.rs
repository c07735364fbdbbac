//! A database outage answers 503, not 500. [`crate::db::Db::run`] notes
//! an outage for the request it serves (and logs the outage once); this
//! middleware, outside the session middleware so that a session that
//! cannot be loaded or saved counts too, turns such a request's 500 into a
//! 503 with `Retry-After`, in the shape of its face ([`Face::unavailable`]:
//! Cognito's `InternalErrorException`, OAuth's `server_error`, or the
//! error page). `/health` answers 503 by itself.
//!
//! A flag per request rather than an error variant: every layer's error
//! type already carries database failures as internal errors, and the
//! request's task knows which of them were the outage.

use std::collections::HashSet;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

use super::errors::Face;

/// How long clients are asked to wait before they try again, in seconds.
const RETRY_AFTER: &str = "5";

/// The middleware (`from_fn`).
pub async fn answer_503(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // (No clone of the request is kept: inner layers may need it unshared.)
    let face = Face::of(req.request());
    let (res, outage) = crate::db::watch(|| next.call(req)).await;
    let res = match res {
        Ok(res) => res,
        // An error instead of a response (the session store failed): the
        // 503 travels as the error's response.
        Err(e) if outage => {
            let mut fresh = face.unavailable();
            retry_later(&mut fresh);
            return Err(InternalError::from_response(e, fresh).into());
        }
        Err(e) => return Err(e),
    };
    if !outage || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return Ok(res.map_into_boxed_body());
    }
    let (req, old) = res.into_parts();
    let mut fresh = face.unavailable();
    // Keep what the inner layers set (cookies, headers), except what
    // describes the old body.
    let own: HashSet<header::HeaderName> = fresh.headers().keys().cloned().collect();
    for (name, value) in old.headers() {
        if !own.contains(name)
            && name != header::CONTENT_LENGTH
            && name.as_str() != "x-amzn-errortype"
        {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    retry_later(&mut fresh);
    Ok(ServiceResponse::new(req, fresh))
}

fn retry_later(res: &mut HttpResponse) {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER));
}
