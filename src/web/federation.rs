//! Sign-in through an external provider: the redirect there (from
//! `/oauth2/authorize?identity_provider=…` or a button on the sign-in
//! page) and its answer at `/oauth2/idpresponse`.
//!
//! The state, nonce and PKCE verifier live in this browser's session and
//! are taken from it by the first answer, so an answer is good once, in
//! the browser that started the sign-in. Whatever goes wrong ends on a
//! page (the answer cannot be trusted: no session, wrong state) or back at
//! the app as `error=…` (the provider refused, failed, or sent a token
//! that does not verify) — never in a sign-in.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::errors::PageError;
use super::oauth::authorize_error;
use super::pages::{self, href, redirect};
use super::session::{self, PendingFederation, PENDING_AUTHORIZE, PENDING_FEDERATION};
use super::WebState;
use crate::auth::federation::{self as fed, ProviderChoice};
use crate::auth::oauth::{AuthorizationRequest, AuthorizeError};
use crate::auth::{AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::identity_providers::IdentityProvider;
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::federation::{Expected, FederationError};

/// How long the provider may take to send the user back (seconds).
const FEDERATION_TTL: i64 = 600;

/// The callback every provider sends the user back to.
pub fn redirect_uri(core: &Core) -> String {
    format!("{}/oauth2/idpresponse", core.public_url)
}

/// The link on the sign-in page that sends this authorization request to
/// `provider` (the request as the app made it, plus `identity_provider`).
pub fn provider_href(req: &AuthorizationRequest, provider: &str) -> String {
    let scope = req.scope.join(" ");
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", req.client_id.as_str()),
        ("redirect_uri", req.redirect_uri.as_str()),
        ("scope", scope.as_str()),
        ("identity_provider", provider),
    ];
    if let Some(s) = &req.state {
        params.push(("state", s));
    }
    if let Some(n) = &req.nonce {
        params.push(("nonce", n));
    }
    if let Some(c) = &req.code_challenge {
        params.push(("code_challenge", c));
        params.push(("code_challenge_method", "S256"));
    }
    href("/oauth2/authorize", &params)
}

/// Back to the app with an OAuth error, when an authorization request is
/// pending; else a page with the reason.
fn back_to_app(s: &Session, error: &'static str, description: String) -> HttpResponse {
    match session::get::<AuthorizationRequest>(s, PENDING_AUTHORIZE) {
        Some(req) => {
            s.remove(PENDING_AUTHORIZE);
            authorize_error(AuthorizeError::Redirect {
                redirect_uri: req.redirect_uri,
                state: req.state,
                error,
                description,
            })
        }
        None => actix_web::ResponseError::error_response(&PageError::BadRequest(description)),
    }
}

/// The provider an authorization request names, checked against the
/// client; `Err` is the response refusing it.
pub async fn chosen_provider(
    core: &Core,
    pool: &Pool,
    client: &Client,
    choice: ProviderChoice<'_>,
) -> Result<Result<IdentityProvider, String>, PageError> {
    match fed::provider_for(core, pool, client, choice).await {
        Ok(p) => Ok(Ok(p)),
        Err(AuthError::InvalidParameter(m)) => Ok(Err(m)),
        Err(e) => Err(e.into()),
    }
}

/// Sends the browser to `idp` with a new state, nonce and PKCE challenge
/// kept in its session. The authorization request must already be in the
/// session.
pub async fn start(
    core: &Core,
    s: &Session,
    client: &Client,
    pool: &Pool,
    idp: &IdentityProvider,
) -> Result<HttpResponse, PageError> {
    let callback = redirect_uri(core);
    let started = match core
        .federation
        .start(&fed::relying_party(idp), &callback)
        .await
    {
        Ok(st) => st,
        Err(e) => {
            tracing::warn!(provider = %idp.name, error = %e, "identity provider unavailable");
            return Ok(back_to_app(
                s,
                "temporarily_unavailable",
                format!("The identity provider {} could not be reached.", idp.name),
            ));
        }
    };
    s.insert(
        PENDING_FEDERATION,
        PendingFederation {
            pool_id: pool.id.to_string(),
            client_id: client.id.to_string(),
            provider: idp.name.clone(),
            state: started.state,
            nonce: started.nonce,
            pkce_verifier: started.pkce_verifier,
            started: unix_now(),
        },
    )?;
    Ok(redirect(&started.url))
}

#[derive(Deserialize)]
pub struct ProviderAnswer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The RFC 6749 error codes a provider's refusal is passed on as.
fn passed_on(error: &str) -> &'static str {
    match error {
        "access_denied" => "access_denied",
        "temporarily_unavailable" => "temporarily_unavailable",
        "server_error" => "server_error",
        _ => "invalid_request",
    }
}

/// GET /oauth2/idpresponse: the provider's answer.
pub async fn idpresponse(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ProviderAnswer>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let Some(pending) = session::get::<PendingFederation>(&s, PENDING_FEDERATION) else {
        return Err(PageError::BadRequest(
            "This sign-in is not in progress in this browser, or was already used. Start again from the app."
                .into(),
        ));
    };
    // Single use, whatever comes next.
    s.remove(PENDING_FEDERATION);
    let state_ok = q
        .state
        .as_deref()
        .is_some_and(|st| bool::from(st.as_bytes().ct_eq(pending.state.as_bytes())));
    if !state_ok {
        s.remove(PENDING_AUTHORIZE);
        return Err(PageError::BadRequest(
            "The identity provider's answer does not belong to this sign-in. Start again from the app."
                .into(),
        ));
    }
    let now = unix_now();
    if now - pending.started > FEDERATION_TTL {
        return Ok(back_to_app(
            &s,
            "access_denied",
            "The sign-in at the identity provider took too long. Try again.".into(),
        ));
    }
    if let Some(error) = q.error.as_deref() {
        let description = q
            .error_description
            .as_deref()
            .map(|d| d.chars().take(200).collect::<String>())
            .unwrap_or_else(|| format!("The identity provider answered {error}."));
        return Ok(back_to_app(&s, passed_on(error), description));
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(back_to_app(
            &s,
            "invalid_request",
            "The identity provider sent no authorization code.".into(),
        ));
    };
    let (client, pool) = pages::client_and_pool(core, Some(&pending.client_id)).await?;
    if pool.id.as_str() != pending.pool_id {
        return Err(PageError::BadRequest(
            "The app client changed pools.".into(),
        ));
    }
    let idp = match chosen_provider(
        core,
        &pool,
        &client,
        ProviderChoice::Name(&pending.provider),
    )
    .await?
    {
        Ok(idp) => idp,
        Err(m) => return Ok(back_to_app(&s, "invalid_request", m)),
    };
    let claims = core
        .federation
        .finish(
            &fed::relying_party(&idp),
            &redirect_uri(core),
            code,
            Expected {
                nonce: &pending.nonce,
                pkce_verifier: &pending.pkce_verifier,
            },
            &fed::wanted_claims(&idp),
        )
        .await;
    let claims = match claims {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(provider = %idp.name, error = %e, "federated sign-in refused");
            let error = match e {
                FederationError::Unavailable(_) => "temporarily_unavailable",
                _ => "invalid_request",
            };
            return Ok(back_to_app(&s, error, e.to_string()));
        }
    };
    match fed::sign_in(core, &pool, &idp, &claims, now).await {
        Ok(user) => pages::sign_in(core, &s, &pool, &user, now).await,
        Err(AuthError::InvalidParameter(m)) => Ok(back_to_app(&s, "invalid_request", m)),
        Err(AuthError::UsernameExists) => Ok(back_to_app(
            &s,
            "invalid_request",
            "A different account already has this identity's user name.".into(),
        )),
        Err(AuthError::NotAuthorized(m)) => Ok(back_to_app(&s, "access_denied", m)),
        Err(e) => Err(e.into()),
    }
}
