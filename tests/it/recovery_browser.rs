//! Headless Chromium resets a forgotten password: the link on the sign-in
//! page, the e-mailed link opened in another browser, the policy error, and
//! a sign-in with the new password.

use fantoccini::Locator;

use crate::helpers::{query_param, spawn_app, PASSWORD};
use crate::support::browser::Browser;

const NEW_PASSWORD: &str = "Fresh-Start-42";

/// Saves a screenshot of the whole page as `screenshots/recovery-{name}.png`
/// under the test target directory.
async fn shot(browser: &Browser, name: &str) {
    browser.client.set_window_size(1280, 700).await.unwrap();
    let height = browser
        .client
        .execute("return document.documentElement.scrollHeight;", Vec::new())
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900);
    let height = u32::try_from(height.clamp(700, 4000) + 150).unwrap();
    browser.client.set_window_size(1280, height).await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    browser
        .screenshot(&dir.join(format!("recovery-{name}.png")))
        .await;
}

/// The current value of the input matching `css`.
async fn value_of(browser: &Browser, css: &str) -> String {
    let script = format!("return document.querySelector({css:?}).value;");
    browser
        .client
        .execute(&script, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("cannot read the value of {css}: {e}"))
        .as_str()
        .unwrap_or_else(|| panic!("no input matches {css}"))
        .to_string()
}

#[tokio::test]
async fn chromium_resets_a_forgotten_password_through_the_emailed_link() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let email = app.confirmed_user(&client, "forgetful").await;
    assert_eq!(email, "forgetful@example.com");

    // The sign-in page links to the reset; asking for it leads to the
    // page that takes the code.
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/login?client_id={client}", app.url))
        .await;
    browser
        .client
        .find(Locator::LinkText("Forgot your password?"))
        .await
        .expect("a \"Forgot your password?\" link on the sign-in page")
        .click()
        .await
        .expect("click the link");
    let url = browser.current_url().await;
    assert!(url.contains("/forgotPassword?client_id="), "{url}");
    assert_eq!(browser.text("h1").await, "Reset your password");
    shot(&browser, "forgot").await;
    browser.fill("#username", "forgetful").await;
    browser.submit("form button[type='submit']").await;
    let url = browser.current_url().await;
    assert!(url.contains("/confirmForgotPassword?"), "{url}");
    assert_eq!(query_param(&url, "client_id").as_deref(), Some(&*client));
    assert_eq!(query_param(&url, "username").as_deref(), Some("forgetful"));
    assert!(browser
        .text("[role='status']")
        .await
        .contains("a reset code is on its way"));
    assert_eq!(value_of(&browser, "#username").await, "forgetful");
    assert_eq!(value_of(&browser, "#code").await, "");

    let mail = app.mail.wait_for(&email).await;
    let link = mail
        .link(&format!("{}/confirmForgotPassword?", app.url))
        .unwrap_or_else(|| panic!("a reset link in the e-mail:\n{}", mail.text_body()));
    let code = mail.code().expect("a 6-digit code in the e-mail");
    assert_eq!(query_param(&link, "code").as_deref(), Some(code.as_str()));
    browser.close().await;

    // The link works in any browser: it opens the page filled in.
    let browser = Browser::start().await;
    browser.goto(&link).await;
    let url = browser.current_url().await;
    assert!(url.contains("/confirmForgotPassword?"), "{url}");
    assert_eq!(browser.text("h1").await, "Choose a new password");
    assert_eq!(value_of(&browser, "#code").await, code);
    assert_eq!(value_of(&browser, "#username").await, "forgetful");
    assert_eq!(value_of(&browser, "#password").await, "");
    shot(&browser, "reset-filled").await;

    // A password the policy refuses keeps the page, with the error at the
    // field and the code still filled in.
    browser.fill("#password", "weak").await;
    browser.submit("form button[type='submit']").await;
    let url = browser.current_url().await;
    assert!(
        url.contains("/confirmForgotPassword?"),
        "{url}: {}",
        browser.page_source().await
    );
    let error = browser.text(".field-error, [role='alert']").await;
    assert!(!error.trim().is_empty(), "the policy error is shown");
    assert!(
        browser
            .page_source()
            .await
            .contains("aria-invalid=\"true\""),
        "the password field is marked invalid"
    );
    assert_eq!(value_of(&browser, "#code").await, code);
    assert_eq!(value_of(&browser, "#username").await, "forgetful");
    shot(&browser, "error").await;

    // A good password changes it; the sign-in page says so.
    browser.fill("#password", NEW_PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    assert_eq!(browser.text("h1").await, "Sign in");
    assert!(
        browser
            .text("[role='status']")
            .await
            .contains("password was changed"),
        "{}",
        browser.page_source().await
    );
    assert_eq!(value_of(&browser, "#username").await, "forgetful");
    shot(&browser, "changed").await;

    // The old password no longer works, the new one does.
    browser.fill("#username", "forgetful").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    assert_eq!(
        browser.text("h1").await,
        "Sign in",
        "the old password is refused"
    );
    assert!(!browser.text("[role='alert']").await.trim().is_empty());
    browser.fill("#username", "forgetful").await;
    browser.fill("#password", NEW_PASSWORD).await;
    browser.submit("form button[type='submit']").await;
    let body = browser.text("body").await;
    assert!(
        body.to_lowercase().contains("signed in"),
        "{}: {body}",
        browser.current_url().await
    );
    assert!(body.contains("forgetful"), "{body}");
    shot(&browser, "signed-in").await;
    browser.close().await;
}
