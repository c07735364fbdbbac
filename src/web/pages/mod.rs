//! The hosted UI: server-rendered pages that sign users up and in and hand
//! the app its authorization code.

pub mod account;
pub mod confirm;
pub mod login;
pub mod logout;
pub mod mfa;
pub mod new_password;
pub mod recovery;
pub mod signup;

use actix_session::Session;
use actix_web::http::header;
use actix_web::HttpResponse;

use super::errors::PageError;
use super::session::{self, SignedIn, PENDING_AUTHORIZE, PENDING_SIGNUP, SIGNED_IN};
use super::views::SignedInPage;
use crate::auth::oauth::{self, AuthorizationRequest};
use crate::auth::signin;
use crate::auth::Core;
use crate::directory::clients::Client;
use crate::directory::pools::Pool;
use crate::directory::users::User;

/// The client a page was opened for, and its pool.
pub async fn client_and_pool(
    core: &Core,
    client_id: Option<&str>,
) -> Result<(Client, Pool), PageError> {
    let id = client_id
        .filter(|c| crate::directory::ClientId::parse(c).is_some())
        .ok_or_else(|| {
            PageError::BadRequest("The client_id parameter is missing or invalid.".into())
        })?;
    oauth::load_client(core, id)
        .await?
        .ok_or_else(|| PageError::BadRequest("The app client does not exist.".into()))
}

/// `path?k=v&…`, form-encoded.
pub fn href(path: &str, params: &[(&str, &str)]) -> String {
    let q = serde_urlencoded::to_string(params).unwrap_or_default();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The label and input type of the sign-in name for this pool.
pub fn username_label(pool: &Pool) -> (&'static str, &'static str) {
    let attrs = pool.settings.username_attributes();
    let email = attrs.iter().any(|a| a == "email");
    let phone = attrs.iter().any(|a| a == "phone_number");
    match (email, phone) {
        (true, true) => ("Email or phone number", "text"),
        (true, false) => ("Email", "email"),
        (false, true) => ("Phone number", "tel"),
        (false, false) => ("Username", "text"),
    }
}

/// Starts a hosted session for `user`: a new session id (no fixation), a
/// new CSRF token, then on to the app.
pub async fn sign_in(
    core: &Core,
    s: &Session,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<HttpResponse, PageError> {
    s.renew();
    s.remove(PENDING_SIGNUP);
    s.insert(
        SIGNED_IN,
        SignedIn {
            pool_id: pool.id.to_string(),
            sub: user.sub.to_string(),
            username: user.username.clone(),
            auth_time: now,
        },
    )?;
    super::csrf::rotate(s)?;
    finish(core, s, pool, user, now).await
}

/// Ends a sign-in: back to the app with a code when an authorization
/// request is pending, or a "signed in" page.
pub async fn finish(
    core: &Core,
    s: &Session,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<HttpResponse, PageError> {
    let signed: Option<SignedIn> = session::get(s, SIGNED_IN);
    let auth_time = signed.map(|x| x.auth_time).unwrap_or(now);
    if let Some(req) = session::get::<AuthorizationRequest>(s, PENDING_AUTHORIZE) {
        s.remove(PENDING_AUTHORIZE);
        if let Some((_, client_pool)) = oauth::load_client(core, &req.client_id).await? {
            if client_pool.id == pool.id {
                return Ok(redirect(
                    &code_redirect(core, &req, user, auth_time, now).await?,
                ));
            }
        }
    }
    Ok(super::errors::html(
        actix_web::http::StatusCode::OK,
        &SignedInPage {
            pool_name: pool.name.clone(),
            username: signin::sign_in_name(pool, user),
            logout_href: None,
        },
    ))
}

/// Issues a code and builds the redirect back to the app.
pub async fn code_redirect(
    core: &Core,
    req: &AuthorizationRequest,
    user: &User,
    auth_time: i64,
    now: i64,
) -> Result<String, PageError> {
    let code = oauth::create_code(core, req, user, auth_time, now).await?;
    let mut url = url::Url::parse(&req.redirect_uri)
        .map_err(|_| PageError::BadRequest("The redirect_uri is not a valid URL.".into()))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(state) = &req.state {
            q.append_pair("state", state);
        }
    }
    Ok(url.to_string())
}

/// The user this browser is signed in as in `pool`, if still able to sign in.
pub async fn current_user(
    core: &Core,
    s: &Session,
    pool: &Pool,
) -> Result<Option<User>, PageError> {
    let Some(signed) = session::get::<SignedIn>(s, SIGNED_IN) else {
        return Ok(None);
    };
    if signed.pool_id != pool.id.as_str() {
        return Ok(None);
    }
    Ok(signin::session_user(core, pool, &signed.sub, signed.auth_time).await?)
}
