//! No text may hold U+0000: PostgreSQL refuses it in `text` columns (the
//! request would fail with a 500 there and succeed on SQLite), and no
//! legitimate value needs it. One check at the edge, before any handler:
//! the path, the query string, a form body, and the JSON body of the
//! Cognito API. A NUL anywhere is answered with a 400 in the request's
//! face: `InvalidParameterException`, `invalid_request`, or the error page.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use super::errors::Face;

const REFUSED: &str = "The request contains the character U+0000 (NUL), which no value may hold.";

/// Largest form body checked; a longer one is refused by the form reader.
const FORM_LIMIT: usize = 64 * 1024;

/// The middleware (`from_fn`).
pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut found = form_has_nul(req.query_string().as_bytes())
        || percent_encoding::percent_decode_str(req.path()).any(|b| b == 0);
    if !found {
        if let Some(kind) = body_kind(&req) {
            // Read the body (within the app's payload limit), check it, and
            // hand the same bytes on, already decoded.
            let body = match req.extract::<Bytes>().await {
                Ok(b) => b,
                Err(e) => return Ok(req.error_response(e)),
            };
            found = match kind {
                BodyKind::Json => json_has_nul(&body),
                BodyKind::Form => form_has_nul(&body),
            };
            if req.headers().contains_key(header::CONTENT_ENCODING) {
                // The bytes handed on are decoded already. (Only then are
                // the headers touched: that needs the only reference to
                // the request.)
                let headers = req.headers_mut();
                headers.remove(header::CONTENT_ENCODING);
                headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            }
            req.set_payload(Payload::from(body));
        }
    }
    if found {
        let res = Face::of(req.request()).bad_request(REFUSED);
        return Ok(req.into_response(res));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

enum BodyKind {
    Json,
    Form,
}

/// Which bodies are checked: the API's (whatever its content type), and
/// form bodies of a size the form reader accepts.
fn body_kind(req: &ServiceRequest) -> Option<BodyKind> {
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        return None;
    }
    if req.path() == "/" {
        return Some(BodyKind::Json);
    }
    let headers = req.headers();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    (is_form && declared.is_none_or(|n| n <= FORM_LIMIT)).then_some(BodyKind::Form)
}

/// Whether any name or value of an `application/x-www-form-urlencoded`
/// text (a form body or a query string) holds a NUL, raw or as `%00`.
fn form_has_nul(text: &[u8]) -> bool {
    url::form_urlencoded::parse(text).any(|(k, v)| k.contains('\0') || v.contains('\0'))
}

/// Whether a JSON text holds a NUL in a string. JSON can only write it as
/// the escape `\u0000` (a raw control character is not valid JSON, and the
/// API's parser refuses it), so the escapes are read in order: `\\u0000`
/// is a backslash and then text.
fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_are_read_in_order() {
        assert!(json_has_nul(br#"{"Username":"a\u0000b"}"#));
        assert!(json_has_nul(br#"{"a\u0000":1}"#));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\u0001"}"#));
        assert!(!json_has_nul(br#"{"a":"\"u0000"}"#));
        assert!(!json_has_nul(b"{\"a\":\"ends with a backslash\\"));
    }

    #[test]
    fn forms_and_queries() {
        assert!(form_has_nul(b"nonce=a%00b&state=x"));
        assert!(form_has_nul(b"a%00=1"));
        assert!(form_has_nul(b"a=\0"));
        assert!(!form_has_nul(b"nonce=a%2500b&state=x"));
        assert!(!form_has_nul(b"x=%0"));
    }
}
