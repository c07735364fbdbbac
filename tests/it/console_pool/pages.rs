//! The pool pages in headless Chromium, with screenshots to look at under
//! `target/tmp/screenshots/console_pool/`.

use super::{at, find_user, many_users, user_rows};
use crate::support::browser::Browser;

#[tokio::test]
async fn the_pool_pages_look_right_in_a_browser() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.admin_password = Some(crate::console::ADMIN_PASSWORD.to_string().into())
    })
    .await;
    let pool = app.create_pool("Acme Customers").await;
    let (client, _) = app.create_client(&pool, true).await;
    app.confirmed_user(&client, "hana").await;
    many_users(&app, &pool).await;
    let hana = find_user(&app, &pool, "hana").await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots/console_pool");
    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 1000).await.unwrap();
    browser.goto(&format!("{}/admin/login", app.url)).await;
    browser
        .fill("#password", crate::console::ADMIN_PASSWORD)
        .await;
    browser.submit("form button[type='submit']").await;
    for (name, path, height) in [
        ("overview", String::new(), 1300),
        ("clients", "/clients".into(), 700),
        ("client", format!("/clients/{client}"), 1500),
        ("users", "/users".into(), 1700),
        ("user_new", "/users/new".into(), 1300),
        ("user", format!("/users/{}", hana.sub), 1400),
        ("settings", "/settings".into(), 3000),
        ("delete", "/delete".into(), 800),
    ] {
        browser.client.set_window_size(1280, height).await.unwrap();
        browser.goto(&at(&app, &pool, &path)).await;
        let source = browser.page_source().await;
        assert!(source.contains("Acme Customers"), "{name}: {source}");
        browser.screenshot(&shots.join(format!("{name}.png"))).await;
    }
    // A client made through the form shows its secret once.
    browser.client.set_window_size(1280, 1100).await.unwrap();
    browser.goto(&at(&app, &pool, "/clients/new")).await;
    browser.fill("#name", "backend").await;
    browser
        .click("input[name='kind'][value='confidential']")
        .await;
    browser
        .fill("#callback_urls", "https://app.example.com/callback")
        .await;
    browser.submit("form.pool-form button[type='submit']").await;
    assert!(browser
        .page_source()
        .await
        .contains("it is shown this once"));
    browser.screenshot(&shots.join("client_created.png")).await;
    // A refused save shows the reason above the form.
    browser.goto(&at(&app, &pool, "/settings")).await;
    browser.fill("#email_message", "no code").await;
    browser.submit("form.pool-form button[type='submit']").await;
    assert!(browser.page_source().await.contains("must contain {####}"));
    browser
        .screenshot(&shots.join("settings_refused.png"))
        .await;
    browser.goto(&at(&app, &pool, "/users")).await;
    browser.click("a[rel='next']").await;
    browser.screenshot(&shots.join("users_page2.png")).await;
    // The search works from the page itself.
    browser.goto(&at(&app, &pool, "/users")).await;
    browser.fill("#q", "han").await;
    browser.submit(".pool-filters button[type='submit']").await;
    let source = browser.page_source().await;
    assert_eq!(user_rows(&source, &pool), 1, "{source}");
    browser.client.set_window_size(420, 1400).await.unwrap();
    browser
        .goto(&at(&app, &pool, &format!("/users/{}", hana.sub)))
        .await;
    browser.screenshot(&shots.join("user_narrow.png")).await;
    browser.close().await;
}
