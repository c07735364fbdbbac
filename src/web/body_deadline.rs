//! A deadline for reading a request's body. actix-web bounds the time to
//! receive a request's head (`client_request_timeout`) but not its body: a
//! client announcing 1000 bytes and sending 5 would hold a connection and a
//! handler for as long as it liked. This middleware reads the body first,
//! within the deadline and the size limit, then hands it to the handler.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage};
use futures_util::StreamExt;

use super::errors::Face;

/// The largest body any route reads (the JSON API's; forms take less).
pub const MAX_BODY: usize = 1024 * 1024;

/// Settings of the middleware, kept as app data.
#[derive(Clone, Copy, Debug)]
pub struct BodyDeadline(pub Duration);

enum Read {
    Done(Bytes),
    TooLarge,
    Broken,
}

async fn read_all(payload: &mut Payload) -> Read {
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Read::Broken;
        };
        if buf.len() + chunk.len() > MAX_BODY {
            return Read::TooLarge;
        }
        buf.extend_from_slice(&chunk);
    }
    Read::Done(buf.freeze())
}

/// A refusal in the request's face (API, OAuth JSON or page), with `status`.
fn refuse(req: ServiceRequest, status: StatusCode, message: &str) -> ServiceResponse<BoxBody> {
    let mut res = Face::of(req.request()).bad_request(message);
    *res.status_mut() = status;
    if status == StatusCode::REQUEST_TIMEOUT {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    req.into_response(res)
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Reads the body within the deadline: 408 when it does not arrive in
/// time, 413 past [`MAX_BODY`], 400 when the stream breaks.
pub async fn read_body_in_time(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !has_body(&req) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let deadline = req
        .app_data::<actix_web::web::Data<BodyDeadline>>()
        .map(|d| d.0)
        .unwrap_or(Duration::from_secs(10));
    let mut payload = req.take_payload();
    let read = tokio::time::timeout(deadline, read_all(&mut payload)).await;
    let body = match read {
        Ok(Read::Done(body)) => body,
        Ok(Read::TooLarge) => {
            return Ok(refuse(
                req,
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            ))
        }
        Ok(Read::Broken) => {
            return Ok(refuse(
                req,
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            ))
        }
        Err(_) => {
            tracing::info!(path = %req.path(), "request body not received in time");
            return Ok(refuse(
                req,
                StatusCode::REQUEST_TIMEOUT,
                "The request body did not arrive in time.",
            ));
        }
    };
    req.set_payload(Payload::from(body));
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
