//! A pool's settings: what was fixed at creation, shown with the reason,
//! and a form for the rest. Saving builds a whole UpdateUserPool request
//! from the current settings with the form's members in place (the update
//! resets every member it is not given) and applies it as the API does;
//! the MFA methods, which UpdateUserPool does not carry, are set beside it.
//! Custom attributes are added as AddCustomAttributes adds them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::{json, Map, Value};

use super::{directory_refusal, form_config, header, load_pool, Fields, Form};
use crate::auth::admin_users::{DEFAULT_INVITE_MESSAGE, DEFAULT_INVITE_SUBJECT};
use crate::db::write_tx;
use crate::directory::pool_settings::{
    PoolSettings, DEFAULT_VERIFICATION_MESSAGE, DEFAULT_VERIFICATION_SUBJECT,
};
use crate::directory::pools::{self, Pool};
use crate::directory::{unix_now, DirectoryError, InvalidParameter};
use crate::web::admin::shared::{see_other, Admin, Nav, PoolHeader, Tab};
use crate::web::errors::{html, PageError};
use crate::web::WebState;

mod view;

pub use view::{FixedSettings, SettingsForm};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/pools/{id}/settings")
            .app_data(form_config())
            .route(web::get().to(show))
            .route(web::post().to(save)),
    )
    .service(
        web::resource("/pools/{id}/settings/attributes")
            .app_data(form_config())
            .route(web::post().to(add_attribute)),
    );
}

/// The new custom attribute form's values.
#[derive(Default)]
pub struct AttributeForm {
    pub name: String,
    pub number: bool,
    pub min: String,
    pub max: String,
    pub mutable: bool,
}

#[derive(Template)]
#[template(path = "admin/pool/settings.html")]
pub struct SettingsPage {
    pub nav: Nav,
    pub pool: PoolHeader,
    pub tabs: Vec<Tab>,
    pub action: String,
    pub attribute_action: String,
    pub fixed: FixedSettings,
    pub form: SettingsForm,
    pub error: Option<String>,
    pub attribute: AttributeForm,
    pub attribute_error: Option<String>,
    pub default_verification_subject: &'static str,
    pub default_verification_message: &'static str,
    pub default_invite_subject: &'static str,
    pub default_invite_message: &'static str,
}

fn page(
    admin: &Admin,
    pool: &Pool,
    form: SettingsForm,
    error: Option<String>,
    attribute: AttributeForm,
    attribute_error: Option<String>,
) -> Result<SettingsPage, PageError> {
    let (head, tabs) = header(pool, "settings");
    let base = format!("/admin/pools/{}/settings", pool.id);
    Ok(SettingsPage {
        nav: admin.nav()?,
        pool: head,
        tabs,
        attribute_action: format!("{base}/attributes"),
        action: base,
        fixed: FixedSettings::of(&pool.settings),
        form,
        error,
        attribute,
        attribute_error,
        default_verification_subject: DEFAULT_VERIFICATION_SUBJECT,
        default_verification_message: DEFAULT_VERIFICATION_MESSAGE,
        default_invite_subject: DEFAULT_INVITE_SUBJECT,
        default_invite_message: DEFAULT_INVITE_MESSAGE,
    })
}

async fn show(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let pool = load_pool(&state.core, &path).await?;
    let form = SettingsForm::of(&pool.settings);
    let view = page(
        &admin,
        &pool,
        form,
        None,
        AttributeForm::default_mutable(),
        None,
    )?;
    Ok(html(StatusCode::OK, &view))
}

impl AttributeForm {
    fn default_mutable() -> AttributeForm {
        AttributeForm {
            mutable: true,
            ..AttributeForm::default()
        }
    }
}

/// Runs `change` on the pool's current settings and stores the result, in
/// one write transaction so that concurrent edits do not undo each other.
async fn store(
    state: &WebState,
    pool: &Pool,
    change: impl FnOnce(&PoolSettings) -> Result<PoolSettings, InvalidParameter> + Send + 'static,
) -> Result<(), DirectoryError> {
    let id = pool.id.clone();
    let now = unix_now();
    state
        .core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let current = pools::get(conn, id.as_str())?;
                let next = change(&current.settings)?;
                pools::update(conn, &id, None, &next, now)
            })
        })
        .await
}

async fn save(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let pool = load_pool(&state.core, &path).await?;
    let posted = SettingsForm::posted(&f);
    let refuse = |form: SettingsForm, message: String| -> Result<HttpResponse, PageError> {
        let view = page(
            &admin,
            &pool,
            form,
            Some(message),
            AttributeForm::default_mutable(),
            None,
        )?;
        Ok(html(StatusCode::BAD_REQUEST, &view))
    };
    let checked = match posted.check() {
        Ok(c) => c,
        Err(message) => return refuse(posted, message),
    };
    // Checked against the settings as loaded, for a clear message; applied
    // again to the settings current at the time of writing.
    if let Err(e) = checked.apply(&pool.settings) {
        return refuse(posted, e.0);
    }
    match store(&state, &pool, move |current| checked.apply(current)).await {
        Ok(()) => {
            admin.flash("The settings were saved.")?;
            Ok(see_other(&format!("/admin/pools/{}/settings", pool.id)))
        }
        Err(e) => refuse(posted, directory_refusal(e)?),
    }
}

/// AddCustomAttributes' request for the form's one attribute.
fn custom_attribute_request(a: &AttributeForm) -> Value {
    let mut attr = Map::new();
    attr.insert("Name".into(), json!(a.name));
    attr.insert(
        "AttributeDataType".into(),
        json!(if a.number { "Number" } else { "String" }),
    );
    attr.insert("Mutable".into(), json!(a.mutable));
    let (key, min_key, max_key) = if a.number {
        ("NumberAttributeConstraints", "MinValue", "MaxValue")
    } else {
        ("StringAttributeConstraints", "MinLength", "MaxLength")
    };
    let mut constraints = Map::new();
    for (k, v) in [(min_key, &a.min), (max_key, &a.max)] {
        if !v.is_empty() {
            constraints.insert(k.into(), json!(v));
        }
    }
    if !constraints.is_empty() {
        attr.insert(key.into(), Value::Object(constraints));
    }
    json!({ "CustomAttributes": [Value::Object(attr)] })
}

async fn add_attribute(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let f = Fields::of(&form);
    admin.check_csrf(&req, &state, f.csrf())?;
    let pool = load_pool(&state.core, &path).await?;
    let attribute = AttributeForm {
        name: f.text("attr_name"),
        number: match f.get("attr_type") {
            Some("String") => false,
            Some("Number") => true,
            _ => {
                return Err(PageError::BadRequest(
                    "The type is String or Number.".into(),
                ))
            }
        },
        min: f.text("attr_min"),
        max: f.text("attr_max"),
        mutable: f.checked("attr_mutable"),
    };
    let request = custom_attribute_request(&attribute);
    let name = attribute.name.clone();
    let refuse = |attribute: AttributeForm, message: String| -> Result<HttpResponse, PageError> {
        let form = SettingsForm::of(&pool.settings);
        let view = page(&admin, &pool, form, None, attribute, Some(message))?;
        Ok(html(StatusCode::BAD_REQUEST, &view))
    };
    if name.is_empty() {
        return refuse(attribute, "Give the attribute a name.".into());
    }
    match store(&state, &pool, move |current| {
        current.add_custom_attributes(&request)
    })
    .await
    {
        Ok(()) => {
            admin.flash(format!("The attribute custom:{name} was added."))?;
            Ok(see_other(&format!("/admin/pools/{}/settings", pool.id)))
        }
        Err(e) => refuse(attribute, directory_refusal(e)?),
    }
}
