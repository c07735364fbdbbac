//! `/signup`: self-registration, when the pool allows it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::login::ClientQuery;
use super::{client_and_pool, href, redirect, username_label};
use crate::auth::signup::{self, SignUpRequest};
use crate::auth::AuthError;
use crate::directory::pools::Pool;
use crate::directory::unix_now;
use crate::web::errors::{html, PageError};
use crate::web::session::{PendingSignUp, PENDING_SIGNUP};
use crate::web::views::{Field, SignupPage};
use crate::web::{csrf, WebState};

/// A readable label and input hints for an attribute.
pub fn describe(name: &str) -> (String, &'static str, &'static str) {
    let (label, input_type, autocomplete) = match name {
        "email" => ("Email", "email", "email"),
        "phone_number" => ("Phone number", "tel", "tel"),
        "given_name" => ("Given name", "text", "given-name"),
        "family_name" => ("Family name", "text", "family-name"),
        "middle_name" => ("Middle name", "text", "additional-name"),
        "name" => ("Name", "text", "name"),
        "nickname" => ("Nickname", "text", "nickname"),
        "preferred_username" => ("Preferred username", "text", "username"),
        "birthdate" => ("Birthdate", "date", "bday"),
        "gender" => ("Gender", "text", "sex"),
        "address" => ("Address", "text", "street-address"),
        "locale" => ("Locale", "text", "language"),
        "zoneinfo" => ("Time zone", "text", ""),
        "website" => ("Website", "url", "url"),
        "profile" => ("Profile page", "url", "url"),
        "picture" => ("Picture URL", "url", "photo"),
        "updated_at" => ("Updated at", "number", ""),
        other => {
            let bare = other.strip_prefix("custom:").unwrap_or(other);
            let mut label: String = bare.replace(['_', '-'], " ");
            if let Some(first) = label.get(..1) {
                label = first.to_uppercase() + label.get(1..).unwrap_or_default();
            }
            return (label, "text", "");
        }
    };
    (label.to_string(), input_type, autocomplete)
}

/// The attributes the sign-up form asks for: the required ones and the one
/// that receives the confirmation code.
fn asked_attributes(pool: &Pool) -> Vec<(String, bool)> {
    let required = pool.settings.required_attributes();
    let mut out: Vec<(String, bool)> = required.iter().map(|r| (r.clone(), true)).collect();
    let extra = pool
        .settings
        .auto_verified_attributes()
        .iter()
        .chain(pool.settings.username_attributes())
        .cloned()
        .collect::<Vec<_>>();
    for a in extra {
        if !out.iter().any(|(n, _)| *n == a) {
            // The sign-in attribute is needed; a verified one is asked for.
            out.push((a, true));
        }
    }
    out
}

struct FormState {
    username: String,
    values: Vec<(String, String)>,
    username_error: Option<String>,
    password_error: Option<String>,
    error: Option<String>,
}

fn render(
    s: &Session,
    client_id: &str,
    pool: &Pool,
    f: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let value_of = |n: &str| {
        f.values
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let username = pool
        .settings
        .username_attributes()
        .is_empty()
        .then(|| Field {
            name: "username".into(),
            label: username_label(pool).0.into(),
            input_type: "text".into(),
            autocomplete: "username".into(),
            value: f.username.clone(),
            required: true,
            error: f.username_error.clone(),
        });
    let fields = asked_attributes(pool)
        .into_iter()
        .map(|(name, required)| {
            let (label, input_type, autocomplete) = describe(&name);
            Field {
                value: value_of(&name),
                name,
                label,
                input_type: input_type.into(),
                autocomplete: autocomplete.into(),
                required,
                error: None,
            }
        })
        .collect();
    let policy = pool.settings.password_policy();
    Ok(html(
        status,
        &SignupPage {
            pool_name: pool.name.clone(),
            action: href("/signup", &[("client_id", client_id)]),
            csrf: csrf::token(s)?,
            username,
            fields,
            password_error: f.password_error,
            password_rules: policy.rules().iter().map(|r| r.describe()).collect(),
            error: f.error,
            login_href: href("/login", &[("client_id", client_id)]),
        },
    ))
}

fn refuse_if_closed(pool: &Pool) -> Result<(), PageError> {
    if pool.settings.allow_admin_create_user_only() {
        return Err(PageError::Forbidden(
            "Sign-up is not available for this app. Ask an administrator for an account.".into(),
        ));
    }
    Ok(())
}

/// GET /signup.
pub async fn get(
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
) -> Result<HttpResponse, PageError> {
    let (client, pool) = client_and_pool(&state.core, q.client_id.as_deref()).await?;
    refuse_if_closed(&pool)?;
    let empty = FormState {
        username: String::new(),
        values: vec![],
        username_error: None,
        password_error: None,
        error: None,
    };
    render(&s, client.id.as_str(), &pool, empty, StatusCode::OK)
}

/// POST /signup: fields `username`, `password`, one per attribute, `_csrf`.
pub async fn post(
    req: HttpRequest,
    state: web::Data<WebState>,
    s: Session,
    q: web::Query<ClientQuery>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let core = &state.core;
    let (client, pool) = client_and_pool(core, q.client_id.as_deref()).await?;
    refuse_if_closed(&pool)?;
    let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    csrf::check(&req, &s, &state.public_origin, field("_csrf").as_deref())?;
    let asked = asked_attributes(&pool);
    let values: Vec<(String, String)> = asked
        .iter()
        .filter_map(|(n, _)| field(n).map(|v| (n.clone(), v.trim().to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let username = field("username").unwrap_or_default().trim().to_string();
    let now = unix_now();
    let result = signup::sign_up(
        core,
        &pool,
        SignUpRequest {
            username: pool
                .settings
                .username_attributes()
                .is_empty()
                .then(|| username.clone()),
            password: field("password").unwrap_or_default(),
            attributes: values.clone(),
        },
        now,
    )
    .await;
    let mut f = FormState {
        username: username.clone(),
        values,
        username_error: None,
        password_error: None,
        error: None,
    };
    match result {
        Ok(done) => {
            let sign_in_name = done.sign_in_name;
            let cid = client.id.as_str();
            let Some(delivery) = done.delivery else {
                return super::login::render(
                    core,
                    &s,
                    &client,
                    &pool,
                    &sign_in_name,
                    None,
                    Some("Your account was created. An administrator must confirm it before you can sign in.".into()),
                    StatusCode::OK,
                ).await;
            };
            s.insert(
                PENDING_SIGNUP,
                PendingSignUp {
                    pool_id: pool.id.to_string(),
                    sub: done.user.sub.to_string(),
                    destination: Some(delivery.destination),
                },
            )?;
            Ok(redirect(&href(
                "/confirmUser",
                &[("client_id", cid), ("username", &sign_in_name)],
            )))
        }
        Err(AuthError::InvalidPassword(m)) => {
            f.password_error = Some(m);
            render(&s, client.id.as_str(), &pool, f, StatusCode::BAD_REQUEST)
        }
        Err(AuthError::UsernameExists) => {
            let msg = if pool.settings.username_attributes().is_empty() {
                "User already exists"
            } else {
                "An account with the given email or phone number already exists."
            };
            if pool.settings.username_attributes().is_empty() {
                f.username_error = Some(msg.into());
            } else {
                f.error = Some(msg.into());
            }
            render(&s, client.id.as_str(), &pool, f, StatusCode::BAD_REQUEST)
        }
        Err(AuthError::InvalidParameter(m))
        | Err(AuthError::NotAuthorized(m))
        | Err(AuthError::AliasExists(m)) => {
            f.error = Some(m);
            render(&s, client.id.as_str(), &pool, f, StatusCode::BAD_REQUEST)
        }
        Err(AuthError::Delivery(cause)) => {
            tracing::error!(%cause, "sign-up code could not be delivered");
            f.error = Some("Your account was created, but the code could not be sent. Try signing in to get a new one.".into());
            render(&s, client.id.as_str(), &pool, f, StatusCode::BAD_GATEWAY)
        }
        Err(e) => Err(e.into()),
    }
}
