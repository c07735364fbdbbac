//! OpenID Connect discovery and the JWKS of each pool.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::errors::OAuthJsonError;
use super::WebState;
use crate::auth::oauth::OAuthError;
use crate::directory::{pools, unix_now, PoolId};

async fn existing_pool(state: &WebState, pool_id: &str) -> Result<Option<PoolId>, OAuthError> {
    let Some(id) = PoolId::parse(pool_id) else {
        return Ok(None);
    };
    let pid = id.to_string();
    let found = state
        .core
        .db
        .run(move |conn| pools::find(conn, &pid).map(|p| p.is_some()))
        .await?;
    Ok(found.then_some(id))
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .json(json!({ "error": "not_found", "error_description": "No such user pool." }))
}

/// GET /{poolId}/.well-known/openid-configuration
pub async fn openid_configuration(
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, OAuthJsonError> {
    let Some(id) = existing_pool(&state, &path).await? else {
        return Ok(not_found());
    };
    let base = &state.core.public_url;
    let issuer = state.core.issuer(id.as_str());
    Ok(HttpResponse::Ok().json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "phone_number", "phone_number_verified", "cognito:username", "cognito:groups", "name", "given_name", "family_name"],
    })))
}

/// GET /{poolId}/.well-known/jwks.json
pub async fn jwks(
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, OAuthJsonError> {
    let Some(id) = existing_pool(&state, &path).await? else {
        return Ok(not_found());
    };
    let doc = state
        .core
        .keys
        .jwks(id.as_str(), unix_now())
        .await
        .map_err(OAuthError::from)?;
    Ok(HttpResponse::Ok().json(doc))
}
