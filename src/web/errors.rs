//! How errors look on each web face: an error page for the hosted UI,
//! RFC 6749 JSON for `/oauth2/*`. While the database is unavailable a
//! request's internal error becomes a 503 of the same shape
//! ([`unavailable_page`], [`unavailable_oauth`]; see `web::outage`).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde_json::json;

use super::views::ErrorPage;
use crate::auth::oauth::OAuthError;
use crate::auth::AuthError;

/// A failure shown as cognate's own error page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<AuthError> for PageError {
    fn from(e: AuthError) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl From<actix_session::SessionInsertError> for PageError {
    fn from(e: actix_session::SessionInsertError) -> Self {
        PageError::Internal(e.to_string())
    }
}

/// Renders a page, or a plain error if the template itself fails.
pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            HttpResponse::InternalServerError().finish()
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            PageError::BadRequest(m) => ("Something is wrong with this link", m.clone()),
            PageError::Forbidden(m) => ("Request refused", m.clone()),
            PageError::Internal(cause) => {
                if crate::db::outage_in_request() {
                    // The outage is logged once, not per request.
                    tracing::debug!(%cause, "hosted UI request failed: the database is unavailable");
                } else {
                    tracing::error!(%cause, "hosted UI request failed");
                }
                (
                    "Something went wrong",
                    "An unexpected error occurred. Please try again later.".to_string(),
                )
            }
        };
        html(
            self.status_code(),
            &ErrorPage {
                title: title.into(),
                message,
            },
        )
    }
}

/// An `/oauth2/*` failure as RFC 6749 JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct OAuthJsonError(#[from] pub OAuthError);

impl ResponseError for OAuthJsonError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            OAuthError::InvalidClient | OAuthError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            OAuthError::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let description = match &self.0 {
            OAuthError::Server(cause) => {
                if crate::db::outage_in_request() {
                    tracing::debug!(%cause, "oauth2 request failed: the database is unavailable");
                } else {
                    tracing::error!(%cause, "oauth2 request failed");
                }
                "An unexpected error occurred.".to_string()
            }
            other => other.to_string(),
        };
        let mut res = HttpResponse::build(self.status_code());
        match &self.0 {
            OAuthError::InvalidToken(_) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!(
                        "Bearer error=\"invalid_token\", error_description=\"{}\"",
                        description.replace('"', "'")
                    ),
                ));
            }
            OAuthError::InvalidClient => {
                res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"cognate\""));
            }
            _ => {}
        }
        res.json(json!({ "error": self.0.code(), "error_description": description }))
    }
}

const UNAVAILABLE: &str = "The service is temporarily unavailable. Please try again in a moment.";

/// The error page, status 503, while the database is unavailable.
pub fn unavailable_page() -> HttpResponse {
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        &ErrorPage {
            title: "Temporarily unavailable".into(),
            message: UNAVAILABLE.into(),
        },
    )
}

/// RFC 6749's `server_error`, status 503, while the database is unavailable.
pub fn unavailable_oauth() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .json(json!({ "error": "server_error", "error_description": UNAVAILABLE }))
}

/// Which face answers a request, for answers made before or after its
/// handler (the middlewares of `web::nul` and `web::outage`): the Cognito
/// API (`POST /`), the JSON endpoints of `/oauth2/*`, or a page (the hosted
/// UI, the browser-facing `/oauth2/authorize` and `/oauth2/idpresponse`,
/// the console).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    Api,
    OAuthJson,
    Page,
}

impl Face {
    pub fn of(req: &actix_web::HttpRequest) -> Face {
        let path = req.path();
        if path == "/" && req.method() == actix_web::http::Method::POST {
            Face::Api
        } else if path.starts_with("/oauth2/")
            && !matches!(path, "/oauth2/authorize" | "/oauth2/idpresponse")
        {
            Face::OAuthJson
        } else {
            Face::Page
        }
    }

    /// A 400 in this face's shape: `InvalidParameterException`,
    /// `invalid_request`, or the error page.
    pub fn bad_request(self, message: &str) -> HttpResponse {
        match self {
            Face::Api => crate::api::ApiError::invalid(message).error_response(),
            Face::OAuthJson => {
                OAuthJsonError(OAuthError::InvalidRequest(message.into())).error_response()
            }
            Face::Page => PageError::BadRequest(message.into()).error_response(),
        }
    }

    /// The 503 of this face while the database is unavailable.
    pub fn unavailable(self) -> HttpResponse {
        match self {
            Face::Api => crate::api::ApiError::unavailable_response(),
            Face::OAuthJson => unavailable_oauth(),
            Face::Page => unavailable_page(),
        }
    }
}
