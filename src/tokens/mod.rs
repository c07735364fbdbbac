//! Signing keys, ID and access tokens (RS256 JWTs with Cognito's claims),
//! JWKS. Refresh tokens are opaque and live in `auth::oauth`.

pub mod jwt;
pub mod keys;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::directory::clients::Client;
use crate::directory::groups::{self, Group};
use crate::directory::users::User;
pub use keys::{KeyError, KeyRing};

/// The attribute listing a user's external identities (a JSON array in a
/// string, as Cognito keeps it); an array claim in the ID token.
pub const IDENTITIES: &str = "identities";

/// Everything the ID and access tokens say about one sign-in.
pub struct Grant {
    pub issuer: String,
    pub client: Client,
    pub user: User,
    pub scope: Vec<String>,
    pub auth_time: i64,
    pub nonce: Option<String>,
    pub origin_jti: String,
    /// The user's groups in token order (`directory::groups::for_token`).
    pub groups: Vec<Group>,
}

pub struct IssuedTokens {
    pub id_token: Option<String>,
    pub access_token: String,
    pub expires_in: i64,
}

/// The access token's claims (Cognito's: no `aud`, `client_id` instead);
/// `cognito:groups` when the user is in a group.
pub fn access_claims(g: &Grant, now: i64) -> Value {
    let mut claims = json!({
        "sub": g.user.sub.as_str(),
        "iss": g.issuer,
        "client_id": g.client.id.as_str(),
        "origin_jti": g.origin_jti,
        "event_id": uuid::Uuid::new_v4().to_string(),
        "token_use": "access",
        "scope": g.scope.join(" "),
        "auth_time": g.auth_time,
        "exp": now + g.client.settings.access_token_ttl_secs(),
        "iat": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "username": g.user.username,
        "version": 2,
    });
    if let Some(c) = groups::claims(&g.groups) {
        claims["cognito:groups"] = json!(c.groups);
    }
    claims
}

/// The ID token's claims: identity, then the user's attributes as strings
/// (the `*_verified` flags as booleans, as Cognito sends them), and the
/// group claims (`cognito:groups`, `cognito:roles`,
/// `cognito:preferred_role`) when the user is in a group.
pub fn id_claims(g: &Grant, access_token: &str, now: i64) -> Value {
    let mut m = Map::new();
    let readable = g
        .user
        .attributes
        .iter()
        .filter(|(name, _)| name.as_str() == IDENTITIES || g.client.settings.can_read(name));
    for (name, value) in readable {
        let v = if name.ends_with("_verified") {
            Value::Bool(value == "true")
        } else if name == IDENTITIES {
            // Kept as a JSON string, sent as the array it holds.
            serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.clone()))
        } else {
            Value::String(value.clone())
        };
        m.insert(name.clone(), v);
    }
    let digest = Sha256::digest(access_token.as_bytes());
    let at_hash = URL_SAFE_NO_PAD.encode(&digest[..16]);
    let fixed = json!({
        "sub": g.user.sub.as_str(),
        "aud": g.client.id.as_str(),
        "iss": g.issuer,
        "token_use": "id",
        "cognito:username": g.user.username,
        "auth_time": g.auth_time,
        "exp": now + g.client.settings.id_token_ttl_secs(),
        "iat": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "origin_jti": g.origin_jti,
        "event_id": uuid::Uuid::new_v4().to_string(),
        "at_hash": at_hash,
    });
    if let Value::Object(f) = fixed {
        m.extend(f);
    }
    if let Some(n) = g.nonce.as_deref() {
        m.insert("nonce".into(), Value::String(n.to_string()));
    }
    if let Some(c) = groups::claims(&g.groups) {
        m.insert("cognito:groups".into(), json!(c.groups));
        if !c.roles.is_empty() {
            m.insert("cognito:roles".into(), json!(c.roles));
        }
        if let Some(role) = c.preferred_role {
            m.insert("cognito:preferred_role".into(), Value::String(role));
        }
    }
    Value::Object(m)
}

/// Signs the access token and, when `openid` was granted, the ID token,
/// on the blocking pool.
pub async fn issue(keys: &KeyRing, grant: Grant, now: i64) -> Result<IssuedTokens, KeyError> {
    let pool_keys = keys.keys(grant.client.pool_id.as_str(), now).await?;
    tokio::task::spawn_blocking(move || {
        let key = pool_keys
            .first()
            .ok_or_else(|| KeyError::Crypto("pool has no signing key".into()))?;
        let sign =
            |claims: &Value| jwt::sign(key, claims).map_err(|e| KeyError::Crypto(e.to_string()));
        let access_token = sign(&access_claims(&grant, now))?;
        // OAuth sign-ins get an ID token for `openid`; API sign-ins always do.
        let id_token = if grant
            .scope
            .iter()
            .any(|s| s == "openid" || s == "aws.cognito.signin.user.admin")
        {
            Some(sign(&id_claims(&grant, &access_token, now))?)
        } else {
            None
        };
        Ok(IssuedTokens {
            id_token,
            access_token,
            expires_in: grant.client.settings.access_token_ttl_secs(),
        })
    })
    .await
    .map_err(|e| KeyError::Crypto(e.to_string()))?
}
