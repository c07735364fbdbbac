//! A pool's users: the list (search, filters, pages) and creating a user
//! with a temporary password and an invitation.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{attribute_label, form_config, header, link, load_pool, refusal, Fields, Form};
use crate::auth::admin_users::{self, NewUserRequest};
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::directory::user_admin::{parse_status, Cursor, PageAt, UserQuery, STATUSES};
use crate::web::admin::shared::{format_time, see_other, Admin, Nav, PoolHeader, Tab};
use crate::web::errors::{html, PageError};
use crate::web::WebState;

/// Users per page of the list.
pub const PAGE_SIZE: i64 = 25;
/// The longest search accepted.
const MAX_SEARCH: usize = 256;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pools/{id}/users", web::get().to(list)).service(
        web::resource("/pools/{id}/users/new")
            .app_data(form_config())
            .route(web::get().to(new_page))
            .route(web::post().to(create)),
    );
}

#[derive(Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    enabled: String,
    after: Option<String>,
    before: Option<String>,
}

pub struct UserRow {
    pub href: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub status: &'static str,
    pub enabled: bool,
    pub created: String,
}

pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/pool/users.html")]
pub struct UsersPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub action: String,
    pub new_href: String,
    pub q: String,
    pub statuses: Vec<Opt>,
    pub enabled: Vec<Opt>,
    pub filtered: bool,
    pub shown: usize,
    pub users: Vec<UserRow>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

fn bad(m: &str) -> PageError {
    PageError::BadRequest(m.to_string())
}

async fn list(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    let p = params.into_inner();
    let search = p.q.trim().to_string();
    if search.chars().count() > MAX_SEARCH {
        return Err(bad("The search is too long."));
    }
    let status = match p.status.as_str() {
        "" | "all" => None,
        s => Some(parse_status(s).ok_or_else(|| bad("Unknown user status."))?),
    };
    let enabled = match p.enabled.as_str() {
        "" | "all" => None,
        "enabled" => Some(true),
        "disabled" => Some(false),
        _ => return Err(bad("The enabled filter is enabled, disabled or all.")),
    };
    let cursor = |s: &str| Cursor::parse(s).ok_or_else(|| bad("This page link is not valid."));
    let at = match (&p.after, &p.before) {
        (Some(a), None) => PageAt::After(cursor(a)?),
        (None, Some(b)) => PageAt::Before(cursor(b)?),
        (None, None) => PageAt::First,
        (Some(_), Some(_)) => return Err(bad("This page link is not valid.")),
    };
    let q = UserQuery {
        search: search.clone(),
        status,
        enabled,
    };
    let found = admin_users::list_users(&state.core, &pool, q, at, PAGE_SIZE)
        .await
        .map_err(|e| match refusal(e) {
            Ok(m) => PageError::BadRequest(m),
            Err(e) => e,
        })?;
    let base = format!("/admin/pools/{}/users", pool.id);
    let status_value = status.map(|s| s.as_str()).unwrap_or("");
    let enabled_value = match enabled {
        Some(true) => "enabled",
        Some(false) => "disabled",
        None => "",
    };
    let page_link = |key: &str, c: &Cursor| {
        let c = c.encode();
        link(
            &base,
            &[
                ("q", &search),
                ("status", status_value),
                ("enabled", enabled_value),
                (key, &c),
            ],
        )
    };
    let mut statuses = vec![Opt {
        value: "all",
        label: "Any status",
        selected: status.is_none(),
    }];
    statuses.extend(STATUSES.iter().map(|s| Opt {
        value: s.as_str(),
        label: s.as_str(),
        selected: status == Some(*s),
    }));
    let enabled_opts = [
        ("all", "Any"),
        ("enabled", "Enabled"),
        ("disabled", "Disabled"),
    ]
    .into_iter()
    .map(|(value, label)| Opt {
        value,
        label,
        selected: value == enabled_value || (value == "all" && enabled_value.is_empty()),
    })
    .collect();
    let (head, tabs) = header(&pool, "users");
    let page = UsersPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        new_href: format!("{base}/new"),
        previous: found.previous.as_ref().map(|c| page_link("before", c)),
        next: found.next.as_ref().map(|c| page_link("after", c)),
        action: base.clone(),
        filtered: !search.is_empty() || status.is_some() || enabled.is_some(),
        q: search.clone(),
        statuses,
        enabled: enabled_opts,
        shown: found.users.len(),
        users: found
            .users
            .iter()
            .map(|u| UserRow {
                href: format!("{base}/{}", u.sub),
                name: admin_users::sign_in_name(&pool, u),
                email: u.attribute("email").unwrap_or_default().to_string(),
                phone: u.attribute("phone_number").unwrap_or_default().to_string(),
                status: u.status.as_str(),
                enabled: u.enabled,
                created: format_time(u.created_at),
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// An attribute input of the new-user form.
pub struct AttrField {
    pub name: String,
    pub label: String,
    pub input_type: &'static str,
    pub value: String,
    pub required: bool,
    pub hint: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/pool/user_new.html")]
pub struct NewUserPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub action: String,
    pub cancel: String,
    /// `None` where the e-mail address or phone number is the username.
    pub username: Option<String>,
    pub fields: Vec<AttrField>,
    pub password_rules: Vec<String>,
    pub temp_days: u32,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub send_invitation: bool,
    pub error: Option<String>,
}

/// The attributes the form asks for: e-mail and phone, then the pool's
/// other required attributes.
fn attribute_names(pool: &Pool) -> Vec<String> {
    let mut names = vec!["email".to_string(), "phone_number".to_string()];
    for r in pool.settings.required_attributes() {
        if !names.contains(&r) {
            names.push(r);
        }
    }
    names
}

fn new_user_page(
    admin: &Admin,
    pool: &Pool,
    f: Option<&Fields>,
    error: Option<String>,
) -> Result<NewUserPage, PageError> {
    let s = &pool.settings;
    let required = s.required_attributes();
    let username_attrs = s.username_attributes();
    let fields = attribute_names(pool)
        .into_iter()
        .map(|name| {
            let sign_in = username_attrs.iter().any(|a| a == &name);
            AttrField {
                label: attribute_label(&name),
                input_type: match name.as_str() {
                    "email" => "email",
                    "phone_number" => "tel",
                    _ => "text",
                },
                value: f.map(|f| f.text(&name)).unwrap_or_default(),
                required: required.contains(&name),
                hint: match name.as_str() {
                    "phone_number" => Some("In E.164 form, such as +15555550100.".into()),
                    _ if sign_in => Some("The user signs in with it.".into()),
                    _ => None,
                },
                name,
            }
        })
        .collect();
    let policy = s.password_policy();
    let (head, tabs) = header(pool, "users");
    let base = format!("/admin/pools/{}/users", pool.id);
    Ok(NewUserPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        action: format!("{base}/new"),
        cancel: base,
        username: username_attrs
            .is_empty()
            .then(|| f.map(|f| f.text("username")).unwrap_or_default()),
        fields,
        password_rules: policy.rules().iter().map(|r| r.describe()).collect(),
        temp_days: policy.temporary_password_validity_days,
        email_verified: f.is_some_and(|f| f.checked("email_verified")),
        phone_verified: f.is_some_and(|f| f.checked("phone_number_verified")),
        send_invitation: f.is_none_or(|f| f.checked("send_invitation")),
        error,
    })
}

async fn new_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    Ok(html(
        StatusCode::OK,
        &new_user_page(&admin, &pool, None, None)?,
    ))
}

async fn create(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let pool = load_pool(&state.core, &path).await?;
    // Only the attributes the form offers; blank ones are left out.
    let attributes = attribute_names(&pool)
        .into_iter()
        .filter_map(|name| {
            let value = f.text(&name);
            (!value.is_empty()).then_some((name, value))
        })
        .collect();
    let request = NewUserRequest {
        username: pool
            .settings
            .username_attributes()
            .is_empty()
            .then(|| f.text("username")),
        attributes,
        temporary_password: Some(f.raw("temporary_password")).filter(|p| !p.is_empty()),
        email_verified: f.checked("email_verified"),
        phone_number_verified: f.checked("phone_number_verified"),
        send_invitation: f.checked("send_invitation"),
    };
    match admin_users::create_user(&state.core, &pool, request, unix_now()).await {
        Ok(created) => {
            let sent = match &created.invitation {
                Some(i) => format!(
                    " An invitation with the temporary password went to {}.",
                    i.destination
                ),
                None => String::new(),
            };
            admin.flash(format!(
                "User \u{201c}{}\u{201d} was created.{sent}",
                created.sign_in_name
            ))?;
            Ok(see_other(&format!(
                "/admin/pools/{}/users/{}",
                pool.id, created.user.sub
            )))
        }
        Err(e) => {
            let message = refusal(e)?;
            let view = new_user_page(&admin, &pool, Some(&f), Some(message))?;
            Ok(html(StatusCode::BAD_REQUEST, &view))
        }
    }
}
