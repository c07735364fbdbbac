//! Sign-in on the hosted pages, the hosted session and sign-out.

use crate::helpers::{
    csrf, location, pkce, post_form, query_param, spawn_app, CALLBACK, PASSWORD, SIGNED_OUT,
};

#[tokio::test]
async fn sign_in_from_a_fresh_browser_then_reuse_the_session_then_sign_out() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "sam").await;

    let http = app.browser();
    let (_, challenge) = pkce();
    let res = http
        .get(app.authorize_url(&client, &challenge, "first", "n1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/login?client_id="));
    let res = app.submit_login(&http, &client, "sam", PASSWORD).await;
    assert_eq!(res.status(), 302);
    let back = location(&res).to_string();
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("first"));

    // A second authorization request returns at once: the hosted session.
    let res = http
        .get(app.authorize_url(&client, &challenge, "second", "n2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let again = location(&res).to_string();
    assert!(again.starts_with(CALLBACK), "{again}");
    assert_eq!(query_param(&again, "state").as_deref(), Some("second"));
    assert_ne!(query_param(&again, "code"), query_param(&back, "code"));

    // Sign out: back to the registered URL, and the session is gone.
    let res = http
        .get(format!(
            "{}/logout?client_id={client}&logout_uri={}",
            app.url,
            urlencode(SIGNED_OUT)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), SIGNED_OUT);
    let res = http
        .get(app.authorize_url(&client, &challenge, "third", "n3"))
        .send()
        .await
        .unwrap();
    assert!(
        location(&res).starts_with("/login?"),
        "signed out: to the login page"
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn logout_refuses_unregistered_urls() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let res = app
        .browser()
        .get(format!(
            "{}/logout?client_id={client}&logout_uri={}",
            app.url,
            urlencode("https://evil.example.com/")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none());
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "known").await;
    let http = app.browser();
    let wrong = app
        .submit_login(&http, &client, "known", "Wrong-pass-1")
        .await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.text().await.unwrap();
    let unknown = app
        .submit_login(&http, &client, "nobody", "Wrong-pass-1")
        .await;
    assert_eq!(wrong_status, unknown.status());
    let unknown_body = unknown.text().await.unwrap();
    assert!(wrong_body.contains("Incorrect username or password."));
    assert!(unknown_body.contains("Incorrect username or password."));
    // The pages differ only in the CSRF token and the echoed name.
    let strip = |b: &str, name: &str| b.replace(&csrf(b), "").replace(name, "");
    assert_eq!(strip(&wrong_body, "known"), strip(&unknown_body, "nobody"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "target").await;
    let http = app.browser();
    for _ in 0..5 {
        let res = app
            .submit_login(&http, &client, "target", "Wrong-pass-1")
            .await;
        assert_eq!(res.status(), 400);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Incorrect username or password."));
    }
    // The fifth failure starts a one-second lock: even the right password
    // is refused until it ends.
    let res = app.submit_login(&http, &client, "target", PASSWORD).await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Password attempts exceeded"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = app.submit_login(&http, &client, "target", PASSWORD).await;
    assert_eq!(res.status(), 200, "signed in once the short lock is over");
}

#[tokio::test]
async fn an_unconfirmed_user_is_sent_to_enter_a_new_code() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "later"),
            ("password", PASSWORD),
            ("email", "later@example.com"),
        ],
    )
    .await;
    app.mail.wait_for("later@example.com").await;

    // Another browser, another day: the right password leads to a new code.
    let other = app.browser();
    let (_, challenge) = pkce();
    other
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    let res = app.submit_login(&other, &client, "later", PASSWORD).await;
    assert_eq!(res.status(), 302);
    let confirm = app.absolute(location(&res));
    assert!(confirm.contains("/confirmUser"));
    let code = app.mail.wait_for("later@example.com").await.code().unwrap();
    let html = other
        .get(&confirm)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = other
        .post(format!("{}/confirmUser?client_id={client}", app.url))
        .form(&[
            ("_csrf", csrf(&html).as_str()),
            ("username", "later"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with(CALLBACK));

    // A wrong password does not reveal that the account is unconfirmed.
    let res = app
        .submit_login(&app.browser(), &client, "later", "Wrong-pass-1")
        .await;
    assert_eq!(res.status(), 400);
}

/// Makes `username`'s password temporary (as an administrator's reset would),
/// `age` seconds ago.
fn make_temporary(
    app: &crate::helpers::TestApp,
    pool: &str,
    username: &str,
    password: &str,
    age: i64,
) {
    use cognate::directory::users::{self, UserStatus};
    let pool_id = cognate::directory::PoolId::parse(pool).unwrap();
    let hash = cognate::directory::passwords::Passwords::new(crate::helpers::cheap_argon2())
        .unwrap()
        .hash_now(password)
        .unwrap();
    app.db()
        .with_conn(|conn| {
            let user = users::find_by_username_key(conn, &pool_id, username)
                .unwrap()
                .expect("user");
            let srp = cognate::auth::srp::new_verifier(
                cognate::auth::srp::pool_name(pool),
                &user.username,
                password,
            );
            let record = cognate::directory::passwords::PasswordRecord {
                hash,
                srp_salt: srp.salt_hex,
                srp_verifier: srp.verifier_hex,
            };
            let now = cognate::directory::unix_now();
            users::set_password(
                conn,
                &user.sub,
                &record,
                UserStatus::ForceChangePassword,
                now - age,
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn a_temporary_password_must_be_replaced_before_going_on() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "tempo").await;
    make_temporary(&app, &pool, "tempo", "Temp-Pass-123", 0);

    let http = app.browser();
    let (_, challenge) = pkce();
    http.get(app.authorize_url(&client, &challenge, "np", "n"))
        .send()
        .await
        .unwrap();
    let res = app
        .submit_login(&http, &client, "tempo", "Temp-Pass-123")
        .await;
    assert_eq!(res.status(), 302);
    let page = app.absolute(location(&res));
    assert!(page.contains("/newPassword"), "{page}");
    // The policy applies to the new password.
    let res = post_form(&http, &page, &page, &[("password", "weak")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("long enough"));
    let res = post_form(&http, &page, &page, &[("password", "Brand-New-Pass-7")]).await;
    assert_eq!(res.status(), 302);
    let back = location(&res).to_string();
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("np"));
    // The new password is now the one, and the user is confirmed.
    let res = app
        .submit_login(&app.browser(), &client, "tempo", "Brand-New-Pass-7")
        .await;
    assert_eq!(res.status(), 200);
    // /newPassword without a pending step is refused.
    let res = app
        .browser()
        .get(format!("{}/newPassword?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn an_expired_temporary_password_is_refused() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "stale").await;
    // The pool's temporary passwords are valid 7 days.
    make_temporary(&app, &pool, "stale", "Temp-Pass-123", 8 * 86_400);
    let res = app
        .submit_login(&app.browser(), &client, "stale", "Temp-Pass-123")
        .await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Temporary password has expired"));
}
