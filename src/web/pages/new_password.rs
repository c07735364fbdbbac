//! `/newPassword`: a user who signed in with a temporary password chooses
//! their own, then continues to the app.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::ClientQuery;
use super::{client_and_pool, href};
use crate::auth::{signin, AuthError};
use crate::directory::pools::Pool;
use crate::directory::{unix_now, users};
use crate::web::errors::{html, PageError};
use crate::web::session::{self, PendingNewPassword, PENDING_NEW_PASSWORD};
use crate::web::views::NewPasswordPage;
use crate::web::{csrf, WebState};

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

fn render(
    s: &Session,
    client_id: &str,
    pool: &Pool,
    password_error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    Ok(html(
        status,
        &NewPasswordPage {
            pool_name: pool.name.clone(),
            action: href("/newPassword", &[("client_id", client_id)]),
            csrf: csrf::token(s)?,
            password_error,
            password_rules: pool
                .settings
                .password_policy()
                .rules()
                .iter()
                .map(|r| r.describe())
                .collect(),
            error: None,
        },
    ))
}

/// The pending step of this browser for `pool`, if still fresh.
fn pending(s: &Session, pool: &Pool, now: i64) -> Result<PendingNewPassword, PageError> {
    session::get::<PendingNewPassword>(s, PENDING_NEW_PASSWORD)
        .filter(|p| p.pool_id == pool.id.as_str() && p.until >= now)
        .ok_or_else(|| {
            PageError::BadRequest(
                "This step has expired. Sign in again with your temporary password.".into(),
            )
        })
}

/// GET /newPassword.
pub async fn get(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    pending(&s, &pool, unix_now())?;
    render(&s, client.id.as_str(), &pool, None, StatusCode::OK)
}

/// POST /newPassword.
pub async fn post(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    csrf::check(&req, &s, &state.public_origin, form.csrf.as_deref())?;
    let now = unix_now();
    let step = pending(&s, &pool, now)?;
    let sub = step.sub.clone();
    let user = core
        .db
        .run(move |conn| users::find_by_sub(conn, &sub))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .ok_or_else(|| PageError::BadRequest("The user no longer exists.".into()))?;
    match signin::complete_new_password(core, &pool, &user, &form.password, now).await {
        Ok(user) => {
            s.remove(PENDING_NEW_PASSWORD);
            super::mfa::after_password(core, &s, &client, &pool, &user, now).await
        }
        Err(AuthError::InvalidPassword(m)) | Err(AuthError::InvalidParameter(m)) => render(
            &s,
            client.id.as_str(),
            &pool,
            Some(m),
            StatusCode::BAD_REQUEST,
        ),
        Err(AuthError::NotAuthorized(m)) => Err(PageError::BadRequest(m)),
        Err(e) => Err(e.into()),
    }
}
