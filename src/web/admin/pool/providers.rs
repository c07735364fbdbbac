//! A pool's sign-in providers (identity providers): list, add Google or an
//! OpenID Connect provider, edit, delete. The form becomes the same
//! `ProviderInput` / `ProviderChanges` the API builds, checked by the same
//! rules (`identity_providers::rules`). The client secret appears only in
//! the edit form's password field; left blank there, it stays as it was.
//!
//! Providers are named in URLs by their name in unpadded base64url, since
//! a name may hold `/`, `%`, `+` or any letter.

mod form;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use base64::Engine;
use serde::Deserialize;

use super::{directory_refusal, form_config, header, internal, load_pool, Fields, Form};
use crate::directory::clients;
use crate::directory::identity_providers::{self as providers, IdentityProvider, ProviderType};
use crate::directory::pools::Pool;
use crate::directory::{unix_now, DirectoryError};
use crate::web::admin::shared::{format_time, see_other, Admin, Nav, PoolHeader, Tab};
use crate::web::errors::{html, PageError};
use crate::web::WebState;

pub use form::ProviderForm;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pools/{id}/providers", web::get().to(list))
        .service(
            web::resource("/pools/{id}/providers/new")
                .app_data(form_config())
                .route(web::get().to(new_page))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/pools/{id}/providers/{key}")
                .app_data(form_config())
                .route(web::get().to(edit_page))
                .route(web::post().to(update)),
        )
        .service(
            web::resource("/pools/{id}/providers/{key}/delete")
                .app_data(form_config())
                .route(web::get().to(delete_page))
                .route(web::post().to(delete)),
        );
}

/// A provider's name as a URL path segment.
pub fn key(name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name)
}

fn name_of(key: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn base(pool: &Pool) -> String {
    format!("/admin/pools/{}/providers", pool.id)
}

/// What a provider's type is called on these pages.
pub fn type_label(kind: ProviderType) -> &'static str {
    match kind {
        ProviderType::Google => "Google",
        ProviderType::Oidc => "OpenID Connect",
    }
}

/// Where providers send users back: to register at the provider.
fn redirect_uri(state: &WebState) -> String {
    format!("{}/oauth2/idpresponse", state.core.public_url)
}

pub struct ProviderRow {
    pub name: String,
    pub href: String,
    pub kind: &'static str,
    pub client_id: String,
    pub identifiers: String,
    pub modified: String,
}

#[derive(Template)]
#[template(path = "admin/pool/providers.html")]
pub struct ProvidersPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub redirect_uri: String,
    pub new_google: Option<String>,
    pub new_oidc: String,
    pub providers: Vec<ProviderRow>,
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
        .run(move |conn| providers::list(conn, &pid))
        .await
        .map_err(internal)?;
    let base = base(&pool);
    let has_google = found
        .iter()
        .any(|p| p.provider_type == ProviderType::Google);
    let (head, tabs) = header(&pool, "providers");
    let page = ProvidersPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        redirect_uri: redirect_uri(&state),
        new_google: (!has_google).then(|| format!("{base}/new?type=Google")),
        new_oidc: format!("{base}/new?type=OIDC"),
        providers: found
            .into_iter()
            .map(|p| ProviderRow {
                href: format!("{base}/{}", key(&p.name)),
                kind: type_label(p.provider_type),
                client_id: p.detail("client_id").unwrap_or_default().to_string(),
                identifiers: p.idp_identifiers.join(", "),
                modified: format_time(p.updated_at),
                name: p.name,
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin/pool/provider.html")]
pub struct ProviderPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    /// `None` while adding.
    pub existing: Option<String>,
    pub action: String,
    pub delete_href: String,
    pub cancel: String,
    pub redirect_uri: String,
    pub form: ProviderForm,
    pub error: Option<String>,
}

fn page(
    state: &WebState,
    admin: &Admin,
    pool: &Pool,
    existing: Option<&str>,
    form: ProviderForm,
    error: Option<String>,
) -> Result<ProviderPage, PageError> {
    let (head, tabs) = header(pool, "providers");
    let base = base(pool);
    Ok(ProviderPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        existing: existing.map(str::to_string),
        action: match existing {
            Some(name) => format!("{base}/{}", key(name)),
            None => format!("{base}/new"),
        },
        delete_href: existing
            .map(|name| format!("{base}/{}/delete", key(name)))
            .unwrap_or_default(),
        cancel: base,
        redirect_uri: redirect_uri(state),
        form,
        error,
    })
}

fn refused(
    state: &WebState,
    admin: &Admin,
    pool: &Pool,
    existing: Option<&str>,
    form: ProviderForm,
    message: String,
) -> Result<HttpResponse, PageError> {
    let view = page(state, admin, pool, existing, form, Some(message))?;
    Ok(html(StatusCode::BAD_REQUEST, &view))
}

#[derive(Deserialize)]
struct NewQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn kind_of(value: Option<&str>) -> Result<ProviderType, PageError> {
    value.and_then(ProviderType::parse).ok_or_else(|| {
        PageError::BadRequest("Choose Google or an OpenID Connect (OIDC) provider.".into())
    })
}

async fn new_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    let kind = kind_of(query.kind.as_deref())?;
    let form = ProviderForm::blank(kind, &pool.settings);
    Ok(html(
        StatusCode::OK,
        &page(&state, &admin, &pool, None, form, None)?,
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
    let kind = kind_of(f.get("type"))?;
    let shown = ProviderForm::posted(kind, &f, &pool.settings, None);
    let input = match form::input(kind, &f) {
        Ok(input) => input,
        Err(message) => return refused(&state, &admin, &pool, None, shown, message),
    };
    let pid = pool.id.clone();
    let now = unix_now();
    let created = state
        .core
        .db
        .run(move |conn| providers::create(conn, &pid, &input, now))
        .await;
    match created {
        Ok(p) => {
            admin.flash(format!(
                "Sign-in provider \u{201c}{}\u{201d} was added. Offer it to an app client under Identity providers.",
                p.name
            ))?;
            Ok(see_other(&base(&pool)))
        }
        Err(e) => {
            let message = directory_refusal(e)?;
            refused(&state, &admin, &pool, None, shown, message)
        }
    }
}

async fn load_provider(
    state: &WebState,
    pool: &Pool,
    key: &str,
) -> Result<IdentityProvider, PageError> {
    let missing =
        || PageError::BadRequest("There is no such sign-in provider in this pool.".into());
    let name = name_of(key).ok_or_else(missing)?;
    let pid = pool.id.clone();
    state
        .core
        .db
        .run(move |conn| providers::get(conn, &pid, &name))
        .await
        .map_err(internal)?
        .ok_or_else(missing)
}

async fn edit_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (pool_id, key) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let provider = load_provider(&state, &pool, &key).await?;
    let form = ProviderForm::of(&provider, &pool.settings);
    let view = page(&state, &admin, &pool, Some(&provider.name), form, None)?;
    Ok(html(StatusCode::OK, &view))
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
    let (pool_id, key) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let provider = load_provider(&state, &pool, &key).await?;
    let kind = provider.provider_type;
    let shown = ProviderForm::posted(kind, &f, &pool.settings, Some(&provider));
    let changes = match form::changes(kind, &f) {
        Ok(changes) => changes,
        Err(message) => {
            return refused(&state, &admin, &pool, Some(&provider.name), shown, message)
        }
    };
    let (pid, name) = (pool.id.clone(), provider.name.clone());
    let now = unix_now();
    let saved = state
        .core
        .db
        .run(move |conn| providers::update(conn, &pid, &name, &changes, now))
        .await;
    match saved {
        Ok(p) => {
            admin.flash(format!(
                "Sign-in provider \u{201c}{}\u{201d} was saved.",
                p.name
            ))?;
            Ok(see_other(&format!("{}/{}", base(&pool), key)))
        }
        Err(e) => {
            let message = directory_refusal(e)?;
            refused(&state, &admin, &pool, Some(&provider.name), shown, message)
        }
    }
}

#[derive(Template)]
#[template(path = "admin/pool/provider_delete.html")]
pub struct DeleteProviderPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub name: String,
    pub kind: &'static str,
    pub clients: Vec<String>,
    pub action: String,
    pub cancel: String,
}

async fn delete_page(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (pool_id, key) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let provider = load_provider(&state, &pool, &key).await?;
    let (pid, name) = (pool.id.clone(), provider.name.clone());
    let offering = state
        .core
        .db
        .run(move |conn| {
            let all = clients::list(conn, &pid, None, i64::MAX)?;
            Ok::<_, DirectoryError>(
                all.into_iter()
                    .filter(|c| c.settings.supported_identity_providers.contains(&name))
                    .map(|c| c.settings.client_name)
                    .collect(),
            )
        })
        .await
        .map_err(internal)?;
    let (head, tabs) = header(&pool, "providers");
    let cancel = format!("{}/{}", base(&pool), key);
    let view = DeleteProviderPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        kind: type_label(provider.provider_type),
        name: provider.name,
        clients: offering,
        action: format!("{cancel}/delete"),
        cancel,
    };
    Ok(html(StatusCode::OK, &view))
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
    let (pool_id, key) = path.into_inner();
    let pool = load_pool(&state.core, &pool_id).await?;
    let provider = load_provider(&state, &pool, &key).await?;
    let (pid, name) = (pool.id.clone(), provider.name.clone());
    let now = unix_now();
    state
        .core
        .db
        .run(move |conn| providers::delete(conn, &pid, &name, now))
        .await
        .map_err(|e| match directory_refusal(e) {
            Ok(m) => PageError::BadRequest(m),
            Err(e) => e,
        })?;
    admin.flash(format!(
        "Sign-in provider \u{201c}{}\u{201d} was deleted.",
        provider.name
    ))?;
    Ok(see_other(&base(&pool)))
}
