//! `/confirmUser`: enter the sign-up code (and ask for another).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{client_and_pool, href};
use crate::auth::{signup, AuthError};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::web::errors::{html, PageError};
use crate::web::session::{self, PendingSignUp, PENDING_SIGNUP};
use crate::web::views::ConfirmUserPage;
use crate::web::{csrf, WebState};

#[derive(Deserialize)]
pub struct ConfirmQuery {
    client_id: Option<String>,
    #[serde(default)]
    username: String,
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

fn render(
    s: &Session,
    client: &Client,
    pool: &Pool,
    username: &str,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let cid = client.id.as_str();
    let destination = session::get::<PendingSignUp>(s, PENDING_SIGNUP)
        .filter(|p| p.pool_id == pool.id.as_str())
        .and_then(|p| p.destination);
    Ok(html(
        status,
        &ConfirmUserPage {
            pool_name: pool.name.clone(),
            action: href("/confirmUser", &[("client_id", cid)]),
            resend_action: href("/resendCode", &[("client_id", cid)]),
            csrf: csrf::token(s)?,
            username: username.to_string(),
            destination,
            error,
            notice,
            login_href: href("/login", &[("client_id", cid)]),
        },
    ))
}

/// GET /confirmUser.
pub async fn get(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    render(&s, &client, &pool, &q.username, None, None, StatusCode::OK)
}

/// POST /confirmUser: checks the code; in the browser that signed up, the
/// user is then signed in and sent on to the app.
pub async fn post(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ConfirmQuery>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let now = unix_now();
    let username = form.username.trim();
    match signup::confirm_sign_up(core, &pool, username, &form.code, false, now).await {
        Ok(user) => {
            let pending = session::get::<PendingSignUp>(&s, PENDING_SIGNUP);
            if user.enabled && pending.is_some_and(|p| p.sub == user.sub.as_str()) {
                return super::mfa::after_password(core, &s, &client, &pool, &user, now).await;
            }
            super::login::render(
                core,
                &s,
                &client,
                &pool,
                username,
                None,
                Some("Your account is confirmed. Sign in to continue.".into()),
                StatusCode::OK,
            )
            .await
        }
        Err(
            e @ (AuthError::CodeMismatch
            | AuthError::ExpiredCode
            | AuthError::LimitExceeded
            | AuthError::AliasExists(_)
            | AuthError::NotAuthorized(_)),
        ) => render(
            &s,
            &client,
            &pool,
            username,
            Some(e.to_string()),
            None,
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    username: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// POST /resendCode: a new code. The answer is the same whether or not the
/// user exists.
pub async fn resend(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ConfirmQuery>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let username = form.username.trim();
    // Sent after the answer, so its timing says nothing about the user.
    let (core_bg, pool_bg, name) = (state.core.clone(), pool.clone(), username.to_string());
    tokio::spawn(async move {
        match signup::resend_confirmation_code(&core_bg, &pool_bg, &name, unix_now()).await {
            Ok(_)
            | Err(AuthError::UserNotFound)
            | Err(AuthError::InvalidParameter(_))
            | Err(AuthError::LimitExceeded) => {}
            Err(e) => tracing::error!(error = %e, "sign-up code could not be sent"),
        }
    });
    render(
        &s,
        &client,
        &pool,
        username,
        None,
        Some("If an account is waiting for confirmation, a new code is on its way.".into()),
        StatusCode::OK,
    )
}
