//! One user of a pool: status and attributes, and what an administrator
//! can do (enable, disable, confirm, reset the password, sign out
//! everywhere, delete), each a small POST form. Users are named by sub in
//! URLs: user names may hold characters that do not travel well in a path.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{form_config, header, load_pool, refusal, Fields, Form};
use crate::auth::admin_users;
use crate::auth::AuthError;
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::directory::users::{User, UserStatus};
use crate::web::admin::shared::{format_time, see_other, Admin, Nav, PoolHeader, Tab};
use crate::web::errors::{html, PageError};
use crate::web::WebState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pools/{id}/users/{sub}", web::get().to(show))
        .service(
            web::resource("/pools/{id}/users/{sub}/delete")
                .app_data(form_config())
                .route(web::get().to(delete_page))
                .route(web::post().to(delete)),
        )
        .service(
            web::resource("/pools/{id}/users/{sub}/{action}")
                .app_data(form_config())
                .route(web::post().to(act)),
        );
}

pub struct AttributeRow {
    pub name: String,
    pub value: String,
}

pub struct UserView {
    pub sub: String,
    pub username: String,
    pub sign_in_name: String,
    pub status: &'static str,
    pub enabled: bool,
    pub created: String,
    pub modified: String,
    pub attributes: Vec<AttributeRow>,
}

impl UserView {
    fn of(pool: &Pool, u: &User) -> UserView {
        UserView {
            sub: u.sub.to_string(),
            username: u.username.clone(),
            sign_in_name: admin_users::sign_in_name(pool, u),
            status: u.status.as_str(),
            enabled: u.enabled,
            created: format_time(u.created_at),
            modified: format_time(u.updated_at),
            attributes: u
                .attributes
                .iter()
                .map(|(name, value)| AttributeRow {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/pool/user.html")]
pub struct UserPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub user: UserView,
    /// Prefix of the action URLs.
    pub base: String,
    pub list_href: String,
    pub can_confirm: bool,
    pub can_reset: bool,
    pub error: Option<String>,
}

fn user_page(
    admin: &Admin,
    pool: &Pool,
    user: &User,
    error: Option<String>,
) -> Result<UserPage, PageError> {
    let (head, tabs) = header(pool, "users");
    let list_href = format!("/admin/pools/{}/users", pool.id);
    Ok(UserPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        user: UserView::of(pool, user),
        base: format!("{list_href}/{}", user.sub),
        list_href,
        can_confirm: user.status == UserStatus::Unconfirmed,
        can_reset: user.attribute("email").is_some() || user.attribute("phone_number").is_some(),
        error,
    })
}

async fn load_user(state: &WebState, pool: &Pool, sub: &str) -> Result<User, PageError> {
    admin_users::get_user(&state.core, pool, sub)
        .await
        .map_err(|e| match refusal(e) {
            Ok(m) => PageError::BadRequest(m),
            Err(e) => e,
        })
}

async fn show(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (pool_id, sub) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let user = load_user(&state, &pool, &sub).await?;
    Ok(html(
        StatusCode::OK,
        &user_page(&admin, &pool, &user, None)?,
    ))
}

/// The POST actions of the user page.
#[derive(Clone, Copy)]
enum Action {
    Enable,
    Disable,
    Confirm,
    ResetPassword,
    SignOut,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "enable" => Action::Enable,
            "disable" => Action::Disable,
            "confirm" => Action::Confirm,
            "reset-password" => Action::ResetPassword,
            "sign-out" => Action::SignOut,
            _ => return None,
        })
    }
}

async fn act(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String, String)>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let (pool_id, sub, action) = path.into_inner();
    let action = Action::parse(&action)
        .ok_or_else(|| PageError::BadRequest("There is no such action.".into()))?;
    let core = &state.core;
    let pool = load_pool(core, &pool_id).await?;
    let now = unix_now();
    let done: Result<String, AuthError> = match action {
        Action::Enable => admin_users::set_enabled(core, &pool, &sub, true, now)
            .await
            .map(|()| "The user was enabled.".into()),
        Action::Disable => admin_users::set_enabled(core, &pool, &sub, false, now)
            .await
            .map(|()| "The user was disabled and signed out everywhere.".into()),
        Action::Confirm => admin_users::confirm_user(core, &pool, &sub, now)
            .await
            .map(|()| "The user was confirmed.".into()),
        Action::ResetPassword => admin_users::reset_password(core, &pool, &sub, now)
            .await
            .map(|i| {
                format!(
                    "A new temporary password went to {}. The user must choose a new password at the next sign-in.",
                    i.destination
                )
            }),
        Action::SignOut => admin_users::sign_out_everywhere(core, &pool, &sub, now)
            .await
            .map(|()| "The user was signed out everywhere.".into()),
    };
    match done {
        Ok(message) => {
            admin.flash(message)?;
            Ok(see_other(&format!("/admin/pools/{}/users/{sub}", pool.id)))
        }
        Err(e) => {
            let message = refusal(e)?;
            let user = load_user(&state, &pool, &sub).await?;
            let view = user_page(&admin, &pool, &user, Some(message))?;
            Ok(html(StatusCode::BAD_REQUEST, &view))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/pool/user_delete.html")]
pub struct DeleteUserPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub user: UserView,
    pub action: String,
    pub cancel: String,
}

async fn delete_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (pool_id, sub) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let user = load_user(&state, &pool, &sub).await?;
    let (head, tabs) = header(&pool, "users");
    let cancel = format!("/admin/pools/{}/users/{}", pool.id, user.sub);
    let page = DeleteUserPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        user: UserView::of(&pool, &user),
        action: format!("{cancel}/delete"),
        cancel,
    };
    Ok(html(StatusCode::OK, &page))
}

async fn delete(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let (pool_id, sub) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let user = load_user(&state, &pool, &sub).await?;
    admin_users::delete_user(&state.core, &pool, &sub)
        .await
        .map_err(|e| match refusal(e) {
            Ok(m) => PageError::BadRequest(m),
            Err(e) => e,
        })?;
    admin.flash(format!(
        "User \u{201c}{}\u{201d} was deleted.",
        admin_users::sign_in_name(&pool, &user)
    ))?;
    Ok(see_other(&format!("/admin/pools/{}/users", pool.id)))
}
