//! The user directory: pools, app clients, users and their attributes,
//! passwords and one-time codes. Knows nothing of HTTP.

pub mod aliases;
pub mod arn;
pub mod attributes;
pub mod client_settings;
pub mod clients;
pub mod codes;
pub mod domains;
pub mod groups;
pub mod identities;
pub mod identity_providers;
pub mod ids;
pub mod lockout;
pub mod password_policy;
pub mod passwords;
pub mod pool_settings;
pub mod pools;
pub mod redirect_url;
pub mod resource_servers;
#[cfg(test)]
pub(crate) mod test_support;
pub mod user_admin;
pub mod user_filter;
pub mod users;

pub use ids::{ClientId, PoolId, UserSub};
pub use pool_settings::InvalidParameter;

use crate::db::DbError;

/// What can go wrong in the directory, named after the Cognito exception
/// each one becomes at the API.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("User already exists")]
    UsernameExists,
    /// The alias kind (`email`, `phone_number`, `preferred_username`).
    #[error("An account with the given {0} already exists.")]
    AliasExists(String),
    /// DuplicateProviderException: the message names the provider and pool.
    #[error("{0}")]
    DuplicateProvider(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for DirectoryError {
    fn from(e: diesel::result::Error) -> Self {
        DirectoryError::Db(DbError::Query(e))
    }
}

impl From<InvalidParameter> for DirectoryError {
    fn from(e: InvalidParameter) -> Self {
        DirectoryError::InvalidParameter(e.0)
    }
}

/// Current time as unix seconds; the only clock read outside tests, called
/// at the edges (handlers) and passed down as `now`.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Current time as unix milliseconds (for lockouts, which start at 1 s).
pub fn unix_now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
