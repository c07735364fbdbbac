//! Self-service password reset: a code (and, by e-mail, a link) to the
//! user's verified channel in the order the pool's AccountRecoverySetting
//! gives; the new password meets the policy and ends every sign-in.

use secrecy::ExposeSecret;

use super::delivery::{send_code, Outgoing, Wording};
use super::signup::CodeDelivery;
use super::{AuthError, Core};
use crate::directory::codes::{self, CodeCheck, Purpose};
use crate::directory::password_policy;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User, UserStatus};
use crate::directory::{user_admin, DirectoryError};

/// Whether the pool lets users reset their own password.
pub fn self_service(pool: &Pool) -> bool {
    pool.settings
        .recovery_mechanisms()
        .iter()
        .any(|m| m == "verified_email" || m == "verified_phone_number")
}

/// The verified channel a reset code goes to: `(attribute, value)`.
fn channel(pool: &Pool, user: &User) -> Option<(&'static str, String)> {
    for m in pool.settings.recovery_mechanisms() {
        let attr = match m.as_str() {
            "verified_email" => "email",
            "verified_phone_number" => "phone_number",
            _ => continue,
        };
        let verified = user.attribute(&format!("{attr}_verified")) == Some("true");
        if let (true, Some(v)) = (verified, user.attribute(attr)) {
            return Some((attr, v.to_string()));
        }
    }
    None
}

/// The link in a reset e-mail, built from the public URL only, without
/// the code that ends it.
pub fn reset_link_prefix(public_url: &str, client_id: &str, username: &str) -> String {
    let q = serde_urlencoded::to_string([("client_id", client_id), ("username", username)])
        .unwrap_or_default();
    format!("{public_url}/confirmForgotPassword?{q}&code=")
}

/// ForgotPassword: sends a reset code to the user named `username` (user
/// name or alias). `Ok(None)` for an unknown user: callers that hide
/// existence answer as if a code went out.
pub async fn forgot_password(
    core: &Core,
    pool: &Pool,
    client_id: &str,
    username: &str,
    now: i64,
) -> Result<Option<CodeDelivery>, AuthError> {
    if !self_service(pool) {
        return Err(AuthError::NotAuthorized(
            "Contact an administrator to reset your password.".into(),
        ));
    }
    let Some(user) = super::signin::find_user(core, pool, username).await? else {
        return Ok(None);
    };
    if !user.enabled {
        return Err(AuthError::NotAuthorized("User is disabled.".into()));
    }
    refuse_external(&user)?;
    let Some((attr, destination)) = channel(pool, &user) else {
        return Err(AuthError::InvalidParameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
                .into(),
        ));
    };
    let out = Outgoing {
        purpose: Purpose::ResetPassword,
        attribute: attr,
        destination: &destination,
        wording: Wording::Reset {
            subject: "Reset your password".into(),
            link_prefix: Some(reset_link_prefix(&core.public_url, client_id, username)),
        },
    };
    Ok(Some(send_code(core, pool, &user, out, now).await?))
}

/// ConfirmForgotPassword: checks the code, sets the new password (the
/// pool's policy applies) and ends every existing sign-in of the user.
pub async fn confirm_forgot_password(
    core: &Core,
    pool: &Pool,
    username: &str,
    code: &str,
    password: &str,
    now: i64,
) -> Result<User, AuthError> {
    password_policy::check_format(password, "password").map_err(AuthError::InvalidParameter)?;
    pool.settings
        .password_policy()
        .check(password)
        .map_err(AuthError::InvalidPassword)?;
    let user = super::signin::find_user(core, pool, username)
        .await?
        .ok_or(AuthError::CodeMismatch)?;
    let record = core
        .password_record(pool, &user.username, password.to_string())
        .await?;
    let pepper = core.code_pepper.expose_secret().as_bytes().to_vec();
    let (sub, pool_id, code) = (user.sub.clone(), pool.id.clone(), code.to_string());
    // An unconfirmed user stays unconfirmed; anyone else is confirmed.
    let status = if user.status == UserStatus::Unconfirmed {
        UserStatus::Unconfirmed
    } else {
        UserStatus::Confirmed
    };
    let outcome = core
        .db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                Ok::<_, DirectoryError>(
                    match codes::consume(conn, &pepper, &sub, Purpose::ResetPassword, &code, now)? {
                        CodeCheck::Ok => {
                            let user = users::set_password(conn, &sub, &record, status, now)?;
                            user_admin::sign_out_everywhere(conn, &pool_id, &sub, now)?;
                            Ok(user)
                        }
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

/// ChangePassword: the current password, then the new one under the policy.
pub async fn change_password(
    core: &Core,
    pool: &Pool,
    user: &User,
    previous: &str,
    proposed: &str,
    now: i64,
) -> Result<(), AuthError> {
    if !core
        .verify_password(user.password_hash.clone(), previous.to_string())
        .await
    {
        return Err(AuthError::NotAuthorized(
            "Incorrect username or password.".into(),
        ));
    }
    password_policy::check_format(proposed, "proposedPassword")
        .map_err(AuthError::InvalidParameter)?;
    pool.settings
        .password_policy()
        .check(proposed)
        .map_err(AuthError::InvalidPassword)?;
    let record = core
        .password_record(pool, &user.username, proposed.to_string())
        .await?;
    let (sub, status) = (user.sub.clone(), user.status);
    core.db
        .run(move |conn| users::set_password(conn, &sub, &record, status, now))
        .await?;
    Ok(())
}

/// AdminResetUserPassword: the user's password stops working (status
/// RESET_REQUIRED), every sign-in ends, and a reset code goes to the user's
/// verified channel; at the next sign-in the user sets a new password with it.
pub async fn admin_reset_password(
    core: &Core,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<Option<CodeDelivery>, AuthError> {
    refuse_external(user)?;
    let (sub, pool_id) = (user.sub.clone(), pool.id.clone());
    core.db
        .run(move |conn| {
            crate::db::write_tx(conn, |conn| {
                users::set_status(conn, &sub, UserStatus::ResetRequired, now)?;
                user_admin::sign_out_everywhere(conn, &pool_id, &sub, now)
            })
        })
        .await?;
    let Some((attr, destination)) = channel(pool, user) else {
        return Ok(None);
    };
    let out = Outgoing {
        purpose: Purpose::ResetPassword,
        attribute: attr,
        destination: &destination,
        wording: Wording::Reset {
            subject: "Reset your password".into(),
            link_prefix: None,
        },
    };
    Ok(Some(send_code(core, pool, user, out, now).await?))
}

/// AdminSetUserPassword: a permanent password (the user becomes CONFIRMED,
/// whatever the status was) or a temporary one (FORCE_CHANGE_PASSWORD: the
/// next sign-in asks for a new password, and the temporary one expires
/// after the pool's TemporaryPasswordValidityDays). The pool's policy
/// applies to both, and both are stored with their SRP verifier.
///
/// Existing sign-ins are left alone: Cognito documents no sign-out for this
/// operation (unlike AdminResetUserPassword, AdminDisableUser or
/// AdminUserGlobalSignOut). A user created by an external provider is
/// refused (Cognito would turn it into a local account; cognate never does,
/// see [`refuse_external`]).
pub async fn admin_set_password(
    core: &Core,
    pool: &Pool,
    user: &User,
    password: &str,
    permanent: bool,
    now: i64,
) -> Result<User, AuthError> {
    refuse_external(user)?;
    password_policy::check_format(password, "password").map_err(AuthError::InvalidParameter)?;
    pool.settings
        .password_policy()
        .check(password)
        .map_err(AuthError::InvalidPassword)?;
    let record = core
        .password_record(pool, &user.username, password.to_string())
        .await?;
    let status = if permanent {
        UserStatus::Confirmed
    } else {
        UserStatus::ForceChangePassword
    };
    let sub = user.sub.clone();
    core.db
        .run(move |conn| users::set_password(conn, &sub, &record, status, now))
        .await
        .map_err(|e| match e {
            DirectoryError::NotFound(_) => AuthError::UserNotFound,
            e => e.into(),
        })
}

/// A user created by an external provider has no password to reset: one
/// set here would turn the provider's identity into a local account.
pub fn refuse_external(user: &User) -> Result<(), AuthError> {
    if user.status == UserStatus::ExternalProvider {
        return Err(AuthError::InvalidParameter(
            "The user signs in through an external identity provider and has no password.".into(),
        ));
    }
    Ok(())
}
