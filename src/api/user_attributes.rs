//! UpdateUserAttributes, GetUserAttributeVerificationCode,
//! VerifyUserAttribute (access token) and AdminUpdateUserAttributes (SigV4).

use serde_json::{json, Value};

use super::auth_flows::token_user;
use super::{required_str, ApiError};
use crate::auth::signup::CodeDelivery;
use crate::auth::{attributes, Core};
use crate::directory::unix_now;

fn delivery(d: &CodeDelivery) -> Value {
    json!({ "Destination": d.destination, "DeliveryMedium": d.medium, "AttributeName": d.attribute })
}

fn changes(input: &Value) -> Result<Vec<(String, String)>, ApiError> {
    let list = input
        .get("UserAttributes")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid("UserAttributes is required."))?;
    list.iter()
        .map(|a| {
            let name = a.get("Name").and_then(Value::as_str);
            let value = a.get("Value").and_then(Value::as_str).unwrap_or_default();
            name.map(|n| (n.to_string(), value.to_string()))
                .ok_or_else(|| ApiError::invalid("Every UserAttributes item needs a Name."))
        })
        .collect()
}

pub async fn update_user_attributes(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (user, pool) = token_user(core, &input).await?;
    let sent = attributes::update(core, &pool, &user, &changes(&input)?, false, unix_now()).await?;
    Ok(json!({ "CodeDeliveryDetailsList": sent.iter().map(delivery).collect::<Vec<_>>() }))
}

pub async fn get_user_attribute_verification_code(
    core: &Core,
    input: Value,
) -> Result<Value, ApiError> {
    let (user, pool) = token_user(core, &input).await?;
    let name = required_str(&input, "AttributeName")?;
    let d = attributes::send_verification_code(core, &pool, &user, name, unix_now()).await?;
    Ok(json!({ "CodeDeliveryDetails": delivery(&d) }))
}

pub async fn verify_user_attribute(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (user, pool) = token_user(core, &input).await?;
    let name = required_str(&input, "AttributeName")?;
    let code = required_str(&input, "Code")?;
    attributes::verify(core, &pool, &user, name, code, unix_now()).await?;
    Ok(json!({}))
}

pub async fn admin_update_user_attributes(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = super::pools::pool_of(core, &input).await?;
    let username = required_str(&input, "Username")?;
    let user = crate::auth::user_ops::find_user(core, &pool, username).await?;
    attributes::update(core, &pool, &user, &changes(&input)?, true, unix_now()).await?;
    Ok(json!({}))
}
