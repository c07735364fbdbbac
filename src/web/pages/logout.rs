//! `GET /logout`: ends the hosted session and returns to a registered URL.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{client_and_pool, href, redirect};
use crate::web::errors::PageError;
use crate::web::WebState;

#[derive(Deserialize)]
pub struct LogoutQuery {
    client_id: Option<String>,
    logout_uri: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

pub async fn get(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<LogoutQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, _pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    let settings = &client.settings;
    let target = if let Some(uri) = q.logout_uri.as_deref() {
        if !settings.is_logout_url(uri) {
            return Err(PageError::BadRequest(
                "The logout_uri is not registered for this app client.".into(),
            ));
        }
        uri.to_string()
    } else if let (Some(uri), Some(rt)) = (q.redirect_uri.as_deref(), q.response_type.as_deref()) {
        if !settings.is_callback_url(uri) {
            return Err(PageError::BadRequest(
                "The redirect_uri is not registered for this app client.".into(),
            ));
        }
        // Sign out, then straight back to the sign-in page for this app.
        let mut params = vec![
            ("client_id", client.id.as_str()),
            ("redirect_uri", uri),
            ("response_type", rt),
        ];
        let passed = [
            ("scope", &q.scope),
            ("state", &q.state),
            ("nonce", &q.nonce),
            ("code_challenge", &q.code_challenge),
            ("code_challenge_method", &q.code_challenge_method),
        ];
        for (name, value) in passed {
            if let Some(v) = value.as_deref() {
                params.push((name, v));
            }
        }
        href("/login", &params)
    } else {
        return Err(PageError::BadRequest(
            "Send logout_uri, or redirect_uri and response_type.".into(),
        ));
    };
    s.purge();
    Ok(redirect(&target))
}
