//! Headless Chromium enrolls an authenticator app on the hosted pages (the
//! secret read off the page, codes from totp-rs), then signs in with it.

use aws_sdk_cognitoidentityprovider::types::{SoftwareTokenMfaConfigType, UserPoolMfaType};
use totp_rs::{Algorithm, Builder, Secret};

use crate::helpers::{pkce, query_param, spawn_app, TestApp, CALLBACK, PASSWORD};
use crate::support::browser::Browser;

/// The authenticator app's code for `time` (SHA1, 6 digits, 30 s steps).
fn code_at(secret: &[u8], time: i64) -> String {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .build_noncompliant()
        .generate(u64::try_from(time).expect("a time after 1970"))
        .to_string()
}

/// A pool that requires MFA by authenticator app, and a public client.
async fn totp_pool(app: &TestApp) -> String {
    let pool = app.create_pool("Authenticator Pool").await;
    app.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    app.create_client(&pool, false).await.0
}

/// Saves a screenshot of the whole page, `width` pixels wide, as
/// `screenshots/mfa-{name}.png` under the test target directory.
async fn shot(browser: &Browser, name: &str, width: u32) {
    browser.client.set_window_size(width, 700).await.unwrap();
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
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    browser
        .screenshot(&dir.join(format!("mfa-{name}.png")))
        .await;
}

/// The natural width of the enrollment page's QR image once it has loaded
/// (0 if it does not load).
async fn qr_width(browser: &Browser) -> u64 {
    for _ in 0..50 {
        let loaded = browser
            .client
            .execute(
                "const img = document.querySelector('.qr img'); \
                 return img && img.complete ? img.naturalWidth : null;",
                Vec::new(),
            )
            .await
            .expect("script runs");
        if let Some(width) = loaded.as_u64() {
            return width;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the QR image did not finish loading");
}

/// Asserts that the browser is back at the app with a code and `state`.
async fn assert_back_at_app(browser: &Browser, state: &str) {
    let back = browser.current_url().await;
    assert!(
        back.starts_with(CALLBACK),
        "{back}: {}",
        browser.page_source().await
    );
    assert!(query_param(&back, "code").is_some(), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some(state));
}

#[tokio::test]
async fn chromium_enrolls_an_authenticator_app_and_signs_in_with_it() {
    let app = spawn_app().await;
    let client = totp_pool(&app).await;

    // Sign up; confirming the e-mailed code leads to the enrollment.
    let browser = Browser::start().await;
    let (_, challenge) = pkce();
    browser
        .goto(&app.authorize_url(&client, &challenge, "enroll", "n1"))
        .await;
    browser.click("a[href^='/signup']").await;
    browser.fill("#username", "authy").await;
    browser
        .fill("input[name='email']", "authy@example.com")
        .await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    assert!(browser.current_url().await.contains("/confirmUser"));
    let code = app
        .mail
        .wait_for("authy@example.com")
        .await
        .code()
        .expect("a code in the e-mail");
    browser.fill("#code", &code).await;
    browser.submit("form button[type='submit']").await;
    let url = browser.current_url().await;
    assert!(url.contains("/mfa/setup?client_id="), "{url}");
    assert_eq!(browser.text("h1").await, "Set up an authenticator app");
    assert!(qr_width(&browser).await > 0, "the QR code loads");
    let b32 = browser.text("#secret").await;
    let secret = Secret::try_from_base32(&b32)
        .unwrap_or_else(|e| panic!("{b32:?} is the base32 secret: {e:?}"))
        .as_ref()
        .to_vec();
    assert_eq!(secret.len(), 20, "a 160-bit secret");
    let code_field = browser.page_source().await;
    assert!(code_field.contains("autocomplete=\"one-time-code\""));
    assert!(code_field.contains("inputmode=\"numeric\""));
    shot(&browser, "setup", 1280).await;
    shot(&browser, "setup-narrow", 390).await;

    // The first code proves the app holds the secret, and signs in.
    let t = cognate::directory::unix_now();
    browser.fill("#code", &code_at(&secret, t)).await;
    browser.submit("form button[type='submit']").await;
    assert_back_at_app(&browser, "enroll").await;
    browser.close().await;

    // A fresh browser signs in: the password, then the app's code.
    let browser = Browser::start().await;
    browser
        .goto(&app.authorize_url(&client, &challenge, "again", "n2"))
        .await;
    browser.fill("#username", "authy").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    let url = browser.current_url().await;
    assert!(url.contains("/mfa?client_id="), "{url}");
    shot(&browser, "challenge", 1280).await;
    browser.fill("#code", "000000").await;
    browser.submit("form button[type='submit']").await;
    assert!(browser
        .text("[role='alert']")
        .await
        .contains("Invalid code"));
    shot(&browser, "challenge-error", 1280).await;
    // The enrollment spent the current step; the next one is accepted.
    browser.fill("#code", &code_at(&secret, t + 30)).await;
    browser.submit("form button[type='submit']").await;
    assert_back_at_app(&browser, "again").await;

    // Signed in, the account page shows MFA on.
    browser
        .goto(&format!("{}/account?client_id={client}", app.url))
        .await;
    assert!(browser.text("main").await.contains("authy"));
    shot(&browser, "account", 1280).await;
    browser.close().await;
}
