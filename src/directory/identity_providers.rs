//! External identity providers of a pool (CreateIdentityProvider and its
//! kin): Google and generic OpenID Connect, stored in Cognito's shape —
//! `ProviderDetails` and `AttributeMapping` as string maps, `IdpIdentifiers`
//! as a list — so that the API, the console and the federated sign-in read
//! the same object.
//!
//! The rules live in one pure function, [`rules::validate`], which both the
//! API and the console call through [`create`] and [`update`]. Decisions
//! where Cognito's documentation leaves room:
//!
//! - Only `Google` and `OIDC` are implemented; the other types of the model
//!   are refused as not supported by cognate.
//! - URLs of an OIDC provider (`oidc_issuer`, `authorize_url`, `token_url`,
//!   `attributes_url`, `jwks_uri`) must be https on port 443 (or 80), as
//!   Cognito requires, except on a loopback host (`localhost`,
//!   `127.0.0.0/8`, `[::1]`), where http and any port are accepted: a
//!   development or test provider runs on this machine.
//! - `client_secret` is required for OIDC as for Google: Cognito's guide
//!   says an OIDC IdP needs a client ID and secret, and it authenticates to
//!   the token endpoint with `client_secret_post` only.
//! - `attributes_request_method` defaults to `GET`; the four explicit
//!   endpoints go together (all or none, as the console's "manual input").
//! - Keys Cognito fills in itself (Google's endpoints,
//!   `attributes_url_add_attributes`) are accepted and replaced, so that a
//!   Describe's details can be sent back to Update; other keys are refused.
//! - `sub` and `identities` cannot be mapped (Cognito maintains them); a
//!   Google provider maps `username` only to `sub`.
//! - An update that gives `ProviderDetails` replaces them, keeping the stored
//!   `client_secret` when the new details leave it out.
//! - Deleting a provider forgets its linked identities and takes it out of
//!   the app clients' `SupportedIdentityProviders` (Cognito documents no
//!   refusal), in one transaction.
//!
//! The client secret never reaches a log: [`IdentityProvider`]'s `Debug`
//! hides it, and no error message repeats a detail's value.

pub mod rules;

use std::collections::BTreeMap;

use diesel::prelude::*;

pub use rules::{ProviderInput, ProviderSpec};

use super::client_settings::ClientSettings;
use super::{clients, pools, DirectoryError, PoolId};
use crate::db::schema::{identity_providers, user_identities};
use crate::db::{write_tx, Conn, DbError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderType {
    Google,
    Oidc,
}

impl ProviderType {
    /// The name Cognito's API uses.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProviderType::Google => "Google",
            ProviderType::Oidc => "OIDC",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderType> {
        match s {
            "Google" => Some(ProviderType::Google),
            "OIDC" => Some(ProviderType::Oidc),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct IdentityProvider {
    pub pool_id: PoolId,
    pub name: String,
    pub provider_type: ProviderType,
    /// ProviderDetails as Cognito returns them (for Google, with Google's endpoints filled in).
    pub details: BTreeMap<String, String>,
    /// Pool attribute name -> provider claim; always has "username" (default "sub").
    pub attribute_mapping: BTreeMap<String, String>,
    pub idp_identifiers: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Shows every member but the client secret.
impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let details: BTreeMap<&str, &str> = self
            .details
            .iter()
            .map(|(k, v)| {
                let shown = if k == "client_secret" { "<hidden>" } else { v };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("IdentityProvider")
            .field("pool_id", &self.pool_id)
            .field("name", &self.name)
            .field("provider_type", &self.provider_type)
            .field("details", &details)
            .field("attribute_mapping", &self.attribute_mapping)
            .field("idp_identifiers", &self.idp_identifiers)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

impl IdentityProvider {
    /// A detail's value (`client_id`, `oidc_issuer`, …).
    pub fn detail(&self, key: &str) -> Option<&str> {
        self.details.get(key).map(String::as_str)
    }

    /// What an update leaves as it was: the stored members as an input.
    pub fn as_input(&self) -> ProviderInput {
        ProviderInput {
            name: self.name.clone(),
            provider_type: self.provider_type.as_str().to_string(),
            details: self.details.clone(),
            attribute_mapping: self.attribute_mapping.clone(),
            idp_identifiers: self.idp_identifiers.clone(),
        }
    }
}

/// UpdateIdentityProvider's members; an absent one keeps its value.
#[derive(Clone, Default)]
pub struct ProviderChanges {
    pub details: Option<BTreeMap<String, String>>,
    pub attribute_mapping: Option<BTreeMap<String, String>>,
    pub idp_identifiers: Option<Vec<String>>,
}

impl ProviderChanges {
    /// The provider with these changes laid over it, to validate again.
    pub fn apply_to(&self, current: &IdentityProvider) -> ProviderInput {
        let mut input = current.as_input();
        if let Some(details) = &self.details {
            let mut details = details.clone();
            if let Some(secret) = current.detail("client_secret") {
                details
                    .entry("client_secret".into())
                    .or_insert_with(|| secret.to_string());
            }
            input.details = details;
        }
        if let Some(mapping) = &self.attribute_mapping {
            input.attribute_mapping = mapping.clone();
        }
        if let Some(ids) = &self.idp_identifiers {
            input.idp_identifiers = ids.clone();
        }
        input
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = identity_providers)]
struct ProviderRow {
    pool_id: String,
    name: String,
    provider_type: String,
    details: String,
    attribute_mapping: String,
    idp_identifiers: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = identity_providers)]
struct NewProvider<'a> {
    pool_id: &'a str,
    name: &'a str,
    provider_type: &'a str,
    details: &'a str,
    attribute_mapping: &'a str,
    idp_identifiers: &'a str,
    created_at: i64,
    updated_at: i64,
}

fn corrupt(name: &str, what: impl std::fmt::Display) -> DirectoryError {
    DirectoryError::Db(DbError::Migration(format!(
        "stored identity provider {name} does not parse: {what}"
    )))
}

impl TryFrom<ProviderRow> for IdentityProvider {
    type Error = DirectoryError;
    fn try_from(r: ProviderRow) -> Result<IdentityProvider, DirectoryError> {
        let provider_type = ProviderType::parse(&r.provider_type)
            .ok_or_else(|| corrupt(&r.name, format!("type {}", r.provider_type)))?;
        let details = serde_json::from_str(&r.details).map_err(|e| corrupt(&r.name, e))?;
        let attribute_mapping =
            serde_json::from_str(&r.attribute_mapping).map_err(|e| corrupt(&r.name, e))?;
        let idp_identifiers =
            serde_json::from_str(&r.idp_identifiers).map_err(|e| corrupt(&r.name, e))?;
        Ok(IdentityProvider {
            pool_id: PoolId::from_db(r.pool_id),
            name: r.name,
            provider_type,
            details,
            attribute_mapping,
            idp_identifiers,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The stored JSON of a spec's details, mapping and identifiers.
fn to_json(spec: &ProviderSpec) -> Result<(String, String, String), DirectoryError> {
    let json = |v: serde_json::Result<String>| {
        v.map_err(|e| DirectoryError::InvalidParameter(format!("provider does not serialize: {e}")))
    };
    Ok((
        json(serde_json::to_string(&spec.details))?,
        json(serde_json::to_string(&spec.attribute_mapping))?,
        json(serde_json::to_string(&spec.idp_identifiers))?,
    ))
}

pub fn get(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &str,
) -> Result<Option<IdentityProvider>, DirectoryError> {
    identity_providers::table
        .find((pool_id.as_str(), name))
        .select(ProviderRow::as_select())
        .get_result(conn)
        .optional()?
        .map(IdentityProvider::try_from)
        .transpose()
}

/// Like [`get`], but a missing provider is ResourceNotFoundException.
pub fn require(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &str,
) -> Result<IdentityProvider, DirectoryError> {
    get(conn, pool_id, name)?.ok_or_else(|| not_found(pool_id, name))
}

fn not_found(pool_id: &PoolId, name: &str) -> DirectoryError {
    DirectoryError::NotFound(format!(
        "Identity provider {name} does not exist in user pool {pool_id}."
    ))
}

/// Every provider of the pool, by name.
pub fn list(conn: &mut Conn, pool_id: &PoolId) -> Result<Vec<IdentityProvider>, DirectoryError> {
    list_page(conn, pool_id, None, i64::MAX)
}

/// Up to `limit` providers of the pool in name order, after `after`.
pub fn list_page(
    conn: &mut Conn,
    pool_id: &PoolId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<IdentityProvider>, DirectoryError> {
    let mut q = identity_providers::table
        .filter(identity_providers::pool_id.eq(pool_id.as_str()))
        .select(ProviderRow::as_select())
        .order(identity_providers::name.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(identity_providers::name.gt(a));
    }
    q.load(conn)?
        .into_iter()
        .map(IdentityProvider::try_from)
        .collect()
}

/// The provider of the pool that lists `identifier` among its IdpIdentifiers.
pub fn find_by_identifier(
    conn: &mut Conn,
    pool_id: &PoolId,
    identifier: &str,
) -> Result<Option<IdentityProvider>, DirectoryError> {
    Ok(list(conn, pool_id)?
        .into_iter()
        .find(|p| p.idp_identifiers.iter().any(|i| i == identifier)))
}

/// Refuses identifiers another provider of the pool already has.
fn check_identifiers_free(
    conn: &mut Conn,
    pool_id: &PoolId,
    spec: &ProviderSpec,
) -> Result<(), DirectoryError> {
    for other in list(conn, pool_id)? {
        if other.name == spec.name {
            continue;
        }
        if let Some(taken) = spec
            .idp_identifiers
            .iter()
            .find(|i| other.idp_identifiers.contains(i))
        {
            return Err(DirectoryError::InvalidParameter(format!(
                "The identifier {taken} is already used by provider {} of this user pool.",
                other.name
            )));
        }
    }
    Ok(())
}

fn duplicate(name: &str, pool_id: &PoolId) -> DirectoryError {
    DirectoryError::DuplicateProvider(format!("{name} already exists in user pool {pool_id}"))
}

/// CreateIdentityProvider: validates against the pool's schema and stores.
/// A missing pool is ResourceNotFoundException, a taken name
/// DuplicateProviderException.
pub fn create(
    conn: &mut Conn,
    pool_id: &PoolId,
    input: &ProviderInput,
    now: i64,
) -> Result<IdentityProvider, DirectoryError> {
    write_tx(conn, |conn| {
        let pool = pools::get(conn, pool_id.as_str())?;
        let spec = rules::validate(input, &pool.settings)?;
        if get(conn, pool_id, &spec.name)?.is_some() {
            return Err(duplicate(&spec.name, pool_id));
        }
        check_identifiers_free(conn, pool_id, &spec)?;
        let (details, mapping, ids) = to_json(&spec)?;
        diesel::insert_into(identity_providers::table)
            .values(NewProvider {
                pool_id: pool_id.as_str(),
                name: &spec.name,
                provider_type: spec.provider_type.as_str(),
                details: &details,
                attribute_mapping: &mapping,
                idp_identifiers: &ids,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)?;
        Ok(stored(pool_id, spec, now, now))
    })
}

fn stored(pool_id: &PoolId, spec: ProviderSpec, created: i64, updated: i64) -> IdentityProvider {
    IdentityProvider {
        pool_id: pool_id.clone(),
        name: spec.name,
        provider_type: spec.provider_type,
        details: spec.details,
        attribute_mapping: spec.attribute_mapping,
        idp_identifiers: spec.idp_identifiers,
        created_at: created,
        updated_at: updated,
    }
}

/// UpdateIdentityProvider: the changes over the stored provider, validated
/// as a new one would be.
pub fn update(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &str,
    changes: &ProviderChanges,
    now: i64,
) -> Result<IdentityProvider, DirectoryError> {
    write_tx(conn, |conn| {
        let pool = pools::get(conn, pool_id.as_str())?;
        let current = require(conn, pool_id, name)?;
        let spec = rules::validate(&changes.apply_to(&current), &pool.settings)?;
        check_identifiers_free(conn, pool_id, &spec)?;
        let (details, mapping, ids) = to_json(&spec)?;
        let n = diesel::update(identity_providers::table.find((pool_id.as_str(), name)))
            .set((
                identity_providers::details.eq(&details),
                identity_providers::attribute_mapping.eq(&mapping),
                identity_providers::idp_identifiers.eq(&ids),
                identity_providers::updated_at.eq(now),
            ))
            .execute(conn)?;
        if n != 1 {
            return Err(not_found(pool_id, name));
        }
        Ok(stored(pool_id, spec, current.created_at, now))
    })
}

/// DeleteIdentityProvider: the provider, the identities linked through it,
/// and its place in the app clients' SupportedIdentityProviders, at once.
pub fn delete(
    conn: &mut Conn,
    pool_id: &PoolId,
    name: &str,
    now: i64,
) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        pools::get(conn, pool_id.as_str())?;
        diesel::delete(
            user_identities::table
                .filter(user_identities::pool_id.eq(pool_id.as_str()))
                .filter(user_identities::provider_name.eq(name)),
        )
        .execute(conn)?;
        let n = diesel::delete(identity_providers::table.find((pool_id.as_str(), name)))
            .execute(conn)?;
        if n != 1 {
            return Err(not_found(pool_id, name));
        }
        for client in clients::list(conn, pool_id, None, i64::MAX)? {
            if !client
                .settings
                .supported_identity_providers
                .iter()
                .any(|p| p == name)
            {
                continue;
            }
            let mut settings = client.settings.clone();
            settings.supported_identity_providers.retain(|p| p != name);
            clients::update(conn, &client, &settings, now)?;
        }
        Ok(())
    })
}

/// The check CreateUserPoolClient and UpdateUserPoolClient make (and the
/// console's client form): every `SupportedIdentityProviders` entry but
/// `COGNITO` names a provider of the pool.
pub fn check_client_providers(
    conn: &mut Conn,
    pool_id: &PoolId,
    settings: &ClientSettings,
) -> Result<(), DirectoryError> {
    for name in settings.supported_identity_providers() {
        if name == rules::COGNITO {
            continue;
        }
        if get(conn, pool_id, name)?.is_none() {
            return Err(DirectoryError::InvalidParameter(format!(
                "The provider {name} does not exist for User Pool {pool_id}"
            )));
        }
    }
    Ok(())
}
