//! What an administrator does to a pool's users, in the shape of Cognito's
//! Admin* operations: list, look up, create with a temporary password and an
//! invitation (AdminCreateUser), confirm (AdminConfirmSignUp), enable and
//! disable, issue a new temporary password, sign out everywhere
//! (AdminUserGlobalSignOut), delete. The console calls these; the Admin* API
//! is to share them.
//!
//! A temporary password is valid for the pool's
//! `PasswordPolicy.TemporaryPasswordValidityDays`, counted from the user's
//! `updated_at`: creating the user or setting a new temporary password sets
//! it, and administrative changes that leave the password alone (enable,
//! disable, sign out) do not move it. Sign-in compares the two and refuses an
//! expired temporary password; an administrator then issues a new one.
//!
//! The invitation uses the pool's `AdminCreateUserConfig.InviteMessageTemplate`
//! where set, else Cognito's default text. `{username}` in it is the name the
//! user signs in with (the e-mail address or phone number in pools where that
//! is the username), and `{####}` the temporary password.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::Value;

pub use super::signin::sign_in_name;
use super::{AuthError, Core};
use crate::db::write_tx;
use crate::directory::attributes::{self, is_email, is_phone_number, mask_destination};
use crate::directory::ids::Username;
use crate::directory::password_policy::{self, PasswordPolicy};
use crate::directory::pools::Pool;
use crate::directory::user_admin::{self, PageAt, UserPage, UserQuery};
use crate::directory::users::{self, NewUser, User, UserStatus};
use crate::directory::{aliases, DirectoryError, UserSub};
use crate::messaging::Email;

pub const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";
pub const DEFAULT_INVITE_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}.";

const USERNAME_PLACEHOLDER: &str = "{username}";
const PASSWORD_PLACEHOLDER: &str = "{####}";

/// A new user, as the administrator describes it.
#[derive(Debug, Default)]
pub struct NewUserRequest {
    /// Absent where the e-mail address or phone number is the username.
    pub username: Option<String>,
    /// Attribute name and value; `email_verified` and
    /// `phone_number_verified` come through the flags below instead.
    pub attributes: Vec<(String, String)>,
    /// `None`: generate one that satisfies the pool's policy (only with an
    /// invitation, the only place a generated password is ever shown).
    pub temporary_password: Option<String>,
    pub email_verified: bool,
    pub phone_number_verified: bool,
    pub send_invitation: bool,
}

/// Where an invitation went, masked as Cognito's CodeDeliveryDetails.
#[derive(Clone, Debug)]
pub struct Invitation {
    /// `EMAIL` or `SMS`.
    pub medium: &'static str,
    pub destination: String,
}

#[derive(Debug)]
pub struct CreatedUser {
    pub user: User,
    /// What the user types to sign in.
    pub sign_in_name: String,
    pub invitation: Option<Invitation>,
}

fn not_found(e: DirectoryError) -> AuthError {
    match e {
        DirectoryError::NotFound(_) => AuthError::UserNotFound,
        other => other.into(),
    }
}

/// A page of the pool's users matching `q`, at most `limit` long.
pub async fn list_users(
    core: &Core,
    pool: &Pool,
    q: UserQuery,
    at: PageAt,
    limit: i64,
) -> Result<UserPage, AuthError> {
    let pool_id = pool.id.clone();
    Ok(core
        .db
        .run(move |conn| user_admin::list(conn, &pool_id, &q, &at, limit))
        .await?)
}

/// A user of the pool by sub.
pub async fn get_user(core: &Core, pool: &Pool, sub: &str) -> Result<User, AuthError> {
    let pool_id = pool.id.clone();
    let sub = sub.to_string();
    core.db
        .run(move |conn| user_admin::find(conn, &pool_id, &sub))
        .await?
        .ok_or(AuthError::UserNotFound)
}

/// Runs `op` on the user `sub` of `pool`, found in the same connection.
async fn with_user<T: Send + 'static>(
    core: &Core,
    pool: &Pool,
    sub: &str,
    op: impl FnOnce(&mut crate::db::Conn, &User) -> Result<T, DirectoryError> + Send + 'static,
) -> Result<T, AuthError> {
    let pool_id = pool.id.clone();
    let sub = sub.to_string();
    core.db
        .run(move |conn| {
            let user = user_admin::find(conn, &pool_id, &sub)?
                .ok_or_else(|| DirectoryError::NotFound("User does not exist.".into()))?;
            op(conn, &user)
        })
        .await
        .map_err(not_found)
}

/// AdminEnableUser / AdminDisableUser. Disabling ends every sign-in.
pub async fn set_enabled(
    core: &Core,
    pool: &Pool,
    sub: &str,
    enabled: bool,
    now: i64,
) -> Result<(), AuthError> {
    with_user(core, pool, sub, move |conn, u| {
        user_admin::set_enabled(conn, &u.pool_id, &u.sub, enabled, now)
    })
    .await
}

/// AdminConfirmSignUp: only an UNCONFIRMED user can be confirmed.
pub async fn confirm_user(core: &Core, pool: &Pool, sub: &str, now: i64) -> Result<(), AuthError> {
    let (changed, status) = with_user(core, pool, sub, move |conn, u| {
        Ok((
            user_admin::confirm(conn, &u.pool_id, &u.sub, now)?,
            u.status,
        ))
    })
    .await?;
    if !changed {
        return Err(AuthError::NotAuthorized(format!(
            "User cannot be confirmed. Current status is {}",
            status.as_str()
        )));
    }
    Ok(())
}

/// AdminUserGlobalSignOut.
pub async fn sign_out_everywhere(
    core: &Core,
    pool: &Pool,
    sub: &str,
    now: i64,
) -> Result<(), AuthError> {
    with_user(core, pool, sub, move |conn, u| {
        user_admin::sign_out_everywhere(conn, &u.pool_id, &u.sub, now)
    })
    .await
}

/// AdminDeleteUser.
pub async fn delete_user(core: &Core, pool: &Pool, sub: &str) -> Result<(), AuthError> {
    with_user(core, pool, sub, |conn, u| {
        user_admin::delete(conn, &u.pool_id, &u.sub)
    })
    .await
}

/// A new temporary password that satisfies the pool's policy, sent to the
/// user with the invitation template; the user must replace it at the next
/// sign-in, and their current sign-ins end. The message goes first: if it
/// cannot be delivered, nothing changes.
pub async fn reset_password(
    core: &Core,
    pool: &Pool,
    sub: &str,
    now: i64,
) -> Result<Invitation, AuthError> {
    let user = get_user(core, pool, sub).await?;
    super::recovery::refuse_external(&user)?;
    let target = invitation_target(&user.attributes).ok_or_else(|| {
        AuthError::InvalidParameter(
            "The user has no e-mail address or phone number to send a temporary password to."
                .into(),
        )
    })?;
    let password = generate_temporary_password(pool.settings.password_policy());
    let record = core
        .password_record(pool, &user.username, password.clone())
        .await?;
    let invitation = send_invitation(
        core,
        pool,
        &sign_in_name(pool, &user),
        &target,
        &password,
        now,
    )
    .await?;
    let (pool_id, user_sub) = (pool.id.clone(), user.sub.clone());
    core.db
        .run(move |conn| {
            user_admin::set_temporary_password(conn, &pool_id, &user_sub, &record, now)
        })
        .await
        .map_err(not_found)?;
    Ok(invitation)
}

/// AdminCreateUser: a FORCE_CHANGE_PASSWORD user with a temporary password,
/// and the invitation when asked for. Nothing is kept if the invitation
/// cannot be delivered.
pub async fn create_user(
    core: &Core,
    pool: &Pool,
    req: NewUserRequest,
    now: i64,
) -> Result<CreatedUser, AuthError> {
    let invalid = |m: &str| AuthError::InvalidParameter(m.to_string());
    let settings = &pool.settings;
    let mut given = req.attributes;
    if given
        .iter()
        .any(|(n, _)| n == "email_verified" || n == "phone_number_verified")
    {
        return Err(invalid(
            "Set email_verified and phone_number_verified with their own options.",
        ));
    }
    let username_attrs = settings.username_attributes();
    let username = req.username.filter(|u| !u.is_empty());
    // Where the e-mail or phone is the username, a user name given as one
    // stands for that attribute.
    if let (Some(u), false) = (&username, username_attrs.is_empty()) {
        let has = |a: &str| given.iter().any(|(n, _)| n == a);
        let allowed = |a: &str| username_attrs.iter().any(|x| x == a);
        if !username_attrs.iter().any(|a| has(a)) {
            if is_email(u) && allowed("email") {
                given.push(("email".into(), u.clone()));
            } else if is_phone_number(u) && allowed("phone_number") {
                given.push(("phone_number".into(), u.clone()));
            } else {
                return Err(invalid("Username should be an email or a phone number."));
            }
        }
    }
    let mut attrs = attributes::validate_given(settings, &given)
        .map_err(|e| AuthError::InvalidParameter(e.0))?;
    let sign_in_attr = username_attrs
        .iter()
        .find(|a| attrs.contains_key(a.as_str()))
        .cloned();
    let name =
        match (&sign_in_attr, username) {
            (Some(attr), given) => {
                let value = attrs.get(attr).cloned().unwrap_or_default();
                if given.as_deref().is_some_and(|g| g != value) {
                    return Err(AuthError::InvalidParameter(format!(
                        "Username should be the user's {attr}."
                    )));
                }
                Username::parse(&value)
            }
            (None, Some(u)) if username_attrs.is_empty() => Username::parse(&u).and_then(|n| {
                super::signup::check_not_alias_shaped(pool, &n)
                    .map(|()| n)
                    .map_err(|e| crate::directory::InvalidParameter(e.to_string()))
            }),
            (None, _) if !username_attrs.is_empty() => return Err(invalid(
                "An email address or phone number is required: it is the username in this pool.",
            )),
            (None, _) => return Err(invalid("Username is required.")),
        }
        .map_err(|e| AuthError::InvalidParameter(e.0))?;
    for (flag, attr) in [
        (req.email_verified, "email"),
        (req.phone_number_verified, "phone_number"),
    ] {
        if !flag {
            continue;
        }
        if !attrs.contains_key(attr) {
            return Err(AuthError::InvalidParameter(format!(
                "Only a user with an {attr} can have it marked verified."
            )));
        }
        attrs.insert(format!("{attr}_verified"), "true".into());
    }
    let target = if req.send_invitation {
        Some(invitation_target(&attrs).ok_or_else(|| {
            invalid("An invitation needs the user's email address or phone number.")
        })?)
    } else {
        None
    };
    let password = match req.temporary_password.filter(|p| !p.is_empty()) {
        Some(p) => {
            password_policy::check_format(&p, "temporaryPassword")
                .map_err(AuthError::InvalidParameter)?;
            settings
                .password_policy()
                .check(&p)
                .map_err(AuthError::InvalidPassword)?;
            p
        }
        None if req.send_invitation => generate_temporary_password(settings.password_policy()),
        None => {
            return Err(invalid(
                "Set a temporary password, or send an invitation: a generated password is only ever sent to the user.",
            ))
        }
    };
    let case_sensitive = settings.case_sensitive_usernames();
    let claims = alias_claims(pool, &attrs, case_sensitive);
    let key = name.key(case_sensitive);
    let sub = UserSub::generate();
    let stored_name = if sign_in_attr.is_some() {
        sub.to_string()
    } else {
        name.as_str().to_string()
    };
    let record = core
        .password_record(pool, &stored_name, password.clone())
        .await?;
    let pool_id = pool.id.clone();
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
                        password: Some(&record),
                        status: UserStatus::ForceChangePassword,
                        attributes: &attrs,
                    },
                    now,
                )?;
                for (kind, alias) in &claims {
                    aliases::claim(conn, &pool_id, kind, alias, &sub, false)?;
                }
                Ok::<_, DirectoryError>(user)
            })
        })
        .await?;
    let sign_in_name = name.as_str().to_string();
    let invitation = match target {
        Some(t) => match send_invitation(core, pool, &sign_in_name, &t, &password, now).await {
            Ok(i) => Some(i),
            Err(e) => {
                let (pool_id, sub) = (pool.id.clone(), user.sub.clone());
                if let Err(undo) = core
                    .db
                    .run(move |conn| user_admin::delete(conn, &pool_id, &sub))
                    .await
                {
                    tracing::error!(error = %undo, "could not remove a user whose invitation failed");
                }
                return Err(e);
            }
        },
        None => None,
    };
    Ok(CreatedUser {
        user,
        sign_in_name,
        invitation,
    })
}

/// The aliases a new user takes: a verified e-mail or phone number, and a
/// preferred_username, where the pool signs in by them.
fn alias_claims(
    pool: &Pool,
    attrs: &BTreeMap<String, String>,
    case_sensitive: bool,
) -> Vec<(String, String)> {
    let verified =
        |a: &str| attrs.get(&format!("{a}_verified")).map(String::as_str) == Some("true");
    pool.settings
        .alias_attributes()
        .iter()
        .filter(|kind| kind.as_str() == "preferred_username" || verified(kind))
        .filter_map(|kind| {
            attrs
                .get(kind.as_str())
                .map(|v| (kind.clone(), aliases::key(v, case_sensitive)))
        })
        .collect()
}

/// Where an invitation goes: the e-mail address, else the phone number.
fn invitation_target(attrs: &BTreeMap<String, String>) -> Option<(&'static str, String)> {
    ["email", "phone_number"]
        .into_iter()
        .find_map(|a| attrs.get(a).map(|v| (a, v.clone())))
}

fn invite_template<'a>(pool: &'a Pool, member: &str) -> Option<&'a str> {
    pool.settings
        .admin_create_user_config
        .invite_message_template
        .as_ref()
        .and_then(|t| t.get(member))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

async fn send_invitation(
    core: &Core,
    pool: &Pool,
    username: &str,
    target: &(&'static str, String),
    password: &str,
    now: i64,
) -> Result<Invitation, AuthError> {
    let (attr, destination) = target;
    let medium = if *attr == "email" {
        let template = invite_template(pool, "EmailMessage").unwrap_or(DEFAULT_INVITE_MESSAGE);
        let subject = invite_template(pool, "EmailSubject").unwrap_or(DEFAULT_INVITE_SUBJECT);
        let message = fill_invitation(template, username, password);
        let email = Email::from_pool(&pool.name, destination, subject.to_string(), &message)?;
        core.messenger.send_email(email, now).await?;
        "EMAIL"
    } else {
        let template = invite_template(pool, "SMSMessage").unwrap_or(DEFAULT_INVITE_MESSAGE);
        let message = fill_invitation(template, username, password);
        core.messenger.send_sms(destination, &message, now).await?;
        "SMS"
    };
    Ok(Invitation {
        medium,
        destination: mask_destination(destination),
    })
}

/// The invitation text: `{username}` and `{####}` replaced in one pass, so
/// neither value is read as a placeholder.
pub fn fill_invitation(template: &str, username: &str, password: &str) -> String {
    let mut out = String::with_capacity(template.len() + username.len() + password.len());
    let mut rest = template;
    loop {
        let next = [
            (
                rest.find(USERNAME_PLACEHOLDER),
                USERNAME_PLACEHOLDER,
                username,
            ),
            (
                rest.find(PASSWORD_PLACEHOLDER),
                PASSWORD_PLACEHOLDER,
                password,
            ),
        ]
        .into_iter()
        .filter_map(|(at, p, v)| at.map(|at| (at, p, v)))
        .min_by_key(|(at, _, _)| *at);
        let Some((at, placeholder, value)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        out.push_str(value);
        rest = &rest[at + placeholder.len()..];
    }
}

/// A random password that meets `policy` whatever it requires: at least 12
/// characters (more if the policy asks), with an upper- and a lowercase
/// letter, a digit and a symbol. Look-alike characters are left out, and
/// the symbols are ones that read plainly in a message.
pub fn generate_temporary_password(policy: &PasswordPolicy) -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!#%*+-=?@^_";
    let length = usize::try_from(policy.minimum_length)
        .unwrap_or(12)
        .clamp(12, password_policy::MAX_PASSWORD_LENGTH);
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| char::from(set[rng.random_range(0..set.len())]);
    let mut chars: Vec<char> = [UPPER, LOWER, DIGITS, SYMBOLS]
        .into_iter()
        .map(&mut pick)
        .collect();
    let all = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    while chars.len() < length {
        chars.push(pick(&all));
    }
    chars.shuffle(&mut rand::rng());
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_any_policy() {
        let strict = PasswordPolicy {
            minimum_length: 40,
            ..PasswordPolicy::default()
        };
        for policy in [PasswordPolicy::default(), strict] {
            for _ in 0..200 {
                let p = generate_temporary_password(&policy);
                assert!(p.chars().count() >= 12);
                password_policy::check_format(&p, "temporaryPassword").unwrap();
                policy.check(&p).unwrap();
            }
        }
    }

    #[test]
    fn invitations_fill_placeholders_once() {
        assert_eq!(
            fill_invitation(DEFAULT_INVITE_MESSAGE, "jane", "Pw-1{username}"),
            "Your username is jane and temporary password is Pw-1{username}."
        );
        assert_eq!(
            fill_invitation("{####}/{username}/{####}", "{####}", "p"),
            "p/{####}/p"
        );
        assert_eq!(
            fill_invitation("no placeholders", "a", "b"),
            "no placeholders"
        );
    }
}
