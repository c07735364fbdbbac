//! `spawn_app()` and the helpers the tests share.

use aws_sdk_cognitoidentityprovider as cognito;
use base64::Engine;
use cognate::config::Argon2Params;
use cognate::{Application, Config};
use reqwest::redirect::Policy;
use sha2::{Digest, Sha256};

use crate::support::smtp::MailSink;

pub const CALLBACK: &str = "http://localhost:3000/callback";
pub const SIGNED_OUT: &str = "http://localhost:3000/signed-out";
pub const KEY_ID: &str = "AKIDTESTKEY0000000001";
pub const SECRET: &str = "test-secret-access-key-0123456789abcdef";
pub const PASSWORD: &str = "Correct-Horse-9";

pub struct TestApp {
    pub url: String,
    pub mail: MailSink,
    /// The app's database, removed when the test ends.
    pub database: TestDb,
}

/// A database of its own for one test: a SQLite file in a temporary
/// directory, or — with `COGNATE_TEST_DATABASE_URL=postgres://…` (a role
/// allowed to create databases) — a fresh PostgreSQL database, dropped at
/// the end.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Pg { admin_url: String, name: String },
}

impl TestDb {
    pub fn new() -> TestDb {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let Some(admin_url) = std::env::var("COGNATE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            return TestDb::Sqlite(tempfile::tempdir().expect("temp dir"));
        };
        let name = format!(
            "cognate_t_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        );
        let mut admin = diesel::PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("COGNATE_TEST_DATABASE_URL: cannot connect: {e}"));
        admin
            .batch_execute(&format!(
                "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
            ))
            .expect("create the test database");
        TestDb::Pg { admin_url, name }
    }

    /// The `COGNATE_DATABASE_URL` of this database.
    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite(dir) => dir.path().join("cognate.db").display().to_string(),
            TestDb::Pg { admin_url, name } => {
                let mut u = url::Url::parse(admin_url).expect("a postgres:// URL");
                u.set_path(name);
                u.to_string()
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        if let TestDb::Pg { admin_url, name } = self {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

/// A cheap argon2 cost for tests; one test keeps the production cost.
pub fn cheap_argon2() -> Argon2Params {
    Argon2Params {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mail = MailSink::start().await;
    let database = tokio::task::spawn_blocking(TestDb::new)
        .await
        .expect("test database");
    let mut config = Config::defaults();
    config.bind = "127.0.0.1:0".parse().expect("address");
    config.database_url = database.url();
    config.database.pool_size = 4;
    config.smtp_url = Some(mail.url().into());
    config.access_key_id = Some(KEY_ID.into());
    config.secret_access_key = Some(SECRET.to_string().into());
    config.argon2 = cheap_argon2();
    config.workers = Some(2);
    adjust(&mut config);
    let app = Application::build(config).await.expect("server builds");
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        url,
        mail,
        database,
    }
}

impl TestApp {
    /// The app's database, opened beside it (for what only the console shows).
    pub fn db(&self) -> cognate::db::Db {
        cognate::db::Db::open(&self.database.url()).expect("open the test database")
    }

    /// The Cognito API through aws-sdk-rust, signed with the test key pair.
    pub fn cognito(&self) -> cognito::Client {
        cognito_client(&self.url, KEY_ID, SECRET)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("http client")
    }

    /// A pool whose users sign up with a user name and confirm an e-mailed
    /// code, and a public client for the code flow with PKCE.
    pub async fn pool_and_client(&self) -> (String, String) {
        let pool = self.create_pool("test-pool").await;
        let client = self.create_client(&pool, false).await;
        (pool, client.0)
    }

    pub async fn create_pool(&self, name: &str) -> String {
        let out = self
            .cognito()
            .create_user_pool()
            .pool_name(name)
            .auto_verified_attributes(cognito::types::VerifiedAttributeType::Email)
            .schema(
                cognito::types::SchemaAttributeType::builder()
                    .name("email")
                    .attribute_data_type(cognito::types::AttributeDataType::String)
                    .required(true)
                    .mutable(true)
                    .build(),
            )
            .send()
            .await
            .expect("CreateUserPool");
        out.user_pool()
            .and_then(|p| p.id())
            .expect("pool id")
            .to_string()
    }

    /// An OAuth client of `pool`; `(client_id, secret)`.
    pub async fn create_client(&self, pool: &str, secret: bool) -> (String, Option<String>) {
        use cognito::types::{ExplicitAuthFlowsType, OAuthFlowType};
        let out = self
            .cognito()
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name("web")
            .generate_secret(secret)
            .callback_urls(CALLBACK)
            .logout_urls(SIGNED_OUT)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_scopes("openid")
            .allowed_o_auth_scopes("email")
            .allowed_o_auth_scopes("profile")
            .supported_identity_providers("COGNITO")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient");
        let c = out.user_pool_client().expect("client");
        (
            c.client_id().expect("client id").to_string(),
            c.client_secret().map(str::to_string),
        )
    }

    /// A client that allows password sign-in over the API (InitiateAuth,
    /// AdminInitiateAuth, refresh).
    pub async fn create_api_client(&self, pool: &str) -> String {
        use cognito::types::ExplicitAuthFlowsType;
        self.cognito()
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name("api")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client()
            .and_then(|c| c.client_id().map(str::to_string))
            .expect("client id")
    }

    pub fn authorize_url(
        &self,
        client_id: &str,
        challenge: &str,
        state: &str,
        nonce: &str,
    ) -> String {
        let q = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email"),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .expect("query");
        format!("{}/oauth2/authorize?{q}", self.url)
    }

    /// Absolute URL of a Location (relative ones are on this server).
    pub fn absolute(&self, location: &str) -> String {
        if location.starts_with("http") {
            location.to_string()
        } else {
            format!("{}{location}", self.url)
        }
    }

    /// Signs `username` up through the pages in `http`, starting from the
    /// authorization request, and confirms the e-mailed code. Returns the
    /// final redirect (to the app, with the code).
    pub async fn sign_up_through_pages(
        &self,
        http: &reqwest::Client,
        client_id: &str,
        username: &str,
        email: &str,
        challenge: &str,
    ) -> String {
        let res = http
            .get(self.authorize_url(client_id, challenge, "st-1", "n-1"))
            .send()
            .await
            .expect("authorize");
        assert_eq!(res.status(), 302);
        let login = self.absolute(location(&res));
        assert!(login.contains("/login?client_id="), "{login}");
        let page = http.get(&login).send().await.expect("login page");
        let html = page.text().await.expect("body");
        assert!(
            html.contains("/signup?client_id="),
            "sign-up link on the login page"
        );
        let signup_url = format!("{}/signup?client_id={client_id}", self.url);
        let html = http
            .get(&signup_url)
            .send()
            .await
            .expect("signup page")
            .text()
            .await
            .expect("body");
        let res = http
            .post(&signup_url)
            .form(&[
                ("_csrf", csrf(&html).as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("email", email),
            ])
            .send()
            .await
            .expect("sign up");
        assert_eq!(res.status(), 302, "sign-up redirects to the code page");
        let confirm_url = self.absolute(location(&res));
        assert!(confirm_url.contains("/confirmUser"), "{confirm_url}");
        let mail = self.mail.wait_for(email).await;
        let code = mail.code().expect("a 6-digit code in the e-mail");
        let html = http
            .get(&confirm_url)
            .send()
            .await
            .expect("confirm page")
            .text()
            .await
            .expect("body");
        assert!(
            html.contains("e***"),
            "the page names where the code went: {html}"
        );
        let res = http
            .post(format!("{}/confirmUser?client_id={client_id}", self.url))
            .form(&[
                ("_csrf", csrf(&html).as_str()),
                ("username", username),
                ("code", code.as_str()),
            ])
            .send()
            .await
            .expect("confirm");
        assert_eq!(
            res.status(),
            302,
            "confirming signs in and goes back to the app"
        );
        location(&res).to_string()
    }

    /// Signs in with the login form in `http` (after an authorization
    /// request put the app's request in the session). Returns the response.
    pub async fn submit_login(
        &self,
        http: &reqwest::Client,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let login = format!("{}/login?client_id={client_id}", self.url);
        let html = http
            .get(&login)
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        http.post(&login)
            .form(&[
                ("_csrf", csrf(&html).as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
            .expect("login post")
    }

    /// A confirmed user, made through the pages in a throw-away browser.
    pub async fn confirmed_user(&self, client_id: &str, username: &str) -> String {
        let email = format!("{username}@example.com");
        let http = self.browser();
        let (_, challenge) = pkce();
        self.sign_up_through_pages(&http, client_id, username, &email, &challenge)
            .await;
        email
    }
}

pub fn cognito_client(url: &str, key_id: &str, secret: &str) -> cognito::Client {
    let conf = cognito::Config::builder()
        .behavior_version(cognito::config::BehaviorVersion::latest())
        .region(cognito::config::Region::new("us-east-1"))
        .credentials_provider(cognito::config::Credentials::new(
            key_id, secret, None, None, "tests",
        ))
        .endpoint_url(url)
        .build();
    cognito::Client::from_conf(conf)
}

/// The Location header of a redirect.
pub fn location(res: &reqwest::Response) -> &str {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location header on a {} answer", res.status()))
}

/// The value of the hidden `_csrf` input of a page.
pub fn csrf(html: &str) -> String {
    input_value(html, "_csrf").unwrap_or_else(|| panic!("no _csrf input in page:\n{html}"))
}

/// The `value` of the first input named `name`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let rest = &tag[v..];
    Some(
        rest[..rest.find('"')?]
            .replace("&#x2d;", "-")
            .replace("&#x5f;", "_"),
    )
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A PKCE pair: (verifier, S256 challenge).
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Exchanges a code at /oauth2/token as a public client.
pub async fn exchange(
    app: &TestApp,
    client_id: &str,
    code: &str,
    verifier: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token request")
}

/// Opens the form page `page` in `http`, then posts `fields` with the page's
/// CSRF token to `action`.
pub async fn post_form(
    http: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = http
        .get(page)
        .send()
        .await
        .expect("form page")
        .text()
        .await
        .expect("body");
    let token = csrf(&html);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    http.post(action)
        .form(&form)
        .send()
        .await
        .expect("form post")
}

/// Everything the server logs, from every test in this process (tests run
/// in parallel, so a check over it covers them all). Installed once.
#[derive(Clone)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing the server's logs at debug level for cognate and
/// actix (info elsewhere).
pub fn capture_logs() -> CapturedLogs {
    static LOGS: std::sync::OnceLock<CapturedLogs> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = CapturedLogs(Default::default());
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,cognate=trace,actix_web=debug,actix_session=debug,tracing_actix_web=debug",
            ))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        logs
    })
    .clone()
}

/// What an SMS gateway received: the JSON bodies posted to it.
pub type SmsLog = std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>;

/// A tiny SMS gateway (an actix server on port 0) that records what it is
/// sent; its URL goes into COGNATE_SMS_WEBHOOK_URL.
pub async fn sms_gateway() -> (String, SmsLog) {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let got: SmsLog = Default::default();
    let store = got.clone();
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/sms",
            web::post().to(move |body: web::Json<serde_json::Value>| {
                let store = store.clone();
                async move {
                    store.lock().expect("sms log").push(body.into_inner());
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("bind the SMS gateway");
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    (format!("http://127.0.0.1:{port}/sms"), got)
}

/// Part `i` of a JWT (0 header, 1 claims), decoded, unverified.
pub fn jwt_part(token: &str, i: usize) -> serde_json::Value {
    let part = token.split('.').nth(i).expect("jwt part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

/// A JWT's claims, unverified.
pub fn jwt_claims(token: &str) -> serde_json::Value {
    jwt_part(token, 1)
}

/// A JWT's header, unverified.
pub fn jwt_header(token: &str) -> serde_json::Value {
    jwt_part(token, 0)
}
