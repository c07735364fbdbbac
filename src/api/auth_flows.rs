//! Sign-in over the API: InitiateAuth, AdminInitiateAuth,
//! RespondToAuthChallenge, AdminRespondToAuthChallenge, and the software
//! token (TOTP) and MFA preference operations. The same `auth` state machine
//! as the hosted pages.
//!
//! Flows: USER_PASSWORD_AUTH (InitiateAuth), ADMIN_USER_PASSWORD_AUTH /
//! ADMIN_NO_SRP_AUTH (AdminInitiateAuth), USER_SRP_AUTH and
//! REFRESH_TOKEN_AUTH / REFRESH_TOKEN (both). Each must be allowed by the
//! client's ExplicitAuthFlows, else InvalidParameterException "<flow> flow
//! not enabled for this client"; an admin flow sent to InitiateAuth (or
//! USER_PASSWORD_AUTH to AdminInitiateAuth) is "Initiate Auth method not
//! supported.", as Cognito answers.

use serde_json::{json, Map, Value};

use super::user_flows::{check_secret_hash, client_of};
use super::{required_str, ApiError};
use crate::auth::challenge::{self, ApiSignIn};
use crate::auth::oauth::{self, load_client, TokenResponse};
use crate::auth::srp_signin::{self, PASSWORD_VERIFIER};
use crate::auth::{mfa, signin, AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::users::User;
use crate::directory::{unix_now, unix_now_ms, PoolId};

fn result(t: TokenResponse) -> Value {
    let mut r = json!({
        "AccessToken": t.access_token,
        "ExpiresIn": t.expires_in,
        "TokenType": "Bearer",
    });
    if let Some(id) = t.id_token {
        r["IdToken"] = json!(id);
    }
    if let Some(refresh) = t.refresh_token {
        r["RefreshToken"] = json!(refresh);
    }
    json!({ "AuthenticationResult": r, "ChallengeParameters": {} })
}

fn answer(outcome: ApiSignIn) -> Value {
    match outcome {
        ApiSignIn::Tokens(t) => result(t),
        ApiSignIn::Challenge {
            name,
            session,
            parameters,
        } => json!({
            "ChallengeName": name,
            "Session": session,
            "ChallengeParameters": parameters,
        }),
    }
}

fn auth_parameters(input: &Value, member: &str) -> Map<String, Value> {
    input
        .get(member)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn param<'a>(p: &'a Map<String, Value>, key: &str) -> Result<&'a str, ApiError> {
    p.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid(format!("Missing required parameter {key}")))
}

/// The client's ExplicitAuthFlows must allow the AuthFlow.
fn require_flow(client: &Client, flow: &str) -> Result<(), ApiError> {
    if client.settings.allows_auth_flow(flow) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{flow} flow not enabled for this client"
        )))
    }
}

/// The password step shared by InitiateAuth and AdminInitiateAuth.
async fn password(
    core: &Core,
    client: &Client,
    pool: &Pool,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let username = param(params, "USERNAME")?;
    let password = param(params, "PASSWORD")?;
    let secret_hash = json!({ "SecretHash": params.get("SECRET_HASH") });
    check_secret_hash(client, username, &secret_hash)?;
    let reveal = !client.settings.prevent_user_existence_errors();
    let now_ms = unix_now_ms();
    let step = signin::password_sign_in(core, pool, username, password, reveal, now_ms).await?;
    let outcome = challenge::after_password(core, client, pool, step, now_ms / 1000).await?;
    Ok(answer(outcome))
}

/// USER_SRP_AUTH's first step: the PASSWORD_VERIFIER challenge (no
/// Session: the SECRET_BLOCK carries the state).
async fn srp(
    core: &Core,
    client: &Client,
    pool: &Pool,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let username = param(params, "USERNAME")?;
    let srp_a = param(params, "SRP_A")?;
    let secret_hash = json!({ "SecretHash": params.get("SECRET_HASH") });
    check_secret_hash(client, username, &secret_hash)?;
    let reveal = !client.settings.prevent_user_existence_errors();
    let parameters =
        srp_signin::initiate(core, client, pool, username, srp_a, reveal, unix_now()).await?;
    Ok(json!({
        "ChallengeName": PASSWORD_VERIFIER,
        "ChallengeParameters": parameters,
    }))
}

const NOT_SUPPORTED: &str = "Initiate Auth method not supported.";

fn not_yet(flow: &str) -> ApiError {
    ApiError::invalid(format!("{flow} is not supported by this server yet."))
}

async fn refresh(
    core: &Core,
    client: &Client,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let token = param(params, "REFRESH_TOKEN")?;
    // A client with a secret proves it: SECRET_HASH over the user's name
    // (or sub), as Cognito asks.
    if client.secret.is_some() {
        let user = oauth::refresh_token_user(core, client, token, unix_now())
            .await
            .map_err(|_| ApiError::new("NotAuthorizedException", "Invalid Refresh Token"))?;
        let hash = json!({ "SecretHash": params.get("SECRET_HASH") });
        if check_secret_hash(client, &user.username, &hash).is_err() {
            check_secret_hash(client, user.sub.as_str(), &hash)?;
        }
    }
    let t = oauth::refresh(core, client, token, unix_now())
        .await
        .map_err(|_| ApiError::new("NotAuthorizedException", "Invalid Refresh Token"))?;
    Ok(result(t))
}

pub async fn initiate_auth(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = client_of(core, &input).await?;
    let flow = required_str(&input, "AuthFlow")?;
    let params = auth_parameters(&input, "AuthParameters");
    match flow {
        "USER_PASSWORD_AUTH" => {
            require_flow(&client, flow)?;
            password(core, &client, &pool, &params).await
        }
        "USER_SRP_AUTH" => {
            require_flow(&client, flow)?;
            srp(core, &client, &pool, &params).await
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            require_flow(&client, flow)?;
            refresh(core, &client, &params).await
        }
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => Err(ApiError::invalid(NOT_SUPPORTED)),
        "CUSTOM_AUTH" | "USER_AUTH" => Err(not_yet(flow)),
        _ => Err(ApiError::invalid(format!("Invalid AuthFlow {flow}."))),
    }
}

/// The client named by `ClientId` in the pool named by `UserPoolId`.
async fn admin_client(core: &Core, input: &Value) -> Result<(Client, Pool), ApiError> {
    let (client, pool) = client_of(core, input).await?;
    let pool_id = required_str(input, "UserPoolId")?;
    if PoolId::parse(pool_id).as_ref() != Some(&pool.id) {
        return Err(ApiError::new(
            "ResourceNotFoundException",
            "User pool client does not exist.",
        ));
    }
    Ok((client, pool))
}

pub async fn admin_initiate_auth(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = admin_client(core, &input).await?;
    let flow = required_str(&input, "AuthFlow")?;
    let params = auth_parameters(&input, "AuthParameters");
    match flow {
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            require_flow(&client, flow)?;
            password(core, &client, &pool, &params).await
        }
        "USER_SRP_AUTH" => {
            require_flow(&client, flow)?;
            srp(core, &client, &pool, &params).await
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            require_flow(&client, flow)?;
            refresh(core, &client, &params).await
        }
        "USER_PASSWORD_AUTH" => Err(ApiError::invalid(NOT_SUPPORTED)),
        "CUSTOM_AUTH" | "USER_AUTH" => Err(not_yet(flow)),
        _ => Err(ApiError::invalid(format!("Invalid AuthFlow {flow}."))),
    }
}

async fn respond_with(
    core: &Core,
    client: &Client,
    pool: &Pool,
    input: &Value,
) -> Result<Value, ApiError> {
    let name = required_str(input, "ChallengeName")?;
    let responses = auth_parameters(input, "ChallengeResponses");
    if let Some(username) = responses.get("USERNAME").and_then(Value::as_str) {
        let secret_hash = json!({ "SecretHash": responses.get("SECRET_HASH") });
        check_secret_hash(client, username, &secret_hash)?;
    }
    if name == PASSWORD_VERIFIER {
        // The SECRET_BLOCK is the session; a Session sent is ignored.
        let reveal = !client.settings.prevent_user_existence_errors();
        let now_ms = unix_now_ms();
        let step = srp_signin::respond(core, client, pool, &responses, reveal, now_ms).await?;
        let outcome = challenge::after_password(core, client, pool, step, now_ms / 1000).await?;
        return Ok(answer(outcome));
    }
    let session = required_str(input, "Session")?;
    let outcome =
        challenge::respond(core, client, pool, name, session, &responses, unix_now_ms()).await;
    match outcome {
        Ok(o) => Ok(answer(o)),
        Err(AuthError::CodeMismatch) => {
            Err(ApiError::new("CodeMismatchException", mfa::WRONG_CODE))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn respond_to_auth_challenge(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = client_of(core, &input).await?;
    respond_with(core, &client, &pool, &input).await
}

pub async fn admin_respond_to_auth_challenge(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (client, pool) = admin_client(core, &input).await?;
    respond_with(core, &client, &pool, &input).await
}

/// The user an `AccessToken` member speaks for (scope
/// aws.cognito.signin.user.admin), and their pool.
pub(crate) async fn token_user(core: &Core, input: &Value) -> Result<(User, Pool), ApiError> {
    let token = required_str(input, "AccessToken")?;
    let t = crate::auth::user_ops::access_token_user(core, token, unix_now()).await?;
    Ok((t.user, t.pool))
}

pub async fn associate_software_token(core: &Core, input: Value) -> Result<Value, ApiError> {
    if input.get("Session").and_then(Value::as_str).is_some() {
        let session = required_str(&input, "Session")?;
        // The session names its client.
        let (client, _) = session_client(core, &input).await?;
        let secret = challenge::associate_in_session(core, &client, session, unix_now()).await?;
        return Ok(json!({ "SecretCode": secret, "Session": session }));
    }
    let (user, _pool) = token_user(core, &input).await?;
    let secret = mfa::associate(core, &user).await?;
    Ok(json!({ "SecretCode": secret }))
}

pub async fn verify_software_token(core: &Core, input: Value) -> Result<Value, ApiError> {
    let code = required_str(&input, "UserCode")?;
    let outcome = if let Some(session) = input.get("Session").and_then(Value::as_str) {
        let (client, pool) = session_client(core, &input).await?;
        challenge::verify_in_session(core, &client, &pool, session, code, unix_now_ms())
            .await
            .map(|()| Some(session.to_string()))
    } else {
        let (user, pool) = token_user(core, &input).await?;
        mfa::verify_associated(core, &pool, &user, code, unix_now_ms())
            .await
            .map(|()| None)
    };
    match outcome {
        Ok(session) => {
            let mut out = json!({ "Status": "SUCCESS" });
            if let Some(s) = session {
                out["Session"] = json!(s);
            }
            Ok(out)
        }
        Err(AuthError::CodeMismatch) => Err(ApiError::new(
            "EnableSoftwareTokenMFAException",
            "Code mismatch",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Sessions are bound to a client; VerifySoftwareToken and
/// AssociateSoftwareToken carry none, so the session's own is used.
async fn session_client(core: &Core, input: &Value) -> Result<(Client, Pool), ApiError> {
    let session = required_str(input, "Session")?;
    let client_id = challenge::session_client_id(core, session, unix_now()).await?;
    load_client(core, &client_id)
        .await?
        .ok_or_else(|| ApiError::new("NotAuthorizedException", "Invalid session"))
}

fn mfa_settings(input: &Value, member: &str) -> Option<(bool, bool)> {
    let o = input.get(member)?.as_object()?;
    Some((
        o.get("Enabled").and_then(Value::as_bool).unwrap_or(false),
        o.get("PreferredMfa")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    ))
}

async fn set_preference(core: &Core, user: &User, input: &Value) -> Result<Value, ApiError> {
    mfa::set_preference(
        core,
        user,
        mfa_settings(input, "SoftwareTokenMfaSettings"),
        mfa_settings(input, "SMSMfaSettings"),
    )
    .await?;
    Ok(json!({}))
}

pub async fn set_user_mfa_preference(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (user, _) = token_user(core, &input).await?;
    set_preference(core, &user, &input).await
}

pub async fn admin_set_user_mfa_preference(core: &Core, input: Value) -> Result<Value, ApiError> {
    let pool = super::pools::pool_of(core, &input).await?;
    let username = required_str(&input, "Username")?.to_string();
    let user = crate::auth::user_ops::find_user(core, &pool, &username).await?;
    set_preference(core, &user, &input).await
}

pub async fn change_password(core: &Core, input: Value) -> Result<Value, ApiError> {
    let (user, pool) = token_user(core, &input).await?;
    let previous = required_str(&input, "PreviousPassword")?;
    let proposed = required_str(&input, "ProposedPassword")?;
    crate::auth::recovery::change_password(core, &pool, &user, previous, proposed, unix_now())
        .await?;
    Ok(json!({}))
}
