//! Password sign-in: find the user, check the password off the async
//! workers (a dummy hash for unknown users), count failures, decide the step.

use super::flow::{self, PasswordStep, UserState};
use super::{AuthError, Core};
use crate::directory::ids::Username;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User};

pub const BAD_CREDENTIALS: &str = "Incorrect username or password.";

/// Where a successful password check leads.
#[derive(Debug)]
pub enum SignInStep {
    Authenticated(User),
    /// The user signed up but never entered the code.
    ConfirmSignUp(User),
    /// The password is temporary and must be replaced.
    NewPasswordRequired(User),
}

/// Finds a user by the name typed at sign-in.
pub async fn find_user(
    core: &Core,
    pool: &Pool,
    username: &str,
) -> Result<Option<User>, AuthError> {
    let Ok(name) = Username::parse(username) else {
        return Ok(None);
    };
    let key = name.key(pool.settings.case_sensitive_usernames());
    let pool_id = pool.id.clone();
    Ok(core
        .db
        .run(move |conn| users::find_by_username_key(conn, &pool_id, &key))
        .await?)
}

/// Checks `username` and `password`. `reveal_missing` is false where
/// PreventUserExistenceErrors is on: an unknown user then gets the same
/// answer as a wrong password. `now_ms` is unix milliseconds.
pub async fn password_sign_in(
    core: &Core,
    pool: &Pool,
    username: &str,
    password: &str,
    reveal_missing: bool,
    now_ms: i64,
) -> Result<SignInStep, AuthError> {
    let user = find_user(core, pool, username).await?;
    let ok = core
        .verify_password(
            user.as_ref().and_then(|u| u.password_hash.clone()),
            password.to_string(),
        )
        .await;
    let state = user.as_ref().map(|u| UserState {
        status: u.status,
        enabled: u.enabled,
        locked_until: u.locked_until,
    });
    let step = flow::password_step(state, ok, now_ms);
    let Some(user) = user else {
        return Err(if reveal_missing {
            AuthError::UserNotFound
        } else {
            AuthError::NotAuthorized(BAD_CREDENTIALS.into())
        });
    };
    match step {
        PasswordStep::Rejected | PasswordStep::WrongPassword => {
            let sub = user.sub.clone();
            core.db
                .run(move |conn| users::record_failure(conn, &sub, |n| flow::lock_until(n, now_ms)))
                .await?;
            Err(AuthError::NotAuthorized(BAD_CREDENTIALS.into()))
        }
        PasswordStep::Locked => Err(AuthError::NotAuthorized(
            "Password attempts exceeded".into(),
        )),
        PasswordStep::Disabled => Err(AuthError::NotAuthorized("User is disabled.".into())),
        step => {
            if user.failed_attempts != 0 {
                let sub = user.sub.clone();
                core.db
                    .run(move |conn| users::clear_failures(conn, &sub))
                    .await?;
            }
            Ok(match step {
                PasswordStep::Unconfirmed => SignInStep::ConfirmSignUp(user),
                PasswordStep::NewPasswordRequired => SignInStep::NewPasswordRequired(user),
                _ => SignInStep::Authenticated(user),
            })
        }
    }
}
