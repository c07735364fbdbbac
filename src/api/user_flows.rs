//! The public user operations (no SigV4; a signature, if sent, is ignored):
//! SignUp, ConfirmSignUp, ResendConfirmationCode. They call the same `auth`
//! functions as the hosted pages.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{required_str, ApiError};
use crate::auth::oauth::load_client;
use crate::auth::signup::{self, CodeDelivery, SignUpRequest};
use crate::auth::{AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::{unix_now, ClientId};

/// The app client named by `ClientId`, and its pool.
pub async fn client_of(core: &Core, input: &Value) -> Result<(Client, Pool), ApiError> {
    let raw = required_str(input, "ClientId")?;
    let id = ClientId::parse(raw)
        .ok_or_else(|| ApiError::invalid(format!("Invalid client id {raw}.")))?;
    load_client(core, id.as_str()).await?.ok_or_else(|| {
        ApiError::new(
            "ResourceNotFoundException",
            "User pool client does not exist.",
        )
    })
}

/// Clients with a secret must send `SecretHash` =
/// Base64(HMAC-SHA256(secret, username + client id)).
pub fn check_secret_hash(client: &Client, username: &str, input: &Value) -> Result<(), ApiError> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(presented) = input.get("SecretHash").and_then(Value::as_str) else {
        return Err(ApiError::new(
            "NotAuthorizedException",
            format!(
                "Client {} is configured with secret but SECRET_HASH was not received",
                client.id
            ),
        ));
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(ApiError::internal)?;
    mac.update(username.as_bytes());
    mac.update(client.id.as_str().as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    if !bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) {
        return Err(ApiError::new(
            "NotAuthorizedException",
            format!("Unable to verify secret hash for client {}", client.id),
        ));
    }
    Ok(())
}

fn delivery_json(d: &CodeDelivery) -> Value {
    json!({
        "Destination": d.destination,
        "DeliveryMedium": d.medium,
        "AttributeName": d.attribute,
    })
}

/// `[{Name, Value}]` as pairs.
fn attribute_list(input: &Value, member: &str) -> Result<Vec<(String, String)>, ApiError> {
    let Some(list) = input.get(member) else {
        return Ok(vec![]);
    };
    let items = list.as_array().ok_or_else(|| {
        ApiError::new("SerializationException", format!("{member} must be a list"))
    })?;
    items
        .iter()
        .map(|item| {
            let name = item.get("Name").and_then(Value::as_str);
            let value = item
                .get("Value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match name {
                Some(n) => Ok((n.to_string(), value.to_string())),
                None => Err(ApiError::invalid(format!(
                    "Every {member} item needs a Name."
                ))),
            }
        })
        .collect()
}

pub async fn sign_up(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = client_of(core, &input).await?;
    let username = required_str(&input, "Username")?.to_string();
    let password = required_str(&input, "Password")?.to_string();
    check_secret_hash(&client, &username, &input)?;
    let mut attributes = attribute_list(&input, "UserAttributes")?;
    // Where the e-mail or phone is the username, the Username is that value.
    for attr in pool.settings.username_attributes() {
        let looks_like = match attr.as_str() {
            "email" => username.contains('@'),
            _ => username.starts_with('+'),
        };
        if looks_like && !attributes.iter().any(|(n, _)| n == attr) {
            attributes.push((attr.clone(), username.clone()));
        }
    }
    let done = signup::sign_up(
        core,
        &pool,
        SignUpRequest {
            username: Some(username),
            password,
            attributes,
        },
        unix_now(),
    )
    .await?;
    let mut out = json!({
        "UserConfirmed": false,
        "UserSub": done.user.sub.as_str(),
    });
    if let Some(d) = &done.delivery {
        out["CodeDeliveryDetails"] = delivery_json(d);
    }
    Ok(out)
}

pub async fn confirm_sign_up(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = client_of(core, &input).await?;
    let username = required_str(&input, "Username")?;
    let code = required_str(&input, "ConfirmationCode")?;
    check_secret_hash(&client, username, &input)?;
    let reveal = !client.settings.prevent_user_existence_errors();
    signup::confirm_sign_up(core, &pool, username, code, reveal, unix_now()).await?;
    Ok(json!({}))
}

/// Where the pool sends codes, without naming anyone's address: the answer
/// for every user where PreventUserExistenceErrors is on.
fn generic_delivery(pool: &Pool) -> Value {
    let by_sms = !pool
        .settings
        .auto_verified_attributes()
        .iter()
        .any(|a| a == "email");
    let (medium, attribute) = if by_sms {
        ("SMS", "phone_number")
    } else {
        ("EMAIL", "email")
    };
    json!({ "Destination": "***", "DeliveryMedium": medium, "AttributeName": attribute })
}

pub async fn resend_confirmation_code(
    core: std::sync::Arc<Core>,
    input: Value,
) -> Result<Value, ApiError> {
    let (client, pool) = client_of(&core, &input).await?;
    let username = required_str(&input, "Username")?.to_string();
    check_secret_hash(&client, &username, &input)?;
    if client.settings.prevent_user_existence_errors() {
        // Unknown, confirmed and unconfirmed users get the same answer at
        // the same speed: the code goes out after it.
        if pool.settings.auto_verified_attributes().is_empty() {
            return Err(ApiError::invalid(
                "Auto verification not turned on for this user pool.",
            ));
        }
        let answer = generic_delivery(&pool);
        tokio::spawn(async move {
            match signup::resend_confirmation_code(&core, &pool, &username, unix_now()).await {
                Ok(_)
                | Err(AuthError::UserNotFound)
                | Err(AuthError::InvalidParameter(_))
                | Err(AuthError::LimitExceeded) => {}
                Err(e) => tracing::error!(error = %e, "a sign-up code could not be sent"),
            }
        });
        return Ok(json!({ "CodeDeliveryDetails": answer }));
    }
    match signup::resend_confirmation_code(&core, &pool, &username, unix_now()).await {
        Ok(Some(d)) => Ok(json!({ "CodeDeliveryDetails": delivery_json(&d) })),
        Ok(None) => Err(ApiError::invalid(
            "Auto verification not turned on for this user pool.",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn forgot_password(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = client_of(core, &input).await?;
    let username = required_str(&input, "Username")?;
    check_secret_hash(&client, username, &input)?;
    let sent = crate::auth::recovery::forgot_password(
        core,
        &pool,
        client.id.as_str(),
        username,
        unix_now(),
    )
    .await?;
    match sent {
        Some(d) => Ok(json!({ "CodeDeliveryDetails": delivery_json(&d) })),
        // With PreventUserExistenceErrors on, an unknown user looks served.
        None if client.settings.prevent_user_existence_errors() => {
            Ok(json!({ "CodeDeliveryDetails": {
                "Destination": "***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }}))
        }
        None => Err(AuthError::UserNotFound.into()),
    }
}

pub async fn confirm_forgot_password(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = client_of(core, &input).await?;
    let username = required_str(&input, "Username")?;
    let code = required_str(&input, "ConfirmationCode")?;
    let password = required_str(&input, "Password")?;
    check_secret_hash(&client, username, &input)?;
    crate::auth::recovery::confirm_forgot_password(
        core,
        &pool,
        username,
        code,
        password,
        unix_now(),
    )
    .await?;
    Ok(json!({}))
}
