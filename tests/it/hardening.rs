//! The edges an attacker leans on: what a signature covers, which URLs an
//! app may register, which cookie a cross-site link can reach, how long a
//! slow client may hold a connection, what an error echoes, and what the
//! log says of each API request.

use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::console::console_app;
use crate::console_pool::{at, post};
use crate::helpers::{
    capture_logs, location, pkce, spawn_app, spawn_app_with, KEY_ID, PASSWORD, SECRET,
};

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A SigV4 `Authorization` header over exactly `signed` (lower-case names
/// with their values, sorted), by the test key pair, for a JSON API call.
fn authorization(signed: &[(&str, &str)], amz_date: &str, body: &str) -> String {
    let date = &amz_date[..8];
    let canonical_headers: String = signed.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
    let names = names.join(";");
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{names}\n{}",
        hex::encode(Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/us-east-1/cognito-idp/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{SECRET}").as_bytes(), date);
    for part in ["us-east-1", "cognito-idp", "aws4_request"] {
        key = hmac(&key, part);
    }
    let signature = hex::encode(hmac(&key, &to_sign));
    format!(
        "AWS4-HMAC-SHA256 Credential={KEY_ID}/{scope}, SignedHeaders={names}, Signature={signature}"
    )
}

#[tokio::test]
async fn a_signature_must_cover_the_operation_it_is_sent_with() {
    let app = spawn_app().await;
    let pool = app.create_pool("signed").await;
    let host = app.url.trim_start_matches("http://").to_string();
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let body = format!(r#"{{"UserPoolId":"{pool}"}}"#);
    let send = |target: &'static str, auth: String| {
        let (url, body, amz_date) = (app.url.clone(), body.clone(), amz_date.clone());
        async move {
            let res = reqwest::Client::new()
                .post(format!("{url}/"))
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amz-target", target)
                .header("x-amz-date", amz_date)
                .header("authorization", auth)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let json: serde_json::Value = res.json().await.unwrap();
            (status, json)
        }
    };
    // Signed over host and date only: the target could be anything.
    let loose = authorization(
        &[("host", &host), ("x-amz-date", &amz_date)],
        &amz_date,
        &body,
    );
    let (status, json) = send("AWSCognitoIdentityProviderService.DeleteUserPool", loose).await;
    assert_eq!(status, 400);
    assert_eq!(json["__type"], "IncompleteSignatureException", "{json}");
    app.cognito()
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("the pool is still there");

    // Signed over the target: the same signature with another target fails.
    let target = "AWSCognitoIdentityProviderService.DescribeUserPool";
    let full = authorization(
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("host", &host),
            ("x-amz-date", &amz_date),
            ("x-amz-target", target),
        ],
        &amz_date,
        &body,
    );
    let (status, json) = send(
        "AWSCognitoIdentityProviderService.DescribeUserPool",
        full.clone(),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["UserPool"]["Id"], pool.as_str());
    let (status, json) = send("AWSCognitoIdentityProviderService.DeleteUserPool", full).await;
    assert_eq!(status, 400);
    assert_eq!(json["__type"], "InvalidSignatureException", "{json}");
    app.cognito()
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("the pool is still there");
}

/// URLs a browser would follow somewhere else than they seem to say.
const DECEPTIVE: &[&str] = &[
    "http://evil.com\\@localhost/cb",
    "https://app.example.com@evil.com/cb",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "http://app.example.com/cb",
];

#[tokio::test]
async fn deceptive_callback_and_logout_urls_are_refused_by_the_api_and_the_console() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("urls").await;
    let sdk = app.cognito();
    for url in DECEPTIVE {
        for logout in [false, true] {
            let mut req = sdk
                .create_user_pool_client()
                .user_pool_id(&pool)
                .client_name("web")
                .callback_urls(if logout { "https://a.example/cb" } else { url });
            if logout {
                req = req.logout_urls(*url);
            }
            let err = req.send().await.expect_err(url);
            let service = err.into_service_error();
            assert!(
                service.is_invalid_parameter_exception(),
                "{url}: {service:?}"
            );
        }
    }
    let new = at(&app, &pool, "/clients/new");
    for url in DECEPTIVE {
        let (status, _, html) = post(
            &http,
            &new,
            &new,
            &[
                ("name", "web"),
                ("kind", "public"),
                ("callback_urls", url),
                ("idp", "COGNITO"),
                ("scope", "openid"),
                ("flow", "code"),
            ],
        )
        .await;
        assert_eq!(status, 400, "{url}: {html}");
    }
    let listed = sdk
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(listed.user_pool_clients().is_empty(), "nothing was created");
}

#[tokio::test]
async fn a_cross_site_sign_out_of_the_hosted_pages_leaves_the_console_signed_in() {
    let (app, console) = console_app().await;
    let pool = app.create_pool("two cookies").await;
    let (client, _) = app.create_client(&pool, false).await;
    app.confirmed_user(&client, "both").await;
    // One browser, signed in to the console and to the hosted pages.
    let (_, challenge) = pkce();
    let res = console
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let res = app.submit_login(&console, &client, "both", PASSWORD).await;
    assert!(
        location(&res).starts_with(crate::helpers::CALLBACK),
        "hosted sign-in: {}",
        location(&res)
    );
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    assert!(
        cookies.iter().all(|c| !c.starts_with("cognate_console=")),
        "the hosted pages never set the console's cookie: {cookies:?}"
    );
    // A link on another site: the hosted session ends, the console's stays.
    let logout = format!(
        "{}/logout?client_id={client}&logout_uri={}",
        app.url,
        crate::helpers::SIGNED_OUT
    );
    let res = console
        .get(&logout)
        .header("referer", "https://evil.example/")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), crate::helpers::SIGNED_OUT);
    let res = console
        .get(format!("{}/admin", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "still signed in to the console");
    let res = console
        .get(format!("{}/account?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(!body.contains("both"), "the hosted session is gone: {body}");
}

#[tokio::test]
async fn the_console_cookie_is_its_own_and_strict() {
    let app = spawn_app_with(|c| {
        c.admin_password = Some(crate::console::ADMIN_PASSWORD.to_string().into());
        c.public_url = Some("https://id.example.com".into());
    })
    .await;
    let res = app
        .browser()
        .get(format!("{}/admin/login", app.url))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a console cookie")
        .to_string();
    assert!(cookie.starts_with("cognate_console="), "{cookie}");
    assert!(cookie.contains("Path=/admin"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn https_deployments_send_strict_transport_security() {
    let plain = spawn_app().await;
    let res = reqwest::get(format!("{}/health", plain.url)).await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());

    let app = spawn_app_with(|c| c.public_url = Some("https://id.example.com".into())).await;
    for path in ["/health", "/login?client_id=nope"] {
        let res = reqwest::get(format!("{}{path}", app.url)).await.unwrap();
        let hsts = res
            .headers()
            .get("strict-transport-security")
            .unwrap_or_else(|| panic!("{path}: no HSTS"))
            .to_str()
            .unwrap();
        assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
    }
}

/// Sends `head` and then `body` on a raw connection and waits for the
/// answer's status line.
async fn stalled_request(url: &str, head: &str, body: &[u8]) -> (String, Duration) {
    let addr = url.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(body).await.unwrap();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(20), conn.read(&mut answer))
        .await
        .expect("the server answers a stalled body in time")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]).to_string();
    (
        text.lines().next().unwrap_or_default().to_string(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408_in_time() {
    let app = spawn_app_with(|c| c.request_timeout = Duration::from_secs(1)).await;
    for (path, kind) in [
        ("/", "application/x-amz-json-1.1"),
        ("/login?client_id=x", "application/x-www-form-urlencoded"),
        ("/oauth2/token", "application/x-www-form-urlencoded"),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {kind}\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n\
             Content-Length: 1000\r\n\r\n",
            app.url.trim_start_matches("http://")
        );
        let (status, took) = stalled_request(&app.url, &head, b"{\"a\":").await;
        assert!(status.contains(" 408 "), "{path}: {status}");
        assert!(took < Duration::from_secs(5), "{path}: {took:?}");
    }
    // A whole body in time is served as before.
    let res = reqwest::get(format!("{}/health", app.url)).await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_unknown_target_is_not_echoed_in_full() {
    let app = spawn_app().await;
    let long = format!("AWSCognitoIdentityProviderService.{}", "X".repeat(5000));
    for target in [long.clone(), "Other.".repeat(2000)] {
        let res = reqwest::Client::new()
            .post(format!("{}/", app.url))
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target.as_str())
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let json: serde_json::Value = res.json().await.unwrap();
        assert_eq!(json["__type"], "UnknownOperationException");
        let message = json["message"].as_str().unwrap();
        assert!(message.len() < 200, "{} characters", message.len());
    }
}

#[tokio::test]
async fn each_api_request_logs_its_operation_and_outcome() {
    let logs = capture_logs();
    let app = spawn_app().await;
    let pool = app.create_pool("logged ops").await;
    let client = app.create_api_client(&pool).await;
    let sdk = app.cognito();
    sdk.admin_get_user()
        .user_pool_id(&pool)
        .username("nobody-logged")
        .send()
        .await
        .expect_err("no such user");
    sdk.initiate_auth()
        .client_id(&client)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "nobody-logged")
        .auth_parameters("PASSWORD", "Secret-Never-Logged-1")
        .send()
        .await
        .expect_err("no such user");
    let text = logs.text();
    let line = |op: &str, outcome: &str| {
        text.lines().any(|l| {
            l.contains("API request")
                && l.contains(&format!("operation=\"{op}\""))
                && l.contains(&format!("outcome=\"{outcome}\""))
        })
    };
    assert!(line("CreateUserPool", "ok"), "{text}");
    assert!(line("AdminGetUser", "UserNotFoundException"), "{text}");
    assert!(
        line("InitiateAuth", "NotAuthorizedException")
            || line("InitiateAuth", "UserNotFoundException"),
        "{text}"
    );
    assert!(!text.contains("Secret-Never-Logged-1"));
}
