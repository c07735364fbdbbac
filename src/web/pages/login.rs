//! `/login`: the sign-in page.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{client_and_pool, href, redirect, username_label};
use crate::auth::federation;
use crate::auth::oauth::{self, AuthorizationRequest, AuthorizeParams};
use crate::auth::signin::{self, SignInStep};
use crate::auth::signup;
use crate::auth::{AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::{unix_now, unix_now_ms};
use crate::web::errors::{html, PageError};
use crate::web::session::{
    PendingNewPassword, PendingSignUp, PENDING_AUTHORIZE, PENDING_NEW_PASSWORD, PENDING_SIGNUP,
};
use crate::web::views::LoginPage;
use crate::web::{csrf, WebState};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// The "Continue with …" buttons for the pending authorization request
/// (none without one: a provider's answer must go back to an app).
async fn provider_buttons(
    core: &Core,
    s: &Session,
    client: &Client,
    pool: &Pool,
) -> Result<Vec<(String, String)>, PageError> {
    let Some(req) = crate::web::session::get::<AuthorizationRequest>(s, PENDING_AUTHORIZE) else {
        return Ok(Vec::new());
    };
    if req.client_id != client.id.as_str() {
        return Ok(Vec::new());
    }
    let providers = federation::providers_of_client(core, pool, client).await?;
    Ok(providers
        .iter()
        .map(|p| {
            (
                format!("Continue with {}", p.name),
                crate::web::federation::provider_href(&req, &p.name),
            )
        })
        .collect())
}

/// The login page with an optional error or notice.
#[allow(clippy::too_many_arguments)]
pub async fn render(
    core: &Core,
    s: &Session,
    client: &Client,
    pool: &Pool,
    username: &str,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let cid = client.id.as_str();
    let (label, input_type) = username_label(pool);
    let providers = provider_buttons(core, s, client, pool).await?;
    let local = client.settings.allows_local_sign_in();
    Ok(html(
        status,
        &LoginPage {
            pool_name: pool.name.clone(),
            action: href("/login", &[("client_id", cid)]),
            csrf: csrf::token(s)?,
            username: username.to_string(),
            username_label: label.into(),
            username_type: input_type.into(),
            error,
            notice,
            signup_href: (local && !pool.settings.allow_admin_create_user_only())
                .then(|| href("/signup", &[("client_id", cid)])),
            forgot_href: (local && crate::auth::recovery::self_service(pool))
                .then(|| href("/forgotPassword", &[("client_id", cid)])),
            local,
            providers,
        },
    ))
}

/// GET /login. Accepts the authorization parameters too, as Cognito's
/// hosted UI does, so an app may link here directly.
pub async fn get(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    if q.redirect_uri.is_some() || q.response_type.is_some() {
        match oauth::check_authorize(&client, &q) {
            Ok(req) => s.insert(PENDING_AUTHORIZE, req)?,
            Err(e) => return Ok(super::super::oauth::authorize_error(e)),
        }
    }
    render(core, &s, &client, &pool, "", None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ClientQuery {
    pub client_id: Option<String>,
}

/// POST /login.
pub async fn post(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let core: &Core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    if !client.settings.allows_local_sign_in() {
        return Err(PageError::Forbidden(
            "Sign-in with a user name and password is not enabled for this app.".into(),
        ));
    }
    let now = unix_now();
    let username = form.username.trim();
    let result =
        signin::password_sign_in(core, &pool, username, &form.password, false, unix_now_ms()).await;
    match result {
        Ok(SignInStep::Authenticated(user)) => {
            super::mfa::after_password(core, &s, &client, &pool, &user, now).await
        }
        Ok(SignInStep::ConfirmSignUp(user)) => {
            // The password was right: the user may finish the sign-up here,
            // unless the pool leaves confirmation to an administrator.
            let delivery = signup::send_confirmation_code(core, &pool, &user, now).await;
            if matches!(delivery, Ok(None)) {
                return render(
                    core,
                    &s,
                    &client,
                    &pool,
                    username,
                    Some("Your account is not confirmed yet. An administrator must confirm it before you can sign in.".into()),
                    None,
                    StatusCode::BAD_REQUEST,
                ).await;
            }
            s.renew();
            s.insert(
                PENDING_SIGNUP,
                PendingSignUp {
                    pool_id: pool.id.to_string(),
                    sub: user.sub.to_string(),
                    destination: delivery.ok().flatten().map(|d| d.destination),
                },
            )?;
            Ok(redirect(&href(
                "/confirmUser",
                &[("client_id", client.id.as_str()), ("username", username)],
            )))
        }
        Ok(SignInStep::PasswordResetRequired(_)) => Ok(redirect(&href(
            "/confirmForgotPassword",
            &[("client_id", client.id.as_str()), ("username", username)],
        ))),
        Ok(SignInStep::NewPasswordRequired(user)) => {
            s.renew();
            s.insert(
                PENDING_NEW_PASSWORD,
                PendingNewPassword {
                    pool_id: pool.id.to_string(),
                    sub: user.sub.to_string(),
                    until: now + client.settings.auth_session_ttl_secs(),
                },
            )?;
            Ok(redirect(&href(
                "/newPassword",
                &[("client_id", client.id.as_str())],
            )))
        }
        Err(AuthError::NotAuthorized(m)) => {
            render(
                core,
                &s,
                &client,
                &pool,
                username,
                Some(m),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(AuthError::UserNotFound) => {
            render(
                core,
                &s,
                &client,
                &pool,
                username,
                Some(signin::BAD_CREDENTIALS.into()),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
