//! `/newPassword`: a user who signed in with a temporary password chooses
//! their own, then continues to the app.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::login::ClientQuery;
use super::{client_and_pool, href};
use crate::auth::{signin, AuthError, Core};
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::directory::users::{self, User};
use crate::web::errors::{html, PageError};
use crate::web::session::{self, PendingNewPassword, PENDING_NEW_PASSWORD};
use crate::web::views::{Field, NewPasswordPage};
use crate::web::{csrf, WebState};

fn render(
    s: &Session,
    client_id: &str,
    pool: &Pool,
    user: &User,
    given: &[(String, String)],
    password_error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let fields = signin::missing_required(pool, user)
        .into_iter()
        .map(|name| {
            let (label, input_type, autocomplete) = super::signup::describe(&name);
            Field {
                value: given
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                name,
                label,
                input_type: input_type.into(),
                autocomplete: autocomplete.into(),
                required: true,
                error: None,
            }
        })
        .collect();
    Ok(html(
        status,
        &NewPasswordPage {
            pool_name: pool.name.clone(),
            action: href("/newPassword", &[("client_id", client_id)]),
            csrf: csrf::token(s)?,
            fields,
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

async fn step_user(core: &Core, sub: &str) -> Result<User, PageError> {
    let sub = sub.to_string();
    core.db
        .run(move |conn| users::find_by_sub(conn, &sub))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .ok_or_else(|| PageError::BadRequest("The user no longer exists.".into()))
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
    let step = pending(&s, &pool, unix_now())?;
    let user = step_user(&state.core, &step.sub).await?;
    render(
        &s,
        client.id.as_str(),
        &pool,
        &user,
        &[],
        None,
        StatusCode::OK,
    )
}

/// POST /newPassword: `password`, the missing required attributes, `_csrf`.
pub async fn post(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    csrf::check(&req, &s, &state.public_origin, field("_csrf").as_deref())?;
    let now = unix_now();
    let step = pending(&s, &pool, now)?;
    let user = step_user(core, &step.sub).await?;
    let given: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k != "_csrf" && k != "password")
        .cloned()
        .collect();
    let password = field("password").unwrap_or_default();
    match signin::complete_new_password(core, &pool, &user, &password, &given, now).await {
        Ok(user) => {
            s.remove(PENDING_NEW_PASSWORD);
            super::mfa::after_password(core, &s, &client, &pool, &user, now).await
        }
        Err(AuthError::InvalidPassword(m)) | Err(AuthError::InvalidParameter(m)) => render(
            &s,
            client.id.as_str(),
            &pool,
            &user,
            &given,
            Some(m),
            StatusCode::BAD_REQUEST,
        ),
        Err(AuthError::NotAuthorized(m)) => Err(PageError::BadRequest(m)),
        Err(e) => Err(e.into()),
    }
}
