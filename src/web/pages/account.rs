//! `/account`: the signed-in user's page — MFA (see `mfa.rs`), the e-mail
//! address (changed with a code), the password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::ClientQuery;
use super::{client_and_pool, current_user, href};
use crate::auth::{attributes, mfa, recovery, AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::directory::users::User;
use crate::web::errors::{html, PageError};
use crate::web::views::AccountPage;
use crate::web::{csrf, WebState};

/// What the last action says.
#[derive(Default)]
pub struct Feedback {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub password_error: Option<String>,
}

pub async fn account_page(
    s: &Session,
    core: &Core,
    client: &Client,
    pool: &Pool,
    user: &User,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let f = Feedback {
        notice,
        error,
        password_error: None,
    };
    account_page_with(s, core, client, pool, user, f).await
}

async fn account_page_with(
    s: &Session,
    core: &Core,
    client: &Client,
    pool: &Pool,
    user: &User,
    f: Feedback,
) -> Result<HttpResponse, PageError> {
    let record = mfa::load(core, user).await?;
    let policy = mfa::policy(pool);
    let pending_email = attributes::pending_value(core, user, "email").await?;
    let cid = client.id.as_str();
    let status = if f.error.is_some() || f.password_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &AccountPage {
            pool_name: pool.name.clone(),
            username: crate::auth::signin::sign_in_name(pool, user),
            csrf: csrf::token(s)?,
            mfa_on: record.has_totp(),
            mfa_available: (policy.optional || policy.required) && policy.totp_allowed,
            can_disable: !policy.required,
            setup_href: href("/account/mfa", &[("client_id", cid)]),
            disable_action: href("/account/mfa/disable", &[("client_id", cid)]),
            email: user.attribute("email").map(str::to_string),
            email_verified: user.attribute("email_verified") == Some("true"),
            pending_email,
            email_action: href("/account/email", &[("client_id", cid)]),
            verify_email_action: href("/account/email/verify", &[("client_id", cid)]),
            password_action: href("/account/password", &[("client_id", cid)]),
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
        },
    ))
}

pub async fn signed_in_user(core: &Core, s: &Session, pool: &Pool) -> Result<User, PageError> {
    current_user(core, s, pool)
        .await?
        .ok_or_else(|| PageError::Forbidden("Sign in to see your account.".into()))
}

/// GET /account.
pub async fn account(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    let user = signed_in_user(core, &s, &pool).await?;
    account_page(&s, core, &client, &pool, &user, None, None).await
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    code: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// The signed-in user of a checked POST to the account page.
async fn posting_user(
    req: &HttpRequest,
    state: &WebState,
    s: &Session,
    client_id: Option<&str>,
    presented: Option<&str>,
) -> Result<(Client, Pool, User), PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, client_id).await?;
    csrf::check(req, s, &state.public_origin, presented)?;
    let user = signed_in_user(core, s, &pool).await?;
    Ok((client, pool, user))
}

async fn refreshed(core: &Core, user: &User) -> Result<User, PageError> {
    let sub = user.sub.to_string();
    core.db
        .run(move |conn| crate::directory::users::find_by_sub(conn, &sub))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .ok_or_else(|| PageError::BadRequest("The user no longer exists.".into()))
}

/// POST /account/email: a new address (verified by a code).
pub async fn change_email(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool, user) = posting_user(
        &req,
        &state,
        &s,
        q.client_id.as_deref(),
        form.csrf.as_deref(),
    )
    .await?;
    let changes = [("email".to_string(), form.email.trim().to_string())];
    let outcome = attributes::update(core, &pool, &user, &changes, false, unix_now()).await;
    let user = refreshed(core, &user).await?;
    let mut f = Feedback::default();
    match outcome {
        Ok(sent) => {
            f.notice = Some(match sent.first() {
                Some(d) => format!("We sent a code to {}. Enter it below.", d.destination),
                None => "Your e-mail address is updated.".into(),
            })
        }
        Err(
            AuthError::InvalidParameter(m)
            | AuthError::AliasExists(m)
            | AuthError::NotAuthorized(m),
        ) => f.error = Some(m),
        Err(AuthError::LimitExceeded) => f.error = Some(AuthError::LimitExceeded.to_string()),
        Err(e) => return Err(e.into()),
    }
    account_page_with(&s, core, &client, &pool, &user, f).await
}

/// POST /account/email/verify: the code for the new (or unverified) address.
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool, user) = posting_user(
        &req,
        &state,
        &s,
        q.client_id.as_deref(),
        form.csrf.as_deref(),
    )
    .await?;
    let outcome = attributes::verify(core, &pool, &user, "email", &form.code, unix_now()).await;
    let user = refreshed(core, &user).await?;
    let mut f = Feedback::default();
    match outcome {
        Ok(()) => f.notice = Some("Your e-mail address is verified.".into()),
        Err(
            e @ (AuthError::CodeMismatch
            | AuthError::ExpiredCode
            | AuthError::LimitExceeded
            | AuthError::AliasExists(_)
            | AuthError::InvalidParameter(_)),
        ) => f.error = Some(e.to_string()),
        Err(e) => return Err(e.into()),
    }
    account_page_with(&s, core, &client, &pool, &user, f).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// POST /account/password: the current password, then the new one.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool, user) = posting_user(
        &req,
        &state,
        &s,
        q.client_id.as_deref(),
        form.csrf.as_deref(),
    )
    .await?;
    let outcome = recovery::change_password(
        core,
        &pool,
        &user,
        &form.current_password,
        &form.password,
        unix_now(),
    )
    .await;
    let mut f = Feedback::default();
    match outcome {
        Ok(()) => f.notice = Some("Your password is changed.".into()),
        Err(AuthError::NotAuthorized(_)) => {
            f.error = Some("The current password is not right.".into())
        }
        Err(AuthError::InvalidPassword(m) | AuthError::InvalidParameter(m)) => {
            f.password_error = Some(m)
        }
        Err(e) => return Err(e.into()),
    }
    account_page_with(&s, core, &client, &pool, &user, f).await
}
