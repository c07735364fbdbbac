//! Password sign-in: admit the attempt (the lockout, counted per typed
//! name whether or not the user exists), check the password off the async
//! workers (a dummy hash for unknown users), decide the next step.

use super::flow::{self, Admission, PasswordStep, UserState};
use super::{AuthError, Core};
use crate::directory::ids::Username;
use crate::directory::password_policy;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User, UserStatus};
use crate::directory::{aliases, lockout, DirectoryError};

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
    /// An administrator reset the password: a reset code was sent.
    PasswordResetRequired(User),
}

/// The lookup key of a typed name, `None` if it cannot be a user name.
fn lookup_key(pool: &Pool, username: &str) -> Option<String> {
    let name = Username::parse(username).ok()?;
    Some(name.key(pool.settings.case_sensitive_usernames()))
}

/// The password step's view of a user. A temporary password dates from the
/// user's last update (its creation, or the reset that set it).
fn user_state(pool: &Pool, u: &User, now: i64) -> UserState {
    let validity = pool
        .settings
        .password_policy()
        .temporary_password_validity_secs();
    UserState {
        status: u.status,
        enabled: u.enabled,
        temporary_password_expired: now > u.updated_at.saturating_add(validity),
    }
}

/// Replaces a temporary password with the user's own (the pool's policy
/// applies) and confirms the user.
/// The pool's required attributes the user has no value for (asked for
/// with the new password).
pub fn missing_required(pool: &Pool, user: &User) -> Vec<String> {
    pool.settings
        .required_attributes()
        .into_iter()
        .filter(|a| user.attribute(a).is_none_or(str::is_empty))
        .collect()
}

pub async fn complete_new_password(
    core: &Core,
    pool: &Pool,
    user: &User,
    password: &str,
    given: &[(String, String)],
    now: i64,
) -> Result<User, AuthError> {
    if !matches!(
        user.status,
        UserStatus::ForceChangePassword | UserStatus::ResetRequired
    ) {
        return Err(AuthError::NotAuthorized(
            "The password of this user is not temporary.".into(),
        ));
    }
    password_policy::check_format(password, "password").map_err(AuthError::InvalidParameter)?;
    pool.settings
        .password_policy()
        .check(password)
        .map_err(AuthError::InvalidPassword)?;
    // The required attributes still missing must come with the password.
    let mut attrs = user.attributes.clone();
    for name in missing_required(pool, user) {
        let value = given
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                AuthError::InvalidParameter(format!("The attribute {name} is required."))
            })?;
        crate::directory::attributes::validate_update(&pool.settings, &name, &value)
            .map_err(|e| AuthError::InvalidParameter(e.0))?;
        attrs.insert(name, value);
    }
    let record = core
        .password_record(pool, &user.username, password.to_string())
        .await?;
    let sub = user.sub.clone();
    core.db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let Some(_) = users::replace_temporary_password(conn, &sub, &record, now)? else {
                    return Ok(None);
                };
                users::set_attributes(conn, &sub, &attrs, None)?;
                users::find_by_sub(conn, sub.as_str())
            })
        })
        .await?
        .ok_or_else(|| {
            AuthError::NotAuthorized("The password of this user is not temporary.".into())
        })
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
    let alias_kinds = pool.settings.alias_attributes().to_vec();
    Ok(core
        .db
        .run(move |conn| lookup(conn, &pool_id, &alias_kinds, &key))
        .await?)
}

/// [`find_user`] inside a transaction.
pub fn find_user_in(
    conn: &mut crate::db::Conn,
    pool: &Pool,
    username: &str,
) -> Result<Option<User>, DirectoryError> {
    let Some(key) = lookup_key(pool, username) else {
        return Ok(None);
    };
    lookup(conn, &pool.id, pool.settings.alias_attributes(), &key)
}

/// A user by user name, or else by one of the pool's alias kinds.
fn lookup(
    conn: &mut crate::db::Conn,
    pool_id: &crate::directory::PoolId,
    alias_kinds: &[String],
    key: &str,
) -> Result<Option<User>, DirectoryError> {
    if let Some(u) = users::find_by_username_key(conn, pool_id, key)? {
        return Ok(Some(u));
    }
    for kind in alias_kinds {
        if let Some(sub) = aliases::holder(conn, pool_id, kind, key)? {
            return users::find_by_sub(conn, &sub);
        }
    }
    Ok(None)
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
    let password = password.to_string();
    sign_in_with(
        core,
        pool,
        username,
        reveal_missing,
        now_ms,
        |user| async move {
            let hash = user.and_then(|u| u.password_hash);
            Ok(core.verify_password(hash, password).await)
        },
    )
    .await
}

/// The password step with any proof of the password: `check` gets the user
/// the typed name finds (`None` when there is none) and says whether the
/// proof holds. The attempt is admitted and counted before the check (the
/// lockout, per typed name whether or not the user exists) and forgiven
/// after a right one; then the user's state decides the step. Password
/// sign-in checks the argon2id hash, USER_SRP_AUTH the claim signature.
pub async fn sign_in_with<F, Fut>(
    core: &Core,
    pool: &Pool,
    username: &str,
    reveal_missing: bool,
    now_ms: i64,
    check: F,
) -> Result<SignInStep, AuthError>
where
    F: FnOnce(Option<User>) -> Fut,
    Fut: std::future::Future<Output = Result<bool, AuthError>>,
{
    let Some(key) = lookup_key(pool, username) else {
        return Err(AuthError::NotAuthorized(BAD_CREDENTIALS.into()));
    };
    let pool_id = pool.id.clone();
    let k = key.clone();
    let alias_kinds = pool.settings.alias_attributes().to_vec();
    let (admitted, user) = core
        .db
        .run(move |conn| {
            let admitted = admit_attempt(conn, pool_id.as_str(), &k, now_ms)?;
            let user = lookup(conn, &pool_id, &alias_kinds, &k)?;
            Ok::<_, DirectoryError>((admitted, user))
        })
        .await?;
    if !admitted {
        return Err(AuthError::NotAuthorized(LOCKED.into()));
    }
    let ok = check(user.clone()).await?;
    let state = user.as_ref().map(|u| user_state(pool, u, now_ms / 1000));
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
                PasswordStep::TemporaryPasswordExpired => Err(AuthError::NotAuthorized(
                    "Temporary password has expired and must be reset by an administrator.".into(),
                )),
                PasswordStep::Unconfirmed => Ok(SignInStep::ConfirmSignUp(user)),
                PasswordStep::NewPasswordRequired => Ok(SignInStep::NewPasswordRequired(user)),
                PasswordStep::ResetRequired => Ok(SignInStep::PasswordResetRequired(user)),
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
            && flow::password_step(Some(user_state(pool, u, auth_time)), true)
                == PasswordStep::Authenticated
    }))
}

/// The name a user signs in with: the e-mail address or phone number where
/// that is the pool's username, else the user name.
pub fn sign_in_name(pool: &Pool, user: &User) -> String {
    pool.settings
        .username_attributes()
        .iter()
        .find_map(|a| user.attribute(a))
        .unwrap_or(&user.username)
        .to_string()
}
