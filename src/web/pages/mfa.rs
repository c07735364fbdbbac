//! The second step of sign-in (`/mfa`), TOTP enrollment (`/mfa/setup`, with
//! its QR code), and the signed-in user's page (`/account`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::account::{account_page, signed_in_user};
use super::login::ClientQuery;
use super::{client_and_pool, href, redirect, sign_in};
use crate::auth::flow::{MfaMethod, MfaStep};
use crate::auth::{mfa, AuthError, Core};
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::users::{self, User};
use crate::directory::{unix_now, unix_now_ms};
use crate::web::errors::{html, PageError};
use crate::web::session::{self, PendingMfa, PendingSetup, PENDING_MFA, PENDING_SETUP};
use crate::web::views::{MfaPage, MfaSetupPage};
use crate::web::{csrf, WebState};

/// How long a pending second step lasts: the client's AuthSessionValidity.
fn until(client: &Client, now: i64) -> i64 {
    now + client.settings.auth_session_ttl_secs()
}

/// After a right password (or a first sign-in): the second factor, its
/// enrollment, or straight in.
pub async fn after_password(
    core: &Core,
    s: &Session,
    client: &Client,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let cid = client.id.as_str();
    let step = mfa::step_after_password(core, pool, user).await?;
    let pending = |method: &str, destination: Option<String>| PendingMfa {
        pool_id: pool.id.to_string(),
        sub: user.sub.to_string(),
        method: method.to_string(),
        started: now,
        destination,
        until: until(client, now),
    };
    match step {
        MfaStep::Done => sign_in(core, s, pool, user, now).await,
        MfaStep::Challenge(MfaMethod::Sms) => {
            let delivery = mfa::send_sms_code(core, pool, user, now).await?;
            s.renew();
            s.insert(PENDING_MFA, pending(crate::mfa::SMS_MFA, Some(delivery.destination)))?;
            Ok(redirect(&href("/mfa", &[("client_id", cid)])))
        }
        // The hosted UI asks for the app where both are set up.
        MfaStep::Challenge(MfaMethod::Totp) | MfaStep::Select => {
            s.renew();
            s.insert(PENDING_MFA, pending(crate::mfa::SOFTWARE_TOKEN_MFA, None))?;
            Ok(redirect(&href("/mfa", &[("client_id", cid)])))
        }
        MfaStep::Setup(_) => {
            s.renew();
            s.insert(
                PENDING_SETUP,
                PendingSetup {
                    pool_id: pool.id.to_string(),
                    sub: user.sub.to_string(),
                    sealed: mfa::new_totp_secret(core, user)?,
                    signing_in: true,
                    started: now,
                    until: until(client, now),
                },
            )?;
            Ok(redirect(&href("/mfa/setup", &[("client_id", cid)])))
        }
        MfaStep::Unavailable => Err(PageError::Forbidden(
            "This app requires multi-factor authentication, but no method is available for your account. Contact the app's administrator."
                .into(),
        )),
    }
}

async fn user_by_sub(core: &Core, sub: &str) -> Result<User, PageError> {
    let id = sub.to_string();
    core.db
        .run(move |conn| users::find_by_sub(conn, &id))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .ok_or_else(|| PageError::BadRequest("The user no longer exists.".into()))
}

/// The user of a pending step that began at `started`: still enabled and
/// not signed out everywhere since, or the step is void.
async fn step_user(core: &Core, sub: &str, started: i64) -> Result<User, PageError> {
    let user = user_by_sub(core, sub).await?;
    if !user.enabled || user.signed_out_at > started {
        return Err(expired());
    }
    Ok(user)
}

fn expired() -> PageError {
    PageError::BadRequest("This sign-in step has expired. Sign in again.".into())
}

fn pending_mfa(s: &Session, pool: &Pool, now: i64) -> Result<PendingMfa, PageError> {
    session::get::<PendingMfa>(s, PENDING_MFA)
        .filter(|p| p.pool_id == pool.id.as_str() && p.until >= now)
        .ok_or_else(expired)
}

fn render_mfa(
    s: &Session,
    client: &Client,
    pool: &Pool,
    p: &PendingMfa,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    Ok(html(
        status,
        &MfaPage {
            pool_name: pool.name.clone(),
            action: href("/mfa", &[("client_id", client.id.as_str())]),
            csrf: csrf::token(s)?,
            sms: p.method == crate::mfa::SMS_MFA,
            destination: p.destination.clone(),
            error,
        },
    ))
}

/// GET /mfa.
pub async fn challenge_page(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    let p = pending_mfa(&s, &pool, unix_now())?;
    render_mfa(&s, &client, &pool, &p, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// POST /mfa.
pub async fn challenge(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let now_ms = unix_now_ms();
    let p = pending_mfa(&s, &pool, now_ms / 1000)?;
    let user = step_user(core, &p.sub, p.started).await?;
    let method = if p.method == crate::mfa::SMS_MFA {
        MfaMethod::Sms
    } else {
        MfaMethod::Totp
    };
    match mfa::check_code(core, &pool, &user, method, &form.code, now_ms).await {
        Ok(()) => {
            s.remove(PENDING_MFA);
            sign_in(core, &s, &pool, &user, now_ms / 1000).await
        }
        Err(AuthError::CodeMismatch) => render_mfa(
            &s,
            &client,
            &pool,
            &p,
            Some(mfa::WRONG_CODE.into()),
            StatusCode::BAD_REQUEST,
        ),
        Err(AuthError::NotAuthorized(m)) => {
            render_mfa(&s, &client, &pool, &p, Some(m), StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e.into()),
    }
}

fn pending_setup(s: &Session, pool: &Pool, now: i64) -> Result<PendingSetup, PageError> {
    session::get::<PendingSetup>(s, PENDING_SETUP)
        .filter(|p| p.pool_id == pool.id.as_str() && p.until >= now)
        .ok_or_else(expired)
}

/// What the enrollment page shows of a pending enrollment.
struct SetupView {
    secret: String,
    required: bool,
}

fn setup_view(core: &Core, user: &User, p: &PendingSetup) -> Result<SetupView, PageError> {
    let secret = mfa::open_secret(core, user, &p.sealed)?;
    Ok(SetupView {
        secret: crate::mfa::secret_text(&secret),
        required: p.signing_in,
    })
}

fn render_setup(
    s: &Session,
    client: &Client,
    pool: &Pool,
    view: SetupView,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let cid = client.id.as_str();
    Ok(html(
        status,
        &MfaSetupPage {
            pool_name: pool.name.clone(),
            action: href("/mfa/setup", &[("client_id", cid)]),
            csrf: csrf::token(s)?,
            qr_src: href("/mfa/setup/qr.png", &[("client_id", cid)]),
            secret: view.secret,
            required: view.required,
            error,
        },
    ))
}

/// GET /mfa/setup.
pub async fn setup_page(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    let p = pending_setup(&s, &pool, unix_now())?;
    let user = user_by_sub(core, &p.sub).await?;
    render_setup(
        &s,
        &client,
        &pool,
        setup_view(core, &user, &p)?,
        None,
        StatusCode::OK,
    )
}

/// GET /mfa/setup/qr.png: the pending enrollment's otpauth URI as a QR code.
pub async fn setup_qr(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (_client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    let p = pending_setup(&s, &pool, unix_now())?;
    let user = user_by_sub(core, &p.sub).await?;
    let secret = mfa::open_secret(core, &user, &p.sealed)?;
    let account = crate::auth::signin::sign_in_name(&pool, &user);
    let uri = mfa::otpauth_uri(&pool, &account, &secret)
        .ok_or_else(|| PageError::Internal("the otpauth URI cannot be made".into()))?;
    let png = crate::mfa::qr::png(&uri).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type("image/png").body(png))
}

/// POST /mfa/setup: the first code proves the app holds the secret.
pub async fn setup(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let now_ms = unix_now_ms();
    let now = now_ms / 1000;
    let p = pending_setup(&s, &pool, now)?;
    let user = step_user(core, &p.sub, p.started).await?;
    match mfa::verify_totp_setup(core, &pool, &user, &p.sealed, &form.code, now_ms).await {
        Ok(()) => {
            s.remove(PENDING_SETUP);
            if p.signing_in {
                sign_in(core, &s, &pool, &user, now).await
            } else {
                account_page(
                    &s,
                    core,
                    &client,
                    &pool,
                    &user,
                    Some("Your authenticator app is set up.".into()),
                    None,
                )
                .await
            }
        }
        Err(AuthError::NotAuthorized(m)) => render_setup(
            &s,
            &client,
            &pool,
            setup_view(core, &user, &p)?,
            Some(m),
            StatusCode::BAD_REQUEST,
        ),
        Err(AuthError::CodeMismatch) => render_setup(
            &s,
            &client,
            &pool,
            setup_view(core, &user, &p)?,
            Some("That code is not right. Check the app and try the new code.".into()),
            StatusCode::BAD_REQUEST,
        ),
        Err(AuthError::InvalidParameter(m)) => Err(PageError::BadRequest(m)),
        Err(e) => Err(e.into()),
    }
}

/// POST /account/mfa: starts enrolling an authenticator app.
pub async fn account_setup(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let user = signed_in_user(core, &s, &pool).await?;
    let policy = mfa::policy(&pool);
    if !(policy.optional || policy.required) || !policy.totp_allowed {
        return Err(PageError::Forbidden(
            "This app does not offer authenticator apps.".into(),
        ));
    }
    s.insert(
        PENDING_SETUP,
        PendingSetup {
            pool_id: pool.id.to_string(),
            sub: user.sub.to_string(),
            sealed: mfa::new_totp_secret(core, &user)?,
            signing_in: false,
            started: unix_now(),
            until: until(&client, unix_now()),
        },
    )?;
    Ok(redirect(&href(
        "/mfa/setup",
        &[("client_id", client.id.as_str())],
    )))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// POST /account/mfa/disable.
pub async fn account_disable(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let user = signed_in_user(core, &s, &pool).await?;
    match mfa::disable(core, &pool, &user).await {
        Ok(()) => {
            account_page(
                &s,
                core,
                &client,
                &pool,
                &user,
                Some("MFA is off.".into()),
                None,
            )
            .await
        }
        Err(AuthError::InvalidParameter(m)) => {
            account_page(&s, core, &client, &pool, &user, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
