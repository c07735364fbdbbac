//! The console's one account, `admin`: its password check, with the same
//! lockout as any sign-in.

use super::signin::{admit_attempt, BAD_CREDENTIALS, LOCKED};
use super::{AuthError, Core};
use crate::directory::lockout;

/// The console account's name.
pub const ADMIN_USER: &str = "admin";
/// The lockout realm of the console.
const REALM: &str = "admin";

/// Checks the console credentials.
pub async fn sign_in(
    core: &Core,
    username: &str,
    password: &str,
    now_ms: i64,
) -> Result<(), AuthError> {
    let key = username.to_string();
    let k = key.clone();
    let admitted = core
        .db
        .run(move |conn| admit_attempt(conn, REALM, &k, now_ms))
        .await?;
    if !admitted {
        return Err(AuthError::NotAuthorized(LOCKED.into()));
    }
    let ok = core
        .verify_password(Some(core.admin_password_hash.clone()), password.to_string())
        .await;
    if !ok || username != ADMIN_USER {
        return Err(AuthError::NotAuthorized(BAD_CREDENTIALS.into()));
    }
    core.db
        .run(move |conn| lockout::clear(conn, REALM, &key))
        .await?;
    Ok(())
}
