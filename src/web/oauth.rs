//! `/oauth2/*`: authorize (browser), token, userInfo and revoke (apps).

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;

use super::errors::{OAuthJsonError, PageError};
use super::federation;
use super::pages::{client_and_pool, code_redirect, current_user, href, redirect};
use super::session::{self, SignedIn, PENDING_AUTHORIZE, SIGNED_IN};
use super::WebState;
use crate::auth::oauth::{self, AuthorizeError, AuthorizeParams, OAuthError};
use crate::auth::Core;
use crate::directory::clients::Client;
use crate::directory::unix_now;

/// Turns a refused authorization request into its response.
pub fn authorize_error(e: AuthorizeError) -> HttpResponse {
    match e {
        AuthorizeError::Page(m) => {
            actix_web::ResponseError::error_response(&PageError::BadRequest(m))
        }
        AuthorizeError::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => match url::Url::parse(&redirect_uri) {
            Ok(mut url) => {
                {
                    let mut q = url.query_pairs_mut();
                    q.append_pair("error", error);
                    q.append_pair("error_description", &description);
                    if let Some(s) = &state {
                        q.append_pair("state", s);
                    }
                }
                redirect(url.as_str())
            }
            Err(_) => actix_web::ResponseError::error_response(&PageError::BadRequest(description)),
        },
    }
}

/// GET /oauth2/authorize.
pub async fn authorize(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    let req = match oauth::check_authorize(&client, &q) {
        Ok(r) => r,
        Err(e) => return Ok(authorize_error(e)),
    };
    let prompt = q.prompt.as_deref().unwrap_or_default();
    if prompt.split_whitespace().any(|p| p == "login") {
        s.remove(SIGNED_IN);
    }
    let prompt_none = prompt.split_whitespace().any(|p| p == "none");
    // A named provider is where the user goes (unless no page may show).
    if let Some(choice) = q.external_provider().filter(|_| !prompt_none) {
        let idp = match federation::chosen_provider(core, &pool, &client, choice).await? {
            Ok(idp) => idp,
            Err(m) => {
                return Ok(authorize_error(AuthorizeError::Redirect {
                    redirect_uri: req.redirect_uri,
                    state: req.state,
                    error: "invalid_request",
                    description: m,
                }))
            }
        };
        s.insert(PENDING_AUTHORIZE, &req)?;
        return federation::start(core, &s, &client, &pool, &idp).await;
    }
    if let Some(user) = current_user(core, &s, &pool).await? {
        let auth_time = session::get::<SignedIn>(&s, SIGNED_IN)
            .map(|x| x.auth_time)
            .unwrap_or_else(unix_now);
        let to = code_redirect(core, &req, &user, auth_time, unix_now()).await?;
        return Ok(redirect(&to));
    }
    if prompt_none {
        return Ok(authorize_error(AuthorizeError::Redirect {
            redirect_uri: req.redirect_uri,
            state: req.state,
            error: "login_required",
            description: "The user is not signed in.".into(),
        }));
    }
    s.insert(PENDING_AUTHORIZE, &req)?;
    Ok(redirect(&href(
        "/login",
        &[("client_id", client.id.as_str())],
    )))
}

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    token: Option<String>,
}

/// client_secret_basic: `Authorization: Basic base64(id:secret)`. RFC 6749
/// §2.3.1 form-encodes each part first, but most clients send them raw, so
/// only percent-escapes are decoded (a `+` stays a `+`).
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| OAuthError::InvalidClient)?;
    let Some(b64) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let decoded = STANDARD
        .decode(b64.trim())
        .map_err(|_| OAuthError::InvalidClient)?;
    let text = String::from_utf8(decoded).map_err(|_| OAuthError::InvalidClient)?;
    let (id, secret) = text.split_once(':').ok_or(OAuthError::InvalidClient)?;
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// Authenticates the calling client (basic, post, or none for public ones).
async fn authenticate_client(
    core: &Core,
    req: &HttpRequest,
    form: &TokenForm,
) -> Result<Client, OAuthError> {
    let basic = basic_credentials(req)?;
    let (id, secret) = match (basic, &form.client_secret) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::InvalidRequest(
                "Use one client authentication method only.".into(),
            ))
        }
        (Some((id, secret)), None) => {
            if form.client_id.as_deref().is_some_and(|c| c != id) {
                return Err(OAuthError::InvalidClient);
            }
            (id, Some(secret))
        }
        (None, secret) => (
            form.client_id
                .clone()
                .ok_or_else(|| OAuthError::InvalidRequest("client_id is required.".into()))?,
            secret.clone(),
        ),
    };
    let found = oauth::load_client(core, &id).await?;
    let Some((client, _pool)) = found else {
        return Err(OAuthError::InvalidClient);
    };
    if !client.secret_matches(secret.as_deref()) {
        return Err(OAuthError::InvalidClient);
    }
    Ok(client)
}

fn required<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, OAuthError> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required.")))
}

/// POST /oauth2/token.
pub async fn token(
    req: HttpRequest,
    state: web::Data<WebState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, OAuthJsonError> {
    let core = &state.core;
    let grant = required(&form.grant_type, "grant_type")?.to_string();
    let client = authenticate_client(core, &req, &form).await?;
    let now = unix_now();
    let response = match grant.as_str() {
        "authorization_code" => {
            oauth::exchange_code(
                core,
                &client,
                required(&form.code, "code")?,
                form.redirect_uri.as_deref(),
                form.code_verifier.as_deref(),
                now,
            )
            .await?
        }
        "refresh_token" => {
            oauth::refresh(
                core,
                &client,
                required(&form.refresh_token, "refresh_token")?,
                now,
            )
            .await?
        }
        "client_credentials" => {
            oauth::client_credentials(core, &client, form.scope.as_deref(), now).await?
        }
        _ => return Err(OAuthError::UnsupportedGrantType.into()),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response))
}

/// GET or POST /oauth2/userInfo with `Authorization: Bearer <access token>`.
pub async fn userinfo(
    req: HttpRequest,
    state: web::Data<WebState>,
) -> Result<HttpResponse, OAuthJsonError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::InvalidToken("An access token is required.".into()))?;
    let info = oauth::userinfo(&state.core, token, unix_now()).await?;
    Ok(HttpResponse::Ok().json(info))
}

/// POST /oauth2/revoke: `token` = a refresh token, with client authentication.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<WebState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, OAuthJsonError> {
    let core = &state.core;
    let token = required(&form.token, "token")?;
    let client = authenticate_client(core, &req, &form).await?;
    oauth::revoke(core, &client, token).await?;
    Ok(HttpResponse::Ok().finish())
}
