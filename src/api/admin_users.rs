//! AdminCreateUser, AdminResetUserPassword and AdminSetUserPassword
//! (SigV4): the console's operations, in Cognito's shapes.

use serde_json::{json, Value};

use super::{required_str, ApiError};
use crate::auth::admin_users::{self, NewUserRequest};
use crate::auth::federation::{self, ProviderUser};
use crate::auth::{recovery, Core};
use crate::directory::unix_now;
use crate::directory::users::User;

use super::pools::pool_of;

/// Cognito's UserType.
pub fn user_type(user: &User) -> Value {
    let mut attrs: Vec<Value> = vec![json!({ "Name": "sub", "Value": user.sub.as_str() })];
    attrs.extend(
        user.attributes
            .iter()
            .map(|(k, v)| json!({ "Name": k, "Value": v })),
    );
    json!({
        "Username": user.username,
        "Attributes": attrs,
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

pub async fn admin_create_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_of(core, &input).await?;
    let username = required_str(&input, "Username")?.to_string();
    let action = input.get("MessageAction").and_then(Value::as_str);
    if action == Some("RESEND") {
        let user = crate::auth::user_ops::find_user(core, &pool, &username).await?;
        admin_users::reset_password(core, &pool, user.sub.as_str(), unix_now()).await?;
        let user = admin_users::get_user(core, &pool, user.sub.as_str()).await?;
        return Ok(json!({ "User": user_type(&user) }));
    }
    if action.is_some_and(|a| a != "SUPPRESS") {
        return Err(ApiError::invalid(
            "MessageAction must be RESEND or SUPPRESS.",
        ));
    }
    let mut attributes = Vec::new();
    let (mut email_verified, mut phone_verified) = (false, false);
    if let Some(list) = input.get("UserAttributes").and_then(Value::as_array) {
        for a in list {
            let name = a.get("Name").and_then(Value::as_str).unwrap_or_default();
            let value = a.get("Value").and_then(Value::as_str).unwrap_or_default();
            match name {
                "email_verified" => email_verified = value == "true",
                "phone_number_verified" => phone_verified = value == "true",
                "" => return Err(ApiError::invalid("Every UserAttributes item needs a Name.")),
                _ => attributes.push((name.to_string(), value.to_string())),
            }
        }
    }
    let created = admin_users::create_user(
        core,
        &pool,
        NewUserRequest {
            username: Some(username),
            attributes,
            temporary_password: input
                .get("TemporaryPassword")
                .and_then(Value::as_str)
                .map(str::to_string),
            email_verified,
            phone_number_verified: phone_verified,
            send_invitation: action != Some("SUPPRESS"),
        },
        unix_now(),
    )
    .await?;
    Ok(json!({ "User": user_type(&created.user) }))
}

pub async fn admin_reset_user_password(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_of(core, &input).await?;
    let username = required_str(&input, "Username")?;
    let user = crate::auth::user_ops::find_user(core, &pool, username).await?;
    recovery::admin_reset_password(core, &pool, &user, unix_now()).await?;
    Ok(json!({}))
}

/// AdminSetUserPassword: `Permanent` (default false) decides between a
/// password the user signs in with and a temporary one to replace.
pub async fn admin_set_user_password(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_of(core, &input).await?;
    let username = required_str(&input, "Username")?;
    let password = required_str(&input, "Password")?;
    let permanent = match input.get("Permanent") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::new(
                "SerializationException",
                "Permanent must be a boolean",
            ))
        }
    };
    let user = crate::auth::user_ops::find_user(core, &pool, username).await?;
    recovery::admin_set_password(core, &pool, &user, password, permanent, unix_now()).await?;
    Ok(json!({}))
}

/// A `ProviderUserIdentifierType` member.
fn provider_user(input: &Value, member: &str) -> Result<ProviderUser, ApiError> {
    let v = match input.get(member) {
        Some(v @ Value::Object(_)) => v,
        None | Some(Value::Null) => {
            return Err(ApiError::invalid(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                super::lower_first(member)
            )))
        }
        Some(_) => {
            return Err(ApiError::new(
                "SerializationException",
                format!("{member} must be an object"),
            ))
        }
    };
    let text = |name: &str| match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::new(
            "SerializationException",
            format!("{member}.{name} must be a string"),
        )),
    };
    Ok(ProviderUser {
        provider_name: text("ProviderName")?.unwrap_or_default(),
        attribute_name: text("ProviderAttributeName")?,
        attribute_value: text("ProviderAttributeValue")?.unwrap_or_default(),
    })
}

/// AdminLinkProviderForUser: an external identity that has not signed in
/// yet will sign in as an existing local user.
pub async fn admin_link_provider_for_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_of(core, &input).await?;
    let destination = provider_user(&input, "DestinationUser")?;
    let source = provider_user(&input, "SourceUser")?;
    federation::admin_link(core, &pool, destination, source, unix_now()).await?;
    Ok(json!({}))
}

/// AdminDisableProviderForUser: an external identity stops signing in as
/// the user it is bound to.
pub async fn admin_disable_provider_for_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_of(core, &input).await?;
    let user = provider_user(&input, "User")?;
    federation::admin_disable(core, &pool, user, unix_now()).await?;
    Ok(json!({}))
}
