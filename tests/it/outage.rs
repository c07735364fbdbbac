//! A database outage: requests answer 503 (in their own shape) while
//! PostgreSQL cannot be reached, the log says so once, and everything
//! answers again by itself when it is back. The app reaches PostgreSQL
//! through a small TCP proxy here, which the test cuts and restores.
//! Also: a database that cannot be reached at start-up stops the binary
//! with a message naming it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{capture_logs, spawn_app_with, TestApp};

/// A TCP proxy on 127.0.0.1 in front of `upstream`. Cut, it closes every
/// connection and drops new ones at once; restored, it forwards again.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (up2, links2) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links2.lock().unwrap().push(link);
            }
        });
        Proxy { port, up, links }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn initiate_auth(app: &TestApp, client: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/", app.url))
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )
        .body(
            json!({
                "ClientId": client,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "nobody", "PASSWORD": "Wrong-Password-1"},
            })
            .to_string(),
        )
        .send()
        .await
        .expect("InitiateAuth")
}

fn retry_after(res: &reqwest::Response) -> Option<&str> {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
}

/// Lines of the captured log that contain every one of `words`.
fn log_lines(logs: &str, words: &[&str]) -> usize {
    logs.lines()
        .filter(|l| words.iter().all(|w| l.contains(w)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_answers_503_and_recovers_without_a_restart() {
    let Some(admin_url) = std::env::var("COGNATE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    else {
        eprintln!("outage: PostgreSQL only (set COGNATE_TEST_DATABASE_URL); skipped on SQLite");
        return;
    };
    let logs = capture_logs();
    let admin = url::Url::parse(&admin_url).expect("a postgres:// URL");
    let upstream = format!(
        "{}:{}",
        admin
            .host_str()
            .expect("a host in COGNATE_TEST_DATABASE_URL"),
        admin.port().unwrap_or(5432)
    );
    let proxy = Proxy::start(upstream).await;
    let proxy_port = proxy.port;
    let app = spawn_app_with(move |c| {
        let mut u = url::Url::parse(&c.database_url).expect("the test database URL");
        u.set_host(Some("127.0.0.1")).expect("host");
        u.set_port(Some(proxy_port)).expect("port");
        c.database_url = u.to_string();
        c.database.timeout = Duration::from_secs(2);
    })
    .await;
    let db_name = url::Url::parse(&app.database.url())
        .expect("the test database URL")
        .path()
        .trim_start_matches('/')
        .to_string();
    let label = format!("127.0.0.1:{proxy_port}/{db_name}");
    let (pool, client) = app.pool_and_client().await;
    let api_client = app.create_api_client(&pool).await;
    let login = format!("{}/login?client_id={client}", app.url);
    let health = format!("{}/health", app.url);
    let http = reqwest::Client::new();
    assert_eq!(http.get(&login).send().await.unwrap().status(), 200);
    // A browser with a session (the authorization request is kept in it).
    let browser = app.browser();
    let (_, challenge) = crate::helpers::pkce();
    let res = browser
        .get(app.authorize_url(&client, &challenge, "st", "n"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);

    proxy.cut();

    let res = initiate_auth(&app, &api_client).await;
    assert_eq!(res.status(), 503, "the API during the outage");
    assert_eq!(retry_after(&res), Some("5"));
    assert_eq!(
        res.headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("InternalErrorException")
    );
    let body: Value = res.json().await.expect("Cognito's JSON");
    assert_eq!(body["__type"], "InternalErrorException", "{body}");

    let res = http.get(&login).send().await.unwrap();
    assert_eq!(res.status(), 503, "a hosted page during the outage");
    assert_eq!(retry_after(&res), Some("5"));
    assert!(res.headers().get("content-security-policy").is_some());
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<html") && html.contains("temporarily unavailable"),
        "{html}"
    );

    // Its session cannot be loaded: the same page.
    let res = browser.get(&login).send().await.unwrap();
    assert_eq!(res.status(), 503, "a page whose session cannot be loaded");
    assert_eq!(retry_after(&res), Some("5"));
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("temporarily unavailable"));

    let res = http
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", "some-code"),
            ("redirect_uri", crate::helpers::CALLBACK),
            ("code_verifier", "v".repeat(43).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503, "/oauth2/token during the outage");
    let body: Value = res.json().await.expect("OAuth JSON");
    assert_eq!(body["error"], "server_error", "{body}");

    assert_eq!(http.get(&health).send().await.unwrap().status(), 503);
    let text = logs.text();
    assert_eq!(
        log_lines(&text, &["database unavailable", "answering 503", &label]),
        1,
        "one line for the outage, not one per request:\n{text}"
    );

    proxy.restore();
    let back = Instant::now();
    loop {
        if http.get(&health).send().await.unwrap().status() == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "healthy again within seconds"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(http.get(&login).send().await.unwrap().status(), 200);
    assert_eq!(browser.get(&login).send().await.unwrap().status(), 200);
    app.cognito()
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("the API answers again");
    let res = initiate_auth(&app, &api_client).await;
    assert_eq!(
        res.status(),
        400,
        "a wrong password is a wrong password again"
    );
    let text = logs.text();
    assert_eq!(
        log_lines(&text, &["database available again after", &label]),
        1,
        "{text}"
    );
}

#[test]
fn start_up_gives_up_on_an_unreachable_database_and_names_it() {
    // A port nothing listens on; the URL's password must never be printed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .current_dir(dir.path())
        .env("COGNATE_BIND", "127.0.0.1:0")
        .env(
            "COGNATE_DATABASE_URL",
            format!("postgres://cognate:pw-s3cret@127.0.0.1:{port}/nodb?sslmode=disable"),
        )
        .env("COGNATE_DATABASE_TIMEOUT_SECS", "1")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run cognate");
    let waited = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exits non-zero: {stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot reach the database at 127.0.0.1:{port}/nodb"
        )),
        "{stderr}"
    );
    assert!(
        stdout.contains("trying again"),
        "it retried before giving up: {stdout}"
    );
    assert!(!stdout.contains("s3cret") && !stderr.contains("s3cret"));
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(30),
        "{waited:?}"
    );
}
