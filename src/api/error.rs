//! Cognito's error shape: status 400 (500 for internal faults, 503 while
//! the database is unavailable) with `{"__type": "<Exception>", "message":
//! "…"}` and `x-amzn-ErrorType`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::auth::AuthError;
use crate::db::DbError;
use crate::directory::DirectoryError;

#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidParameterException", message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        if crate::db::outage_in_request() {
            // The outage is logged once, not per request.
            tracing::debug!(%cause, "API request failed: the database is unavailable");
        } else {
            tracing::error!(%cause, "API request failed");
        }
        ApiError::new("InternalErrorException", "An internal error occurred.")
    }

    /// The answer while the database is unavailable: Cognito's internal
    /// error with status 503 (the SDKs retry it).
    pub fn unavailable_response() -> HttpResponse {
        let mut res = ApiError::new(
            "InternalErrorException",
            "The service is temporarily unavailable. Try again later.",
        )
        .error_response();
        *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        res
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        if self.kind == "InternalErrorException" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .content_type("application/x-amz-json-1.1")
            .insert_header(("x-amzn-ErrorType", self.kind))
            .body(json!({ "__type": self.kind, "message": self.message }).to_string())
    }
}

impl From<DirectoryError> for ApiError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::NotFound(m) => ApiError::new("ResourceNotFoundException", m),
            DirectoryError::InvalidParameter(m) => ApiError::invalid(m),
            DirectoryError::UsernameExists => {
                ApiError::new("UsernameExistsException", "User already exists")
            }
            e @ DirectoryError::AliasExists(_) => {
                ApiError::new("AliasExistsException", e.to_string())
            }
            DirectoryError::DuplicateProvider(m) => ApiError::new("DuplicateProviderException", m),
            DirectoryError::Db(e) => ApiError::internal(e),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::internal(e)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        let kind = match &e {
            AuthError::NotAuthorized(_) => "NotAuthorizedException",
            AuthError::UserNotFound => "UserNotFoundException",
            AuthError::UserNotConfirmed => "UserNotConfirmedException",
            AuthError::PasswordResetRequired => "PasswordResetRequiredException",
            AuthError::UsernameExists => "UsernameExistsException",
            AuthError::AliasExists(_) => "AliasExistsException",
            AuthError::InvalidPassword(_) => "InvalidPasswordException",
            AuthError::InvalidParameter(_) => "InvalidParameterException",
            AuthError::CodeMismatch => "CodeMismatchException",
            AuthError::ExpiredCode => "ExpiredCodeException",
            AuthError::LimitExceeded => "LimitExceededException",
            AuthError::ResourceNotFound(_) => "ResourceNotFoundException",
            AuthError::Delivery(_) => "CodeDeliveryFailureException",
            AuthError::Internal(cause) => return ApiError::internal(cause),
        };
        ApiError::new(kind, e.to_string())
    }
}

impl From<crate::directory::InvalidParameter> for ApiError {
    fn from(e: crate::directory::InvalidParameter) -> Self {
        ApiError::invalid(e.0)
    }
}
