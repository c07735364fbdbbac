//! One iteration of each scenario, over one keep-alive HTTP/1.1 client
//! (redirects off; the hosted flow keeps its own cookies per iteration, so
//! every iteration is a new browser session).

use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::Response;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::driver::{Failure, Iteration, Outcome, Scenario};
use crate::seed::{Fixture, CALLBACK, PASSWORD};

/// Tokens of one sign-in.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

/// Keeps up to `cap` token sets from the first successful iterations.
#[derive(Clone)]
pub struct Keep {
    cap: usize,
    kept: Arc<Mutex<Vec<Tokens>>>,
}

impl Keep {
    pub fn new(cap: usize) -> Keep {
        Keep {
            cap,
            kept: Arc::default(),
        }
    }

    fn wants(&self) -> bool {
        self.kept
            .lock()
            .map(|k| k.len() < self.cap)
            .unwrap_or(false)
    }

    fn put(&self, t: Tokens) {
        if let Ok(mut k) = self.kept.lock() {
            if k.len() < self.cap {
                k.push(t);
            }
        }
    }

    pub fn take(&self) -> Vec<Tokens> {
        self.kept.lock().map(|k| k.clone()).unwrap_or_default()
    }
}

#[derive(Clone)]
pub struct Ctx {
    pub http: reqwest::Client,
    pub url: String,
    pub fx: Arc<Fixture>,
}

impl Ctx {
    pub fn new(url: &str, fx: Fixture) -> Result<Ctx, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Ctx {
            http,
            url: url.to_string(),
            fx: Arc::new(fx),
        })
    }

    async fn api(&self, op: &str, body: Value) -> Result<Response, Failure> {
        self.http
            .post(&self.url)
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{op}"),
            )
            .header(CONTENT_TYPE, "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| Failure::transport(op, e))
    }
}

/// A failed step: the status and the error's name from the body
/// (Cognito's `__type`, OAuth's `error`, or a page's title).
async fn failed(step: &str, res: Response) -> Failure {
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    let name = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("__type")
                .or_else(|| v.get("error"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| {
            let t = body.find("<title>")? + "<title>".len();
            Some(body[t..t + body[t..].find('<')?].trim().to_string())
        })
        .unwrap_or_default();
    Failure {
        status: Some(status),
        what: format!("{step}: {name}"),
    }
}

/// What a step got back: its headers and whole body.
struct Got {
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

/// Checks the status and reads the whole body (so the connection is reused).
async fn expect(step: &str, res: Response, status: u16) -> Result<Got, Failure> {
    if res.status().as_u16() != status {
        return Err(failed(step, res).await);
    }
    let headers = res.headers().clone();
    let body = res.bytes().await.map_err(|e| Failure::transport(step, e))?;
    Ok(Got {
        headers,
        body: body.to_vec(),
    })
}

fn json_of(step: &str, body: &[u8]) -> Result<Value, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::unexpected(step, e))
}

fn string_at(step: &str, v: &Value, path: &[&str]) -> Result<String, Failure> {
    let mut at = v;
    for p in path {
        at = at.get(p).unwrap_or(&Value::Null);
    }
    at.as_str()
        .map(str::to_string)
        .ok_or_else(|| Failure::unexpected(step, format!("no {} in the answer", path.join("."))))
}

/// The cookies of one browser session.
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn take(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let Some((pair, attrs)) = v
                .to_str()
                .ok()
                .map(|s| s.split_once(';').unwrap_or((s, "")))
            else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            self.0.retain(|(n, _)| n != name);
            let removed = value.is_empty() || attrs.to_ascii_lowercase().contains("max-age=0");
            if !removed {
                self.0.push((name.to_string(), value.to_string()));
            }
        }
    }

    fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}={v}")).collect();
        pairs.join("; ")
    }
}

/// The `value` of the first input named `name` in a page.
fn input_value(html: &str, name: &str) -> Option<String> {
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

fn location(step: &str, headers: &reqwest::header::HeaderMap) -> Result<String, Failure> {
    headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| Failure::unexpected(step, "no Location"))
}

/// A PKCE pair: (verifier, S256 challenge).
fn pkce() -> (String, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn user_of(fx: &Fixture, w: usize) -> String {
    fx.users[w % fx.users.len()].clone()
}

/// InitiateAuth USER_PASSWORD_AUTH with the API client; one argon2id
/// verification per iteration.
pub fn initiate_auth(ctx: &Ctx, keep: Keep) -> Scenario {
    let ctx = ctx.clone();
    Arc::new(move |w, _i| -> Iteration {
        let (ctx, keep) = (ctx.clone(), keep.clone());
        Box::pin(async move {
            let body = json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": ctx.fx.api_client,
                "AuthParameters": { "USERNAME": user_of(&ctx.fx, w), "PASSWORD": PASSWORD },
            });
            let res = ctx.api("InitiateAuth", body).await?;
            let got = expect("InitiateAuth", res, 200).await?;
            if keep.wants() {
                let v = json_of("InitiateAuth", &got.body)?;
                keep.put(Tokens {
                    access: string_at(
                        "InitiateAuth",
                        &v,
                        &["AuthenticationResult", "AccessToken"],
                    )?,
                    refresh: string_at(
                        "InitiateAuth",
                        &v,
                        &["AuthenticationResult", "RefreshToken"],
                    )?,
                });
            }
            Ok(())
        })
    })
}

/// The hosted sign-in of a new browser session: GET /oauth2/authorize
/// (PKCE) → GET /login (CSRF token) → POST /login → the code at the
/// callback → POST /oauth2/token. One argon2id verification and two
/// RS256 signatures per iteration.
pub fn hosted_sign_in(ctx: &Ctx, keep: Keep) -> Scenario {
    let ctx = ctx.clone();
    Arc::new(move |w, _i| -> Iteration {
        let (ctx, keep) = (ctx.clone(), keep.clone());
        Box::pin(async move { hosted_once(&ctx, &keep, &user_of(&ctx.fx, w)).await })
    })
}

async fn hosted_once(ctx: &Ctx, keep: &Keep, username: &str) -> Outcome {
    let mut jar = Jar::default();
    let (verifier, challenge) = pkce();
    let web = ctx.fx.web_client.as_str();
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", web),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
        ("state", "bench"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ])
    .map_err(|e| Failure::unexpected("authorize", e))?;
    let step = "GET /oauth2/authorize";
    let res = ctx
        .http
        .get(format!("{}/oauth2/authorize?{query}", ctx.url))
        .send()
        .await
        .map_err(|e| Failure::transport(step, e))?;
    let got = expect(step, res, 302).await?;
    jar.take(&got.headers);
    let login = location(step, &got.headers)?;
    let login = if login.starts_with("http") {
        login
    } else {
        format!("{}{login}", ctx.url)
    };

    let step = "GET /login";
    let res = ctx
        .http
        .get(&login)
        .header(COOKIE, jar.header())
        .send()
        .await
        .map_err(|e| Failure::transport(step, e))?;
    let got = expect(step, res, 200).await?;
    jar.take(&got.headers);
    let html = String::from_utf8_lossy(&got.body);
    let csrf = input_value(&html, "_csrf").ok_or_else(|| Failure::unexpected(step, "no _csrf"))?;

    let step = "POST /login";
    let res = ctx
        .http
        .post(format!("{}/login?client_id={web}", ctx.url))
        .header(COOKIE, jar.header())
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .map_err(|e| Failure::transport(step, e))?;
    let got = expect(step, res, 302).await?;
    let back = location(step, &got.headers)?;
    let code = url::Url::parse(&back)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| Failure::unexpected(step, "no code at the callback"))?;

    let step = "POST /oauth2/token (code)";
    let res = ctx
        .http
        .post(format!("{}/oauth2/token", ctx.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", web),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .map_err(|e| Failure::transport(step, e))?;
    let got = expect(step, res, 200).await?;
    if keep.wants() {
        let v = json_of(step, &got.body)?;
        keep.put(Tokens {
            access: string_at(step, &v, &["access_token"])?,
            refresh: string_at(step, &v, &["refresh_token"])?,
        });
    }
    Ok(())
}

/// The refresh_token grant at /oauth2/token (public web client): a new ID
/// and access token, two RS256 signatures.
pub fn refresh_grant(ctx: &Ctx, tokens: Vec<Tokens>) -> Scenario {
    let ctx = ctx.clone();
    let tokens = Arc::new(tokens);
    Arc::new(move |w, _i| -> Iteration {
        let (ctx, tokens) = (ctx.clone(), tokens.clone());
        Box::pin(async move {
            let step = "POST /oauth2/token (refresh)";
            let refresh = &tokens[w % tokens.len()].refresh;
            let res = ctx
                .http
                .post(format!("{}/oauth2/token", ctx.url))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", ctx.fx.web_client.as_str()),
                    ("refresh_token", refresh.as_str()),
                ])
                .send()
                .await
                .map_err(|e| Failure::transport(step, e))?;
            expect(step, res, 200).await.map(|_| ())
        })
    })
}

/// GET /oauth2/userInfo with a hosted sign-in's access token.
pub fn userinfo(ctx: &Ctx, tokens: Vec<Tokens>) -> Scenario {
    let ctx = ctx.clone();
    let tokens = Arc::new(tokens);
    Arc::new(move |w, _i| -> Iteration {
        let (ctx, tokens) = (ctx.clone(), tokens.clone());
        Box::pin(async move {
            let step = "GET /oauth2/userInfo";
            let access = &tokens[w % tokens.len()].access;
            let res = ctx
                .http
                .get(format!("{}/oauth2/userInfo", ctx.url))
                .header(AUTHORIZATION, format!("Bearer {access}"))
                .send()
                .await
                .map_err(|e| Failure::transport(step, e))?;
            expect(step, res, 200).await.map(|_| ())
        })
    })
}

/// GetUser with an API sign-in's access token.
pub fn get_user(ctx: &Ctx, tokens: Vec<Tokens>) -> Scenario {
    let ctx = ctx.clone();
    let tokens = Arc::new(tokens);
    Arc::new(move |w, _i| -> Iteration {
        let (ctx, tokens) = (ctx.clone(), tokens.clone());
        Box::pin(async move {
            let access = &tokens[w % tokens.len()].access;
            let res = ctx.api("GetUser", json!({ "AccessToken": access })).await?;
            expect("GetUser", res, 200).await.map(|_| ())
        })
    })
}

/// SignUp of a new user (unique names), e-mail verified by code: one
/// argon2id hash (and an SRP verifier) and a write transaction each.
pub fn sign_up(ctx: &Ctx, run: &str) -> Scenario {
    let ctx = ctx.clone();
    let run = run.to_string();
    Arc::new(move |w, i| -> Iteration {
        let ctx = ctx.clone();
        let name = format!("su-{run}-{w}-{i}");
        Box::pin(async move {
            let body = json!({
                "ClientId": ctx.fx.api_client,
                "Username": name,
                "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": format!("{name}@example.com") }],
            });
            let res = ctx.api("SignUp", body).await?;
            expect("SignUp", res, 200).await.map(|_| ())
        })
    })
}
