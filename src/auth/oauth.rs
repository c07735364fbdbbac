//! OAuth 2.0 / OIDC: the authorization request rules, authorization codes,
//! the token grants, revocation and userInfo. RFC 6749 error codes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{AuthError, Core};
use crate::db::schema::{auth_codes, refresh_tokens};
use crate::db::{write_tx, Conn, DbError};
use crate::directory::clients::{self, Client};
use crate::directory::groups::{self, Group, GroupError};
use crate::directory::ids::random_token;
use crate::directory::pools::{self, Pool};
use crate::directory::resource_servers;
use crate::directory::users::{self, User};
use crate::directory::DirectoryError;
use crate::tokens::{self, jwt, Grant};

/// What `verify_access_token` says of an expired or revoked token (the API
/// tells these apart).
pub const TOKEN_EXPIRED: &str = "Access token has expired";
pub const TOKEN_REVOKED: &str = "Access token has been revoked";

/// Authorization codes live this long (seconds).
pub const CODE_TTL: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("client authentication failed")]
    InvalidClient,
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("grant type not supported")]
    UnsupportedGrantType,
    #[error("{0}")]
    InvalidScope(String),
    #[error("{0}")]
    InvalidToken(String),
    #[error("{0}")]
    Server(String),
}

impl OAuthError {
    /// The RFC 6749 `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::InvalidToken(_) => "invalid_token",
            OAuthError::Server(_) => "server_error",
        }
    }
}

impl From<DbError> for OAuthError {
    fn from(e: DbError) -> Self {
        OAuthError::Server(e.to_string())
    }
}

impl From<diesel::result::Error> for OAuthError {
    fn from(e: diesel::result::Error) -> Self {
        OAuthError::Server(e.to_string())
    }
}

impl From<DirectoryError> for OAuthError {
    fn from(e: DirectoryError) -> Self {
        OAuthError::Server(e.to_string())
    }
}

impl From<AuthError> for OAuthError {
    fn from(e: AuthError) -> Self {
        OAuthError::Server(e.to_string())
    }
}

impl From<tokens::KeyError> for OAuthError {
    fn from(e: tokens::KeyError) -> Self {
        OAuthError::Server(e.to_string())
    }
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A client and its pool, found by the client id an app sent.
pub async fn load_client(
    core: &Core,
    client_id: &str,
) -> Result<Option<(Client, Pool)>, AuthError> {
    let id = client_id.to_string();
    Ok(core
        .db
        .run(move |conn| {
            let Some(client) = clients::find(conn, &id)? else {
                return Ok::<_, DirectoryError>(None);
            };
            let pool = pools::get(conn, client.pool_id.as_str())?;
            Ok(Some((client, pool)))
        })
        .await?)
}

/// A checked authorization request, kept in the session while the user
/// signs in.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
}

/// The raw query of `/oauth2/authorize`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub identity_provider: Option<String>,
    pub idp_identifier: Option<String>,
    pub prompt: Option<String>,
}

impl AuthorizeParams {
    /// The external provider the request names (`identity_provider`, or
    /// else `idp_identifier`); `None` for the hosted sign-in page.
    pub fn external_provider(&self) -> Option<super::federation::ProviderChoice<'_>> {
        use super::federation::ProviderChoice;
        fn nonempty(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|x| !x.is_empty())
        }
        match (
            nonempty(&self.identity_provider),
            nonempty(&self.idp_identifier),
        ) {
            (Some("COGNITO"), _) => None,
            (Some(name), _) => Some(ProviderChoice::Name(name)),
            (None, Some(id)) => Some(ProviderChoice::Identifier(id)),
            (None, None) => None,
        }
    }
}

/// Why an authorization request was refused: before the redirect URI is
/// trusted the error is shown on cognate's own page; after, it goes back
/// to the app.
#[derive(Debug, PartialEq, Eq)]
pub enum AuthorizeError {
    Page(String),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
}

/// Applies the client's rules to an authorization request.
pub fn check_authorize(
    client: &Client,
    p: &AuthorizeParams,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let s = &client.settings;
    let Some(redirect_uri) = p.redirect_uri.clone().filter(|r| !r.is_empty()) else {
        return Err(AuthorizeError::Page(
            "The redirect_uri parameter is missing.".into(),
        ));
    };
    if !s.is_callback_url(&redirect_uri) {
        return Err(AuthorizeError::Page(
            "The redirect_uri is not registered for this app client.".into(),
        ));
    }
    let back = |error: &'static str, description: &str| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: p.state.clone(),
        error,
        description: description.to_string(),
    };
    match p.response_type.as_deref() {
        Some("code") if s.allows_oauth_flow("code") => {}
        Some("code") => {
            return Err(back(
                "unauthorized_client",
                "The app client is not allowed the code flow.",
            ))
        }
        Some(_) => {
            return Err(back(
                "unsupported_response_type",
                "Only response_type=code is supported.",
            ))
        }
        None => return Err(back("invalid_request", "response_type is required.")),
    }
    // An external provider is checked against the pool by the caller.
    let local = p.external_provider().is_none();
    if local && p.identity_provider.as_deref() == Some("COGNITO") && !s.allows_local_sign_in() {
        return Err(back(
            "unauthorized_client",
            "Sign-in with a user name and password is not enabled for this app client.",
        ));
    }
    if local && s.supported_identity_providers().is_empty() {
        return Err(back(
            "unauthorized_client",
            "The app client allows no identity provider.",
        ));
    }
    let prompts: Vec<&str> = p
        .prompt
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if prompts.contains(&"none") && prompts.len() > 1 {
        return Err(back(
            "invalid_request",
            "prompt=none cannot be combined with other values.",
        ));
    }
    let scope = granted_scopes(p.scope.as_deref(), s.allowed_oauth_scopes())
        .map_err(|m| back("invalid_scope", &m))?;
    if scope
        .iter()
        .any(|x| matches!(x.as_str(), "email" | "phone" | "profile"))
        && !scope.iter().any(|x| x == "openid")
    {
        return Err(back(
            "invalid_scope",
            "The email, phone and profile scopes require the openid scope.",
        ));
    }
    let code_challenge = match (
        p.code_challenge.as_deref(),
        p.code_challenge_method.as_deref(),
    ) {
        (None, None) if client.secret.is_some() => None,
        (None, _) => {
            return Err(back(
                "invalid_request",
                "PKCE is required: send code_challenge with code_challenge_method=S256.",
            ))
        }
        (Some(c), Some("S256")) if is_pkce_value(c) => Some(c.to_string()),
        (Some(_), Some("S256")) => {
            return Err(back("invalid_request", "The code_challenge is malformed."))
        }
        (Some(_), _) => {
            return Err(back(
                "invalid_request",
                "Only code_challenge_method=S256 is supported.",
            ))
        }
    };
    Ok(AuthorizationRequest {
        client_id: client.id.to_string(),
        redirect_uri,
        scope,
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        code_challenge,
    })
}

/// The scopes granted for a request: those asked for, which must all be
/// allowed, or all the allowed ones when none are asked for.
pub fn granted_scopes(requested: Option<&str>, allowed: &[String]) -> Result<Vec<String>, String> {
    let scope: Vec<String> = match requested.map(str::trim).filter(|x| !x.is_empty()) {
        Some(sc) => sc.split_whitespace().map(str::to_string).collect(),
        None => allowed.to_vec(),
    };
    if let Some(bad) = scope.iter().find(|x| !allowed.contains(x)) {
        return Err(format!(
            "The scope {bad} is not allowed for this app client."
        ));
    }
    if scope.is_empty() {
        return Err("No scope is allowed for this app client.".into());
    }
    Ok(scope)
}

/// Issues an authorization code for a signed-in user.
pub async fn create_code(
    core: &Core,
    req: &AuthorizationRequest,
    user: &User,
    auth_time: i64,
    now: i64,
) -> Result<String, AuthError> {
    let code = uuid::Uuid::new_v4().to_string() + &random_token(16);
    let hash = sha256_hex(&code);
    let req = req.clone();
    let sub = user.sub.clone();
    core.db
        .run(move |conn| {
            diesel::insert_into(auth_codes::table)
                .values((
                    auth_codes::code_hash.eq(hash),
                    auth_codes::client_id.eq(&req.client_id),
                    auth_codes::user_id.eq(sub.as_str()),
                    auth_codes::redirect_uri.eq(&req.redirect_uri),
                    auth_codes::scope.eq(req.scope.join(" ")),
                    auth_codes::nonce.eq(&req.nonce),
                    auth_codes::code_challenge.eq(&req.code_challenge),
                    auth_codes::auth_time.eq(auth_time),
                    auth_codes::origin_jti.eq(uuid::Uuid::new_v4().to_string()),
                    auth_codes::used.eq(false),
                    auth_codes::expires_at.eq(now + CODE_TTL),
                ))
                .execute(conn)?;
            Ok::<_, DbError>(())
        })
        .await?;
    Ok(code)
}

/// The JSON body of a successful `/oauth2/token` answer.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub token_type: &'static str,
}

/// client, user, redirect URI, scope, nonce, challenge, auth time, origin jti, used, expiry.
type CodeRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    bool,
    i64,
);

/// The `authorization_code` grant. The code is consumed by a conditional
/// update; a code presented twice revokes what it issued.
pub async fn exchange_code(
    core: &Core,
    client: &Client,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    if !client.settings.allows_oauth_flow("code") {
        return Err(OAuthError::UnauthorizedClient(
            "The app client is not allowed the code flow.".into(),
        ));
    }
    let hash = sha256_hex(code);
    let refresh = random_token(48);
    let refresh_hash = sha256_hex(&refresh);
    let client_id = client.id.to_string();
    let redirect_uri = redirect_uri.map(str::to_string);
    let verifier = code_verifier.map(str::to_string);
    let refresh_ttl = client.settings.refresh_token_ttl_secs();
    let (user_id, scope, nonce, auth_time, origin_jti) = core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let row: Option<CodeRow> = auth_codes::table
                    .find(&hash)
                    .select((
                        auth_codes::client_id,
                        auth_codes::user_id,
                        auth_codes::redirect_uri,
                        auth_codes::scope,
                        auth_codes::nonce,
                        auth_codes::code_challenge,
                        auth_codes::auth_time,
                        auth_codes::origin_jti,
                        auth_codes::used,
                        auth_codes::expires_at,
                    ))
                    .get_result(conn)
                    .optional()?;
                let Some((
                    cid,
                    user_id,
                    stored_redirect,
                    scope,
                    nonce,
                    challenge,
                    auth_time,
                    origin_jti,
                    used,
                    expires_at,
                )) = row
                else {
                    return Err(OAuthError::InvalidGrant(
                        "The authorization code is invalid.".into(),
                    ));
                };
                if cid != client_id {
                    return Err(OAuthError::InvalidGrant(
                        "The authorization code is invalid.".into(),
                    ));
                }
                if used {
                    // Replay: revoke everything this code gave, and commit
                    // that (the outer Ok) while refusing the request.
                    diesel::update(
                        refresh_tokens::table.filter(refresh_tokens::origin_jti.eq(&origin_jti)),
                    )
                    .set(refresh_tokens::revoked.eq(true))
                    .execute(conn)?;
                    return Ok(Err(OAuthError::InvalidGrant(
                        "The authorization code was already used.".into(),
                    )));
                }
                if expires_at <= now {
                    return Err(OAuthError::InvalidGrant(
                        "The authorization code has expired.".into(),
                    ));
                }
                if redirect_uri.as_deref() != Some(stored_redirect.as_str()) {
                    return Err(OAuthError::InvalidGrant(
                        "redirect_uri does not match the authorization request.".into(),
                    ));
                }
                if let Some(challenge) = challenge {
                    let Some(v) = verifier.as_deref().filter(|v| is_pkce_value(v)) else {
                        return Err(OAuthError::InvalidGrant(
                            "A valid code_verifier is required.".into(),
                        ));
                    };
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
                    if !bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                        return Err(OAuthError::InvalidGrant(
                            "The code_verifier does not match the code_challenge.".into(),
                        ));
                    }
                }
                let n = diesel::update(
                    auth_codes::table
                        .find(&hash)
                        .filter(auth_codes::used.eq(false)),
                )
                .set(auth_codes::used.eq(true))
                .execute(conn)?;
                if n != 1 {
                    return Err(OAuthError::InvalidGrant(
                        "The authorization code was already used.".into(),
                    ));
                }
                diesel::insert_into(refresh_tokens::table)
                    .values((
                        refresh_tokens::token_hash.eq(&refresh_hash),
                        refresh_tokens::origin_jti.eq(&origin_jti),
                        refresh_tokens::client_id.eq(&client_id),
                        refresh_tokens::user_id.eq(&user_id),
                        refresh_tokens::scope.eq(&scope),
                        refresh_tokens::auth_time.eq(auth_time),
                        refresh_tokens::revoked.eq(false),
                        refresh_tokens::expires_at.eq(now + refresh_ttl),
                        refresh_tokens::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(Ok((user_id, scope, nonce, auth_time, origin_jti)))
            })
        })
        .await??;
    let sign_in = SignIn {
        user_id,
        scope,
        auth_time,
        nonce,
        origin_jti,
    };
    token_response(core, client, sign_in, Some(refresh), now).await
}

/// Tokens for a sign-in made through the API (InitiateAuth and its
/// challenges): scope `aws.cognito.signin.user.admin`, a new refresh token.
pub async fn issue_for_sign_in(
    core: &Core,
    client: &Client,
    user: &User,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let refresh = random_token(48);
    let refresh_hash = sha256_hex(&refresh);
    let origin_jti = uuid::Uuid::new_v4().to_string();
    let scope = "aws.cognito.signin.user.admin".to_string();
    let (client_id, user_id) = (client.id.to_string(), user.sub.to_string());
    let ttl = client.settings.refresh_token_ttl_secs();
    let (o, sc) = (origin_jti.clone(), scope.clone());
    core.db
        .run(move |conn| {
            diesel::insert_into(refresh_tokens::table)
                .values((
                    refresh_tokens::token_hash.eq(&refresh_hash),
                    refresh_tokens::origin_jti.eq(&o),
                    refresh_tokens::client_id.eq(&client_id),
                    refresh_tokens::user_id.eq(&user_id),
                    refresh_tokens::scope.eq(&sc),
                    refresh_tokens::auth_time.eq(now),
                    refresh_tokens::revoked.eq(false),
                    refresh_tokens::expires_at.eq(now + ttl),
                    refresh_tokens::created_at.eq(now),
                ))
                .execute(conn)
                .map_err(DbError::from)
        })
        .await?;
    let sign_in = SignIn {
        user_id: user.sub.to_string(),
        scope,
        auth_time: now,
        nonce: None,
        origin_jti,
    };
    token_response(core, client, sign_in, Some(refresh), now).await
}

/// What a grant knows of the sign-in it continues.
struct SignIn {
    user_id: String,
    scope: String,
    auth_time: i64,
    nonce: Option<String>,
    origin_jti: String,
}

/// Signs the ID and access tokens of a sign-in for a still-active user.
async fn token_response(
    core: &Core,
    client: &Client,
    s: SignIn,
    refresh_token: Option<String>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let (user, groups) = active_user_and_groups(core, &s.user_id).await?;
    issue_tokens(core, client, s, user, groups, refresh_token, now).await
}

/// Signs the tokens of a sign-in whose user and groups are already read.
async fn issue_tokens(
    core: &Core,
    client: &Client,
    s: SignIn,
    user: User,
    groups: Vec<Group>,
    refresh_token: Option<String>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let issued = tokens::issue(
        &core.keys,
        Grant {
            issuer: core.issuer(client.pool_id.as_str()),
            client: client.clone(),
            user,
            scope: s.scope.split_whitespace().map(str::to_string).collect(),
            auth_time: s.auth_time,
            nonce: s.nonce,
            origin_jti: s.origin_jti,
            groups,
        },
        now,
    )
    .await?;
    Ok(TokenResponse {
        id_token: issued.id_token,
        access_token: issued.access_token,
        refresh_token,
        expires_in: issued.expires_in,
        token_type: "Bearer",
    })
}

/// The user of a grant, still active, and its groups in token order, read
/// together.
async fn active_user_and_groups(core: &Core, sub: &str) -> Result<(User, Vec<Group>), OAuthError> {
    let id = sub.to_string();
    let found = core
        .db
        .run(move |conn| user_and_groups(conn, &id))
        .await
        .map_err(|e| OAuthError::Server(e.to_string()))?;
    active(found)
}

fn user_and_groups(conn: &mut Conn, sub: &str) -> Result<Option<(User, Vec<Group>)>, GroupError> {
    let Some(user) = users::find_by_sub(conn, sub)? else {
        return Ok(None);
    };
    let groups = groups::for_token(conn, &user.sub)?;
    Ok(Some((user, groups)))
}

/// The user of a grant (with what was read beside it), if still active.
fn active<T>(found: Option<(User, T)>) -> Result<(User, T), OAuthError> {
    match found {
        Some((u, with)) if u.enabled => Ok((u, with)),
        _ => Err(OAuthError::InvalidGrant(
            "The user is disabled or no longer exists.".into(),
        )),
    }
}

/// The sign-in of a live (unrevoked, unexpired) refresh token of
/// `client_id`, by the token's hash.
fn live_sign_in(
    conn: &mut Conn,
    hash: &str,
    client_id: &str,
    now: i64,
) -> QueryResult<Option<SignIn>> {
    let row: Option<(String, String, i64, String)> = refresh_tokens::table
        .find(hash)
        .filter(refresh_tokens::client_id.eq(client_id))
        .filter(refresh_tokens::revoked.eq(false))
        .filter(refresh_tokens::expires_at.gt(now))
        .select((
            refresh_tokens::user_id,
            refresh_tokens::scope,
            refresh_tokens::auth_time,
            refresh_tokens::origin_jti,
        ))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|(user_id, scope, auth_time, origin_jti)| SignIn {
        user_id,
        scope,
        auth_time,
        nonce: None,
        origin_jti,
    }))
}

fn invalid_refresh_token() -> OAuthError {
    OAuthError::InvalidGrant("Invalid Refresh Token".into())
}

/// The `refresh_token` grant: new ID and access tokens for the same sign-in.
pub async fn refresh(
    core: &Core,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let hash = sha256_hex(token);
    let cid = client.id.to_string();
    // The token, its user and the user's groups in one read.
    let found = core
        .db
        .run(move |conn| {
            let Some(sign_in) = live_sign_in(conn, &hash, &cid, now)? else {
                return Ok::<_, GroupError>(None);
            };
            let user = user_and_groups(conn, &sign_in.user_id)?;
            Ok(Some((sign_in, user)))
        })
        .await
        .map_err(|e| OAuthError::Server(e.to_string()))?;
    let (sign_in, user) = found.ok_or_else(invalid_refresh_token)?;
    let (user, groups) = active(user)?;
    issue_tokens(core, client, sign_in, user, groups, None, now).await
}

/// The user a live refresh token of `client` belongs to.
pub async fn refresh_token_user(
    core: &Core,
    client: &Client,
    token: &str,
    now: i64,
) -> Result<User, OAuthError> {
    let (hash, cid) = (sha256_hex(token), client.id.to_string());
    // The token and its user in one read.
    let found = core
        .db
        .run(move |conn| {
            let Some(sign_in) = live_sign_in(conn, &hash, &cid, now)? else {
                return Ok::<_, DirectoryError>(None);
            };
            Ok(Some(users::find_by_sub(conn, &sign_in.user_id)?))
        })
        .await?;
    let user = found.ok_or_else(invalid_refresh_token)?;
    Ok(active(user.map(|u| (u, ())))?.0)
}

/// The `client_credentials` grant (machine-to-machine, custom scopes).
pub async fn client_credentials(
    core: &Core,
    client: &Client,
    scope: Option<&str>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let s = &client.settings;
    if client.secret.is_none() || !s.allows_oauth_flow("client_credentials") {
        return Err(OAuthError::UnauthorizedClient(
            "The app client is not allowed the client_credentials grant.".into(),
        ));
    }
    // Only custom scopes, and only those that still exist: all of the
    // client's when none are asked for (Cognito's token endpoint).
    let pool_id = client.pool_id.clone();
    let existing = core
        .db
        .run(move |conn| resource_servers::pool_scopes(conn, &pool_id))
        .await?;
    let allowed: Vec<String> = s
        .custom_scopes()
        .into_iter()
        .filter(|c| existing.iter().any(|e| e == c))
        .map(str::to_string)
        .collect();
    let scope = granted_scopes(scope, &allowed).map_err(OAuthError::InvalidScope)?;
    let keys = core.keys.keys(client.pool_id.as_str(), now).await?;
    let ttl = s.access_token_ttl_secs();
    let claims = json!({
        "sub": client.id.as_str(),
        "iss": core.issuer(client.pool_id.as_str()),
        "client_id": client.id.as_str(),
        "token_use": "access",
        "scope": scope.join(" "),
        "auth_time": now,
        "exp": now + ttl,
        "iat": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "version": 2,
    });
    let access_token = tokio::task::spawn_blocking(move || {
        keys.first()
            .ok_or(jwt::JwtError::Signing)
            .and_then(|k| jwt::sign(k, &claims))
    })
    .await
    .map_err(|e| OAuthError::Server(e.to_string()))?
    .map_err(|e| OAuthError::Server(e.to_string()))?;
    Ok(TokenResponse {
        id_token: None,
        access_token,
        refresh_token: None,
        expires_in: ttl,
        token_type: "Bearer",
    })
}

/// Revokes a refresh token of `client`, and with it the access tokens of the
/// same sign-in. Unknown tokens are ignored (RFC 7009).
pub async fn revoke(core: &Core, client: &Client, token: &str) -> Result<(), OAuthError> {
    if !client.settings.token_revocation_enabled() {
        return Err(OAuthError::UnauthorizedClient(
            "Token revocation is not enabled for this app client.".into(),
        ));
    }
    let hash = sha256_hex(token);
    let client_id = client.id.to_string();
    core.db
        .run(move |conn| {
            diesel::update(
                refresh_tokens::table
                    .find(&hash)
                    .filter(refresh_tokens::client_id.eq(&client_id)),
            )
            .set(refresh_tokens::revoked.eq(true))
            .execute(conn)
            .map_err(DbError::from)
        })
        .await?;
    Ok(())
}

/// An access token that passed [`verify_access_token`], with what the check
/// read in passing.
pub struct CheckedAccessToken {
    pub claims: Map<String, Value>,
    /// The token's pool, when asked for ([`WithPool::Yes`]).
    pub pool: Option<Pool>,
    /// The app client the token was issued to.
    pub client: Client,
    /// The user of `sub` and the user's MFA record, if there is one (none
    /// for `client_credentials` tokens, or a user deleted since).
    pub user: Option<(User, crate::mfa::UserMfa)>,
}

/// Whether an access-token check also reads the pool, settings and all.
/// Without it the pool's existence is still proven: its clients go with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithPool {
    Yes,
    No,
}

/// Verifies an access token issued by this server: signature, expiry, use,
/// that its pool and client exist and that its sign-in was not revoked.
/// Once the pool's keys are known, everything it needs from the database
/// is one read.
pub async fn verify_access_token(
    core: &Core,
    token: &str,
    now: i64,
    with_pool: WithPool,
) -> Result<CheckedAccessToken, OAuthError> {
    let bad = |m: &str| OAuthError::InvalidToken(m.to_string());
    let unverified = jwt::peek_claims(token).map_err(|_| bad("Invalid access token"))?;
    let iss = unverified
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("Invalid access token"))?;
    let pool_id = iss
        .strip_prefix(&core.public_url)
        .and_then(|r| r.strip_prefix('/'))
        .filter(|p| crate::directory::PoolId::parse(p).is_some())
        .ok_or_else(|| bad("Invalid access token"))?
        .to_string();
    let keys = match core.keys.cached(&pool_id) {
        Some(keys) => keys,
        None => {
            // Keys are made on a pool's first use: never for a pool that
            // does not exist.
            let pid = pool_id.clone();
            let exists = core
                .db
                .run(move |conn| pools::find(conn, &pid).map(|p| p.is_some()))
                .await?;
            if !exists {
                return Err(bad("Invalid access token"));
            }
            core.keys.keys(&pool_id, now).await?
        }
    };
    let verified = match jwt::verify(&keys, token, now) {
        // A key made by another node since this one cached the pool's keys.
        Err(jwt::JwtError::UnknownKey) => {
            core.keys.forget(&pool_id);
            let keys = core.keys.keys(&pool_id, now).await?;
            jwt::verify(&keys, token, now)
        }
        other => other,
    };
    let claims = verified.map_err(|e| match e {
        jwt::JwtError::Expired => bad(TOKEN_EXPIRED),
        _ => bad("Invalid access token"),
    })?;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(bad("Invalid access token"));
    }
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
    let origin = text("origin_jti");
    let client_id = text("client_id").unwrap_or_default();
    let sub = text("sub").unwrap_or_default();
    // The pool still exists; the sign-in still stands (its refresh token row
    // exists — it goes with a deleted client or user — and is not revoked).
    let found = core
        .db
        .run(move |conn| {
            let pool = match with_pool {
                WithPool::Yes => match pools::find(conn, &pool_id)? {
                    Some(pool) => Some(pool),
                    None => return Ok::<_, DirectoryError>(None),
                },
                WithPool::No => None,
            };
            if let Some(origin) = origin {
                let revoked = refresh_tokens::table
                    .filter(refresh_tokens::origin_jti.eq(&origin))
                    .select(refresh_tokens::revoked)
                    .get_result::<bool>(conn)
                    .optional()?
                    .unwrap_or(true);
                if revoked {
                    return Ok(Some(Err(TOKEN_REVOKED)));
                }
            }
            // A client of the token's pool: that pool exists.
            let client = clients::find(conn, &client_id)?.filter(|c| c.pool_id.as_str() == pool_id);
            let Some(client) = client else {
                return Ok(None);
            };
            let user = match users::find_by_sub(conn, &sub)? {
                Some(user) => {
                    let mfa = crate::mfa::load(conn, &user.sub)?;
                    Some((user, mfa))
                }
                None => None,
            };
            Ok(Some(Ok((pool, client, user))))
        })
        .await?;
    match found {
        None => Err(bad("Invalid access token")),
        Some(Err(why)) => Err(bad(why)),
        Some(Ok((pool, client, user))) => Ok(CheckedAccessToken {
            claims,
            pool,
            client,
            user,
        }),
    }
}

/// The `/oauth2/userInfo` answer: the attributes the token's scopes open.
pub async fn userinfo(core: &Core, token: &str, now: i64) -> Result<Value, OAuthError> {
    let checked = verify_access_token(core, token, now, WithPool::No).await?;
    let scopes: Vec<&str> = checked
        .claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if !scopes
        .iter()
        .any(|s| *s == "openid" || *s == "aws.cognito.signin.user.admin")
    {
        return Err(OAuthError::InvalidToken(
            "The access token lacks the openid scope.".into(),
        ));
    }
    let user = checked
        .user
        .as_ref()
        .map(|(u, _)| u)
        .filter(|u| u.enabled)
        .ok_or_else(|| OAuthError::InvalidToken("The user no longer exists.".into()))?;
    let client = &checked.client;
    let all = scopes.contains(&"aws.cognito.signin.user.admin");
    let mut out = Map::new();
    out.insert("sub".into(), Value::String(user.sub.to_string()));
    let readable = user
        .attributes
        .iter()
        .filter(|(name, _)| client.settings.can_read(name));
    for (name, value) in readable {
        let opened = all
            || match name.as_str() {
                "email" | "email_verified" => scopes.contains(&"email"),
                "phone_number" | "phone_number_verified" => scopes.contains(&"phone"),
                _ => scopes.contains(&"profile"),
            };
        if opened {
            out.insert(name.clone(), Value::String(value.clone()));
        }
    }
    out.insert("username".into(), Value::String(user.username.clone()));
    Ok(Value::Object(out))
}
