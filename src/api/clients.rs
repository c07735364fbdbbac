//! CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients,
//! UpdateUserPoolClient, DeleteUserPoolClient.

use serde_json::{json, Value};

use super::{decode_token, encode_token, optional_int, required_str, ApiError};
use crate::auth::Core;
use crate::db::write_tx;
use crate::directory::client_settings::{exception_name, ClientSettings};
use crate::directory::clients::{self, Client};
use crate::directory::identity_providers;
use crate::directory::ids::lower_alnum;
use crate::directory::resource_servers;
use crate::directory::InvalidParameter;
use crate::directory::{pools, unix_now, ClientId, DirectoryError, PoolId};

/// Settings errors keep Cognito's exception names (some are
/// InvalidOAuthFlowException).
fn settings_error(e: InvalidParameter) -> ApiError {
    ApiError::new(exception_name(&e), e.0)
}

fn ids(v: &Value, with_client: bool) -> Result<(PoolId, Option<ClientId>), ApiError> {
    let pool = super::pools::pool_id(v)?;
    if !with_client {
        return Ok((pool, None));
    }
    let raw = required_str(v, "ClientId")?;
    let client = ClientId::parse(raw)
        .ok_or_else(|| ApiError::invalid(format!("Invalid client id {raw}.")))?;
    Ok((pool, Some(client)))
}

async fn load(core: &Core, pool: PoolId, client: ClientId) -> Result<Client, ApiError> {
    Ok(core
        .db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            clients::get(conn, &pool, client.as_str())
        })
        .await?)
}

pub async fn create(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool_id, _) = ids(&input, false)?;
    let (settings, generate_secret) =
        ClientSettings::from_create_request(&input).map_err(settings_error)?;
    let secret = match ClientSettings::requested_client_secret(&input).map_err(settings_error)? {
        Some(custom) => Some(custom),
        None => generate_secret.then(|| lower_alnum(51)),
    };
    settings
        .check_secret_requirement(secret.is_some())
        .map_err(settings_error)?;
    let now = unix_now();
    let client = core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                pools::get(conn, pool_id.as_str())?;
                identity_providers::check_client_providers(conn, &pool_id, &settings)?;
                resource_servers::check_client_scopes(conn, &pool_id, &settings)?;
                clients::create(conn, &pool_id, &settings, secret, now)
            })
        })
        .await?;
    Ok(json!({ "UserPoolClient": client.settings.user_pool_client_type(&client.meta()) }))
}

pub async fn describe(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, client) = ids(&input, true)?;
    let client = load(
        core,
        pool,
        client.ok_or_else(|| ApiError::invalid("ClientId"))?,
    )
    .await?;
    Ok(json!({ "UserPoolClient": client.settings.user_pool_client_type(&client.meta()) }))
}

pub async fn list(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool_id, _) = ids(&input, false)?;
    let max = optional_int(&input, "MaxResults", 1..=60)?.unwrap_or(60);
    let after = decode_token(&input)?;
    let mut found = core
        .db
        .run(move |conn| {
            pools::get(conn, pool_id.as_str())?;
            clients::list(conn, &pool_id, after.as_deref(), max + 1)
        })
        .await?;
    let more = found.len() as i64 > max;
    found.truncate(max as usize);
    let items: Vec<Value> = found
        .iter()
        .map(|c| c.settings.description(&c.meta()))
        .collect();
    let mut out = json!({ "UserPoolClients": items });
    if more {
        if let Some(last) = found.last() {
            out["NextToken"] = Value::String(encode_token(last.id.as_str()));
        }
    }
    Ok(out)
}

pub async fn update(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, client) = ids(&input, true)?;
    let mut client = load(
        core,
        pool,
        client.ok_or_else(|| ApiError::invalid("ClientId"))?,
    )
    .await?;
    let settings = client
        .settings
        .apply_update(&input)
        .map_err(settings_error)?;
    settings
        .check_secret_requirement(client.secret.is_some())
        .map_err(settings_error)?;
    let now = unix_now();
    let (c, s) = (client.clone(), settings.clone());
    core.db
        .run(move |conn| {
            write_tx(conn, |conn| {
                identity_providers::check_client_providers(conn, &c.pool_id, &s)?;
                resource_servers::check_client_scopes(conn, &c.pool_id, &s)?;
                clients::update(conn, &c, &s, now)
            })
        })
        .await?;
    client.settings = settings;
    client.updated_at = now;
    Ok(json!({ "UserPoolClient": client.settings.user_pool_client_type(&client.meta()) }))
}

pub async fn delete(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, client) = ids(&input, true)?;
    let client = client.ok_or_else(|| ApiError::invalid("ClientId"))?;
    core.db
        .run(move |conn| {
            pools::get(conn, pool.as_str())?;
            clients::delete(conn, &pool, client.as_str())?;
            Ok::<_, DirectoryError>(())
        })
        .await?;
    Ok(json!({}))
}
