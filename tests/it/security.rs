//! The rules that hold on every page: exact redirect URIs on cognate's own
//! error page, CSRF tokens and cross-site refusal, headers, cookies.

use crate::helpers::{csrf, location, pkce, spawn_app, PASSWORD};

#[tokio::test]
async fn unregistered_redirect_uris_and_unknown_clients_stay_on_cognates_page() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let good = app.authorize_url(&client, &challenge, "s", "n");
    for bad in [
        good.replace(
            "localhost%3A3000%2Fcallback",
            "localhost%3A3000%2Fcallback%2Fextra",
        ),
        good.replace("http%3A%2F%2Flocalhost", "http%3A%2F%2Fevil.example.com"),
        good.replace(&format!("client_id={client}"), "client_id=nosuchclient"),
        good.replace(&format!("client_id={client}&"), ""),
        good.replace("redirect_uri=", "x="),
    ] {
        assert_ne!(bad, good);
        let res = http.get(&bad).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        assert!(
            res.headers().get("location").is_none(),
            "never redirected: {bad}"
        );
        let body = res.text().await.unwrap();
        assert!(body.contains("<html"), "an error page: {body}");
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_or_from_another_site_are_refused() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "csrf").await;
    let http = app.browser();
    let login = format!("{}/login?client_id={client}", app.url);
    let html = http.get(&login).send().await.unwrap().text().await.unwrap();
    let token = csrf(&html);

    let res = http
        .post(&login)
        .form(&[("username", "csrf"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no token");
    let res = http
        .post(&login)
        .form(&[
            ("_csrf", "forged"),
            ("username", "csrf"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "wrong token");
    let res = http
        .post(&login)
        .header("origin", "https://evil.example.com")
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "csrf"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "cross-site origin");
    let res = http
        .post(&login)
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "csrf"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "cross-site fetch metadata");
    // Another browser's token does not work in this one.
    let other = app.browser();
    let res = other
        .post(&login)
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "csrf"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "token of another session");
    // And with it, the same form goes through.
    let res = http
        .post(&login)
        .header("origin", app.url.as_str())
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "csrf"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn pages_send_the_security_headers_and_safe_cookies() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let res = http
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_string();
    assert!(cookie.starts_with("cognate_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(
        !cookie.contains("Secure"),
        "http public URL: no Secure flag"
    );
    let res = http.get(app.absolute(location(&res))).send().await.unwrap();
    let h = res.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'self'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(h.get("cache-control").unwrap(), "no-store");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script"), "no script on the pages");
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "fixation").await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let res = http
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    let before = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let res = app.submit_login(&http, &client, "fixation", PASSWORD).await;
    let after = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("cognate_session="))
        .expect("a new session cookie at sign-in")
        .to_string();
    let value = |c: &str| c.split(';').next().unwrap_or_default().to_string();
    assert_ne!(value(&before), value(&after));
}

#[tokio::test]
async fn garbage_input_gets_clear_errors_not_crashes() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let long = "x".repeat(10_000);
    for path in [
        "/login".to_string(),
        "/login?client_id=".to_string(),
        format!("/login?client_id={long}"),
        "/signup?client_id=%00%ff".to_string(),
        "/confirmUser?client_id=a%2Fb".to_string(),
        "/oauth2/authorize".to_string(),
        format!("/oauth2/authorize?client_id={client}&redirect_uri=%ZZ"),
        "/logout?client_id=x".to_string(),
    ] {
        let res = http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
    }
    let login = format!("{}/login?client_id={client}", app.url);
    let res = http
        .post(&login)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=%FF%FE&password=&_csrf=")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let res = reqwest::get(format!("{}/health", app.url)).await.unwrap();
    assert_eq!(res.status(), 200, "still serving");
}
