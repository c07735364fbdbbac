//! The HTTP faces: hosted UI pages, `/oauth2/*`, discovery, health, static
//! files, and the wiring of the Cognito API route. Handlers parse, call one
//! `auth` function and render.

pub mod admin;
pub mod body_deadline;
pub mod csrf;
pub mod errors;
pub mod federation;
pub mod nul;
pub mod oauth;
pub mod outage;
pub mod pages;
pub mod session;
pub mod views;
pub mod wellknown;

use std::sync::Arc;

use actix_session::config::{BrowserSession, CookieContentSecurity, SessionLifecycle};
use actix_session::SessionMiddleware;
use actix_web::cookie::{time::Duration, Key, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, HttpResponse};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use crate::auth::Core;

/// What every handler gets.
pub struct WebState {
    pub core: Arc<Core>,
    /// `scheme://host[:port]` of the public URL, for the Origin check.
    pub public_origin: String,
}

/// Headers every answer carries (a handler may set its own first). Over
/// https, browsers are also told to keep to https for a year.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"))
        .add(("X-Content-Type-Options", "nosniff"));
    if https {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}

/// What the two session middlewares are made of: the hosted pages' and the
/// console's sessions share the store but never a cookie.
#[derive(Clone)]
pub struct Sessions {
    pub store: session::DbSessionStore,
    pub key: Key,
    /// Whether the public URL is https (cookies get `Secure`).
    pub secure: bool,
}

/// The hosted UI's cookie.
pub const HOSTED_COOKIE: &str = "cognate_session";
/// The console's cookie: path `/admin`, `SameSite=Strict`, so no other
/// site's link or form can carry it, and the hosted pages' sign-out (a
/// plain GET any site may link to) cannot touch it.
pub const CONSOLE_COOKIE: &str = "cognate_console";

impl Sessions {
    fn middleware(
        &self,
        name: &str,
        path: &str,
        same_site: SameSite,
    ) -> SessionMiddleware<session::DbSessionStore> {
        SessionMiddleware::builder(self.store.clone(), self.key.clone())
            .cookie_name(name.into())
            .cookie_path(path.into())
            .cookie_secure(self.secure)
            .cookie_http_only(true)
            .cookie_same_site(same_site)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(SessionLifecycle::BrowserSession(
                BrowserSession::default().state_ttl(Duration::hours(1)),
            ))
            .build()
    }

    pub fn hosted(&self) -> SessionMiddleware<session::DbSessionStore> {
        self.middleware(HOSTED_COOKIE, "/", SameSite::Lax)
    }

    pub fn console(&self) -> SessionMiddleware<session::DbSessionStore> {
        self.middleware(CONSOLE_COOKIE, "/admin", SameSite::Strict)
    }
}

/// Request spans that name the path only: query strings may carry codes.
pub struct PathOnlySpan;

impl RootSpanBuilder for PathOnlySpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.path(),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        if let Ok(res) = outcome {
            let status = res.status().as_u16();
            span.record("status", status);
            // The access log line: method, path and status, never the query.
            span.in_scope(|| tracing::info!(status, "served"));
        }
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

const CSS: &str = include_str!("../../static/cognate.css");
const ADMIN_CSS: &str = include_str!("../../static/admin.css");
const WIZARD_CSS: &str = include_str!("../../static/wizard.css");
const POOL_CSS: &str = include_str!("../../static/pool.css");

fn css(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body)
}

async fn stylesheet() -> HttpResponse {
    css(CSS)
}

async fn admin_stylesheet() -> HttpResponse {
    css(ADMIN_CSS)
}

async fn wizard_stylesheet() -> HttpResponse {
    css(WIZARD_CSS)
}

async fn pool_stylesheet() -> HttpResponse {
    css(POOL_CSS)
}

async fn health(state: web::Data<WebState>) -> HttpResponse {
    match state.core.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => {
            // An outage is logged once by the database handle.
            if state.core.db.is_down() {
                tracing::debug!(error = %e, "health check failed");
            } else {
                tracing::error!(error = %e, "health check failed");
            }
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}

/// All routes: the console under `/admin` with its own session, then
/// everything else with the hosted UI's.
pub fn routes(cfg: &mut web::ServiceConfig, sessions: &Sessions) {
    cfg.service(
        web::scope("/admin")
            .wrap(sessions.console())
            .configure(admin::routes),
    )
    .service(
        web::scope("")
            .wrap(sessions.hosted())
            .configure(hosted_routes),
    );
}

/// The hosted UI, `/oauth2/*`, discovery, the API and the static files.
fn hosted_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::post().to(crate::api::handle))
        .route("/health", web::get().to(health))
        .route("/static/cognate.css", web::get().to(stylesheet))
        .route("/static/admin.css", web::get().to(admin_stylesheet))
        .route("/static/wizard.css", web::get().to(wizard_stylesheet))
        .route("/static/pool.css", web::get().to(pool_stylesheet))
        .route("/oauth2/authorize", web::get().to(oauth::authorize))
        .route("/oauth2/token", web::post().to(oauth::token))
        .route("/oauth2/userInfo", web::get().to(oauth::userinfo))
        .route("/oauth2/userInfo", web::post().to(oauth::userinfo))
        .route("/oauth2/revoke", web::post().to(oauth::revoke))
        .route(
            "/oauth2/idpresponse",
            web::get().to(federation::idpresponse),
        )
        .route("/login", web::get().to(pages::login::get))
        .route("/login", web::post().to(pages::login::post))
        .route("/signup", web::get().to(pages::signup::get))
        .route("/signup", web::post().to(pages::signup::post))
        .route("/confirmUser", web::get().to(pages::confirm::get))
        .route("/confirmUser", web::post().to(pages::confirm::post))
        .route("/resendCode", web::post().to(pages::confirm::resend))
        .route("/mfa", web::get().to(pages::mfa::challenge_page))
        .route("/mfa", web::post().to(pages::mfa::challenge))
        .route("/mfa/setup", web::get().to(pages::mfa::setup_page))
        .route("/mfa/setup", web::post().to(pages::mfa::setup))
        .route("/mfa/setup/qr.png", web::get().to(pages::mfa::setup_qr))
        .route("/account", web::get().to(pages::account::account))
        .route(
            "/account/email",
            web::post().to(pages::account::change_email),
        )
        .route(
            "/account/email/verify",
            web::post().to(pages::account::verify_email),
        )
        .route(
            "/account/password",
            web::post().to(pages::account::change_password),
        )
        .route("/account/mfa", web::post().to(pages::mfa::account_setup))
        .route(
            "/account/mfa/disable",
            web::post().to(pages::mfa::account_disable),
        )
        .route(
            "/forgotPassword",
            web::get().to(pages::recovery::forgot_page),
        )
        .route("/forgotPassword", web::post().to(pages::recovery::forgot))
        .route(
            "/confirmForgotPassword",
            web::get().to(pages::recovery::confirm_page),
        )
        .route(
            "/confirmForgotPassword",
            web::post().to(pages::recovery::confirm),
        )
        .route("/newPassword", web::get().to(pages::new_password::get))
        .route("/newPassword", web::post().to(pages::new_password::post))
        .route("/logout", web::get().to(pages::logout::get))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            web::get().to(wellknown::openid_configuration),
        )
        .route(
            "/{pool_id}/.well-known/jwks.json",
            web::get().to(wellknown::jwks),
        );
}
