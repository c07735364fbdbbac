//! The sign-in state machine and the operations shared by the hosted UI and
//! the Cognito API: sign-up, confirmation, password sign-in, OAuth grants.
//! A rule lives here once; the faces only parse and render.

pub mod admin_users;
pub mod attributes;
pub mod challenge;
pub mod console;
pub mod delivery;
pub mod federation;
pub mod flow;
pub mod mfa;
pub mod oauth;
pub mod recovery;
pub mod signin;
pub mod signup;
pub mod srp;
pub mod srp_signin;
pub mod user_ops;

use secrecy::SecretString;

use crate::config::Config;
use crate::db::{Db, DbError};
use crate::directory::passwords::{PasswordRecord, Passwords};
use crate::directory::DirectoryError;
use crate::messaging::{MessagingError, Messenger};
use crate::tokens::{KeyError, KeyRing};

/// The services every operation needs, built once at start.
pub struct Core {
    pub config: Config,
    /// `COGNATE_PUBLIC_URL`, resolved; no trailing slash.
    pub public_url: String,
    pub db: Db,
    pub passwords: Passwords,
    pub keys: KeyRing,
    pub messenger: Messenger,
    /// The relying party of Google and OIDC providers.
    pub federation: crate::federation::Federation,
    /// Key of the HMAC under which one-time codes are stored.
    pub code_pepper: SecretString,
    /// Seals the TOTP secrets at rest.
    pub mfa_key: crate::mfa::seal::SealKey,
    /// Seals USER_SRP_AUTH's SECRET_BLOCK and derives stand-in challenges.
    pub srp_keys: srp_signin::SrpKeys,
    /// argon2id hash of the console's `admin` password.
    pub admin_password_hash: String,
    /// The key pair that signs admin API calls.
    pub access_key_id: String,
    pub secret_access_key: SecretString,
}

impl Core {
    /// The `iss` of a pool's tokens.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.public_url)
    }

    /// What is stored for `password` (the pool's policy already checked):
    /// its argon2id hash and its SRP salt and verifier for the user's stored
    /// user name (`USER_ID_FOR_SRP`), computed together on a hashing
    /// thread. Every path that sets a password stores this whole record.
    pub async fn password_record(
        &self,
        pool: &crate::directory::pools::Pool,
        stored_username: &str,
        password: String,
    ) -> Result<PasswordRecord, AuthError> {
        let pool_name = srp::pool_name(pool.id.as_str()).to_string();
        let user_id = stored_username.to_string();
        self.passwords
            .run(move |hasher| {
                let hash = hasher
                    .hash(&password)
                    .map_err(|e| AuthError::Internal(e.to_string()))?;
                let srp = srp::new_verifier(&pool_name, &user_id, &password);
                Ok(PasswordRecord {
                    hash,
                    srp_salt: srp.salt_hex,
                    srp_verifier: srp.verifier_hex,
                })
            })
            .await
            .map_err(|e| AuthError::Internal(e.to_string()))?
    }

    /// Verifies a password on a hashing thread (dummy hash when `None`).
    pub async fn verify_password(&self, hash: Option<String>, password: String) -> bool {
        self.passwords.verify(hash, password).await
    }
}

/// Failures of the shared operations, named after the Cognito exception each
/// becomes at the API; the hosted UI shows their messages.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    NotAuthorized(String),
    #[error("User does not exist.")]
    UserNotFound,
    #[error("User is not confirmed.")]
    UserNotConfirmed,
    #[error("Password reset required for the user")]
    PasswordResetRequired,
    #[error("User already exists")]
    UsernameExists,
    #[error("{0}")]
    AliasExists(String),
    #[error("{0}")]
    InvalidPassword(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("Invalid verification code provided, please try again.")]
    CodeMismatch,
    #[error("Invalid code provided, please request a code again.")]
    ExpiredCode,
    #[error("Attempt limit exceeded, please try after some time.")]
    LimitExceeded,
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    Delivery(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DirectoryError> for AuthError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::NotFound(m) => AuthError::ResourceNotFound(m),
            DirectoryError::InvalidParameter(m) => AuthError::InvalidParameter(m),
            DirectoryError::UsernameExists => AuthError::UsernameExists,
            e @ DirectoryError::AliasExists(_) => AuthError::AliasExists(e.to_string()),
            DirectoryError::DuplicateProvider(m) => AuthError::InvalidParameter(m),
            DirectoryError::Db(e) => AuthError::Internal(e.to_string()),
        }
    }
}

impl From<DbError> for AuthError {
    fn from(e: DbError) -> Self {
        AuthError::Internal(e.to_string())
    }
}

impl From<diesel::result::Error> for AuthError {
    fn from(e: diesel::result::Error) -> Self {
        AuthError::Internal(e.to_string())
    }
}

impl From<KeyError> for AuthError {
    fn from(e: KeyError) -> Self {
        AuthError::Internal(e.to_string())
    }
}

impl From<MessagingError> for AuthError {
    fn from(e: MessagingError) -> Self {
        AuthError::Delivery(e.to_string())
    }
}
