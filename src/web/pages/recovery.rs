//! `/forgotPassword` and `/confirmForgotPassword`: a reset code (and an
//! e-mailed link that opens the second page with it filled in).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::ClientQuery;
use super::{client_and_pool, href, redirect, username_label};
use crate::auth::{recovery, AuthError};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::web::errors::{html, PageError};
use crate::web::views::{ConfirmForgotPasswordPage, ForgotPasswordPage};
use crate::web::{csrf, WebState};

fn refuse_if_admin_only(pool: &Pool) -> Result<(), PageError> {
    if recovery::self_service(pool) {
        Ok(())
    } else {
        Err(PageError::Forbidden(
            "Password resets for this app are done by an administrator. Ask them to reset yours."
                .into(),
        ))
    }
}

/// GET /forgotPassword.
pub async fn forgot_page(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    refuse_if_admin_only(&pool)?;
    let cid = client.id.as_str();
    Ok(html(
        StatusCode::OK,
        &ForgotPasswordPage {
            pool_name: pool.name.clone(),
            action: href("/forgotPassword", &[("client_id", cid)]),
            csrf: csrf::token(&s)?,
            username_label: username_label(&pool).0.into(),
            error: None,
            login_href: href("/login", &[("client_id", cid)]),
        },
    ))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    username: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// POST /forgotPassword: the code goes out after the answer, and the answer
/// is the same whether or not the user exists.
pub async fn forgot(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    refuse_if_admin_only(&pool)?;
    let username = form.username.trim().to_string();
    let (core, p, cid, name) = (
        state.core.clone(),
        pool.clone(),
        client.id.to_string(),
        username.clone(),
    );
    tokio::spawn(async move {
        match recovery::forgot_password(&core, &p, &cid, &name, unix_now()).await {
            Ok(_) | Err(AuthError::LimitExceeded) | Err(AuthError::InvalidParameter(_)) => {}
            Err(AuthError::NotAuthorized(_)) => {}
            Err(e) => tracing::error!(error = %e, "a reset code could not be sent"),
        }
    });
    Ok(redirect(&href(
        "/confirmForgotPassword",
        &[("client_id", client.id.as_str()), ("username", &username)],
    )))
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    client_id: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
}

struct Filled<'a> {
    username: &'a str,
    code: &'a str,
    notice: Option<String>,
    password_error: Option<String>,
    error: Option<String>,
}

fn render(
    s: &Session,
    client: &Client,
    pool: &Pool,
    f: Filled<'_>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let cid = client.id.as_str();
    Ok(html(
        status,
        &ConfirmForgotPasswordPage {
            pool_name: pool.name.clone(),
            action: href("/confirmForgotPassword", &[("client_id", cid)]),
            csrf: csrf::token(s)?,
            username_label: username_label(pool).0.into(),
            username: f.username.to_string(),
            code: f.code.to_string(),
            password_error: f.password_error,
            password_rules: pool
                .settings
                .password_policy()
                .rules()
                .iter()
                .map(|r| r.describe())
                .collect(),
            notice: f.notice,
            error: f.error,
            login_href: href("/login", &[("client_id", cid)]),
        },
    ))
}

/// GET /confirmForgotPassword (the e-mailed link fills in name and code).
pub async fn confirm_page(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    let notice = q.code.is_empty().then(|| {
        "If an account with a verified e-mail address or phone number matches, a reset code is on its way."
            .to_string()
    });
    let filled = Filled {
        username: &q.username,
        code: &q.code,
        notice,
        password_error: None,
        error: None,
    };
    render(&s, &client, &pool, filled, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// POST /confirmForgotPassword.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let username = form.username.trim();
    let result = recovery::confirm_forgot_password(
        core,
        &pool,
        username,
        &form.code,
        &form.password,
        unix_now(),
    )
    .await;
    let mut filled = Filled {
        username,
        code: &form.code,
        notice: None,
        password_error: None,
        error: None,
    };
    match result {
        Ok(_) => {
            super::login::render(
                core,
                &s,
                &client,
                &pool,
                username,
                None,
                Some("Your password was changed. Sign in with the new one.".into()),
                StatusCode::OK,
            )
            .await
        }
        Err(AuthError::InvalidPassword(m)) | Err(AuthError::InvalidParameter(m)) => {
            filled.password_error = Some(m);
            render(&s, &client, &pool, filled, StatusCode::BAD_REQUEST)
        }
        Err(e @ (AuthError::CodeMismatch | AuthError::ExpiredCode | AuthError::LimitExceeded)) => {
            filled.error = Some(e.to_string());
            render(&s, &client, &pool, filled, StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e.into()),
    }
}
