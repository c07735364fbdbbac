//! Federated sign-in, the directory's half: which provider an app may send
//! a user to, the provider's claims as pool attributes (the provider's
//! `AttributeMapping`), and the user an external identity signs in as.
//!
//! - The first sign-in of an identity creates the user `{Provider}_{sub}`
//!   with status EXTERNAL_PROVIDER, the mapped attributes and the
//!   `identities` attribute; later sign-ins refresh the mapped attributes.
//! - An identity is never bound to an existing account because an e-mail
//!   (or anything else) matches: only AdminLinkProviderForUser binds one to
//!   a local user. A linked local user's attributes are not rewritten by
//!   the provider.
//! - `email_verified` / `phone_number_verified` are true only when mapped
//!   from a claim that says so; a mapped e-mail or phone without its flag
//!   is unverified.
//! - Immutable attributes are written at creation only.
//! - Federated users take no part in alias sign-in: they have no password.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{AuthError, Core};
use crate::db::write_tx;
use crate::directory::clients::Client;
use crate::directory::identity_providers::{self, IdentityProvider, ProviderType};
use crate::directory::pools::Pool;
use crate::directory::users::{self, NewUser, User, UserStatus};
use crate::directory::{identities, user_admin, UserSub};
use crate::federation::Provider;
use crate::tokens::IDENTITIES;

/// The provider attribute AdminLinkProviderForUser and
/// AdminDisableProviderForUser name for OIDC and social providers.
pub const COGNITO_SUBJECT: &str = "Cognito_Subject";

/// How an authorization request names its provider.
pub enum ProviderChoice<'a> {
    /// `identity_provider=`
    Name(&'a str),
    /// `idp_identifier=`
    Identifier(&'a str),
}

/// The provider an app asks for, if the pool has it and the app client
/// allows it.
pub async fn provider_for(
    core: &Core,
    pool: &Pool,
    client: &Client,
    choice: ProviderChoice<'_>,
) -> Result<IdentityProvider, AuthError> {
    let pool_id = pool.id.clone();
    let (name, by_identifier) = match choice {
        ProviderChoice::Name(n) => (n.to_string(), false),
        ProviderChoice::Identifier(i) => (i.to_string(), true),
    };
    let found = core
        .db
        .run(move |conn| {
            if by_identifier {
                identity_providers::find_by_identifier(conn, &pool_id, &name)
            } else {
                identity_providers::get(conn, &pool_id, &name)
            }
        })
        .await?;
    found
        .filter(|p| {
            client
                .settings
                .supported_identity_providers()
                .contains(&p.name)
        })
        .ok_or_else(|| {
            AuthError::InvalidParameter(
                "The identity provider is not enabled for this app client.".into(),
            )
        })
}

/// The providers an app client offers on the sign-in page, in the order
/// the client lists them.
pub async fn providers_of_client(
    core: &Core,
    pool: &Pool,
    client: &Client,
) -> Result<Vec<IdentityProvider>, AuthError> {
    let wanted: Vec<String> = client
        .settings
        .supported_identity_providers()
        .iter()
        .filter(|n| *n != "COGNITO")
        .cloned()
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let pool_id = pool.id.clone();
    let all = core
        .db
        .run(move |conn| identity_providers::list(conn, &pool_id))
        .await?;
    Ok(wanted
        .iter()
        .filter_map(|n| all.iter().find(|p| p.name == *n).cloned())
        .collect())
}

/// The provider as the relying party needs it.
pub fn relying_party(idp: &IdentityProvider) -> Provider<'_> {
    Provider {
        google: idp.provider_type == ProviderType::Google,
        details: &idp.details,
    }
}

/// The claims the attribute mapping reads (for userinfo).
pub fn wanted_claims(idp: &IdentityProvider) -> Vec<&str> {
    idp.attribute_mapping.values().map(String::as_str).collect()
}

fn claim_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The identity's subject and its attributes under the mapping.
pub fn map_claims(
    idp: &IdentityProvider,
    claims: &Map<String, Value>,
) -> Result<(String, BTreeMap<String, String>), AuthError> {
    let subject_claim = idp
        .attribute_mapping
        .get("username")
        .map(String::as_str)
        .unwrap_or("sub");
    let subject = claims
        .get(subject_claim)
        .and_then(claim_text)
        .filter(|s| !s.is_empty() && s.chars().count() <= 128)
        .ok_or_else(|| {
            AuthError::InvalidParameter(format!(
                "The identity provider sent no usable {subject_claim} claim."
            ))
        })?;
    let mut attrs = BTreeMap::new();
    for (attr, claim) in &idp.attribute_mapping {
        if attr == "username" {
            continue;
        }
        let Some(value) = claims.get(claim).and_then(claim_text) else {
            continue;
        };
        let value = if attr.ends_with("_verified") {
            (value.eq_ignore_ascii_case("true")).to_string()
        } else {
            value
        };
        if value.chars().count() > 2048 {
            return Err(AuthError::InvalidParameter(format!(
                "The identity provider's value for {attr} is longer than 2048 characters."
            )));
        }
        attrs.insert(attr.clone(), value);
    }
    for (attr, flag) in [
        ("email", "email_verified"),
        ("phone_number", "phone_number_verified"),
    ] {
        if attrs.contains_key(attr) && !attrs.contains_key(flag) {
            attrs.insert(flag.to_string(), "false".into());
        }
    }
    Ok((subject, attrs))
}

/// The user `claims` (verified by the relying party) sign in as: the one
/// the identity is bound to, else a new EXTERNAL_PROVIDER user.
pub async fn sign_in(
    core: &Core,
    pool: &Pool,
    idp: &IdentityProvider,
    claims: &Map<String, Value>,
    now: i64,
) -> Result<User, AuthError> {
    let (subject, mapped) = map_claims(idp, claims)?;
    let pool = pool.clone();
    let provider = idp.name.clone();
    let provider_type = idp.provider_type.as_str();
    let user = core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let bound = identities::find(conn, &pool.id, &provider, &subject)?;
                if let Some(sub) = bound {
                    let user = users::find_by_sub(conn, sub.as_str())?
                        .ok_or_else(|| AuthError::Internal("identity without a user".into()))?;
                    return refresh_attributes(conn, &pool, user, &mapped);
                }
                let username = format!("{provider}_{subject}");
                let key = crate::directory::aliases::key(
                    &username,
                    pool.settings.case_sensitive_usernames(),
                );
                if let Some(existing) = users::find_by_username_key(conn, &pool.id, &key)? {
                    // The identity's own user, whose binding was removed
                    // with its provider: bind it again. Anyone else's
                    // account is never taken over.
                    if existing.status != UserStatus::ExternalProvider
                        || existing.username != username
                    {
                        return Err(AuthError::UsernameExists);
                    }
                    identities::link(conn, &pool.id, &provider, &subject, &existing.sub, now)?;
                    return refresh_attributes(conn, &pool, existing, &mapped);
                }
                let missing: Vec<String> = pool
                    .settings
                    .required_attributes()
                    .into_iter()
                    .filter(|a| !mapped.contains_key(a))
                    .collect();
                if !missing.is_empty() {
                    return Err(AuthError::InvalidParameter(format!(
                        "The identity provider did not supply the required attributes: {}.",
                        missing.join(", ")
                    )));
                }
                let mut attributes = mapped;
                attributes.insert(
                    IDENTITIES.into(),
                    identities::with_identity(None, &provider, provider_type, &subject, now * 1000),
                );
                let sub = UserSub::generate();
                let user = users::create(
                    conn,
                    NewUser {
                        sub: &sub,
                        pool_id: &pool.id,
                        username: &username,
                        username_key: &key,
                        password: None,
                        status: UserStatus::ExternalProvider,
                        attributes: &attributes,
                    },
                    now,
                )?;
                identities::link(conn, &pool.id, &provider, &subject, &sub, now)?;
                Ok::<_, AuthError>(user)
            })
        })
        .await?;
    if !user.enabled {
        return Err(AuthError::NotAuthorized("User is disabled.".into()));
    }
    Ok(user)
}

/// Writes the mapped attributes onto the identity's own user (mutable ones
/// only); a linked local user is left as it is.
fn refresh_attributes(
    conn: &mut crate::db::Conn,
    pool: &Pool,
    mut user: User,
    mapped: &BTreeMap<String, String>,
) -> Result<User, AuthError> {
    if user.status != UserStatus::ExternalProvider {
        return Ok(user);
    }
    let mut changed = false;
    for (name, value) in mapped {
        let mutable = pool
            .settings
            .schema_attribute(name)
            .is_none_or(|a| a.mutable);
        if mutable && user.attributes.get(name) != Some(value) {
            user.attributes.insert(name.clone(), value.clone());
            changed = true;
        }
    }
    if changed {
        users::set_attributes(conn, &user.sub, &user.attributes, None)?;
    }
    Ok(user)
}

/// One side of AdminLinkProviderForUser / AdminDisableProviderForUser
/// (`ProviderUserIdentifierType`).
#[derive(Clone, Debug)]
pub struct ProviderUser {
    pub provider_name: String,
    pub attribute_name: Option<String>,
    pub attribute_value: String,
}

fn is_cognito(name: &str) -> bool {
    name.eq_ignore_ascii_case("cognito")
}

/// Checks that `u` names an identity of one of the pool's providers by
/// its subject; the provider's type.
fn external_side(
    conn: &mut crate::db::Conn,
    pool: &Pool,
    u: &ProviderUser,
    side: &str,
) -> Result<ProviderType, AuthError> {
    if is_cognito(&u.provider_name) {
        return Err(AuthError::InvalidParameter(format!(
            "Invalid {side}: Cognito users with a username/password may not be passed in as a {side}, only as a DestinationUser"
        )));
    }
    match u.attribute_name.as_deref() {
        Some(COGNITO_SUBJECT) => {}
        _ => {
            return Err(AuthError::InvalidParameter(format!(
            "{side}.ProviderAttributeName must be {COGNITO_SUBJECT} for OIDC and social providers."
        )))
        }
    }
    if u.attribute_value.is_empty() || u.attribute_value.chars().count() > 128 {
        return Err(AuthError::InvalidParameter(format!(
            "{side}.ProviderAttributeValue must be 1 to 128 characters."
        )));
    }
    let idp = identity_providers::get(conn, &pool.id, &u.provider_name)?.ok_or_else(|| {
        AuthError::InvalidParameter(format!(
            "The identity provider {} does not exist in this user pool.",
            u.provider_name
        ))
    })?;
    Ok(idp.provider_type)
}

/// AdminLinkProviderForUser: from now on the external identity `source`
/// signs in as the local user `destination` (a user name). The identity
/// must not have signed in (or been linked) before.
pub async fn admin_link(
    core: &Core,
    pool: &Pool,
    destination: ProviderUser,
    source: ProviderUser,
    now: i64,
) -> Result<(), AuthError> {
    if !is_cognito(&destination.provider_name) {
        return Err(AuthError::InvalidParameter(
            "DestinationUser.ProviderName must be Cognito.".into(),
        ));
    }
    let pool = pool.clone();
    core.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let provider_type = external_side(conn, &pool, &source, "SourceUser")?;
                let user = super::signin::find_user_in(conn, &pool, &destination.attribute_value)?
                    .ok_or(AuthError::UserNotFound)?;
                if user.status == UserStatus::ExternalProvider {
                    return Err(AuthError::InvalidParameter(
                        "The DestinationUser must be a local user, not one created by an identity provider."
                            .into(),
                    ));
                }
                let (provider, subject) = (&source.provider_name, &source.attribute_value);
                if identities::count_for_user(conn, &user.sub)? >= identities::MAX_PER_USER {
                    return Err(AuthError::LimitExceeded);
                }
                // The identity's own user exists: it has signed in already.
                let own = format!("{provider}_{subject}");
                let key =
                    crate::directory::aliases::key(&own, pool.settings.case_sensitive_usernames());
                if identities::find(conn, &pool.id, provider, subject)?.is_some()
                    || users::find_by_username_key(conn, &pool.id, &key)?.is_some()
                {
                    return Err(AuthError::InvalidParameter(
                        "Merging is not currently supported, provide a SourceUser that has not been linked to a user."
                            .into(),
                    ));
                }
                identities::link(conn, &pool.id, provider, subject, &user.sub, now)?;
                let mut attributes = user.attributes.clone();
                let value = identities::with_identity(
                    attributes.get(IDENTITIES).map(String::as_str),
                    provider,
                    provider_type.as_str(),
                    subject,
                    now * 1000,
                );
                attributes.insert(IDENTITIES.into(), value);
                users::set_attributes(conn, &user.sub, &attributes, None)?;
                Ok::<_, AuthError>(())
            })
        })
        .await
}

/// AdminDisableProviderForUser: the external identity `u` no longer signs
/// in as the user it is bound to. A linked local user keeps its account
/// (the identity's next sign-in makes a new user); the identity's own
/// user is disabled.
pub async fn admin_disable(
    core: &Core,
    pool: &Pool,
    u: ProviderUser,
    now: i64,
) -> Result<(), AuthError> {
    let pool = pool.clone();
    core.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                external_side(conn, &pool, &u, "User")?;
                let (provider, subject) = (&u.provider_name, &u.attribute_value);
                let Some(sub) = identities::unlink(conn, &pool.id, provider, subject)? else {
                    return Err(AuthError::UserNotFound);
                };
                let user =
                    users::find_by_sub(conn, sub.as_str())?.ok_or(AuthError::UserNotFound)?;
                let mut attributes = user.attributes.clone();
                match identities::without_identity(
                    attributes.get(IDENTITIES).map(String::as_str),
                    provider,
                    subject,
                ) {
                    Some(v) => attributes.insert(IDENTITIES.into(), v),
                    None => attributes.remove(IDENTITIES),
                };
                users::set_attributes(conn, &sub, &attributes, None)?;
                if user.status == UserStatus::ExternalProvider {
                    user_admin::set_enabled(conn, &pool.id, &sub, false, now)?;
                }
                Ok::<_, AuthError>(())
            })
        })
        .await
}
