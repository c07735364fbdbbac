//! How errors look on each web face: an error page for the hosted UI,
//! RFC 6749 JSON for `/oauth2/*`.

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
                tracing::error!(%cause, "hosted UI request failed");
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
                tracing::error!(%cause, "oauth2 request failed");
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
