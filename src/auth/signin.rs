//! Password sign-in: admit the attempt (the lockout, counted per typed
//! name whether or not the user exists), check the password off the async
//! workers (a dummy hash for unknown users), decide the next step.

use super::flow::{self, Admission, PasswordStep, UserState};
use super::{AuthError, Core};
use crate::directory::ids::Username;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User};
use crate::directory::{lockout, DirectoryError};

pub const BAD_CREDENTIALS: &str = "Incorrect username or password.";
pub const LOCKED: &str = "Password attempts exceeded";

/// Where a successful password check leads.
#[derive(Debug)]
pub enum SignInStep {
    Authenticated(User),
    /// The user signed up but never entered the code.
    ConfirmSignUp(User),
    /// The password is temporary and must be replaced.
    NewPasswordRequired(User),
}

/// The lookup key of a typed name, `None` if it cannot be a user name.
fn lookup_key(pool: &Pool, username: &str) -> Option<String> {
    let name = Username::parse(username).ok()?;
    Some(name.key(pool.settings.case_sensitive_usernames()))
}

/// Admits (and counts up front) a sign-in attempt for `key` in `realm`;
/// `false` when the name is locked out.
pub fn admit_attempt(
    conn: &mut crate::db::Conn,
    realm: &str,
    key: &str,
    now_ms: i64,
) -> Result<bool, DirectoryError> {
    let admitted = lockout::admit(conn, realm, key, |failures, until| {
        match flow::admit(failures, until, now_ms) {
            Admission::Locked => Err(()),
            Admission::Counted {
                failures,
                locked_until,
            } => Ok((failures, locked_until)),
        }
    })?;
    Ok(admitted.is_ok())
}

/// Finds a user by the name typed at sign-in.
pub async fn find_user(
    core: &Core,
    pool: &Pool,
    username: &str,
) -> Result<Option<User>, AuthError> {
    let Some(key) = lookup_key(pool, username) else {
        return Ok(None);
    };
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
    let Some(key) = lookup_key(pool, username) else {
        return Err(AuthError::NotAuthorized(BAD_CREDENTIALS.into()));
    };
    let pool_id = pool.id.clone();
    let k = key.clone();
    let (admitted, user) = core
        .db
        .run(move |conn| {
            let admitted = admit_attempt(conn, pool_id.as_str(), &k, now_ms)?;
            let user = users::find_by_username_key(conn, &pool_id, &k)?;
            Ok::<_, DirectoryError>((admitted, user))
        })
        .await?;
    if !admitted {
        return Err(AuthError::NotAuthorized(LOCKED.into()));
    }
    let ok = core
        .verify_password(
            user.as_ref().and_then(|u| u.password_hash.clone()),
            password.to_string(),
        )
        .await;
    let state = user.as_ref().map(|u| UserState {
        status: u.status,
        enabled: u.enabled,
    });
    let step = flow::password_step(state, ok);
    let Some(user) = user else {
        return Err(if reveal_missing {
            AuthError::UserNotFound
        } else {
            AuthError::NotAuthorized(BAD_CREDENTIALS.into())
        });
    };
    match step {
        PasswordStep::Rejected | PasswordStep::WrongPassword => {
            Err(AuthError::NotAuthorized(BAD_CREDENTIALS.into()))
        }
        step => {
            // The right password: the attempt counted up front is forgiven.
            let pool_id = pool.id.clone();
            core.db
                .run(move |conn| lockout::clear(conn, pool_id.as_str(), &key))
                .await?;
            match step {
                PasswordStep::Disabled => Err(AuthError::NotAuthorized("User is disabled.".into())),
                PasswordStep::Unconfirmed => Ok(SignInStep::ConfirmSignUp(user)),
                PasswordStep::NewPasswordRequired => Ok(SignInStep::NewPasswordRequired(user)),
                _ => Ok(SignInStep::Authenticated(user)),
            }
        }
    }
}

/// The user a hosted session (signed in at `auth_time`) names, if that user
/// may still sign in (exists, enabled, confirmed, not signed out
/// everywhere since): a session outlives none of these.
pub async fn session_user(
    core: &Core,
    pool: &Pool,
    sub: &str,
    auth_time: i64,
) -> Result<Option<User>, AuthError> {
    let id = sub.to_string();
    let user = core
        .db
        .run(move |conn| users::find_by_sub(conn, &id))
        .await?;
    Ok(user.filter(|u| {
        u.pool_id == pool.id
            && u.signed_out_at <= auth_time
            && flow::password_step(
                Some(UserState {
                    status: u.status,
                    enabled: u.enabled,
                }),
                true,
            ) == PasswordStep::Authenticated
    }))
}
