//! A pool's app clients: list, create (the secret is shown once), edit,
//! delete. The forms build a whole CreateUserPoolClient /
//! UpdateUserPoolClient request, so the console and the API apply the same
//! rules; an update starts from the client's current settings, because
//! UpdateUserPoolClient resets every member it is not given.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{directory_refusal, form_config, header, internal, load_pool, Fields, Form};
use crate::db::write_tx;
use crate::directory::client_settings::ClientSettings;
use crate::directory::clients::{self, Client};
use crate::directory::identity_providers::{self, ProviderType};
use crate::directory::ids::lower_alnum;
use crate::directory::pools::Pool;
use crate::directory::resource_servers;
use crate::directory::{unix_now, ClientId, DirectoryError};
use crate::web::admin::shared::{format_time, see_other, Admin, Choice, Nav, PoolHeader, Tab};
use crate::web::errors::{html, PageError};
use crate::web::{session, WebState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pools/{id}/clients", web::get().to(list))
        .service(
            web::resource("/pools/{id}/clients/new")
                .app_data(form_config())
                .route(web::get().to(new_page))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/pools/{id}/clients/{client_id}")
                .app_data(form_config())
                .route(web::get().to(edit_page))
                .route(web::post().to(update)),
        )
        .service(
            web::resource("/pools/{id}/clients/{client_id}/delete")
                .app_data(form_config())
                .route(web::post().to(delete)),
        );
}

/// Session key of a new client's secret, shown once on its page.
const NEW_SECRET: &str = "admin_new_client_secret";

#[derive(Serialize, Deserialize)]
struct NewSecret {
    client_id: String,
    secret: String,
}

const SCOPES: &[(&str, &str)] = &[
    ("openid", "openid"),
    ("email", "email"),
    ("phone", "phone"),
    ("profile", "profile"),
    (
        "aws.cognito.signin.user.admin",
        "aws.cognito.signin.user.admin",
    ),
];
const FLOWS: &[(&str, &str)] = &[
    ("code", "Authorization code grant"),
    (
        "client_credentials",
        "Client credentials (machine to machine; needs a client secret)",
    ),
];
const COGNITO: (&str, &str) = ("COGNITO", "Cognito user pool directory");

/// The identity providers a client may offer: the pool's own directory,
/// then each sign-in provider of the pool, as `(value, label)`.
async fn provider_choices(
    state: &WebState,
    pool: &Pool,
) -> Result<Vec<(String, String)>, PageError> {
    let pid = pool.id.clone();
    let found = state
        .core
        .db
        .run(move |conn| identity_providers::list(conn, &pid))
        .await
        .map_err(internal)?;
    let mut out = vec![(COGNITO.0.to_string(), COGNITO.1.to_string())];
    out.extend(found.into_iter().map(|p| {
        let label = match p.provider_type {
            ProviderType::Google => p.name.clone(),
            ProviderType::Oidc => format!("{} (OpenID Connect)", p.name),
        };
        (p.name, label)
    }));
    Ok(out)
}

fn as_refs(known: &[(String, String)]) -> Vec<(&str, &str)> {
    known
        .iter()
        .map(|(v, l)| (v.as_str(), l.as_str()))
        .collect()
}

pub struct ClientRow {
    pub name: String,
    pub id: String,
    pub href: String,
    pub kind: &'static str,
    pub flows: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin/pool/clients.html")]
pub struct ClientsPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub new_href: String,
    pub clients: Vec<ClientRow>,
}

async fn list(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    let pid = pool.id.clone();
    let found = state
        .core
        .db
        .run(move |conn| clients::list(conn, &pid, None, 1000))
        .await
        .map_err(internal)?;
    let (head, tabs) = header(&pool, "clients");
    let page = ClientsPage {
        nav: admin.nav()?,
        new_href: format!("/admin/pools/{}/clients/new", pool.id),
        clients: found
            .into_iter()
            .map(|c| ClientRow {
                href: format!("/admin/pools/{}/clients/{}", pool.id, c.id),
                kind: if c.secret.is_some() {
                    "Confidential"
                } else {
                    "Public"
                },
                flows: if c.settings.allowed_oauth_flows.is_empty() {
                    "none".into()
                } else {
                    c.settings.allowed_oauth_flows.join(", ")
                },
                created: format_time(c.created_at),
                name: c.settings.client_name,
                id: c.id.to_string(),
            })
            .collect(),
        pool: head,
        tabs,
    };
    Ok(html(StatusCode::OK, &page))
}

/// The form's values.
pub struct ClientForm {
    pub name: String,
    pub confidential: bool,
    pub callback_urls: String,
    pub logout_urls: String,
    pub scopes: Vec<Choice>,
    pub flows: Vec<Choice>,
    pub providers: Vec<Choice>,
}

/// Choices from `known`, then any other value currently set (a custom
/// scope, another provider), each checked when in `chosen`.
fn choices(known: &[(&str, &str)], current: &[String], chosen: &[String]) -> Vec<Choice> {
    let mut out: Vec<Choice> = known
        .iter()
        .map(|(v, label)| Choice::new(v, label, chosen.iter().any(|c| c == v)))
        .collect();
    for extra in current.iter().chain(chosen) {
        if !out.iter().any(|c| &c.value == extra) {
            out.push(Choice::new(extra, extra, chosen.contains(extra)));
        }
    }
    out
}

impl ClientForm {
    fn from_settings(
        s: &ClientSettings,
        confidential: bool,
        known: &[(String, String)],
    ) -> ClientForm {
        ClientForm {
            name: s.client_name.clone(),
            confidential,
            callback_urls: s.callback_urls.join("\n"),
            logout_urls: s.logout_urls.join("\n"),
            scopes: choices(SCOPES, &s.allowed_oauth_scopes, &s.allowed_oauth_scopes),
            flows: choices(FLOWS, &s.allowed_oauth_flows, &s.allowed_oauth_flows),
            providers: choices(
                &as_refs(known),
                &s.supported_identity_providers,
                &s.supported_identity_providers,
            ),
        }
    }

    fn blank(known: &[(String, String)]) -> ClientForm {
        let defaults: Vec<String> = ["openid", "email", "profile"].map(String::from).into();
        ClientForm {
            name: String::new(),
            confidential: false,
            callback_urls: String::new(),
            logout_urls: String::new(),
            scopes: choices(SCOPES, &[], &defaults),
            flows: choices(FLOWS, &[], &["code".to_string()]),
            providers: choices(&as_refs(known), &[], &[COGNITO.0.to_string()]),
        }
    }

    /// The submitted values, for showing the form again.
    fn posted(
        f: &Fields,
        current: Option<&ClientSettings>,
        known: &[(String, String)],
    ) -> ClientForm {
        let none: Vec<String> = Vec::new();
        let (scopes, flows, providers) = match current {
            Some(s) => (
                &s.allowed_oauth_scopes,
                &s.allowed_oauth_flows,
                &s.supported_identity_providers,
            ),
            None => (&none, &none, &none),
        };
        ClientForm {
            name: f.text("name"),
            confidential: f.get("kind") == Some("confidential"),
            callback_urls: f.raw("callback_urls"),
            logout_urls: f.raw("logout_urls"),
            scopes: choices(SCOPES, scopes, &f.all("scope")),
            flows: choices(FLOWS, flows, &f.all("flow")),
            providers: choices(&as_refs(known), providers, &f.all("idp")),
        }
    }
}

/// The members the form sets, as CreateUserPoolClient names them.
fn form_members(f: &Fields) -> Map<String, Value> {
    let flows = f.all("flow");
    let mut m = Map::new();
    m.insert("ClientName".into(), json!(f.text("name")));
    m.insert("CallbackURLs".into(), json!(f.lines("callback_urls")));
    m.insert("LogoutURLs".into(), json!(f.lines("logout_urls")));
    m.insert(
        "AllowedOAuthFlowsUserPoolClient".into(),
        json!(!flows.is_empty()),
    );
    m.insert("AllowedOAuthFlows".into(), json!(flows));
    m.insert("AllowedOAuthScopes".into(), json!(f.all("scope")));
    m.insert("SupportedIdentityProviders".into(), json!(f.all("idp")));
    m
}

#[derive(Template)]
#[template(path = "admin/pool/client.html")]
pub struct ClientPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    /// `None` while creating.
    pub client_id: Option<String>,
    pub action: String,
    pub delete_action: String,
    pub form: ClientForm,
    pub has_secret: bool,
    /// The secret of a client just created, shown this once.
    pub new_secret: Option<String>,
    pub login_url: Option<String>,
    pub error: Option<String>,
}

fn page(
    state: &WebState,
    admin: &Admin,
    pool: &Pool,
    client: Option<&Client>,
    form: ClientForm,
    error: Option<String>,
) -> Result<ClientPage, PageError> {
    let (head, tabs) = header(pool, "clients");
    let base = format!("/admin/pools/{}/clients", pool.id);
    Ok(ClientPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        client_id: client.map(|c| c.id.to_string()),
        action: match client {
            Some(c) => format!("{base}/{}", c.id),
            None => format!("{base}/new"),
        },
        delete_action: client
            .map(|c| format!("{base}/{}/delete", c.id))
            .unwrap_or_default(),
        form,
        has_secret: client.is_some_and(|c| c.secret.is_some()),
        new_secret: None,
        login_url: client.map(|c| format!("{}/login?client_id={}", state.core.public_url, c.id)),
        error,
    })
}

async fn new_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    let known = provider_choices(&state, &pool).await?;
    Ok(html(
        StatusCode::OK,
        &page(&state, &admin, &pool, None, ClientForm::blank(&known), None)?,
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
    let known = provider_choices(&state, &pool).await?;
    let confidential = match f.get("kind") {
        Some("public") => false,
        Some("confidential") => true,
        _ => {
            return Err(PageError::BadRequest(
                "Choose a public client or a client with a secret.".into(),
            ))
        }
    };
    let mut request = form_members(&f);
    request.insert("GenerateSecret".into(), json!(confidential));
    // Cognito's API default leaves user existence errors on; its console,
    // like this one, turns them off.
    request.insert("PreventUserExistenceErrors".into(), json!("ENABLED"));
    let built = ClientSettings::from_create_request(&Value::Object(request)).and_then(
        |(settings, generate)| {
            let secret = generate.then(|| lower_alnum(51));
            settings.check_secret_requirement(secret.is_some())?;
            Ok((settings, secret))
        },
    );
    let (settings, secret) = match built {
        Ok(b) => b,
        Err(e) => {
            let view = page(
                &state,
                &admin,
                &pool,
                None,
                ClientForm::posted(&f, None, &known),
                Some(e.0),
            )?;
            return Ok(html(StatusCode::BAD_REQUEST, &view));
        }
    };
    let pid = pool.id.clone();
    let now = unix_now();
    let created = state
        .core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                identity_providers::check_client_providers(conn, &pid, &settings)?;
                resource_servers::check_client_scopes(conn, &pid, &settings)?;
                clients::create(conn, &pid, &settings, secret, now)
            })
        })
        .await;
    let client = match created {
        Ok(client) => client,
        Err(e) => {
            let message = directory_refusal(e)?;
            let form = ClientForm::posted(&f, None, &known);
            let view = page(&state, &admin, &pool, None, form, Some(message))?;
            return Ok(html(StatusCode::BAD_REQUEST, &view));
        }
    };
    if let Some(secret) = &client.secret {
        use secrecy::ExposeSecret;
        admin.session.insert(
            NEW_SECRET,
            NewSecret {
                client_id: client.id.to_string(),
                secret: secret.expose_secret().to_string(),
            },
        )?;
    }
    admin.flash(format!(
        "App client \u{201c}{}\u{201d} was created.",
        client.settings.client_name
    ))?;
    Ok(see_other(&format!(
        "/admin/pools/{}/clients/{}",
        pool.id, client.id
    )))
}

async fn load_client(state: &WebState, pool: &Pool, client_id: &str) -> Result<Client, PageError> {
    let missing =
        || PageError::BadRequest(format!("There is no app client {client_id} in this pool."));
    let id = ClientId::parse(client_id).ok_or_else(missing)?;
    let pid = pool.id.clone();
    state
        .core
        .db
        .run(move |conn| clients::get(conn, &pid, id.as_str()))
        .await
        .map_err(|e| match e {
            DirectoryError::NotFound(_) => missing(),
            other => internal(other),
        })
}

async fn edit_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (pool_id, client_id) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let client = load_client(&state, &pool, &client_id).await?;
    let known = provider_choices(&state, &pool).await?;
    let form = ClientForm::from_settings(&client.settings, client.secret.is_some(), &known);
    let mut view = page(&state, &admin, &pool, Some(&client), form, None)?;
    if let Some(new) = session::get::<NewSecret>(&admin.session, NEW_SECRET) {
        if new.client_id == client.id.as_str() {
            admin.session.remove(NEW_SECRET);
            view.new_secret = Some(new.secret);
        }
    }
    Ok(html(StatusCode::OK, &view))
}

/// UpdateUserPoolClient's request: the current settings with the form's
/// members in place. A default redirect URI no longer among the callback
/// URLs goes (the form cannot set it, and it must be one of them).
fn update_request(current: &ClientSettings, f: &Fields) -> Result<Value, PageError> {
    let Value::Object(mut request) = serde_json::to_value(current).map_err(internal)? else {
        return Err(internal("client settings are not an object"));
    };
    let members = form_members(f);
    let callbacks = f.lines("callback_urls");
    request.extend(members);
    if current
        .default_redirect_uri
        .as_ref()
        .is_some_and(|d| !callbacks.contains(d))
    {
        request.remove("DefaultRedirectURI");
    }
    Ok(Value::Object(request))
}

async fn update(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let (pool_id, client_id) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let client = load_client(&state, &pool, &client_id).await?;
    let request = update_request(&client.settings, &f)?;
    let now = unix_now();
    let (pid, cid) = (pool.id.clone(), client.id.clone());
    let outcome = state
        .core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let current = clients::get(conn, &pid, cid.as_str())?;
                let settings = current.settings.apply_update(&request)?;
                settings.check_secret_requirement(current.secret.is_some())?;
                identity_providers::check_client_providers(conn, &pid, &settings)?;
                resource_servers::check_client_scopes(conn, &pid, &settings)?;
                clients::update(conn, &current, &settings, now)?;
                Ok::<_, DirectoryError>(settings.client_name)
            })
        })
        .await;
    match outcome {
        Ok(name) => {
            admin.flash(format!("App client \u{201c}{name}\u{201d} was saved."))?;
            Ok(see_other(&format!(
                "/admin/pools/{}/clients/{}",
                pool.id, client.id
            )))
        }
        Err(e) => {
            let message = directory_refusal(e)?;
            let known = provider_choices(&state, &pool).await?;
            let form = ClientForm::posted(&f, Some(&client.settings), &known);
            let view = page(&state, &admin, &pool, Some(&client), form, Some(message))?;
            Ok(html(StatusCode::BAD_REQUEST, &view))
        }
    }
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
    let (pool_id, client_id) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let client = load_client(&state, &pool, &client_id).await?;
    let (pid, cid) = (pool.id.clone(), client.id.clone());
    state
        .core
        .db
        .run(move |conn| clients::delete(conn, &pid, cid.as_str()))
        .await
        .map_err(internal)?;
    admin.flash(format!(
        "App client \u{201c}{}\u{201d} was deleted.",
        client.settings.client_name
    ))?;
    Ok(see_other(&format!("/admin/pools/{}/clients", pool.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_s_own_settings_are_a_complete_update() {
        let (settings, _) = ClientSettings::from_create_request(&json!({
            "ClientName": "rich",
            "GenerateSecret": true,
            "AccessTokenValidity": 2,
            "RefreshTokenValidity": 10,
            "TokenValidityUnits": {"AccessToken": "hours", "RefreshToken": "days"},
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "CallbackURLs": ["https://a.example/cb"],
            "DefaultRedirectURI": "https://a.example/cb",
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid"],
            "AllowedOAuthFlowsUserPoolClient": true,
            "ReadAttributes": ["email"],
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": false,
            "AuthSessionValidity": 10,
        }))
        .unwrap();
        let request = serde_json::to_value(&settings).unwrap();
        assert_eq!(settings.apply_update(&request).unwrap(), settings);
    }
}
