//! The rules that hold on every page: exact redirect URIs on cognate's own
//! error page, CSRF tokens and cross-site refusal, headers, cookies.

use crate::helpers::{csrf, location, pkce, post_form, spawn_app, spawn_app_with, PASSWORD};

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

#[tokio::test]
async fn the_confirm_page_answers_alike_for_confirmed_and_unknown_users() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "already").await;
    let http = app.browser();
    let page = format!("{}/confirmUser?client_id={client}", app.url);
    let mut bodies = Vec::new();
    for name in ["already", "nobodyhere"] {
        let res = post_form(
            &http,
            &page,
            &page,
            &[("username", name), ("code", "123456")],
        )
        .await;
        assert_eq!(res.status(), 400, "{name}");
        let body = res.text().await.unwrap();
        assert!(body.contains("Invalid verification code"), "{body}");
        bodies.push(body.replace(&csrf(&body), "").replace(name, ""));
    }
    assert_eq!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn unknown_names_are_locked_out_like_real_ones() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "realuser").await;
    let http = app.browser();
    let mut answers = Vec::new();
    for name in ["realuser", "ghostuser"] {
        for _ in 0..5 {
            let res = app.submit_login(&http, &client, name, "Wrong-pass-1").await;
            assert_eq!(res.status(), 400);
        }
        let res = app.submit_login(&http, &client, name, "Wrong-pass-1").await;
        let body = res.text().await.unwrap();
        assert!(
            body.contains("Password attempts exceeded"),
            "{name}: {body}"
        );
        answers.push(body.replace(&csrf(&body), "").replace(name, ""));
    }
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn parallel_guesses_do_not_get_past_the_lockout() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "hammered").await;
    let login = format!("{}/login?client_id={client}", app.url);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let http = app.browser();
        let login = login.clone();
        tasks.push(tokio::spawn(async move {
            let res = post_form(
                &http,
                &login,
                &login,
                &[("username", "hammered"), ("password", "Wrong-pass-1")],
            )
            .await;
            res.text().await.unwrap()
        }));
    }
    let mut checked = 0;
    for t in tasks {
        let body = t.await.unwrap();
        if body.contains("Incorrect username or password.") {
            checked += 1;
        } else {
            assert!(body.contains("Password attempts exceeded"), "{body}");
        }
    }
    assert!(checked <= 6, "{checked} guesses got a password check");
}

#[tokio::test]
async fn every_form_refuses_a_post_without_its_token() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    // Give the browser a session (and so a token it does not send).
    http.get(format!("{}/login?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    for path in ["/login", "/signup", "/confirmUser", "/resendCode"] {
        let res = http
            .post(format!("{}{path}?client_id={client}", app.url))
            .form(&[
                ("username", "someone"),
                ("password", PASSWORD),
                ("email", "someone@example.com"),
                ("code", "123456"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    assert!(app.mail.all().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn an_https_public_url_makes_cookies_secure() {
    let app = spawn_app_with(|c| c.public_url = Some("https://id.example.com".into())).await;
    let (_pool, client) = app.pool_and_client().await;
    let res = app
        .browser()
        .get(format!("{}/login?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
}

#[tokio::test]
async fn logs_never_contain_passwords_codes_or_tokens() {
    let logs = crate::helpers::capture_logs();
    let app = spawn_app().await;
    let pool = app.create_pool("logged").await;
    let (client, secret) = app.create_client(&pool, true).await;
    let secret = secret.unwrap();
    let http = app.browser();
    let (verifier, challenge) = pkce();
    let back = app
        .sign_up_through_pages(&http, &client, "logme", "logme@example.com", &challenge)
        .await;
    let mail_code = app.mail.all()[0].code().unwrap();
    let code = crate::helpers::query_param(&back, "code").unwrap();
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth(&client, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", crate::helpers::CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // A failure path too, which logs.
    app.submit_login(&app.browser(), &client, "logme", "Wrong-pass-1")
        .await;
    let text = logs.text();
    assert!(
        text.contains("/oauth2/token"),
        "requests were logged: {text}"
    );
    for secret_value in [
        PASSWORD,
        "Wrong-pass-1",
        mail_code.as_str(),
        code.as_str(),
        verifier.as_str(),
        secret.as_str(),
        crate::helpers::SECRET,
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret_value), "a secret reached the log");
    }
}
