//! A pool's pages: the overview (with deletion), app clients, sign-in
//! providers, users and settings. Every route needs the signed-in admin,
//! every POST carries the session's CSRF token, and a refused change
//! re-renders its form with the reason (status 400) and changes nothing.

mod clients;
mod overview;
mod providers;
mod settings;
mod user;
mod users;

use std::fmt::Display;

use actix_web::web;

use super::shared::{pool_tabs, PoolHeader, Tab};
use crate::auth::{AuthError, Core};
use crate::directory::pools::{self, Pool};
use crate::directory::{DirectoryError, PoolId};
use crate::web::errors::PageError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    overview::routes(cfg);
    clients::routes(cfg);
    providers::routes(cfg);
    users::routes(cfg);
    user::routes(cfg);
    settings::routes(cfg);
}

/// Console forms can carry long messages (an e-mail template may have
/// 20,000 characters): more than actix's default form limit.
fn form_config() -> web::FormConfig {
    web::FormConfig::default().limit(256 * 1024)
}

/// A posted form as its pairs: names repeat for checkboxes.
pub type Form = web::Form<Vec<(String, String)>>;

/// Reading a posted form.
pub struct Fields<'a>(&'a [(String, String)]);

impl<'a> Fields<'a> {
    pub fn of(form: &'a Form) -> Fields<'a> {
        Fields(form.0.as_slice())
    }

    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_string()
    }

    /// The value as typed (passwords, messages); empty when absent.
    pub fn raw(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    /// Every value of a repeated name.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The non-empty lines of a textarea, trimmed.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn csrf(&self) -> Option<&'a str> {
        self.get("_csrf")
    }
}

pub fn internal(e: impl Display) -> PageError {
    PageError::Internal(e.to_string())
}

fn missing_pool(id: &str) -> PageError {
    PageError::BadRequest(format!("There is no user pool {id}."))
}

/// The pool of a console URL; an unknown or malformed id is the error page.
pub async fn load_pool(core: &Core, id: &str) -> Result<Pool, PageError> {
    let id = PoolId::parse(id).ok_or_else(|| missing_pool(id))?;
    let pid = id.to_string();
    core.db
        .run(move |conn| pools::find(conn, &pid))
        .await
        .map_err(internal)?
        .ok_or_else(|| missing_pool(id.as_str()))
}

/// The pool's header and tabs, `current` naming the tab.
pub fn header(pool: &Pool, current: &str) -> (PoolHeader, Vec<Tab>) {
    (
        PoolHeader {
            id: pool.id.to_string(),
            name: pool.name.clone(),
        },
        pool_tabs(pool.id.as_str(), current),
    )
}

/// The reason to show for a refused operation; failures of the server
/// itself become the error page.
pub fn refusal(e: AuthError) -> Result<String, PageError> {
    match e {
        AuthError::Internal(m) => Err(PageError::Internal(m)),
        AuthError::UserNotFound => Err(PageError::BadRequest("There is no such user.".into())),
        other => Ok(other.to_string()),
    }
}

/// Like [`refusal`], for the directory's errors.
pub fn directory_refusal(e: DirectoryError) -> Result<String, PageError> {
    match e {
        DirectoryError::Db(e) => Err(internal(e)),
        DirectoryError::NotFound(m) => Err(PageError::BadRequest(m)),
        other => Ok(other.to_string()),
    }
}

/// `path?k=v&…` with the non-empty parameters, form-encoded.
pub fn link(path: &str, params: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    let q = serde_urlencoded::to_string(kept).unwrap_or_default();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// A standard attribute name as a label: `given_name` → "Given name".
pub fn attribute_label(name: &str) -> String {
    if let Some(custom) = name.strip_prefix("custom:") {
        return format!("{custom} (custom)");
    }
    match name {
        "email" => "E-mail address".into(),
        "phone_number" => "Phone number".into(),
        "birthdate" => "Birth date".into(),
        "zoneinfo" => "Time zone".into(),
        "updated_at" => "Updated at".into(),
        _ => {
            let spaced = name.replace('_', " ");
            let mut chars = spaced.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}
