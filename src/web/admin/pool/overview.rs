//! A pool's overview (identifiers, endpoints, app clients with their hosted
//! pages) and the pool's deletion.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{form_config, header, internal, load_pool, Fields, Form};
use crate::directory::clients;
use crate::directory::pools::{self, Pool};
use crate::directory::DirectoryError;
use crate::web::admin::shared::{format_time, see_other, Admin, Nav, PoolHeader, Tab};
use crate::web::errors::{html, PageError};
use crate::web::WebState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pools/{id}", web::get().to(show)).service(
        web::resource("/pools/{id}/delete")
            .app_data(form_config())
            .route(web::get().to(delete_page))
            .route(web::post().to(delete)),
    );
}

pub struct ClientLinks {
    pub name: String,
    pub id: String,
    pub href: String,
    pub login_url: String,
    /// Only where users may sign themselves up.
    pub signup_url: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/pool/overview.html")]
pub struct OverviewPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub arn: String,
    pub issuer: String,
    pub discovery_url: String,
    pub jwks_url: String,
    pub created: String,
    pub modified: String,
    pub users: i64,
    pub sign_in_with: String,
    pub self_signup: bool,
    pub mfa: String,
    pub deletion_protection: bool,
    pub clients: Vec<ClientLinks>,
}

/// How users sign in to the pool, in words.
fn sign_in_with(pool: &Pool) -> String {
    fn words(a: &str) -> &str {
        match a {
            "email" => "e-mail address",
            "phone_number" => "phone number",
            "preferred_username" => "preferred user name",
            other => other,
        }
    }
    let s = &pool.settings;
    if !s.username_attributes().is_empty() {
        let names: Vec<&str> = s.username_attributes().iter().map(|a| words(a)).collect();
        return format!("{} (as the user name)", names.join(" or "));
    }
    if s.alias_attributes().is_empty() {
        return "user name".into();
    }
    let names: Vec<&str> = s.alias_attributes().iter().map(|a| words(a)).collect();
    format!("user name, or {}", names.join(" or "))
}

async fn show(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let pool = load_pool(core, &path).await?;
    let pid = pool.id.clone();
    let (users, found) = core
        .db
        .run(move |conn| {
            let users = pools::count_users(conn, &pid)?;
            let found = clients::list(conn, &pid, None, 1000)?;
            Ok::<_, DirectoryError>((users, found))
        })
        .await
        .map_err(internal)?;
    let self_signup = !pool.settings.allow_admin_create_user_only();
    let public = &core.public_url;
    let issuer = core.issuer(pool.id.as_str());
    let (head, tabs) = header(&pool, "overview");
    let page = OverviewPage {
        nav: admin.nav()?,
        arn: pool.arn(&core.config.region),
        discovery_url: format!("{issuer}/.well-known/openid-configuration"),
        jwks_url: format!("{issuer}/.well-known/jwks.json"),
        issuer,
        created: format_time(pool.created_at),
        modified: format_time(pool.updated_at),
        users,
        sign_in_with: sign_in_with(&pool),
        self_signup,
        mfa: match pool.settings.mfa_configuration() {
            "ON" => "required".into(),
            "OPTIONAL" => "optional".into(),
            _ => "off".into(),
        },
        deletion_protection: pool.settings.deletion_protection(),
        clients: found
            .into_iter()
            .map(|c| ClientLinks {
                href: format!("/admin/pools/{}/clients/{}", pool.id, c.id),
                login_url: format!("{public}/login?client_id={}", c.id),
                signup_url: self_signup.then(|| format!("{public}/signup?client_id={}", c.id)),
                name: c.settings.client_name,
                id: c.id.to_string(),
            })
            .collect(),
        pool: head,
        tabs,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/pool/delete.html")]
pub struct DeletePage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub protected: bool,
    pub typed: String,
    pub error: Option<String>,
}

fn delete_view(
    admin: &Admin,
    pool: &Pool,
    typed: String,
    error: Option<String>,
) -> Result<DeletePage, PageError> {
    let (head, tabs) = header(pool, "");
    Ok(DeletePage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        protected: pool.settings.deletion_protection(),
        typed,
        error,
    })
}

async fn delete_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    Ok(html(
        StatusCode::OK,
        &delete_view(&admin, &pool, String::new(), None)?,
    ))
}

pub const PROTECTED: &str =
    "Deletion protection is active for this user pool. Turn it off in Settings, then delete the pool.";

async fn delete(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let core = &state.core;
    let pool = load_pool(core, &path).await?;
    let typed = f.text("confirm_name");
    let refuse = |message: &str| -> Result<HttpResponse, PageError> {
        Ok(html(
            StatusCode::BAD_REQUEST,
            &delete_view(&admin, &pool, typed.clone(), Some(message.to_string()))?,
        ))
    };
    if pool.settings.deletion_protection() {
        return refuse(PROTECTED);
    }
    if typed != pool.name {
        return refuse(
            "The name typed does not match the pool's name. Type it exactly to confirm.",
        );
    }
    let pid = pool.id.to_string();
    core.db
        .run(move |conn| pools::delete(conn, &pid))
        .await
        .map_err(internal)?;
    core.keys.forget(pool.id.as_str());
    admin.flash(format!(
        "User pool \u{201c}{}\u{201d} was deleted.",
        pool.name
    ))?;
    Ok(see_other("/admin"))
}
