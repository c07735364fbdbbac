//! An independent OpenID Connect provider for the federation tests, standing
//! in for Google: panva's certified `oidc-provider` (Node.js), started from
//! `tests/oidc-provider/provider.mjs` on a port of its own.
//!
//! [`OidcProvider::start`] runs it with the given clients and accounts and
//! waits until it is ready; [`OidcProvider::issuer`] is the URL to configure
//! (discovery lives below it). A browser-like `reqwest` client (cookie store,
//! redirects not followed) then plays the end-user at the provider:
//! [`OidcProvider::sign_in`] signs in as one account and
//! [`OidcProvider::cancel`] presses Cancel; both return the URL the provider
//! sends the browser back to (the relying party's callback).
//!
//! The provider shows its login form on every authorization request, also
//! when the cookie jar already holds a session there (an account chooser),
//! so each [`OidcProvider::sign_in`] names its account. Consent is granted
//! without a page. Its cookies are named `op_*`; since cookies ignore the
//! port, the relying party on 127.0.0.1 receives them too.
//!
//! It needs Node.js (18 or later) and `npm ci --prefix tests/oidc-provider`;
//! `NODE_BIN` points at another `node`. The provider's log lines appear in
//! the test's output, prefixed with `[oidc-provider]`. It stops when the
//! value is dropped, and by itself when the test process goes away.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::task::JoinHandle;
use url::Url;

/// How long [`OidcProvider::start`] waits for the provider to be ready.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How many requests a sign-in may take at the provider before giving up.
const MAX_HOPS: usize = 20;
/// How many of the provider's last log lines a start-up failure shows.
const LOG_KEEP: usize = 200;

/// A client registered at the provider (the relying party, e.g. cognate's
/// federation callback). It authenticates at the token endpoint with
/// `client_secret_basic`; `client_secret_post` is accepted as well.
#[derive(Clone, Debug)]
pub struct ProviderClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
}

/// A running provider; the process is killed when this is dropped.
pub struct OidcProvider {
    issuer: String,
    origin: url::Origin,
    child: Child,
    /// Closed on drop, which also makes the provider exit.
    _stdin: ChildStdin,
}

/// What to do on the provider's login page.
enum Answer<'a> {
    SignIn(&'a str),
    Cancel,
}

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// Keeps the provider's last log lines and echoes each into the test output.
fn log_line(log: &Mutex<VecDeque<String>>, line: String) {
    eprintln!("[oidc-provider] {line}");
    let mut log = log.lock().unwrap();
    if log.len() == LOG_KEEP {
        log.pop_front();
    }
    log.push_back(line);
}

impl OidcProvider {
    /// Starts `node tests/oidc-provider/provider.mjs` with `clients` and
    /// `accounts` (`{"<sub>": {"email": …, "email_verified": true, "name":
    /// …}}`; standard claims of the openid, email and profile scopes are
    /// released). With `id_token_claims` the ID token carries the scopes'
    /// claims too (like Google); otherwise only userinfo has them.
    ///
    /// Panics with what to install when Node.js or the provider's
    /// `node_modules` are missing, and with the provider's log when it does
    /// not come up within 20 s.
    pub async fn start(
        clients: Vec<ProviderClient>,
        accounts: Value,
        id_token_claims: bool,
    ) -> OidcProvider {
        // reqwest's rustls needs a process-wide crypto provider; the server
        // installs it, but a test may talk to the provider before starting one.
        cognate::install_crypto_provider();
        let dir = provider_dir();
        if !dir
            .join("node_modules/oidc-provider/package.json")
            .is_file()
        {
            panic!(
                "oidc provider: {} has no node_modules; run `npm ci --prefix tests/oidc-provider` \
                 (needs Node.js 18 or later and npm)",
                dir.display()
            );
        }
        let config = json!({
            "clients": clients
                .iter()
                .map(|c| json!({
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "redirect_uris": c.redirect_uris,
                }))
                .collect::<Vec<_>>(),
            "accounts": accounts,
            "id_token_claims": id_token_claims,
            "exit_on_stdin_close": true,
        });
        let node = std::env::var("NODE_BIN").unwrap_or_else(|_| "node".to_string());
        let mut child = Command::new(&node)
            .arg(dir.join("provider.mjs"))
            .current_dir(&dir)
            .env("OIDC_PROVIDER_CONFIG", config.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "oidc provider: cannot run {node:?} ({e}); install Node.js 18 or later \
                     (Debian: `apt-get install nodejs npm`) or set NODE_BIN, then run \
                     `npm ci --prefix tests/oidc-provider`"
                )
            });
        let stdin = child.stdin.take().expect("child stdin");
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let stderr_task = {
            let log = log.clone();
            let mut lines = BufReader::new(child.stderr.take().expect("child stderr")).lines();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    log_line(&log, line);
                }
            })
        };
        let mut stdout = BufReader::new(child.stdout.take().expect("child stdout")).lines();

        let ready = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = stdout.next_line().await.ok().flatten() {
                let issuer = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|v| v["issuer"].as_str().map(str::to_string));
                match issuer {
                    Some(issuer) => return Some(issuer),
                    None => log_line(&log, line),
                }
            }
            None
        })
        .await;
        let issuer = match ready {
            Ok(Some(issuer)) => issuer,
            failed => {
                let what = match failed {
                    Ok(_) => match child.wait().await {
                        Ok(status) => format!("exited ({status})"),
                        Err(e) => format!("exited (wait: {e})"),
                    },
                    Err(_) => {
                        let _ = child.kill().await;
                        format!("did not get ready within {START_TIMEOUT:?}")
                    }
                };
                let log = Self::log_after_exit(stderr_task, &log).await;
                panic!(
                    "oidc provider: node tests/oidc-provider/provider.mjs {what}; its output:\n\
                     {log}\n(is `npm ci --prefix tests/oidc-provider` done?)"
                )
            }
        };
        {
            let log = log.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = stdout.next_line().await {
                    log_line(&log, line);
                }
            });
        }
        let origin = Url::parse(&issuer)
            .unwrap_or_else(|e| panic!("oidc provider: issuer {issuer:?} is not a URL ({e})"))
            .origin();
        OidcProvider {
            issuer,
            origin,
            child,
            _stdin: stdin,
        }
    }

    /// The provider's log so far, once the rest of its stderr has arrived.
    async fn log_after_exit(stderr_task: JoinHandle<()>, log: &Mutex<VecDeque<String>>) -> String {
        let _ = tokio::time::timeout(Duration::from_secs(2), stderr_task).await;
        let log = log.lock().unwrap();
        log.iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The issuer, `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Plays the end-user in the browser `http` (cookie store, redirects not
    /// followed): opens `authorization_url` at the provider, follows the
    /// provider's redirects to its login page, signs in as `sub`, and follows
    /// the provider's redirects until one leaves the provider. Returns that
    /// URL: the relying party's callback with `code` and `state` (or an
    /// `error` if the provider refused the request).
    ///
    /// Panics if `sub` is not one of the accounts or the provider answers
    /// with anything but redirects and its login page.
    pub async fn sign_in(
        &self,
        http: &reqwest::Client,
        authorization_url: &str,
        sub: &str,
    ) -> String {
        self.walk(http, authorization_url, Answer::SignIn(sub))
            .await
    }

    /// Like [`OidcProvider::sign_in`], pressing Cancel on the login page:
    /// returns the callback URL with `error=access_denied` and the `state`.
    pub async fn cancel(&self, http: &reqwest::Client, authorization_url: &str) -> String {
        self.walk(http, authorization_url, Answer::Cancel).await
    }

    async fn walk(
        &self,
        http: &reqwest::Client,
        authorization_url: &str,
        answer: Answer<'_>,
    ) -> String {
        let start = Url::parse(authorization_url)
            .unwrap_or_else(|e| panic!("oidc provider: {authorization_url:?} is not a URL ({e})"));
        assert_eq!(
            start.origin(),
            self.origin,
            "oidc provider: {authorization_url} is not at the provider {}",
            self.issuer
        );
        let mut answer = Some(answer);
        let mut request = http.get(start);
        for _ in 0..MAX_HOPS {
            let res = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("oidc provider: request failed: {e}"));
            let url = res.url().clone();
            let status = res.status();
            if status.is_redirection() {
                let location = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_else(|| {
                        panic!("oidc provider: {status} from {url} without Location")
                    });
                let next = url
                    .join(location)
                    .unwrap_or_else(|e| panic!("oidc provider: bad Location {location:?} ({e})"));
                if next.origin() != self.origin {
                    assert!(
                        answer.is_none(),
                        "oidc provider: sent the browser back to {next} without showing its \
                         login page"
                    );
                    return next.to_string();
                }
                request = http.get(next);
                continue;
            }
            let body = res.text().await.unwrap_or_default();
            let login_page = status == reqwest::StatusCode::OK
                && url.path().starts_with("/interaction/")
                && body.contains(r#"id="sign-in""#);
            if !login_page {
                panic!("oidc provider: unexpected {status} from {url}:\n{body}");
            }
            request = match answer.take() {
                Some(Answer::SignIn(sub)) => {
                    let action = url
                        .join(&form_action(&body, "login"))
                        .expect("login action");
                    http.post(action).form(&[("sub", sub)])
                }
                Some(Answer::Cancel) => {
                    let action = url
                        .join(&form_action(&body, "abort"))
                        .expect("abort action");
                    http.post(action).form(&[] as &[(&str, &str)])
                }
                None => match error_text(&body) {
                    Some(error) => panic!("oidc provider: the login page says: {error}"),
                    None => panic!("oidc provider: the login page came back:\n{body}"),
                },
            };
        }
        panic!(
            "oidc provider: more than {MAX_HOPS} requests without leaving {}",
            self.issuer
        )
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The `action` of `<form id="{id}" …>` on the provider's page.
fn form_action(html: &str, id: &str) -> String {
    let tag_start = html
        .find(&format!(r#"<form id="{id}""#))
        .unwrap_or_else(|| panic!("oidc provider: no form {id:?} on the page:\n{html}"));
    let tag = &html[tag_start..];
    let tag = &tag[..tag.find('>').expect("form tag end")];
    let value = tag
        .split(r#"action=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("oidc provider: form {id:?} has no action"));
    value.replace("&amp;", "&")
}

/// The text of the page's `#error` paragraph, if any.
fn error_text(html: &str) -> Option<String> {
    let start = html.find(r#"<p id="error""#)?;
    let rest = &html[start..];
    let text = &rest[rest.find('>')? + 1..rest.find("</p>")?];
    Some(text.replace("&quot;", "\"").replace("&amp;", "&"))
}
