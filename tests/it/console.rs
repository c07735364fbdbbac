//! The console's own sign-in, its pool list and the outbox.

use crate::helpers::{csrf, location, post_form, spawn_app_with};

pub const ADMIN_PASSWORD: &str = "Console-Pass-1";

/// An app with a known console password, and a browser signed in to it.
pub async fn console_app() -> (crate::helpers::TestApp, reqwest::Client) {
    let app = spawn_app_with(|c| c.admin_password = Some(ADMIN_PASSWORD.to_string().into())).await;
    let http = app.browser();
    let url = format!("{}/admin/login", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[("username", "admin"), ("password", ADMIN_PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), 303, "console sign-in");
    assert_eq!(location(&res), "/admin");
    (app, http)
}

#[tokio::test]
async fn the_console_needs_its_password() {
    let app = spawn_app_with(|c| c.admin_password = Some(ADMIN_PASSWORD.to_string().into())).await;
    let http = app.browser();
    for path in ["/admin", "/admin/outbox", "/admin/pools/new"] {
        let res = http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(location(&res), "/admin/login");
    }
    let url = format!("{}/admin/login", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[("username", "admin"), ("password", "wrong")],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Incorrect username or password."));
    let res = post_form(
        &http,
        &url,
        &url,
        &[("username", "root"), ("password", ADMIN_PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), 400);
    let res = post_form(
        &http,
        &url,
        &url,
        &[("username", "admin"), ("password", ADMIN_PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = http.get(format!("{}/admin", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("User pools"));
    // Sign out needs the token, then ends the console session.
    let res = http
        .post(format!("{}/admin/logout", app.url))
        .form(&[("_csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = http
        .post(format!("{}/admin/logout", app.url))
        .form(&[("_csrf", csrf(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = http.get(format!("{}/admin", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn the_console_locks_out_repeated_failures() {
    let app = spawn_app_with(|c| c.admin_password = Some(ADMIN_PASSWORD.to_string().into())).await;
    let http = app.browser();
    let url = format!("{}/admin/login", app.url);
    for _ in 0..5 {
        post_form(
            &http,
            &url,
            &url,
            &[("username", "admin"), ("password", "wrong")],
        )
        .await;
    }
    let res = post_form(
        &http,
        &url,
        &url,
        &[("username", "admin"), ("password", ADMIN_PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Password attempts exceeded"));
}

#[tokio::test]
async fn the_console_lists_pools_and_shows_the_outbox() {
    let (app, http) = console_app().await;
    app.create_pool("Listed Pool").await;
    let html = http
        .get(format!("{}/admin", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Listed Pool"));
    let res = http
        .get(format!("{}/admin/outbox", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_generated_console_password_is_printed_once_and_works() {
    // The printed password cannot be read here; what matters is that a
    // server with none configured still refuses a guess.
    let app = crate::helpers::spawn_app().await;
    let http = app.browser();
    let url = format!("{}/admin/login", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[("username", "admin"), ("password", "admin")],
    )
    .await;
    assert_eq!(res.status(), 400);
}
