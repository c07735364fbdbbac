//! Attribute changes after sign-up. A new e-mail address or phone number
//! that the pool verifies gets a code; where the pool keeps the original
//! value active while an update is pending, the new value waits (for
//! sign-in as alias and for messages) until the code proves it, else it
//! replaces the old one at once, unverified. The old address is told.
//! Deleting attributes (DeleteUserAttributes and its Admin twin) is here
//! too, with the same care for verified values and aliases.

use std::collections::BTreeMap;

use diesel::prelude::*;
use secrecy::ExposeSecret;

use super::delivery::{Outgoing, Wording};
use super::signup::CodeDelivery;
use super::{AuthError, Core};
use crate::db::schema::{pending_attributes as pa, user_aliases};
use crate::db::write_tx;
use crate::directory::attributes::{mask_destination, validate_update};
use crate::directory::clients::Client;
use crate::directory::codes::{self, CodeCheck, Purpose};
use crate::directory::pools::Pool;
use crate::directory::users::{self, User};
use crate::directory::{aliases, DirectoryError};
use crate::messaging::Email;

/// Attributes only the server sets, whoever asks.
const SERVER_OWNED: &[&str] = &["sub", "identities"];

fn purpose(name: &str) -> Option<Purpose> {
    match name {
        "email" => Some(Purpose::VerifyEmail),
        "phone_number" => Some(Purpose::VerifyPhone),
        _ => None,
    }
}

/// The lookup key of a user whose e-mail/phone is the username.
fn username_key(pool: &Pool, name: &str, value: &str) -> Option<String> {
    pool.settings
        .username_attributes()
        .iter()
        .any(|a| a == name)
        .then(|| aliases::key(value, pool.settings.case_sensitive_usernames()))
}

/// A new value of `name` waiting for its code, if any.
pub async fn pending_value(
    core: &Core,
    user: &User,
    name: &str,
) -> Result<Option<String>, AuthError> {
    let (sub, n) = (user.sub.to_string(), name.to_string());
    Ok(core
        .db
        .run(move |conn| {
            pa::table
                .find((&sub, &n))
                .select(pa::value)
                .get_result::<String>(conn)
                .optional()
                .map_err(DirectoryError::from)
        })
        .await?)
}

/// Sends a code for `name` to `value`.
async fn send_code(
    core: &Core,
    pool: &Pool,
    user: &User,
    name: &str,
    value: &str,
    now: i64,
) -> Result<CodeDelivery, AuthError> {
    let purpose = purpose(name)
        .ok_or_else(|| AuthError::InvalidParameter(format!("{name} cannot be verified.")))?;
    let out = Outgoing {
        purpose,
        attribute: if name == "email" {
            "email"
        } else {
            "phone_number"
        },
        destination: value,
        wording: Wording::Verification,
    };
    super::delivery::send_code(core, pool, user, out, now).await
}

/// UpdateUserAttributes (`admin`: AdminUpdateUserAttributes, which may also
/// set the `*_verified` flags). Returns where codes went.
pub async fn update(
    core: &Core,
    pool: &Pool,
    user: &User,
    changes: &[(String, String)],
    admin: bool,
    now: i64,
) -> Result<Vec<CodeDelivery>, AuthError> {
    let mut attrs: BTreeMap<String, String> = user.attributes.clone();
    let mut pending: Vec<(String, String)> = Vec::new();
    let mut to_verify: Vec<(String, String)> = Vec::new();
    let mut old_email: Option<String> = None;
    let mut released: Vec<String> = Vec::new();
    let mut key: Option<String> = None;
    let auto = pool.settings.auto_verified_attributes();
    let keep = &pool
        .settings
        .user_attribute_update_settings
        .attributes_require_verification_before_update;
    for (name, value) in changes {
        if SERVER_OWNED.contains(&name.as_str()) {
            return Err(AuthError::InvalidParameter(format!(
                "A client attempted to write unauthorized attribute: {name}"
            )));
        }
        if let Some(base) = name.strip_suffix("_verified") {
            if !admin || (value != "true" && value != "false") || purpose(base).is_none() {
                return Err(AuthError::InvalidParameter(format!(
                    "A client attempted to write unauthorized attribute: {name}"
                )));
            }
            attrs.insert(name.clone(), value.clone());
            continue;
        }
        validate_update(&pool.settings, name, value)
            .map_err(|e| AuthError::InvalidParameter(e.0))?;
        let changed = user.attribute(name) != Some(value.as_str());
        let verified_kind = purpose(name).is_some() && auto.iter().any(|a| a == name);
        if !changed {
            continue;
        }
        if verified_kind && !admin {
            if name == "email" {
                old_email = user.attribute("email").map(str::to_string);
            }
            to_verify.push((name.clone(), value.clone()));
            if keep.iter().any(|k| k == name) {
                pending.push((name.clone(), value.clone()));
                continue;
            }
            attrs.insert(format!("{name}_verified"), "false".into());
            released.push(name.clone());
        }
        attrs.insert(name.clone(), value.clone());
        if let Some(k) = username_key(pool, name, value) {
            key = Some(k);
        }
    }
    let (sub, p) = (user.sub.clone(), pending.clone());
    core.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                users::set_attributes(conn, &sub, &attrs, key.as_deref())?;
                for kind in &released {
                    diesel::delete(
                        user_aliases::table
                            .filter(user_aliases::user_id.eq(sub.as_str()))
                            .filter(user_aliases::kind.eq(kind)),
                    )
                    .execute(conn)?;
                }
                for (name, value) in &p {
                    diesel::delete(pa::table.find((sub.as_str(), name))).execute(conn)?;
                    diesel::insert_into(pa::table)
                        .values((
                            pa::user_id.eq(sub.as_str()),
                            pa::name.eq(name),
                            pa::value.eq(value),
                        ))
                        .execute(conn)?;
                }
                Ok::<_, DirectoryError>(())
            })
        })
        .await?;
    let mut deliveries = Vec::new();
    for (name, value) in &to_verify {
        deliveries.push(send_code(core, pool, user, name, value, now).await?);
    }
    // The old address hears of the change.
    if let (Some(old), Some((_, new))) = (old_email, to_verify.iter().find(|(n, _)| n == "email")) {
        let message = format!(
            "The e-mail address of your {} account is being changed to {}. If you did not ask for this, contact the app's administrator.",
            pool.name,
            mask_destination(new)
        );
        let email = Email::from_pool(
            &pool.name,
            &old,
            "Your e-mail address is changing".into(),
            &message,
        )?
        .with_from(pool.settings.email_from());
        if let Err(e) = core.messenger.send_email(email, now).await {
            tracing::warn!(error = %e, "the old address could not be told of the change");
        }
    }
    Ok(deliveries)
}

/// GetUserAttributeVerificationCode: a code for the pending (else current)
/// value of `name`.
pub async fn send_verification_code(
    core: &Core,
    pool: &Pool,
    user: &User,
    name: &str,
    now: i64,
) -> Result<CodeDelivery, AuthError> {
    let value = match pending_value(core, user, name).await? {
        Some(v) => v,
        None => user
            .attribute(name)
            .map(str::to_string)
            .ok_or_else(|| AuthError::InvalidParameter(format!("The user has no {name}.")))?,
    };
    send_code(core, pool, user, name, &value, now).await
}

/// VerifyUserAttribute: the code proves the (pending, else current) value;
/// it comes into force, verified, and becomes an alias where the pool has
/// that kind (AliasExists if another user holds it).
pub async fn verify(
    core: &Core,
    pool: &Pool,
    user: &User,
    name: &str,
    code: &str,
    now: i64,
) -> Result<(), AuthError> {
    let purpose = purpose(name)
        .ok_or_else(|| AuthError::InvalidParameter(format!("{name} cannot be verified.")))?;
    let value = match pending_value(core, user, name).await? {
        Some(v) => v,
        None => user
            .attribute(name)
            .map(str::to_string)
            .ok_or_else(|| AuthError::InvalidParameter(format!("The user has no {name}.")))?,
    };
    let mut attrs = user.attributes.clone();
    attrs.insert(name.to_string(), value.clone());
    attrs.insert(format!("{name}_verified"), "true".into());
    let key = username_key(pool, name, &value);
    let alias = pool
        .settings
        .alias_attributes()
        .iter()
        .any(|a| a == name)
        .then(|| aliases::key(&value, pool.settings.case_sensitive_usernames()));
    let pepper = core.code_pepper.expose_secret().as_bytes().to_vec();
    let (sub, pool_id, n, code) = (
        user.sub.clone(),
        pool.id.clone(),
        name.to_string(),
        code.to_string(),
    );
    let outcome = core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                Ok::<_, DirectoryError>(
                    match codes::consume(conn, &pepper, &sub, purpose, &code, now)? {
                        CodeCheck::Ok => {
                            users::set_attributes(conn, &sub, &attrs, key.as_deref())?;
                            diesel::delete(pa::table.find((sub.as_str(), n.as_str())))
                                .execute(conn)?;
                            if let Some(a) = &alias {
                                aliases::claim(conn, &pool_id, &n, a, &sub, false)?;
                            }
                            Ok(())
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

/// The attributes whose value can be a sign-in alias (`user_aliases.kind`).
const ALIAS_KINDS: &[&str] = &["email", "phone_number", "preferred_username"];

/// Checks that `name` may be deleted from a user of `pool`, by the app
/// `client` (DeleteUserAttributes) or an administrator (`None`).
fn check_deletable(pool: &Pool, client: Option<&Client>, name: &str) -> Result<(), AuthError> {
    let invalid = |m: String| Err(AuthError::InvalidParameter(m));
    let unauthorized = || {
        invalid(format!(
            "A client attempted to write unauthorized attribute: {name}"
        ))
    };
    if SERVER_OWNED.contains(&name) {
        return unauthorized();
    }
    if let Some(c) = client {
        let allowed = &c.settings.write_attributes;
        if !allowed.is_empty() && !allowed.iter().any(|a| a == name) {
            return unauthorized();
        }
    }
    if let Some(base) = name.strip_suffix("_verified") {
        // Only an administrator marks an address unverified.
        return if client.is_none() && purpose(base).is_some() {
            Ok(())
        } else {
            unauthorized()
        };
    }
    let Some(attr) = pool.settings.schema_attribute(name) else {
        return invalid(format!(
            "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
        ));
    };
    if attr.required {
        return invalid(format!(
            "Attributes did not conform to the schema: {name}: The attribute {name} is required"
        ));
    }
    if !attr.mutable {
        return invalid(format!("Cannot modify the non-mutable attribute {name}"));
    }
    if pool
        .settings
        .username_attributes()
        .iter()
        .any(|a| a == name)
    {
        return invalid(format!(
            "Cannot delete {name}: it is the username in this user pool."
        ));
    }
    Ok(())
}

/// DeleteUserAttributes (`client`: the app client of the access token, whose
/// WriteAttributes apply) and AdminDeleteUserAttributes (`client` = `None`,
/// which may also clear the `*_verified` flags). `sub`, required and
/// immutable attributes, and the e-mail or phone number that is the
/// username cannot be deleted; nothing changes if one of the names is
/// refused. Deleting an e-mail address or phone number also drops its
/// verified flag and a new value waiting for its code; an attribute that
/// stops being a verified value stops being a sign-in alias.
pub async fn delete(
    core: &Core,
    pool: &Pool,
    user: &User,
    names: &[String],
    client: Option<&Client>,
) -> Result<(), AuthError> {
    for name in names {
        check_deletable(pool, client, name)?;
    }
    let mut attrs = user.attributes.clone();
    let mut released: Vec<String> = Vec::new();
    for name in names {
        let kind = name.strip_suffix("_verified").unwrap_or(name);
        attrs.remove(name);
        if purpose(name).is_some() {
            attrs.remove(&format!("{name}_verified"));
        }
        if ALIAS_KINDS.contains(&kind) {
            released.push(kind.to_string());
        }
    }
    let pending: Vec<String> = names
        .iter()
        .filter(|n| purpose(n).is_some())
        .cloned()
        .collect();
    let sub = user.sub.clone();
    core.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                users::set_attributes(conn, &sub, &attrs, None)?;
                for kind in &released {
                    diesel::delete(
                        user_aliases::table
                            .filter(user_aliases::user_id.eq(sub.as_str()))
                            .filter(user_aliases::kind.eq(kind)),
                    )
                    .execute(conn)?;
                }
                for name in &pending {
                    diesel::delete(pa::table.find((sub.as_str(), name))).execute(conn)?;
                }
                Ok::<_, DirectoryError>(())
            })
        })
        .await?;
    Ok(())
}
