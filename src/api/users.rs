//! The user operations: GetUser, DeleteUserAttributes, GlobalSignOut and
//! DeleteUser (authorized by the user's access token), RevokeToken (by the
//! app client), and AdminGetUser, AdminDeleteUser, AdminDisableUser,
//! AdminEnableUser, AdminConfirmSignUp, AdminDeleteUserAttributes,
//! AdminUserGlobalSignOut and ListUsers (SigV4).
//!
//! The Admin* operations name a user as Cognito does: by user name, by an
//! alias the pool signs in with, or by `sub`; an unknown one is
//! UserNotFoundException (Cognito tells administrators).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::admin_users::user_type;
use super::{optional_int, required_str, ApiError};
use crate::auth::user_ops::{self, MfaSettings, RevokeError, TokenUser};
use crate::auth::{admin_users, attributes, Core};
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::directory::user_admin::Cursor;
use crate::directory::user_filter;
use crate::directory::users::User;

/// ListUsers' page size when `Limit` is absent (or 0), and its maximum.
const MAX_LIMIT: i64 = 60;

/// `UserFilterType`'s length limit.
const MAX_FILTER: usize = 256;

use super::pools::pool_of;

/// The pool (`UserPoolId`) and the user (`Username`) of an Admin* call.
async fn admin_user(core: &Core, input: &Value) -> Result<(Pool, User), ApiError> {
    let pool = pool_of(core, input).await?;
    let name = required_str(input, "Username")?;
    let user = user_ops::find_user(core, &pool, name).await?;
    Ok((pool, user))
}

async fn token_user(core: &Core, input: &Value) -> Result<TokenUser, ApiError> {
    let token = required_str(input, "AccessToken")?;
    Ok(user_ops::access_token_user(core, token, unix_now()).await?)
}

/// A list of strings; `None` when absent.
fn string_list(input: &Value, member: &str) -> Result<Option<Vec<String>>, ApiError> {
    let list = match input.get(member) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::new(
                "SerializationException",
                format!("{member} must be a list"),
            ))
        }
    };
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_string).ok_or_else(|| {
                ApiError::new(
                    "SerializationException",
                    format!("{member} must be a list of strings"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn required_list(input: &Value, member: &str) -> Result<Vec<String>, ApiError> {
    string_list(input, member)?.ok_or_else(|| {
        ApiError::invalid(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            super::lower_first(member)
        ))
    })
}

/// `[{Name, Value}]`: `sub` first, then the attributes `keep` lets through.
fn attribute_list(user: &User, keep: impl Fn(&str) -> bool) -> Vec<Value> {
    let sub = keep("sub").then(|| json!({ "Name": "sub", "Value": user.sub.as_str() }));
    sub.into_iter()
        .chain(
            user.attributes
                .iter()
                .filter(|(k, _)| keep(k))
                .map(|(k, v)| json!({ "Name": k, "Value": v })),
        )
        .collect()
}

/// MFAOptions, PreferredMfaSetting and UserMFASettingList, when set.
fn add_mfa(out: &mut Map<String, Value>, m: &MfaSettings) {
    if m.sms_option {
        out.insert(
            "MFAOptions".into(),
            json!([{ "DeliveryMedium": "SMS", "AttributeName": "phone_number" }]),
        );
    }
    if let Some(p) = &m.preferred {
        out.insert("PreferredMfaSetting".into(), json!(p));
    }
    if !m.enabled.is_empty() {
        out.insert("UserMFASettingList".into(), json!(m.enabled));
    }
}

/// GetUser: the signed-in user's attributes the app client may read, and
/// MFA settings.
pub async fn get_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let token = required_str(&input, "AccessToken")?;
    let t = user_ops::access_token_profile(core, token, unix_now()).await?;
    let readable = |name: &str| name == "sub" || t.client.settings.can_read(name);
    let mut out = Map::new();
    out.insert("Username".into(), json!(t.user.username));
    out.insert(
        "UserAttributes".into(),
        json!(attribute_list(&t.user, readable)),
    );
    add_mfa(&mut out, &user_ops::MfaSettings::of(&t.mfa));
    Ok(Value::Object(out))
}

pub async fn delete_user_attributes(core: &Core, input: Value) -> Result<Value, ApiError> {
    let names = required_list(&input, "UserAttributeNames")?;
    let t = token_user(core, &input).await?;
    attributes::delete(core, &t.pool, &t.user, &names, Some(&t.client)).await?;
    Ok(json!({}))
}

pub async fn global_sign_out(core: &Core, input: Value) -> Result<Value, ApiError> {
    let t = token_user(core, &input).await?;
    user_ops::sign_out_everywhere(core, &t.pool, &t.user, unix_now()).await?;
    Ok(json!({}))
}

pub async fn delete_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let t = token_user(core, &input).await?;
    user_ops::delete_user(core, &t.pool, &t.user).await?;
    Ok(json!({}))
}

pub async fn revoke_token(core: &Core, input: Value) -> Result<Value, ApiError> {
    let token = required_str(&input, "Token")?;
    let client_id = required_str(&input, "ClientId")?;
    let secret = input.get("ClientSecret").and_then(Value::as_str);
    user_ops::revoke_refresh_token(core, client_id, secret, token)
        .await
        .map_err(|e| match e {
            RevokeError::Auth(e) => ApiError::from(e),
            e @ RevokeError::Unauthorized => ApiError::new("UnauthorizedException", e.to_string()),
            e @ RevokeError::Disabled => {
                ApiError::new("UnsupportedOperationException", e.to_string())
            }
            e @ RevokeError::UnsupportedTokenType => {
                ApiError::new("UnsupportedTokenTypeException", e.to_string())
            }
        })?;
    Ok(json!({}))
}

pub async fn admin_get_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (_, user) = admin_user(core, &input).await?;
    let mut out = Map::new();
    out.insert("Username".into(), json!(user.username));
    out.insert(
        "UserAttributes".into(),
        json!(attribute_list(&user, |_| true)),
    );
    out.insert("UserCreateDate".into(), json!(user.created_at));
    out.insert("UserLastModifiedDate".into(), json!(user.updated_at));
    out.insert("Enabled".into(), json!(user.enabled));
    out.insert("UserStatus".into(), json!(user.status.as_str()));
    add_mfa(&mut out, &user_ops::mfa_settings(core, &user).await?);
    Ok(Value::Object(out))
}

pub async fn admin_delete_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, user) = admin_user(core, &input).await?;
    user_ops::delete_user(core, &pool, &user).await?;
    Ok(json!({}))
}

/// AdminDisableUser also ends the user's sign-ins (Cognito revokes the
/// tokens); AdminEnableUser lets the user sign in again.
async fn set_enabled(core: &Core, input: Value, enabled: bool) -> Result<Value, ApiError> {
    let (pool, user) = admin_user(core, &input).await?;
    admin_users::set_enabled(core, &pool, user.sub.as_str(), enabled, unix_now()).await?;
    Ok(json!({}))
}

pub async fn admin_disable_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    set_enabled(core, input, false).await
}

pub async fn admin_enable_user(core: &Core, input: Value) -> Result<Value, ApiError> {
    set_enabled(core, input, true).await
}

pub async fn admin_confirm_sign_up(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, user) = admin_user(core, &input).await?;
    admin_users::confirm_user(core, &pool, user.sub.as_str(), unix_now()).await?;
    Ok(json!({}))
}

pub async fn admin_delete_user_attributes(core: &Core, input: Value) -> Result<Value, ApiError> {
    let names = required_list(&input, "UserAttributeNames")?;
    let (pool, user) = admin_user(core, &input).await?;
    attributes::delete(core, &pool, &user, &names, None).await?;
    Ok(json!({}))
}

pub async fn admin_user_global_sign_out(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (pool, user) = admin_user(core, &input).await?;
    user_ops::sign_out_everywhere(core, &pool, &user, unix_now()).await?;
    Ok(json!({}))
}

/// A PaginationToken: the cursor of the last user listed, opaque.
fn encode_pagination(c: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(c.encode())
}

fn decode_pagination(input: &Value) -> Result<Option<Cursor>, ApiError> {
    let raw = match input.get("PaginationToken") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(ApiError::new(
                "SerializationException",
                "PaginationToken must be a string",
            ))
        }
    };
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| Cursor::parse(&s))
        .map(Some)
        .ok_or_else(|| ApiError::invalid("Invalid pagination token."))
}

fn parse_filter(input: &Value) -> Result<Option<user_filter::UserFilter>, ApiError> {
    let filter = match input.get("Filter") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(ApiError::new(
                "SerializationException",
                "Filter must be a string",
            ))
        }
    };
    if filter.chars().count() > MAX_FILTER {
        return Err(ApiError::invalid(format!(
            "1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must have length less than or equal to {MAX_FILTER}"
        )));
    }
    user_filter::parse(filter).map_err(|e| ApiError::invalid(e.to_string()))
}

/// ListUsers: a page of the pool's users, filtered, with the attributes
/// asked for (all when `AttributesToGet` is absent; names the pool does not
/// have are ignored).
pub async fn list_users(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = pool_of(core, &input).await?;
    let wanted = string_list(&input, "AttributesToGet")?;
    let filter = parse_filter(&input)?;
    let limit = match optional_int(&input, "Limit", 0..=MAX_LIMIT)? {
        None | Some(0) => MAX_LIMIT,
        Some(n) => n,
    };
    let after = decode_pagination(&input)?;
    let page = user_ops::list_users(core, &pool, filter, after, limit).await?;
    let users: Vec<Value> = page
        .users
        .iter()
        .map(|u| {
            let mut t = user_type(u);
            if let Some(names) = &wanted {
                t["Attributes"] = json!(attribute_list(u, |n| names.iter().any(|w| w == n)));
            }
            t
        })
        .collect();
    let mut out = json!({ "Users": users });
    if let Some(next) = &page.next {
        out["PaginationToken"] = json!(encode_pagination(next));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_tokens_round_trip_and_refuse_junk() {
        let c = Cursor {
            created_at: 1_700_000_000,
            id: "0b5c2a9e-1f7d-4c1a-9a51-7d2b0e9d1c11".into(),
        };
        let token = encode_pagination(&c);
        let back = decode_pagination(&json!({ "PaginationToken": token })).unwrap();
        assert_eq!(back, Some(c));
        assert_eq!(decode_pagination(&json!({})).unwrap(), None);
        for junk in ["", "!!", "bm90LWEtY3Vyc29y", "x"] {
            let e = decode_pagination(&json!({ "PaginationToken": junk })).unwrap_err();
            assert_eq!(e.kind, "InvalidParameterException", "{junk}");
        }
    }
}
