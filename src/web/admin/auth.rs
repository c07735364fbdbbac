//! Console sign-in and sign-out, the pool list (the console's home) and the
//! outbox.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::shared::{format_time, see_other, Admin, AdminSignIn, Nav, ADMIN};
use crate::auth::console;
use crate::auth::AuthError;
use crate::directory::{pools, unix_now, unix_now_ms, DirectoryError};
use crate::messaging::outbox_messages;
use crate::web::errors::{html, PageError};
use crate::web::{csrf, WebState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(home))
        .route("/", web::get().to(home))
        .route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/outbox", web::get().to(outbox));
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct AdminLoginPage {
    pub csrf: String,
    pub error: Option<String>,
}

async fn login_page(s: Session) -> Result<HttpResponse, PageError> {
    if crate::web::session::get::<AdminSignIn>(&s, ADMIN).is_some() {
        return Ok(see_other("/admin"));
    }
    Ok(html(
        StatusCode::OK,
        &AdminLoginPage {
            csrf: csrf::token(&s)?,
            error: None,
        },
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

async fn login(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    match console::sign_in(
        &state.core,
        form.username.trim(),
        &form.password,
        unix_now_ms(),
    )
    .await
    {
        Ok(()) => {
            s.renew();
            s.insert(ADMIN, AdminSignIn { since: unix_now() })?;
            csrf::rotate(&s)?;
            Ok(see_other("/admin"))
        }
        Err(AuthError::NotAuthorized(m)) => Ok(html(
            StatusCode::BAD_REQUEST,
            &AdminLoginPage {
                csrf: csrf::token(&s)?,
                error: Some(m),
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

async fn logout(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.check_csrf(&req, &state, form.csrf.as_deref())?;
    admin.session.purge();
    Ok(see_other("/admin/login"))
}

pub struct PoolRow {
    pub id: String,
    pub name: String,
    pub users: i64,
    pub created: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "admin/pools.html")]
pub struct PoolsPage {
    pub nav: Nav,
    pub pools: Vec<PoolRow>,
}

async fn home(state: web::Data<WebState>, admin: Admin) -> Result<HttpResponse, PageError> {
    let rows = state
        .core
        .db
        .run(|conn| {
            let mut out = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = pools::list(conn, after.as_deref(), 100)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id.to_string());
                for p in page {
                    let users = pools::count_users(conn, &p.id)?;
                    out.push(PoolRow {
                        href: format!("/admin/pools/{}", p.id),
                        id: p.id.to_string(),
                        name: p.name,
                        users,
                        created: format_time(p.created_at),
                    });
                }
            }
            Ok::<_, DirectoryError>(out)
        })
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(html(
        StatusCode::OK,
        &PoolsPage {
            nav: admin.nav()?,
            pools: rows,
        },
    ))
}

pub struct OutboxRow {
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
pub struct OutboxPage {
    pub nav: Nav,
    /// Whether messages go to the outbox (no SMTP sender is configured).
    pub active: bool,
    pub messages: Vec<OutboxRow>,
}

async fn outbox(state: web::Data<WebState>, admin: Admin) -> Result<HttpResponse, PageError> {
    let kept = state
        .core
        .db
        .run(|conn| outbox_messages(conn, 200))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(html(
        StatusCode::OK,
        &OutboxPage {
            nav: admin.nav()?,
            active: state.core.messenger.uses_outbox(),
            messages: kept
                .into_iter()
                .map(|m| OutboxRow {
                    channel: m.channel,
                    recipient: m.recipient,
                    subject: m.subject,
                    body: m.body,
                    created: format_time(m.created_at),
                })
                .collect(),
        },
    ))
}
