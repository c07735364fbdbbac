//! CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
//! DeleteResourceServer, ListResourceServers (SigV4). The rules are the
//! directory's (`directory::resource_servers`); this face reads the members
//! and shapes `ResourceServerType`.

use serde_json::{json, Value};

use super::pools::pool_id;
use super::{decode_token, encode_token, optional_int, required_str, ApiError};
use crate::auth::Core;
use crate::directory::resource_servers::{
    self as servers, ResourceServer, ResourceServerError, ResourceServerInput, Scope,
};
use crate::directory::{pools, unix_now};

impl From<ResourceServerError> for ApiError {
    fn from(e: ResourceServerError) -> Self {
        match e {
            ResourceServerError::LimitExceeded(m) => ApiError::new("LimitExceededException", m),
            ResourceServerError::Directory(d) => d.into(),
        }
    }
}

/// `ResourceServerType`.
fn server_type(rs: &ResourceServer) -> Value {
    json!({
        "UserPoolId": rs.pool_id.as_str(),
        "Identifier": rs.identifier,
        "Name": rs.name,
        "Scopes": rs.scopes,
    })
}

fn identifier(v: &Value) -> Result<String, ApiError> {
    let id = required_str(v, "Identifier")?;
    servers::check_identifier(id)?;
    Ok(id.to_string())
}

/// `Scopes`: a list of `{ScopeName, ScopeDescription}` (both required).
fn scopes(v: &Value) -> Result<Vec<Scope>, ApiError> {
    let bad = |m: &str| ApiError::new("SerializationException", m.to_string());
    match v.get("Scopes") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                if !item.is_object() {
                    return Err(bad("Scopes must be a list of structures"));
                }
                Ok(Scope {
                    name: required_str(item, "ScopeName")?.to_string(),
                    description: required_str(item, "ScopeDescription")?.to_string(),
                })
            })
            .collect(),
        Some(_) => Err(bad("Scopes must be a list")),
    }
}

fn server_input(v: &Value) -> Result<ResourceServerInput, ApiError> {
    Ok(ResourceServerInput {
        identifier: identifier(v)?,
        name: required_str(v, "Name")?.to_string(),
        scopes: scopes(v)?,
    })
}

pub async fn create(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let request = server_input(&input)?;
    let created = core
        .db
        .run(move |conn| servers::create(conn, &pool, &request))
        .await?;
    Ok(json!({ "ResourceServer": server_type(&created) }))
}

pub async fn describe(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let id = identifier(&input)?;
    let found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            servers::require(conn, &pool, &id)
        })
        .await?;
    Ok(json!({ "ResourceServer": server_type(&found) }))
}

pub async fn update(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let request = server_input(&input)?;
    let now = unix_now();
    let updated = core
        .db
        .run(move |conn| servers::update(conn, &pool, &request, now))
        .await?;
    Ok(json!({ "ResourceServer": server_type(&updated) }))
}

pub async fn delete(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let id = identifier(&input)?;
    let now = unix_now();
    core.db
        .run(move |conn| servers::delete(conn, &pool, &id, now))
        .await?;
    Ok(json!({}))
}

pub async fn list(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_id(&input)?;
    let max = optional_int(&input, "MaxResults", 1..=50)?.unwrap_or(50);
    let after = decode_token(&input)?;
    let mut found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            servers::list_page(conn, &pool, after.as_deref(), max + 1)
        })
        .await?;
    let more = found.len() as i64 > max;
    found.truncate(max as usize);
    let mut out = json!({ "ResourceServers": found.iter().map(server_type).collect::<Vec<_>>() });
    if more {
        if let Some(last) = found.last() {
            out["NextToken"] = Value::String(encode_token(&last.identifier));
        }
    }
    Ok(out)
}
