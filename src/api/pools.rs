//! CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool,
//! DeleteUserPool.

use serde_json::{json, Value};

use super::{decode_token, encode_token, optional_int, required_str, ApiError};
use crate::auth::Core;
use crate::directory::pool_settings::PoolSettings;
use crate::directory::pools::{self, Pool};
use crate::directory::{unix_now, DirectoryError, PoolId};

fn pool_id(v: &Value) -> Result<PoolId, ApiError> {
    let raw = required_str(v, "UserPoolId")?;
    PoolId::parse(raw).ok_or_else(|| {
        ApiError::invalid(format!(
            "1 validation error detected: Value '{raw}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
        ))
    })
}

async fn load(core: &Core, id: &PoolId) -> Result<(Pool, i64), ApiError> {
    let id = id.to_string();
    Ok(core
        .db
        .run(move |conn| {
            let pool = pools::get(conn, &id)?;
            let users = pools::count_users(conn, &pool.id)?;
            Ok::<_, DirectoryError>((pool, users))
        })
        .await?)
}

fn user_pool_type(core: &Core, pool: &Pool, users: i64) -> Value {
    pool.settings
        .user_pool_type(&pool.meta(&core.config.region, users))
}

pub async fn create(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (name, settings) = PoolSettings::from_create_request(&input)?;
    let region = core.config.region.clone();
    let now = unix_now();
    let pool = core
        .db
        .run(move |conn| pools::create(conn, &region, &name, &settings, now))
        .await?;
    Ok(json!({ "UserPool": user_pool_type(core, &pool, 0) }))
}

pub async fn describe(core: &Core, input: Value) -> Result<Value, ApiError> {
    let id = pool_id(&input)?;
    let (pool, users) = load(core, &id).await?;
    Ok(json!({ "UserPool": user_pool_type(core, &pool, users) }))
}

pub async fn list(core: &Core, input: Value) -> Result<Value, ApiError> {
    let max = optional_int(&input, "MaxResults", 1..=60)?.ok_or_else(|| {
        ApiError::invalid("1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
    })?;
    let after = decode_token(&input)?;
    let mut found = core
        .db
        .run(move |conn| pools::list(conn, after.as_deref(), max + 1))
        .await?;
    let more = found.len() as i64 > max;
    found.truncate(max as usize);
    let items: Vec<Value> = found
        .iter()
        .map(|p| {
            p.settings
                .user_pool_description(&p.meta(&core.config.region, 0))
        })
        .collect();
    let mut out = json!({ "UserPools": items });
    if more {
        if let Some(last) = found.last() {
            out["NextToken"] = Value::String(encode_token(last.id.as_str()));
        }
    }
    Ok(out)
}

pub async fn update(core: &Core, input: Value) -> Result<Value, ApiError> {
    let id = pool_id(&input)?;
    let (pool, _) = load(core, &id).await?;
    let settings = pool.settings.apply_update(&input)?;
    let name = PoolSettings::pool_name_from_update(&input)?;
    let now = unix_now();
    core.db
        .run(move |conn| pools::update(conn, &id, name.as_deref(), &settings, now))
        .await?;
    Ok(json!({}))
}

pub async fn delete(core: &Core, input: Value) -> Result<Value, ApiError> {
    let id = pool_id(&input)?;
    let (pool, _) = load(core, &id).await?;
    if pool.settings.deletion_protection() {
        return Err(ApiError::invalid(
            "The user pool cannot be deleted because deletion protection is activated.",
        ));
    }
    let pid = id.to_string();
    core.db.run(move |conn| pools::delete(conn, &pid)).await?;
    core.keys.forget(id.as_str());
    Ok(json!({}))
}

/// AddCustomAttributes: adds; never renames or removes.
pub async fn add_custom_attributes(core: &Core, input: Value) -> Result<Value, ApiError> {
    let id = pool_id(&input)?;
    let (pool, _) = load(core, &id).await?;
    let settings = pool.settings.add_custom_attributes(&input)?;
    let now = unix_now();
    core.db
        .run(move |conn| pools::update(conn, &id, None, &settings, now))
        .await?;
    Ok(json!({}))
}
