//! The server-side session store (actix-session over the database, shared
//! by every node, revocable) and the typed values the hosted UI keeps in it.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_session::Session;
use actix_web::cookie::time::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::schema::web_sessions;
use crate::db::{Db, DbError};
use crate::directory::{ids::random_token, unix_now};

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> DbSessionStore {
        DbSessionStore { db }
    }
}

/// Rows are keyed by a hash of the cookie's session key, so a database
/// reader cannot take over sessions.
fn row_id(key: &SessionKey) -> String {
    hex::encode(Sha256::digest(key.as_ref().as_bytes()))
}

fn new_key() -> Result<SessionKey, anyhow::Error> {
    SessionKey::try_from(random_token(32)).map_err(|e| anyhow::anyhow!("{e}"))
}

type State = HashMap<String, String>;

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let id = row_id(session_key);
        let now = unix_now();
        let row: Option<String> = self
            .db
            .run(move |conn| {
                web_sessions::table
                    .find(&id)
                    .filter(web_sessions::expires_at.gt(now))
                    .select(web_sessions::state)
                    .get_result(conn)
                    .optional()
                    .map_err(DbError::from)
            })
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        match row {
            None => Ok(None),
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| LoadError::Deserialization(e.into())),
        }
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let key = new_key().map_err(SaveError::Other)?;
        let id = row_id(&key);
        let body = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let now = unix_now();
        let expires = now + ttl.whole_seconds();
        self.db
            .run(move |conn| {
                // Expired sessions are swept as new ones arrive.
                diesel::delete(web_sessions::table.filter(web_sessions::expires_at.le(now)))
                    .execute(conn)?;
                diesel::insert_into(web_sessions::table)
                    .values((
                        web_sessions::id.eq(&id),
                        web_sessions::state.eq(&body),
                        web_sessions::expires_at.eq(expires),
                    ))
                    .execute(conn)?;
                Ok::<_, DbError>(())
            })
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let id = row_id(&session_key);
        let body =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let expires = unix_now() + ttl.whole_seconds();
        let n = self
            .db
            .run(move |conn| {
                diesel::update(web_sessions::table.find(&id))
                    .set((
                        web_sessions::state.eq(&body),
                        web_sessions::expires_at.eq(expires),
                    ))
                    .execute(conn)
                    .map_err(DbError::from)
            })
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if n == 1 {
            Ok(session_key)
        } else {
            // The row expired or was deleted meanwhile: start a new one.
            self.save(state, ttl).await.map_err(|e| match e {
                SaveError::Serialization(e) => UpdateError::Serialization(e),
                SaveError::Other(e) => UpdateError::Other(e),
            })
        }
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let id = row_id(session_key);
        let expires = unix_now() + ttl.whole_seconds();
        self.db
            .run(move |conn| {
                diesel::update(web_sessions::table.find(&id))
                    .set(web_sessions::expires_at.eq(expires))
                    .execute(conn)
                    .map_err(DbError::from)
            })
            .await?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = row_id(session_key);
        self.db
            .run(move |conn| {
                diesel::delete(web_sessions::table.find(&id))
                    .execute(conn)
                    .map_err(DbError::from)
            })
            .await?;
        Ok(())
    }
}

/// The hosted-UI sign-in this browser holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedIn {
    pub pool_id: String,
    pub sub: String,
    pub username: String,
    pub auth_time: i64,
}

/// A sign-up waiting for its code in this browser: confirming it signs in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSignUp {
    pub pool_id: String,
    pub sub: String,
    pub destination: Option<String>,
}

/// A sign-in with a temporary password, waiting for the new password.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingNewPassword {
    pub pool_id: String,
    pub sub: String,
    /// Unix seconds after which the step must start again.
    pub until: i64,
}

/// A sign-in waiting for its second factor.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingMfa {
    pub pool_id: String,
    pub sub: String,
    /// `SOFTWARE_TOKEN_MFA` or `SMS_MFA`.
    pub method: String,
    /// When the step began: a sign-out everywhere since voids it.
    pub started: i64,
    pub destination: Option<String>,
    pub until: i64,
}

/// A TOTP enrollment waiting for its first code: during a sign-in where MFA
/// is required, or from the account page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSetup {
    pub pool_id: String,
    pub sub: String,
    /// The new secret, sealed for the user.
    pub sealed: String,
    /// Part of a sign-in (else the account page's).
    pub signing_in: bool,
    pub started: i64,
    pub until: i64,
}

/// A sign-in sent to an external provider, waiting for its answer at
/// `/oauth2/idpresponse`: what the answer is checked against.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingFederation {
    pub pool_id: String,
    pub client_id: String,
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub started: i64,
}

pub const SIGNED_IN: &str = "signed_in";
pub const PENDING_FEDERATION: &str = "federation";
pub const PENDING_MFA: &str = "mfa";
pub const PENDING_SETUP: &str = "mfa_setup";
pub const PENDING_NEW_PASSWORD: &str = "new_password";
pub const PENDING_AUTHORIZE: &str = "authorize";
pub const PENDING_SIGNUP: &str = "signup";
pub const CSRF: &str = "csrf";

/// Reads a typed value; a value that no longer parses counts as absent.
pub fn get<T: for<'de> Deserialize<'de>>(session: &Session, key: &str) -> Option<T> {
    session.get::<T>(key).ok().flatten()
}
