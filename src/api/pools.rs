//! CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool,
//! DeleteUserPool.

use serde_json::{json, Value};

use super::{decode_token, encode_token, optional_int, required_str, ApiError};
use crate::auth::Core;
use crate::directory::pool_settings::PoolSettings;
use crate::directory::pools::{self, Pool};
use crate::directory::{unix_now, DirectoryError, PoolId};

/// `UserPoolId`, checked against Cognito's pattern.
pub(super) fn pool_id(v: &Value) -> Result<PoolId, ApiError> {
    let raw = required_str(v, "UserPoolId")?;
    PoolId::parse(raw).ok_or_else(|| {
        ApiError::invalid(format!(
            "1 validation error detected: Value '{raw}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
        ))
    })
}

/// The pool `UserPoolId` names (ResourceNotFoundException when none).
pub(super) async fn pool_of(core: &Core, input: &Value) -> Result<Pool, ApiError> {
    let id = pool_id(input)?.to_string();
    Ok(core.db.run(move |conn| pools::get(conn, &id)).await?)
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
    let mut user_pool = user_pool_type(core, &pool, users);
    super::domains::add_to_user_pool(core, &id, &mut user_pool).await?;
    Ok(json!({ "UserPool": user_pool }))
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

/// GetUserPoolMfaConfig's and SetUserPoolMfaConfig's answer.
fn mfa_config(settings: &PoolSettings) -> Value {
    // An empty list offers both (as sign-in reads it) unless MFA is off.
    let all = settings.enabled_mfas.is_empty() && settings.mfa_configuration() != "OFF";
    let on = |m: &str| all || settings.enabled_mfas.iter().any(|x| x == m);
    let mut out = json!({
        "MfaConfiguration": settings.mfa_configuration(),
        "SoftwareTokenMfaConfiguration": { "Enabled": on("SOFTWARE_TOKEN_MFA") },
    });
    if on("SMS_MFA") {
        out["SmsMfaConfiguration"] = json!({
            "SmsAuthenticationMessage": settings.sms_authentication_message(),
        });
    }
    out
}

pub async fn get_mfa_config(core: &Core, input: Value) -> Result<Value, ApiError> {
    let id = pool_id(&input)?;
    let (pool, _) = load(core, &id).await?;
    Ok(mfa_config(&pool.settings))
}

/// SetUserPoolMfaConfig: the methods offered and OFF/OPTIONAL/ON.
pub async fn set_mfa_config(core: &Core, input: Value) -> Result<Value, ApiError> {
    let id = pool_id(&input)?;
    let (pool, _) = load(core, &id).await?;
    let mut settings = pool.settings.clone();
    let enabled = |member: &str| -> Result<Option<bool>, ApiError> {
        match input.get(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) if member == "SmsMfaConfiguration" => {
                if let Some(msg) = o.get("SmsAuthenticationMessage").and_then(Value::as_str) {
                    if !msg.contains("{####}") {
                        return Err(ApiError::invalid(
                            "SmsAuthenticationMessage must contain {####}.",
                        ));
                    }
                }
                Ok(Some(true))
            }
            Some(Value::Object(o)) => Ok(Some(
                o.get("Enabled").and_then(Value::as_bool).unwrap_or(false),
            )),
            Some(_) => Err(ApiError::new(
                "SerializationException",
                format!("{member} must be an object"),
            )),
        }
    };
    let totp = enabled("SoftwareTokenMfaConfiguration")?;
    let sms = enabled("SmsMfaConfiguration")?;
    let mut methods = Vec::new();
    // Naming no method keeps the current list (an empty one offers both).
    let keep = totp.is_none() && sms.is_none() && settings.enabled_mfas.is_empty();
    if totp.unwrap_or_else(|| {
        settings
            .enabled_mfas
            .iter()
            .any(|m| m == "SOFTWARE_TOKEN_MFA")
    }) {
        methods.push("SOFTWARE_TOKEN_MFA".to_string());
    }
    if sms.unwrap_or_else(|| settings.enabled_mfas.iter().any(|m| m == "SMS_MFA")) {
        methods.push("SMS_MFA".to_string());
    }
    if let Some(msg) = input
        .get("SmsMfaConfiguration")
        .and_then(|o| o.get("SmsAuthenticationMessage"))
        .and_then(Value::as_str)
    {
        settings.sms_authentication_message = Some(msg.to_string());
    }
    if let Some(conf) = input.get("MfaConfiguration") {
        let conf = conf.as_str().unwrap_or_default();
        if !matches!(conf, "OFF" | "ON" | "OPTIONAL") {
            return Err(ApiError::invalid(
                "MfaConfiguration must be OFF, ON or OPTIONAL.",
            ));
        }
        settings.mfa_configuration = conf.to_string();
    }
    if keep {
        methods.clear();
    } else if settings.mfa_configuration != "OFF" && methods.is_empty() {
        return Err(ApiError::invalid(
            "At least one MFA method must be enabled when MFA is ON or OPTIONAL.",
        ));
    }
    settings.enabled_mfas = methods;
    let out = mfa_config(&settings);
    let now = unix_now();
    core.db
        .run(move |conn| pools::update(conn, &id, None, &settings, now))
        .await?;
    Ok(out)
}
