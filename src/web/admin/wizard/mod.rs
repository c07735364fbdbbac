//! The "Create user pool" wizard: the Cognito console tutorial's five
//! steps (sign-in, security, sign-up, message delivery, app integration)
//! and a review page, server-rendered, without JavaScript.
//!
//! `GET /admin/pools/new` starts or resumes a draft kept in the console
//! session ([`draft`]); each step is a page at `/admin/pools/new/{step}`
//! whose form posts to itself: valid input is stored and answered with a
//! 303 to the next step, invalid input re-renders the page with the errors
//! (400) and stores nothing. A step opens once the steps before it are
//! complete. The review's POST turns the draft into `CreateUserPool` and
//! `CreateUserPoolClient` requests ([`request`]), parses them with the same
//! code as the API, and creates the pool and its first client in one
//! transaction.

mod draft;
mod forms;
mod input;
mod request;
mod review;
mod views;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use self::draft::{Draft, Step, MAX_CUSTOM_ATTRIBUTES};
use self::input::{FieldErrors, FormData};
use self::review::ReviewPage;
use self::views::{AppPage, DeliveryPage, Frame, SecurityPage, SignInPage, SignUpPage};
use super::shared::{see_other, Admin};
use crate::db::write_tx;
use crate::directory::client_settings::ClientSettings;
use crate::directory::ids::lower_alnum;
use crate::directory::pool_settings::PoolSettings;
use crate::directory::{clients, identity_providers, pools, unix_now, DirectoryError};
use crate::web::errors::{html, PageError};
use crate::web::pages::href;
use crate::web::WebState;

/// Largest accepted form body: an e-mail message may be 20,000 characters.
const FORM_LIMIT: usize = 256 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let forms = || web::FormConfig::default().limit(FORM_LIMIT);
    cfg.route("/pools/new", web::get().to(start))
        .service(
            web::resource("/pools/new/cancel")
                .app_data(forms())
                .route(web::post().to(cancel)),
        )
        .service(
            web::resource("/pools/new/{step}")
                .app_data(forms())
                .route(web::get().to(show))
                .route(web::post().to(submit)),
        );
}

async fn start(admin: Admin) -> Result<HttpResponse, PageError> {
    let draft = Draft::load(&admin.session).unwrap_or_default();
    draft.save(&admin.session)?;
    Ok(see_other(&draft.first_open().href()))
}

async fn cancel(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = FormData::new(form.into_inner());
    admin.check_csrf(&req, &state, form.get("_csrf"))?;
    Draft::discard(&admin.session);
    admin.flash("The new user pool was discarded.")?;
    Ok(see_other("/admin"))
}

/// Where a request for a step goes instead of that step.
enum Detour {
    NoSuchStep,
    NoDraft,
    NotYet(Step),
}

impl Detour {
    fn response(self) -> HttpResponse {
        match self {
            Detour::NoSuchStep => HttpResponse::NotFound()
                .content_type("text/plain; charset=utf-8")
                .body("There is no such step."),
            Detour::NoDraft => see_other("/admin/pools/new"),
            Detour::NotYet(open) => see_other(&open.href()),
        }
    }
}

/// The draft and the step of a request.
fn open(admin: &Admin, slug: &str) -> Result<(Draft, Step), Detour> {
    let step = Step::parse(slug).ok_or(Detour::NoSuchStep)?;
    let draft = Draft::load(&admin.session).ok_or(Detour::NoDraft)?;
    if !draft.reachable(step) {
        return Err(Detour::NotYet(draft.first_open()));
    }
    Ok((draft, step))
}

async fn show(
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (draft, step) = match open(&admin, &path) {
        Ok(found) => found,
        Err(detour) => return Ok(detour.response()),
    };
    let page = Page {
        step,
        draft: &draft,
        errors: FieldErrors::default(),
        problem: None,
    };
    page.render(&state, &admin, StatusCode::OK)
}

async fn submit(
    req: HttpRequest,
    state: web::Data<WebState>,
    admin: Admin,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = FormData::new(form.into_inner());
    admin.check_csrf(&req, &state, form.get("_csrf"))?;
    let (draft, step) = match open(&admin, &path) {
        Ok(found) => found,
        Err(detour) => return Ok(detour.response()),
    };
    let mut next = draft.clone();
    let mut adding = false;
    let errors = match step {
        Step::SignIn => {
            let (s, e) = forms::sign_in(&form, &draft.sign_in);
            // An untouched sign-up step follows the sign-in choices.
            let untouched = next.sign_up == draft::SignUp::suggested(&draft.sign_in);
            if untouched && !draft.is_done(Step::SignUp) {
                next.sign_up = draft::SignUp::suggested(&s);
            }
            next.sign_in = s;
            e
        }
        Step::Security => {
            let (s, e) = forms::security(&form, &draft.security);
            next.security = s;
            e
        }
        Step::SignUp => {
            let (mut s, e, blank) = forms::sign_up(&form);
            adding = form.get("op") == Some("add");
            s.blank_rows = if adding && e.is_empty() {
                (blank + 1).min(MAX_CUSTOM_ATTRIBUTES)
            } else {
                blank.max(1)
            };
            next.sign_up = s;
            e
        }
        Step::Delivery => {
            let (s, e) = forms::delivery(&form);
            next.delivery = s;
            e
        }
        Step::App => {
            let (s, e) = forms::app(&form, &draft);
            next.app = s;
            e
        }
        Step::Review => return create(&state, &admin, draft).await,
    };
    if !errors.is_empty() {
        let page = Page {
            step,
            draft: &next,
            errors,
            problem: None,
        };
        return page.render(&state, &admin, StatusCode::BAD_REQUEST);
    }
    if adding {
        next.save(&admin.session)?;
        let row = next.sign_up.custom.len();
        return Ok(see_other(&format!("{}#custom-{row}-name", step.href())));
    }
    next.sign_up.blank_rows = 1;
    next.mark_done(step);
    next.save(&admin.session)?;
    // On to the first step still open: the next one, or the review when
    // an earlier step was edited.
    Ok(see_other(&next.first_open().href()))
}

/// Creates the pool and its first client from a complete draft.
async fn create(state: &WebState, admin: &Admin, draft: Draft) -> Result<HttpResponse, PageError> {
    let refuse = |message: String| {
        let page = Page {
            step: Step::Review,
            draft: &draft,
            errors: FieldErrors::default(),
            problem: Some(message),
        };
        page.render(state, admin, StatusCode::BAD_REQUEST)
    };
    let (name, mut settings) =
        match PoolSettings::from_create_request(&request::pool_request(&draft)) {
            Ok(parsed) => parsed,
            Err(e) => return refuse(e.0),
        };
    settings.enabled_mfas = request::enabled_mfas(&draft.security);
    let (client, with_secret) =
        match ClientSettings::from_create_request(&request::client_request(&draft)) {
            Ok(parsed) => parsed,
            Err(e) => return refuse(e.0),
        };
    if let Err(e) = client.check_secret_requirement(with_secret) {
        return refuse(e.0);
    }
    let secret = with_secret.then(|| lower_alnum(51));
    let google = request::google_provider(&draft.sign_in);
    let region = state.core.config.region.clone();
    let now = unix_now();
    let created = state
        .core
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let pool = pools::create(conn, &region, &name, &settings, now)?;
                if let Some(google) = &google {
                    identity_providers::create(conn, &pool.id, google, now)?;
                }
                let client = clients::create(conn, &pool.id, &client, secret, now)?;
                Ok::<_, DirectoryError>((pool, client))
            })
        })
        .await;
    let (pool, client) = match created {
        Ok(made) => made,
        Err(DirectoryError::InvalidParameter(m)) => return refuse(m),
        Err(e) => return Err(PageError::Internal(e.to_string())),
    };
    Draft::discard(&admin.session);
    let sign_in = href(
        &format!("{}/login", state.core.public_url),
        &[("client_id", client.id.as_str())],
    );
    let mut message = format!(
        "User pool “{}” ({}) was created. Its hosted sign-in page is {sign_in}",
        pool.name, pool.id
    );
    if let Some(s) = &client.secret {
        message.push_str(&format!(
            " — Client secret of “{}”, shown only this once: {}",
            client.settings.client_name,
            s.expose_secret()
        ));
    }
    admin.flash(message)?;
    Ok(see_other(&format!("/admin/pools/{}", pool.id)))
}

/// A step's page, ready to render.
struct Page<'a> {
    step: Step,
    draft: &'a Draft,
    errors: FieldErrors,
    problem: Option<String>,
}

impl Page<'_> {
    fn render(
        self,
        state: &WebState,
        admin: &Admin,
        status: StatusCode,
    ) -> Result<HttpResponse, PageError> {
        let nav = admin.nav()?;
        let d = self.draft;
        let wiz = Frame::new(self.step, d, self.errors, self.problem);
        let mail_from = state.core.config.mail_from.clone();
        Ok(match self.step {
            Step::SignIn => html(
                status,
                &SignInPage {
                    nav,
                    wiz,
                    s: d.sign_in.clone(),
                    redirect_uri: crate::web::federation::redirect_uri(&state.core),
                },
            ),
            Step::Security => html(status, &SecurityPage::new(nav, wiz, d.security.clone())),
            Step::SignUp => html(status, &SignUpPage::new(nav, wiz, d, d.sign_up.clone())),
            Step::Delivery => html(
                status,
                &DeliveryPage::new(nav, wiz, d.delivery.clone(), &mail_from),
            ),
            Step::App => html(status, &AppPage::new(nav, wiz, d, d.app.clone())),
            Step::Review => html(
                status,
                &ReviewPage {
                    nav,
                    wiz,
                    groups: review::review_groups(d, &mail_from),
                },
            ),
        })
    }
}
