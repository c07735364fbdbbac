//! What every console page shares: the signed-in admin (an extractor that
//! sends strangers to the sign-in page), the header, CSRF, small view types.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};

use crate::web::errors::PageError;
use crate::web::session;
use crate::web::{csrf, WebState};

/// Session key of the console sign-in.
pub const ADMIN: &str = "admin";
/// Session key of a one-time message for the next console page.
pub const FLASH: &str = "admin_flash";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminSignIn {
    pub since: i64,
}

/// A request from the signed-in admin. Extracting it from anyone else
/// answers with a redirect to `/admin/login`.
pub struct Admin {
    pub session: Session,
}

#[derive(Debug, thiserror::Error)]
#[error("sign in to the console first")]
pub struct AdminRequired;

impl ResponseError for AdminRequired {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/admin/login"))
            .finish()
    }
}

impl FromRequest for Admin {
    type Error = AdminRequired;
    type Future = Pin<Box<dyn Future<Output = Result<Admin, AdminRequired>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let s = req.get_session();
        Box::pin(async move {
            match session::get::<AdminSignIn>(&s, ADMIN) {
                Some(_) => Ok(Admin { session: s }),
                None => Err(AdminRequired),
            }
        })
    }
}

impl Admin {
    /// The header every console page shows, taking the pending flash.
    pub fn nav(&self) -> Result<Nav, PageError> {
        let flash = session::get::<String>(&self.session, FLASH);
        if flash.is_some() {
            self.session.remove(FLASH);
        }
        Ok(Nav {
            csrf: csrf::token(&self.session)?,
            flash,
        })
    }

    /// A message for the next page (after a redirect).
    pub fn flash(&self, message: impl Into<String>) -> Result<(), PageError> {
        self.session.insert(FLASH, message.into())?;
        Ok(())
    }

    /// Refuses a console POST without this session's token or from another site.
    pub fn check_csrf(
        &self,
        req: &HttpRequest,
        state: &WebState,
        presented: Option<&str>,
    ) -> Result<(), PageError> {
        csrf::check(req, &self.session, &state.public_origin, presented)
    }
}

/// The console header: the CSRF token for its sign-out form and any flash.
pub struct Nav {
    pub csrf: String,
    pub flash: Option<String>,
}

/// A checkbox or radio choice.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
    /// Shown but not changeable.
    pub fixed: bool,
}

impl Choice {
    pub fn new(value: &str, label: &str, checked: bool) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            checked,
            fixed: false,
        }
    }
}

/// A pool's name and id, for the header of its pages.
pub struct PoolHeader {
    pub id: String,
    pub name: String,
}

/// A tab of a pool's pages.
pub struct Tab {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// The tabs of a pool's pages, `current` being one of `overview`,
/// `clients`, `providers`, `users`, `settings`.
pub fn pool_tabs(pool_id: &str, current: &str) -> Vec<Tab> {
    [
        ("overview", "Overview", ""),
        ("clients", "App clients", "/clients"),
        ("providers", "Sign-in providers", "/providers"),
        ("users", "Users", "/users"),
        ("settings", "Settings", "/settings"),
    ]
    .into_iter()
    .map(|(key, label, suffix)| Tab {
        label: label.into(),
        href: format!("/admin/pools/{pool_id}{suffix}"),
        current: key == current,
    })
    .collect()
}

/// A 303 to `location` (after a console POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A unix time as `YYYY-MM-DD HH:MM UTC`.
pub fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}
