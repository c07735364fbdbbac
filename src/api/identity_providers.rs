//! CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
//! DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier. The rules are the directory's
//! (`identity_providers::rules`); this face reads the members and shapes
//! `IdentityProviderType` and `ProviderDescription`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::pools::pool_id;
use super::{decode_token, encode_token, optional_int, required_str, ApiError};
use crate::auth::Core;
use crate::directory::identity_providers::{
    self as providers, rules, IdentityProvider, ProviderChanges, ProviderInput,
};
use crate::directory::{pools, unix_now, DirectoryError};

/// A member that must be a map of strings (`ProviderDetails`,
/// `AttributeMapping`).
fn string_map(v: &Value, name: &str) -> Result<Option<BTreeMap<String, String>>, ApiError> {
    let bad = || {
        ApiError::new(
            "SerializationException",
            format!("{name} must be a map of strings"),
        )
    };
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(bad()),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

/// A member that must be a list of strings (`IdpIdentifiers`).
fn string_list(v: &Value, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    let bad = || {
        ApiError::new(
            "SerializationException",
            format!("{name} must be a list of strings"),
        )
    };
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

/// `ProviderName` of Describe/Update/Delete (`ProviderNameType`).
fn provider_name(v: &Value) -> Result<String, ApiError> {
    let name = required_str(v, "ProviderName")?;
    rules::check_name(name)?;
    Ok(name.to_string())
}

/// `IdentityProviderType`.
fn provider_type(p: &IdentityProvider) -> Value {
    json!({
        "UserPoolId": p.pool_id.as_str(),
        "ProviderName": p.name,
        "ProviderType": p.provider_type.as_str(),
        "ProviderDetails": p.details,
        "AttributeMapping": p.attribute_mapping,
        "IdpIdentifiers": p.idp_identifiers,
        "LastModifiedDate": p.updated_at,
        "CreationDate": p.created_at,
    })
}

/// `ProviderDescription`, one item of ListIdentityProviders.
fn description(p: &IdentityProvider) -> Value {
    json!({
        "ProviderName": p.name,
        "ProviderType": p.provider_type.as_str(),
        "LastModifiedDate": p.updated_at,
        "CreationDate": p.created_at,
    })
}

pub async fn create(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let request = ProviderInput {
        name: required_str(&input, "ProviderName")?.to_string(),
        provider_type: required_str(&input, "ProviderType")?.to_string(),
        details: string_map(&input, "ProviderDetails")?.ok_or_else(|| {
            ApiError::invalid("1 validation error detected: Value null at 'providerDetails' failed to satisfy constraint: Member must not be null")
        })?,
        attribute_mapping: string_map(&input, "AttributeMapping")?.unwrap_or_default(),
        idp_identifiers: string_list(&input, "IdpIdentifiers")?.unwrap_or_default(),
    };
    let now = unix_now();
    let created = core
        .db
        .run(move |conn| providers::create(conn, &pool, &request, now))
        .await?;
    Ok(json!({ "IdentityProvider": provider_type(&created) }))
}

pub async fn describe(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = provider_name(&input)?;
    let found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            providers::require(conn, &pool, &name)
        })
        .await?;
    Ok(json!({ "IdentityProvider": provider_type(&found) }))
}

pub async fn update(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = provider_name(&input)?;
    let changes = ProviderChanges {
        details: string_map(&input, "ProviderDetails")?,
        attribute_mapping: string_map(&input, "AttributeMapping")?,
        idp_identifiers: string_list(&input, "IdpIdentifiers")?,
    };
    let now = unix_now();
    let updated = core
        .db
        .run(move |conn| providers::update(conn, &pool, &name, &changes, now))
        .await?;
    Ok(json!({ "IdentityProvider": provider_type(&updated) }))
}

pub async fn delete(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let name = provider_name(&input)?;
    let now = unix_now();
    core.db
        .run(move |conn| providers::delete(conn, &pool, &name, now))
        .await?;
    Ok(json!({}))
}

pub async fn list(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    // The model allows 0..=60; 0, like no value, means a full page.
    let max = match optional_int(&input, "MaxResults", 0..=60)? {
        None | Some(0) => 60,
        Some(n) => n,
    };
    let after = decode_token(&input)?;
    let mut found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            providers::list_page(conn, &pool, after.as_deref(), max + 1)
        })
        .await?;
    let more = found.len() as i64 > max;
    found.truncate(max as usize);
    let mut out = json!({ "Providers": found.iter().map(description).collect::<Vec<_>>() });
    if more {
        if let Some(last) = found.last() {
            out["NextToken"] = Value::String(encode_token(&last.name));
        }
    }
    Ok(out)
}

pub async fn get_by_identifier(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let identifier = required_str(&input, "IdpIdentifier")?.to_string();
    rules::check_identifier(&identifier, "idpIdentifier")?;
    let found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            providers::find_by_identifier(conn, &pool, &identifier)?.ok_or_else(|| {
                DirectoryError::NotFound(format!(
                    "Identity provider with identifier {identifier} does not exist."
                ))
            })
        })
        .await?;
    Ok(json!({ "IdentityProvider": provider_type(&found) }))
}
