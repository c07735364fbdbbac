//! Headless Chromium signs up and signs in through the real pages.

use crate::helpers::{pkce, spawn_app, CALLBACK, PASSWORD};
use crate::support::browser::Browser;

#[tokio::test]
async fn a_browser_signs_up_confirms_and_signs_in() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let browser = Browser::start().await;
    let (_, challenge) = pkce();
    browser
        .goto(&app.authorize_url(&client, &challenge, "b1", "n1"))
        .await;
    assert!(browser.current_url().await.contains("/login?client_id="));
    browser.screenshot(&shots.join("login.png")).await;
    browser.click("a[href^='/signup']").await;
    assert!(browser.current_url().await.contains("/signup"));
    browser.fill("#username", "chromie").await;
    browser
        .fill("input[name='email']", "chromie@example.com")
        .await;
    browser.fill("#password", PASSWORD).await;
    browser.screenshot(&shots.join("signup.png")).await;
    browser.submit("form button[type='submit']").await;
    assert!(
        browser.current_url().await.contains("/confirmUser"),
        "{}: {}",
        browser.current_url().await,
        browser.page_source().await
    );
    let code = app
        .mail
        .wait_for("chromie@example.com")
        .await
        .code()
        .unwrap();
    browser.screenshot(&shots.join("confirm.png")).await;
    browser.fill("#code", &code).await;
    browser.submit("form button[type='submit']").await;
    let back = browser.current_url().await;
    assert!(back.starts_with(CALLBACK), "{back}");
    assert!(back.contains("code=") && back.contains("state=b1"));
    browser.close().await;

    // A fresh browser signs in with the password.
    let browser = Browser::start().await;
    browser
        .goto(&app.authorize_url(&client, &challenge, "b2", "n2"))
        .await;
    browser.fill("#username", "chromie").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    let back = browser.current_url().await;
    assert!(back.starts_with(CALLBACK), "{back}");
    assert!(back.contains("state=b2"));
    browser.close().await;
}
