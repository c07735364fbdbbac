//! Self-service sign-up and its confirmation code.

use super::delivery::{send_code, Outgoing, Wording};
use super::{AuthError, Core};
use crate::db::write_tx;
use crate::directory::attributes;
use crate::directory::codes::{self, CodeCheck, Purpose};
use crate::directory::ids::Username;
use crate::directory::password_policy;
use crate::directory::pools::Pool;
use crate::directory::users::{self, NewUser, User, UserStatus};
use crate::directory::{aliases, DirectoryError};
use secrecy::ExposeSecret;

pub struct SignUpRequest {
    /// Absent when the pool signs users in by e-mail or phone number.
    pub username: Option<String>,
    pub password: String,
    pub attributes: Vec<(String, String)>,
}

/// Where a code went, masked (Cognito's CodeDeliveryDetails).
#[derive(Clone, Debug)]
pub struct CodeDelivery {
    pub destination: String,
    pub medium: &'static str,
    pub attribute: &'static str,
}

pub struct SignUpResult {
    pub user: User,
    /// The name the user signs in with: the username, or the e-mail address
    /// or phone number where that is the username.
    pub sign_in_name: String,
    pub delivery: Option<CodeDelivery>,
}

/// Creates an unconfirmed user and sends the confirmation code.
pub async fn sign_up(
    core: &Core,
    pool: &Pool,
    req: SignUpRequest,
    now: i64,
) -> Result<SignUpResult, AuthError> {
    if pool.settings.allow_admin_create_user_only() {
        return Err(AuthError::NotAuthorized(
            "SignUp is not permitted for this user pool".into(),
        ));
    }
    let attrs = attributes::validate_new(&pool.settings, &req.attributes)
        .map_err(|e| AuthError::InvalidParameter(e.0))?;
    // With e-mail or phone as the username, the sign-in name is that
    // attribute and the stored user name is the user's sub.
    let sign_in_attr = pool
        .settings
        .username_attributes()
        .iter()
        .find(|a| attrs.contains_key(a.as_str()))
        .cloned();
    let username = match (&sign_in_attr, req.username) {
        (Some(attr), given) => {
            let value = attrs.get(attr).cloned().unwrap_or_default();
            if given.as_deref().is_some_and(|g| g != value) {
                return Err(AuthError::InvalidParameter(format!(
                    "Username should be the user's {attr}."
                )));
            }
            Username::parse(&value).map_err(|e| AuthError::InvalidParameter(e.0))?
        }
        (None, Some(u)) => {
            if !pool.settings.username_attributes().is_empty() {
                return Err(AuthError::InvalidParameter(
                    "Username should be an email or a phone number.".into(),
                ));
            }
            let name = Username::parse(&u).map_err(|e| AuthError::InvalidParameter(e.0))?;
            check_not_alias_shaped(pool, &name)?;
            name
        }
        (None, None) => return Err(AuthError::InvalidParameter("Username is required.".into())),
    };
    password_policy::check_format(&req.password, "password")
        .map_err(AuthError::InvalidParameter)?;
    pool.settings
        .password_policy()
        .check(&req.password)
        .map_err(AuthError::InvalidPassword)?;
    let key = username.key(pool.settings.case_sensitive_usernames());
    let pool_id = pool.id.clone();
    let sub = crate::directory::UserSub::generate();
    let sign_in_name = username.as_str().to_string();
    let stored_name = if sign_in_attr.is_some() {
        sub.to_string()
    } else {
        username.as_str().to_string()
    };
    let password = core
        .password_record(pool, &stored_name, req.password)
        .await?;
    // A preferred_username alias needs no verification: it is claimed with
    // the user, or the sign-up fails as a whole.
    let case_sensitive = pool.settings.case_sensitive_usernames();
    let preferred = pool
        .settings
        .alias_attributes()
        .iter()
        .any(|a| a == "preferred_username")
        .then(|| {
            attrs
                .get("preferred_username")
                .map(|v| aliases::key(v, case_sensitive))
        })
        .flatten();
    let user = core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let user = users::create(
                    conn,
                    NewUser {
                        sub: &sub,
                        pool_id: &pool_id,
                        username: &stored_name,
                        username_key: &key,
                        password: Some(&password),
                        status: UserStatus::Unconfirmed,
                        attributes: &attrs,
                    },
                    now,
                )?;
                if let Some(alias) = &preferred {
                    aliases::claim(conn, &pool_id, "preferred_username", alias, &sub, false)?;
                }
                Ok::<_, DirectoryError>(user)
            })
        })
        .await?;
    let delivery = send_confirmation_code(core, pool, &user, now).await?;
    Ok(SignUpResult {
        user,
        sign_in_name,
        delivery,
    })
}

/// In a pool with e-mail or phone aliases, a user name in that shape could
/// take over another user's alias at sign-in: refused, as Cognito does.
pub fn check_not_alias_shaped(pool: &Pool, name: &Username) -> Result<(), AuthError> {
    let aliases = pool.settings.alias_attributes();
    let s = name.as_str();
    if aliases.iter().any(|a| a == "email") && s.contains('@') {
        return Err(AuthError::InvalidParameter(
            "Username cannot be of email format, since user pool is configured for email alias."
                .into(),
        ));
    }
    if aliases.iter().any(|a| a == "phone_number")
        && crate::directory::attributes::is_phone_number(s)
    {
        return Err(AuthError::InvalidParameter(
            "Username cannot be of phone number format, since user pool is configured for phone_number alias."
                .into(),
        ));
    }
    Ok(())
}

/// The attribute a confirmation code goes to, if the pool verifies one.
fn verification_target(pool: &Pool, user: &User) -> Option<&'static str> {
    let auto = pool.settings.auto_verified_attributes();
    ["email", "phone_number"]
        .into_iter()
        .find(|a| auto.iter().any(|x| x == a) && user.attribute(a).is_some())
}

/// Stores a fresh code and sends it. `None` when the pool verifies nothing
/// (an administrator then confirms the user).
pub async fn send_confirmation_code(
    core: &Core,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<Option<CodeDelivery>, AuthError> {
    let Some(attr) = verification_target(pool, user) else {
        return Ok(None);
    };
    let destination = user.attribute(attr).unwrap_or_default().to_string();
    let out = Outgoing {
        purpose: Purpose::SignUp,
        attribute: attr,
        destination: &destination,
        wording: Wording::Verification,
    };
    let sent = send_code(core, pool, user, out, now).await?;
    Ok(Some(sent))
}

/// Checks the sign-up code and confirms the user. Unless `reveal_existence`
/// (PreventUserExistenceErrors off), an unknown or already confirmed user
/// gets the answer of a wrong code.
pub async fn confirm_sign_up(
    core: &Core,
    pool: &Pool,
    username: &str,
    code: &str,
    reveal_existence: bool,
    now: i64,
) -> Result<User, AuthError> {
    let hide = |e: AuthError| {
        if reveal_existence {
            e
        } else {
            AuthError::CodeMismatch
        }
    };
    let user = super::signin::find_user(core, pool, username)
        .await?
        .ok_or_else(|| hide(AuthError::UserNotFound))?;
    if user.status != UserStatus::Unconfirmed {
        return Err(hide(AuthError::NotAuthorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status.as_str()
        ))));
    }
    let target = verification_target(pool, &user).map(str::to_string);
    // A verified e-mail or phone that is an alias of the pool becomes one:
    // if another user holds it, the confirmation fails as a whole
    // (AliasExistsException) and the code stays unused.
    let alias = target
        .as_deref()
        .filter(|t| pool.settings.alias_attributes().iter().any(|a| a == t))
        .and_then(|t| {
            user.attribute(t).map(|v| {
                (
                    t.to_string(),
                    aliases::key(v, pool.settings.case_sensitive_usernames()),
                )
            })
        });
    let pepper = core.code_pepper.expose_secret().as_bytes().to_vec();
    let sub = user.sub.clone();
    let pool_id = pool.id.clone();
    let code = code.to_string();
    let outcome = core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                Ok::<_, DirectoryError>(
                    match codes::consume(conn, &pepper, &sub, Purpose::SignUp, &code, now)? {
                        CodeCheck::Ok => {
                            let user = users::confirm(conn, &sub, target.as_deref(), now)?;
                            if let Some((kind, key)) = &alias {
                                aliases::claim(conn, &pool_id, kind, key, &sub, false)?;
                            }
                            Ok(user)
                        }
                        // Committed: a wrong try counts.
                        CodeCheck::Mismatch => Err(AuthError::CodeMismatch),
                        CodeCheck::Expired => Err(AuthError::ExpiredCode),
                        CodeCheck::TooManyAttempts => Err(AuthError::LimitExceeded),
                    },
                )
            })
        })
        .await?;
    outcome
}

/// Sends a new sign-up code to an unconfirmed user.
pub async fn resend_confirmation_code(
    core: &Core,
    pool: &Pool,
    username: &str,
    now: i64,
) -> Result<Option<CodeDelivery>, AuthError> {
    let user = super::signin::find_user(core, pool, username)
        .await?
        .ok_or(AuthError::UserNotFound)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(AuthError::InvalidParameter(
            "User is already confirmed.".into(),
        ));
    }
    send_confirmation_code(core, pool, &user, now).await
}
