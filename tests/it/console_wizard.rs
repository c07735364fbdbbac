//! The pool setup wizard, driven through the console (HTTP and Chromium).

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{
    AttributeDataType, DefaultEmailOptionType, EmailSendingAccountType, OAuthFlowType,
    RecoveryOptionNameType, UserPoolMfaType, UsernameAttributeType, VerifiedAttributeType,
};

use crate::console::{console_app, ADMIN_PASSWORD};
use crate::helpers::{csrf, location, post_form, TestApp};
use crate::support::browser::Browser;

/// The wizard of one signed-in console client.
struct Wizard<'a> {
    app: &'a TestApp,
    http: &'a reqwest::Client,
}

impl Wizard<'_> {
    fn url(&self, step: &str) -> String {
        format!("{}/admin/pools/new/{step}", self.app.url)
    }

    /// Opens `/admin/pools/new` and returns where it sends the browser.
    async fn start(&self) -> String {
        let res = self
            .http
            .get(format!("{}/admin/pools/new", self.app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        location(&res).to_string()
    }

    async fn get(&self, step: &str) -> reqwest::Response {
        self.http.get(self.url(step)).send().await.unwrap()
    }

    async fn page(&self, step: &str) -> String {
        let res = self.get(step).await;
        assert_eq!(res.status(), 200, "{step}");
        res.text().await.unwrap()
    }

    /// Posts a step's form (with its CSRF token).
    async fn post(&self, step: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let url = self.url(step);
        post_form(self.http, &url, &url, fields).await
    }

    /// Posts a step that must be accepted, and checks where it leads.
    async fn complete(&self, step: &str, fields: &[(&str, &str)], next: &str) {
        let res = self.post(step, fields).await;
        let status = res.status();
        let to = res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let body = res.text().await.unwrap();
        assert_eq!(status, 303, "{step} refused: {}", error_summary(&body));
        assert_eq!(
            to.as_deref(),
            Some(format!("/admin/pools/new/{next}").as_str())
        );
    }

    /// Posts a step that must be refused with `message`.
    async fn refused(&self, step: &str, fields: &[(&str, &str)], message: &str) {
        let res = self.post(step, fields).await;
        assert_eq!(res.status(), 400, "{step} accepted {fields:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(message),
            "{step}: no {message:?} in {}",
            error_summary(&body)
        );
        assert!(body.contains("aria-invalid=\"true\"") || body.contains("field-error"));
    }
}

/// The error summary of a page, for assertion messages.
fn error_summary(html: &str) -> String {
    match html.find("error-summary") {
        Some(at) => html[at..].chars().take(600).collect(),
        None => "(no error summary)".into(),
    }
}

const SIGN_IN: &[(&str, &str)] = &[
    ("signin_email", "on"),
    ("federation", "on"),
    ("google_client_id", "staff.apps.googleusercontent.com"),
    ("google_client_secret", "google-secret-123"),
    ("google_scopes", "openid email"),
];

const SECURITY: &[(&str, &str)] = &[
    ("password_policy", "custom"),
    ("min_length", "12"),
    ("require_numbers", "on"),
    ("require_uppercase", "on"),
    ("require_lowercase", "on"),
    ("temporary_days", "3"),
    ("mfa", "optional"),
    ("mfa_totp", "on"),
    ("recovery", "on"),
    ("recovery_delivery", "email-sms"),
];

const SIGN_UP: &[(&str, &str)] = &[
    ("self_registration", "on"),
    ("verification", "on"),
    ("verify", "email"),
    ("keep_original_email", "on"),
    ("required", "given_name"),
    ("custom-0-name", "team"),
    ("custom-0-type", "String"),
    ("custom-0-min", ""),
    ("custom-0-max", "20"),
    ("custom-0-mutable", "on"),
    ("custom-1-name", ""),
    ("custom-1-type", "String"),
    ("custom-1-mutable", "on"),
    ("op", "next"),
];

const MESSAGES: &[(&str, &str)] = &[
    ("email_from", "no-reply@staff.example.com"),
    ("email_subject", "Welcome to Staff"),
    ("email_message", "Hello!\r\nYour Staff code is {####}."),
    ("sms_message", "Staff code: {####}"),
];

const APP: &[(&str, &str)] = &[
    ("pool_name", "Staff Directory"),
    ("client_name", "staff-web"),
    ("client_type", "confidential"),
    (
        "callback_urls",
        "https://app.example.com/callback\r\nhttp://localhost:3000/callback\r\n",
    ),
    ("logout_urls", "https://app.example.com/"),
    ("scopes", "openid"),
    ("scopes", "email"),
    ("scopes", "profile"),
    ("providers", "COGNITO"),
    ("providers", "Google"),
];

async fn pool_ids(app: &TestApp) -> Vec<String> {
    let out = app
        .cognito()
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    out.user_pools()
        .iter()
        .filter_map(|p| p.id().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_wizard_creates_a_pool_with_every_choice() {
    let (app, http) = console_app().await;
    let w = Wizard {
        app: &app,
        http: &http,
    };
    assert_eq!(w.start().await, "/admin/pools/new/sign-in");
    w.complete("sign-in", SIGN_IN, "security").await;
    w.complete("security", SECURITY, "sign-up").await;

    // "Add another" stores the rows and shows one more empty row.
    let mut adding: Vec<(&str, &str)> = SIGN_UP
        .iter()
        .copied()
        .filter(|(k, _)| *k != "op")
        .collect();
    adding.push(("op", "add"));
    let res = w.post("sign-up", &adding).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/admin/pools/new/sign-up#custom-1-name");
    let html = w.page("sign-up").await;
    assert!(html.contains("value=\"team\""));
    assert!(html.contains("id=\"custom-1-name\"") && html.contains("id=\"custom-2-name\""));
    w.complete("sign-up", SIGN_UP, "messages").await;
    w.complete("messages", MESSAGES, "app").await;
    w.complete("app", APP, "review").await;

    let review = w.page("review").await;
    for shown in [
        "Staff Directory",
        "custom:team",
        "given_name",
        "At least 12 characters",
        "Optional MFA",
        "Email if available, otherwise SMS",
        "https://app.example.com/callback",
        "href=\"/admin/pools/new/security\"",
        "Google (client ID staff.apps.googleusercontent.com)",
    ] {
        assert!(review.contains(shown), "{shown} on the review");
    }
    let res = post_form(&http, &w.url("review"), &w.url("review"), &[]).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        error_summary(&res.text().await.unwrap())
    );
    let pools = pool_ids(&app).await;
    assert_eq!(pools.len(), 1);
    let pool_id = &pools[0];
    assert_eq!(location(&res), format!("/admin/pools/{pool_id}"));

    // The draft is gone, and the next console page names the pool, its
    // sign-in page and the secret.
    assert_eq!(w.get("review").await.status(), 303);
    let home = http
        .get(format!("{}/admin", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let client_id = {
        let clients = app
            .cognito()
            .list_user_pool_clients()
            .user_pool_id(pool_id)
            .send()
            .await
            .unwrap();
        assert_eq!(clients.user_pool_clients().len(), 1);
        clients.user_pool_clients()[0]
            .client_id()
            .unwrap()
            .to_string()
    };
    assert!(home.contains("Staff Directory"));
    assert!(
        home.contains(&format!("/login?client_id={client_id}")),
        "{home}"
    );
    assert!(home.contains("Client secret"));
    assert_eq!(w.start().await, "/admin/pools/new/sign-in", "a fresh draft");

    let up = app
        .cognito()
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(up.name(), Some("Staff Directory"));
    assert_eq!(up.username_attributes(), [UsernameAttributeType::Email]);
    assert!(up.alias_attributes().is_empty());
    assert_eq!(
        up.username_configuration().map(|u| u.case_sensitive()),
        Some(false)
    );
    // Google came with the pool (the client offers it: below).
    let google = app
        .cognito()
        .describe_identity_provider()
        .user_pool_id(pool_id)
        .provider_name("Google")
        .send()
        .await
        .expect("the Google provider")
        .identity_provider
        .unwrap();
    let details = google.provider_details().unwrap();
    assert_eq!(details["client_id"], "staff.apps.googleusercontent.com");
    assert_eq!(details["authorize_scopes"], "openid email");
    assert_eq!(google.attribute_mapping().unwrap()["email"], "email");
    let pp = up.policies().unwrap().password_policy().unwrap();
    assert_eq!(pp.minimum_length(), Some(12));
    assert_eq!(
        (
            pp.require_numbers(),
            pp.require_symbols(),
            pp.require_uppercase(),
            pp.require_lowercase()
        ),
        (true, false, true, true)
    );
    assert_eq!(pp.temporary_password_validity_days(), 3);
    assert_eq!(up.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert_eq!(
        up.auto_verified_attributes(),
        [VerifiedAttributeType::Email]
    );
    let schema = up.schema_attributes();
    let attr = |name: &str| {
        schema
            .iter()
            .find(|a| a.name() == Some(name))
            .unwrap_or_else(|| panic!("{name} in SchemaAttributes"))
    };
    assert_eq!(attr("given_name").required(), Some(true));
    assert_eq!(attr("email").required(), Some(true));
    assert_eq!(attr("family_name").required(), Some(false));
    let team = attr("custom:team");
    assert_eq!(team.attribute_data_type(), Some(&AttributeDataType::String));
    assert_eq!(team.mutable(), Some(true));
    assert_eq!(
        team.string_attribute_constraints()
            .and_then(|c| c.max_length()),
        Some("20")
    );
    let t = up.verification_message_template().unwrap();
    assert_eq!(t.email_subject(), Some("Welcome to Staff"));
    assert_eq!(
        t.email_message(),
        Some("Hello!\nYour Staff code is {####}.")
    );
    assert_eq!(t.sms_message(), Some("Staff code: {####}"));
    assert_eq!(
        t.default_email_option(),
        Some(&DefaultEmailOptionType::ConfirmWithCode)
    );
    let recovery: Vec<(RecoveryOptionNameType, i32)> = up
        .account_recovery_setting()
        .unwrap()
        .recovery_mechanisms()
        .iter()
        .map(|m| (m.name().clone(), m.priority()))
        .collect();
    assert_eq!(
        recovery,
        [
            (RecoveryOptionNameType::VerifiedEmail, 1),
            (RecoveryOptionNameType::VerifiedPhoneNumber, 2)
        ]
    );
    assert_eq!(
        up.admin_create_user_config()
            .map(|a| a.allow_admin_create_user_only()),
        Some(false)
    );
    let email = up.email_configuration().unwrap();
    assert_eq!(
        email.email_sending_account(),
        Some(&EmailSendingAccountType::Developer)
    );
    assert_eq!(email.from(), Some("no-reply@staff.example.com"));
    assert_eq!(
        up.user_attribute_update_settings()
            .unwrap()
            .attributes_require_verification_before_update(),
        [VerifiedAttributeType::Email]
    );
    let stored = {
        let id = pool_id.clone();
        app.db()
            .with_conn(move |c| {
                cognate::directory::pools::find(c, &id)
                    .map_err(|e| cognate::db::DbError::Migration(e.to_string()))
            })
            .unwrap()
            .unwrap()
    };
    assert_eq!(stored.settings.enabled_mfas, ["SOFTWARE_TOKEN_MFA"]);

    let c = app
        .cognito()
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(c.client_name(), Some("staff-web"));
    assert_eq!(
        c.callback_urls(),
        [
            "https://app.example.com/callback",
            "http://localhost:3000/callback"
        ]
    );
    assert_eq!(c.logout_urls(), ["https://app.example.com/"]);
    assert_eq!(c.allowed_o_auth_scopes(), ["openid", "email", "profile"]);
    assert_eq!(c.allowed_o_auth_flows(), [OAuthFlowType::Code]);
    assert_eq!(c.allowed_o_auth_flows_user_pool_client(), Some(true));
    assert_eq!(c.supported_identity_providers(), ["COGNITO", "Google"]);
    let secret = c
        .client_secret()
        .expect("a confidential client has a secret");
    assert!(home.contains(secret), "the secret is shown once");
}

#[tokio::test]
async fn the_wizard_refuses_bad_input_and_keeps_the_draft() {
    let (app, http) = console_app().await;
    let w = Wizard {
        app: &app,
        http: &http,
    };
    // Strangers are sent to the console sign-in.
    let stranger = app.browser();
    let res = stranger
        .get(format!("{}/admin/pools/new", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/admin/login");

    assert_eq!(w.start().await, "/admin/pools/new/sign-in");
    // Later steps open only in order; unknown steps do not exist.
    assert_eq!(location(&w.get("review").await), "/admin/pools/new/sign-in");
    assert_eq!(w.get("nonsense").await.status(), 404);
    // A POST without the token is refused.
    let res = http
        .post(w.url("sign-in"))
        .form(&[("signin_email", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    w.refused(
        "sign-in",
        &[],
        "Choose at least one way for users to sign in.",
    )
    .await;
    w.refused(
        "sign-in",
        &[("signin_email", "on"), ("preferred_username", "on")],
        "preferred user name can only be used next to a user name",
    )
    .await;
    w.refused(
        "sign-in",
        &[("signin_username", "on"), ("federation", "on")],
        "Enter the client ID Google",
    )
    .await;
    w.complete(
        "sign-in",
        &[
            ("signin_username", "on"),
            ("signin_phone", "on"),
            ("federation", "on"),
            ("google_client_id", "id.apps.googleusercontent.com"),
            ("google_client_secret", "kept-secret"),
        ],
        "security",
    )
    .await;
    let mut short = SECURITY.to_vec();
    short[1] = ("min_length", "3");
    w.refused("security", &short, "from 6 to 99 characters")
        .await;
    w.refused(
        "security",
        &[
            ("password_policy", "defaults"),
            ("mfa", "required"),
            ("recovery_delivery", "email"),
        ],
        "Choose at least one MFA method",
    )
    .await;
    w.complete("security", SECURITY, "sign-up").await;

    // The draft is kept between steps.
    let sign_in = w.page("sign-in").await;
    assert!(sign_in.contains("name=\"signin_username\" value=\"on\" checked"));
    assert!(sign_in.contains("id.apps.googleusercontent.com"));
    assert!(
        !sign_in.contains("kept-secret"),
        "a secret is never shown again"
    );
    assert!(sign_in.contains("/oauth2/idpresponse"));
    assert!(!sign_in.contains("name=\"signin_email\" value=\"on\" checked"));
    let security = w.page("security").await;
    assert!(security.contains("value=\"12\""));
    // The phone number is used to sign in here, so it is verified and
    // required: shown ticked and fixed.
    let sign_up = w.page("sign-up").await;
    assert!(sign_up.contains("id=\"verify-phone\" name=\"verify\" value=\"phone\" checked"));
    assert!(sign_up.contains("value=\"phone_number\" checked disabled"));

    let mut spaced = SIGN_UP.to_vec();
    spaced[5] = ("custom-0-name", "my team");
    w.refused("sign-up", &spaced, "without spaces").await;
    let mut long = SIGN_UP.to_vec();
    long[5] = ("custom-0-name", "a_very_long_attribute_name");
    w.refused("sign-up", &long, "at most 20 characters").await;
    w.complete("sign-up", SIGN_UP, "messages").await;

    let mut no_code = MESSAGES.to_vec();
    no_code[2] = ("email_message", "Your code is here.");
    w.refused("messages", &no_code, "Include {####}").await;
    let mut sms = MESSAGES.to_vec();
    sms[3] = ("sms_message", "code");
    w.refused("messages", &sms, "Include {####}").await;
    w.complete("messages", MESSAGES, "app").await;

    let mut ftp = APP.to_vec();
    ftp[3] = ("callback_urls", "ftp://x");
    w.refused("app", &ftp, "Line 1: ftp://x").await;
    let mut plain = APP.to_vec();
    plain[3] = (
        "callback_urls",
        "https://ok.example.com/cb\nhttp://example.com/cb",
    );
    w.refused("app", &plain, "Line 2: http://example.com/cb")
        .await;
    let mut unnamed = APP.to_vec();
    unnamed[0] = ("pool_name", "");
    w.refused("app", &unnamed, "Enter a name for the user pool.")
        .await;
    let mut bad_name = APP.to_vec();
    bad_name[0] = ("pool_name", "a/b");
    w.refused("app", &bad_name, "Use up to 128 letters").await;
    let no_openid: Vec<(&str, &str)> = APP
        .iter()
        .copied()
        .filter(|(k, v)| !(*k == "scopes" && *v == "openid"))
        .collect();
    w.refused("app", &no_openid, "need openid").await;
    // Federation was chosen, so Google is offered to the client.
    assert!(w.page("app").await.contains("value=\"Google\""));
    assert_eq!(location(&w.get("review").await), "/admin/pools/new/app");
    assert!(pool_ids(&app).await.is_empty(), "nothing was created");

    // Cancel discards the draft.
    let html = w.page("app").await;
    let res = http
        .post(format!("{}/admin/pools/new/cancel", app.url))
        .form(&[("_csrf", csrf(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/admin");
    assert_eq!(location(&w.get("security").await), "/admin/pools/new");
    assert_eq!(w.start().await, "/admin/pools/new/sign-in");
    assert!(!w
        .page("sign-in")
        .await
        .contains("name=\"signin_username\" value=\"on\" checked"));
    assert!(pool_ids(&app).await.is_empty());
}

/// Saves a screenshot of the whole page under the test target directory.
async fn shot(browser: &Browser, name: &str) {
    shot_at(browser, name, 1280).await;
}

async fn shot_at(browser: &Browser, name: &str, width: u32) {
    browser.client.set_window_size(width, 700).await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let height = browser
        .client
        .execute("return document.documentElement.scrollHeight;", Vec::new())
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900);
    // The window is a little taller than the page it shows.
    let height = u32::try_from(height.clamp(700, 4000) + 150).unwrap();
    browser.client.set_window_size(width, height).await.unwrap();
    browser.screenshot(&dir.join(format!("{name}.png"))).await;
}

async fn next(browser: &Browser, expect: &str) {
    browser
        .submit("button[name='op'][value='next']:not(.default-submit)")
        .await;
    let url = browser.current_url().await;
    assert!(
        url.ends_with(expect),
        "at {url}, not {expect}: {}",
        error_summary(&browser.page_source().await)
    );
}

#[tokio::test]
async fn chromium_creates_a_pool_and_signs_a_user_up_on_it() {
    let (app, _) = console_app().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/admin/login", app.url)).await;
    browser.fill("#password", ADMIN_PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    assert!(browser.current_url().await.ends_with("/admin"));
    browser.submit("a[href='/admin/pools/new']").await;
    assert!(browser
        .current_url()
        .await
        .ends_with("/admin/pools/new/sign-in"));
    shot(&browser, "wizard-1-sign-in").await;
    next(&browser, "/security").await;

    shot(&browser, "wizard-2-security-defaults").await;
    browser.click("#policy-custom").await;
    browser.fill("#min-length", "4").await;
    next(&browser, "/security").await;
    shot(&browser, "wizard-2-security-error").await;
    browser.fill("#min-length", "10").await;
    browser.click("#require-symbols").await;
    browser.click("#mfa-optional").await;
    shot(&browser, "wizard-2-security").await;
    next(&browser, "/sign-up").await;

    browser.click("#required-given_name").await;
    browser.fill("#custom-0-name", "team").await;
    browser.fill("#custom-0-max", "20").await;
    browser.submit("button[value='add']").await;
    browser.fill("#custom-1-name", "age").await;
    browser.fill("#custom-1-max", "150").await;
    shot(&browser, "wizard-3-sign-up").await;
    shot_at(&browser, "wizard-3-sign-up-narrow", 400).await;
    next(&browser, "/messages").await;

    browser
        .fill("#email-subject", "Your Chromium Pool code")
        .await;
    shot(&browser, "wizard-4-messages").await;
    next(&browser, "/app").await;

    browser.fill("#pool-name", "Chromium Pool").await;
    browser.fill("#client-name", "web").await;
    browser
        .fill("#callback-urls", "http://localhost:3000/callback")
        .await;
    shot(&browser, "wizard-5-app").await;
    next(&browser, "/review").await;
    shot(&browser, "wizard-6-review").await;
    browser.submit("button[value='next']").await;
    assert!(
        browser.current_url().await.contains("/admin/pools/"),
        "{}",
        browser.current_url().await
    );
    shot(&browser, "wizard-7-created").await;
    browser.goto(&format!("{}/admin", app.url)).await;
    assert!(browser.page_source().await.contains("Chromium Pool"));

    let pools = pool_ids(&app).await;
    assert_eq!(pools.len(), 1);
    let clients = app
        .cognito()
        .list_user_pool_clients()
        .user_pool_id(&pools[0])
        .send()
        .await
        .unwrap();
    let client_id = clients.user_pool_clients()[0].client_id().unwrap();

    // A user signs up on the new pool's hosted page: the e-mail is the
    // user name, the given name is required, the password needs 10
    // characters but no symbol.
    browser
        .goto(&format!("{}/signup?client_id={client_id}", app.url))
        .await;
    let form = browser.page_source().await;
    assert!(
        !form.contains("name=\"username\""),
        "e-mail is the user name"
    );
    browser.fill("input[name='email']", "ada@example.com").await;
    browser.fill("input[name='given_name']", "Ada").await;
    browser.fill("input[name='password']", "Lovelace1815").await;
    shot(&browser, "wizard-8-hosted-signup").await;
    browser.submit("form button[type='submit']").await;
    assert!(
        browser.current_url().await.contains("/confirmUser"),
        "{}",
        browser.page_source().await
    );
    let mail = app.mail.wait_for("ada@example.com").await;
    assert_eq!(mail.subject().as_deref(), Some("Your Chromium Pool code"));
    browser.fill("#code", &mail.code().unwrap()).await;
    browser.submit("form button[type='submit']").await;
    let done = browser.page_source().await;
    assert!(done.contains("You’re all set"), "{done}");
    shot(&browser, "wizard-9-signed-in").await;
    browser.close().await;
}
