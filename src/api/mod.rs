//! The Cognito Identity Provider JSON API: `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`.
//! Operations Cognito authorizes with IAM require a SigV4 signature by the
//! configured key pair; the public ones need none.

pub mod admin_users;
pub mod auth_flows;
pub mod clients;
pub mod domains;
pub mod error;
pub mod groups;
pub mod identity_providers;
pub mod pools;
pub mod resource_servers;
pub mod sigv4;
pub mod user_attributes;
pub mod user_flows;
pub mod users;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde_json::Value;

pub use error::ApiError;

use crate::web::WebState;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// Checks the request's SigV4 signature against the configured key pair.
fn check_signature(req: &HttpRequest, body: &[u8], state: &WebState) -> Result<(), ApiError> {
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let signed = sigv4::SignedRequest {
        method: req.method().as_str(),
        path: req.path(),
        query: req.query_string(),
        headers: &headers,
        body,
    };
    let core = &state.core;
    sigv4::verify(
        &signed,
        &core.access_key_id,
        core.secret_access_key.expose_secret(),
        chrono::Utc::now(),
    )
    .map_err(|e| {
        let kind = match e {
            sigv4::SigV4Error::Missing => "MissingAuthenticationTokenException",
            sigv4::SigV4Error::UnknownAccessKey => "UnrecognizedClientException",
            sigv4::SigV4Error::Malformed(_) => "IncompleteSignatureException",
            sigv4::SigV4Error::RequestExpired | sigv4::SigV4Error::SignatureMismatch => {
                "InvalidSignatureException"
            }
        };
        ApiError::new(kind, e.to_string())
    })
}

/// Reads a required string member.
pub fn required_str<'a>(v: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    match v.get(name) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(ApiError::invalid(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(name)
        ))),
        Some(_) => Err(ApiError::new(
            "SerializationException",
            format!("{name} must be a string"),
        )),
    }
}

/// Reads an optional integer member within `range`.
pub fn optional_int(
    v: &Value,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, ApiError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) if range.contains(&i) => Ok(Some(i)),
            _ => Err(ApiError::invalid(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have value between {} and {}",
                lower_first(name),
                range.start(),
                range.end()
            ))),
        },
        Some(_) => Err(ApiError::new(
            "SerializationException",
            format!("{name} must be a number"),
        )),
    }
}

pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Pagination tokens are the last id seen, opaque to callers.
pub fn encode_token(last_id: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_id)
}

pub fn decode_token(v: &Value) -> Result<Option<String>, ApiError> {
    use base64::Engine;
    match v.get("NextToken") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| ApiError::invalid("Invalid pagination token.")),
        Some(_) => Err(ApiError::new(
            "SerializationException",
            "NextToken must be a string",
        )),
    }
}

/// At most the first 64 characters of what a client sent, for an error
/// message that names it without echoing a header of any length.
fn cut(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// `POST /`: parse, authorize, dispatch, answer — and one log line naming
/// the operation and its outcome (the exception's name; never the body).
pub async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<WebState>,
) -> Result<HttpResponse, ApiError> {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let op = target.strip_prefix(TARGET_PREFIX);
    let result = dispatch(&req, &body, state, target, op).await;
    let operation = op
        .filter(|o| public_operation(o).is_some() || admin_operation(o).is_some())
        .unwrap_or("unknown");
    match &result {
        Ok(_) => tracing::info!(operation, outcome = "ok", "API request"),
        Err(e) if e.kind == "InternalErrorException" => {
            tracing::warn!(operation, outcome = e.kind, "API request")
        }
        Err(e) => tracing::info!(operation, outcome = e.kind, "API request"),
    }
    let output = result?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/x-amz-json-1.1"))
        .body(output.to_string()))
}

async fn dispatch(
    req: &HttpRequest,
    body: &[u8],
    state: web::Data<WebState>,
    target: &str,
    op: Option<&str>,
) -> Result<Value, ApiError> {
    if target.is_empty() {
        return Err(ApiError::new(
            "UnknownOperationException",
            "Missing X-Amz-Target header.",
        ));
    }
    let op = op.ok_or_else(|| {
        ApiError::new(
            "UnknownOperationException",
            format!("Unknown target {}", cut(target)),
        )
    })?;
    let input: Value = if body.is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|_| {
            ApiError::new(
                "SerializationException",
                "The request body is not valid JSON.",
            )
        })?
    };
    if !input.is_object() {
        return Err(ApiError::new(
            "SerializationException",
            "The request body must be a JSON object.",
        ));
    }
    let handler = match public_operation(op) {
        Some(h) => h,
        None => {
            let h = admin_operation(op).ok_or_else(|| {
                ApiError::new(
                    "UnknownOperationException",
                    format!("Unknown operation {}", cut(op)),
                )
            })?;
            check_signature(req, body, &state)?;
            h
        }
    };
    handler(state.into_inner(), input).await
}

type OpFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, ApiError>>>>;
type Op = fn(std::sync::Arc<WebState>, Value) -> OpFuture;

macro_rules! op {
    ($f:path) => {
        (|s, v| Box::pin(async move { $f(&s.core, v).await })) as Op
    };
}

/// For operations that finish work after answering (they own the core).
macro_rules! op_owned {
    ($f:path) => {
        (|s, v| Box::pin(async move { $f(std::sync::Arc::clone(&s.core), v).await })) as Op
    };
}

/// The operations any app may call (no signature).
fn public_operation(name: &str) -> Option<Op> {
    Some(match name {
        "SignUp" => op!(user_flows::sign_up),
        "ConfirmSignUp" => op!(user_flows::confirm_sign_up),
        "ResendConfirmationCode" => op_owned!(user_flows::resend_confirmation_code),
        "InitiateAuth" => op!(auth_flows::initiate_auth),
        "RespondToAuthChallenge" => op!(auth_flows::respond_to_auth_challenge),
        "AssociateSoftwareToken" => op!(auth_flows::associate_software_token),
        "VerifySoftwareToken" => op!(auth_flows::verify_software_token),
        "SetUserMFAPreference" => op!(auth_flows::set_user_mfa_preference),
        "ForgotPassword" => op!(user_flows::forgot_password),
        "ConfirmForgotPassword" => op!(user_flows::confirm_forgot_password),
        "ChangePassword" => op!(auth_flows::change_password),
        "UpdateUserAttributes" => op!(user_attributes::update_user_attributes),
        "GetUserAttributeVerificationCode" => {
            op!(user_attributes::get_user_attribute_verification_code)
        }
        "VerifyUserAttribute" => op!(user_attributes::verify_user_attribute),
        "GetUser" => op!(users::get_user),
        "DeleteUserAttributes" => op!(users::delete_user_attributes),
        "GlobalSignOut" => op!(users::global_sign_out),
        "DeleteUser" => op!(users::delete_user),
        "RevokeToken" => op!(users::revoke_token),
        _ => return None,
    })
}

/// The IAM-authorized operations this server implements.
fn admin_operation(name: &str) -> Option<Op> {
    Some(match name {
        "CreateUserPool" => op!(pools::create),
        "DescribeUserPool" => op!(pools::describe),
        "ListUserPools" => op!(pools::list),
        "UpdateUserPool" => op!(pools::update),
        "DeleteUserPool" => op!(pools::delete),
        "AddCustomAttributes" => op!(pools::add_custom_attributes),
        "GetUserPoolMfaConfig" => op!(pools::get_mfa_config),
        "AdminInitiateAuth" => op!(auth_flows::admin_initiate_auth),
        "AdminCreateUser" => op!(admin_users::admin_create_user),
        "AdminResetUserPassword" => op!(admin_users::admin_reset_user_password),
        "AdminSetUserPassword" => op!(admin_users::admin_set_user_password),
        "AdminUpdateUserAttributes" => op!(user_attributes::admin_update_user_attributes),
        "AdminLinkProviderForUser" => op!(admin_users::admin_link_provider_for_user),
        "AdminDisableProviderForUser" => op!(admin_users::admin_disable_provider_for_user),
        "AdminRespondToAuthChallenge" => op!(auth_flows::admin_respond_to_auth_challenge),
        "AdminSetUserMFAPreference" => op!(auth_flows::admin_set_user_mfa_preference),
        "SetUserPoolMfaConfig" => op!(pools::set_mfa_config),
        "CreateUserPoolClient" => op!(clients::create),
        "DescribeUserPoolClient" => op!(clients::describe),
        "ListUserPoolClients" => op!(clients::list),
        "UpdateUserPoolClient" => op!(clients::update),
        "DeleteUserPoolClient" => op!(clients::delete),
        "CreateIdentityProvider" => op!(identity_providers::create),
        "DescribeIdentityProvider" => op!(identity_providers::describe),
        "UpdateIdentityProvider" => op!(identity_providers::update),
        "DeleteIdentityProvider" => op!(identity_providers::delete),
        "ListIdentityProviders" => op!(identity_providers::list),
        "GetIdentityProviderByIdentifier" => op!(identity_providers::get_by_identifier),
        "CreateGroup" => op!(groups::create),
        "GetGroup" => op!(groups::get),
        "UpdateGroup" => op!(groups::update),
        "DeleteGroup" => op!(groups::delete),
        "ListGroups" => op!(groups::list),
        "AdminAddUserToGroup" => op!(groups::admin_add_user_to_group),
        "AdminRemoveUserFromGroup" => op!(groups::admin_remove_user_from_group),
        "AdminListGroupsForUser" => op!(groups::admin_list_groups_for_user),
        "ListUsersInGroup" => op!(groups::list_users_in_group),
        "CreateResourceServer" => op!(resource_servers::create),
        "DescribeResourceServer" => op!(resource_servers::describe),
        "UpdateResourceServer" => op!(resource_servers::update),
        "DeleteResourceServer" => op!(resource_servers::delete),
        "ListResourceServers" => op!(resource_servers::list),
        "CreateUserPoolDomain" => op!(domains::create),
        "DescribeUserPoolDomain" => op!(domains::describe),
        "UpdateUserPoolDomain" => op!(domains::update),
        "DeleteUserPoolDomain" => op!(domains::delete),
        "AdminGetUser" => op!(users::admin_get_user),
        "AdminDeleteUser" => op!(users::admin_delete_user),
        "AdminDisableUser" => op!(users::admin_disable_user),
        "AdminEnableUser" => op!(users::admin_enable_user),
        "AdminConfirmSignUp" => op!(users::admin_confirm_sign_up),
        "AdminDeleteUserAttributes" => op!(users::admin_delete_user_attributes),
        "AdminUserGlobalSignOut" => op!(users::admin_user_global_sign_out),
        "ListUsers" => op!(users::list_users),
        _ => return None,
    })
}
