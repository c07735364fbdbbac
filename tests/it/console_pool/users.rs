//! Users: created with an invitation, reset, confirmed, disabled, signed
//! out everywhere, deleted, listed.

use aws_sdk_cognitoidentityprovider::types::UsernameAttributeType;
use cognate::directory::users::UserStatus;

use super::{
    at, find_user, get, href_after, many_users, password_matches, post, temporary_password,
    user_rows,
};
use crate::console::console_app;
use crate::helpers::{exchange, location, pkce, query_param, CALLBACK, PASSWORD};

#[tokio::test]
async fn an_administrator_creates_a_user_with_an_invitation_and_resets_the_password() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("Users Pool").await;
    let new = at(&app, &pool, "/users/new");
    let (status, to, html) = post(
        &http,
        &new,
        &new,
        &[
            ("username", "alice"),
            ("email", "alice@example.com"),
            ("send_invitation", "true"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let mail = app.mail.wait_for("alice@example.com").await;
    assert_eq!(mail.subject().as_deref(), Some("Your temporary password"));
    let body = mail.text_body();
    assert!(
        body.contains("Your username is alice and temporary password is "),
        "{body}"
    );
    let first = temporary_password(&body);
    let alice = find_user(&app, &pool, "alice").await;
    assert_eq!(alice.status, UserStatus::ForceChangePassword);
    assert!(
        password_matches(&alice, &first),
        "the e-mailed password is the user's"
    );
    assert!(to.ends_with(&format!("/users/{}", alice.sub)));
    let (_, html) = get(&http, &format!("{}{to}", app.url)).await;
    assert!(html.contains("FORCE_CHANGE_PASSWORD") && html.contains("alice@example.com"));

    // Refusals change nothing.
    for (fields, reason) in [
        (
            vec![
                ("username", "alice"),
                ("email", "other@example.com"),
                ("send_invitation", "true"),
            ],
            "User already exists",
        ),
        (
            vec![
                ("username", "bob"),
                ("email", "bob@example.com"),
                ("temporary_password", "short"),
            ],
            "Password did not conform with policy",
        ),
        (
            // Required attributes may wait for the first sign-in (as in
            // AdminCreateUser), but an invitation needs somewhere to go.
            vec![("username", "bob"), ("send_invitation", "true")],
            "An invitation needs the user&#39;s email address or phone number.",
        ),
        (
            vec![("username", "bob"), ("email", "bob@example.com")],
            "Set a temporary password, or send an invitation",
        ),
        (
            vec![
                ("username", "bob"),
                ("email", "not-an-address"),
                ("send_invitation", "true"),
            ],
            "Invalid email address format.",
        ),
    ] {
        let (status, _, html) = post(&http, &new, &new, &fields).await;
        assert_eq!(status, 400, "{reason}");
        assert!(html.contains(reason), "{reason}: {html}");
    }
    let (_, html) = get(&http, &at(&app, &pool, "/users?q=bob")).await;
    assert!(html.contains("No users match."));

    // A typed temporary password, without an invitation, verified e-mail.
    let (status, _, _) = post(
        &http,
        &new,
        &new,
        &[
            ("username", "carol"),
            ("email", "carol@example.com"),
            ("temporary_password", "Temp-Pass-42"),
            ("email_verified", "true"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let carol = find_user(&app, &pool, "carol").await;
    assert!(password_matches(&carol, "Temp-Pass-42"));
    assert_eq!(carol.attribute("email_verified"), Some("true"));

    // Reset: a new temporary password by e-mail; the old one is void.
    let page = at(&app, &pool, &format!("/users/{}", alice.sub));
    let (status, to, _) = post(&http, &page, &format!("{page}/reset-password"), &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, page.trim_start_matches(&app.url))
    );
    let second = temporary_password(&app.mail.wait_for("alice@example.com").await.text_body());
    let alice = find_user(&app, &pool, "alice").await;
    assert_ne!(first, second);
    assert!(password_matches(&alice, &second) && !password_matches(&alice, &first));

    // Delete, with a confirmation step.
    let (status, html) = get(&http, &format!("{page}/delete")).await;
    assert!(status == 200 && html.contains("Delete user"));
    let (status, to, _) = post(&http, &page, &format!("{page}/delete"), &[]).await;
    assert_eq!((status, to), (303, format!("/admin/pools/{pool}/users")));
    assert_eq!(get(&http, &page).await.0, 400);
}

#[tokio::test]
async fn in_email_username_pools_the_invitation_names_the_address() {
    let (app, http) = console_app().await;
    let out = app
        .cognito()
        .create_user_pool()
        .pool_name("by-email")
        .username_attributes(UsernameAttributeType::Email)
        .send()
        .await
        .unwrap();
    let pool = out.user_pool().unwrap().id().unwrap().to_string();
    let new = at(&app, &pool, "/users/new");
    let (_, html) = get(&http, &new).await;
    assert!(!html.contains("name=\"username\""), "no user name field");
    let (status, _, html) = post(
        &http,
        &new,
        &new,
        &[("email", "Erin@Example.com"), ("send_invitation", "true")],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let body = app.mail.wait_for("Erin@Example.com").await.text_body();
    assert!(
        body.contains("Your username is Erin@Example.com and"),
        "{body}"
    );
    let erin = find_user(&app, &pool, "Erin@Example.com").await;
    assert_eq!(
        erin.username,
        erin.sub.to_string(),
        "the stored name is the sub"
    );
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_and_signing_out_everywhere_ends_their_sessions() {
    let (app, http) = console_app().await;
    let (pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "dora").await;
    let dora = find_user(&app, &pool, "dora").await;
    let page = at(&app, &pool, &format!("/users/{}", dora.sub));

    // Signed in through the hosted pages, with tokens.
    let browser = app.browser();
    let (verifier, challenge) = pkce();
    let authorize = app.authorize_url(&client, &challenge, "s1", "n1");
    browser.get(&authorize).send().await.unwrap();
    let res = app.submit_login(&browser, &client, "dora", PASSWORD).await;
    let code = query_param(location(&res), "code").expect("a code");
    let tokens: serde_json::Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let res = browser.get(&authorize).send().await.unwrap();
    assert!(
        location(&res).starts_with(CALLBACK),
        "the hosted session stands"
    );

    let (status, _, _) = post(&http, &page, &format!("{page}/sign-out"), &[]).await;
    assert_eq!(status, 303);
    let res = browser.get(&authorize).send().await.unwrap();
    assert!(
        location(&res).starts_with("/login"),
        "the hosted session ended"
    );
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", client.as_str()),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    // Disabled: the right password no longer signs in; enabled again, it does.
    let (status, _, _) = post(&http, &page, &format!("{page}/disable"), &[]).await;
    assert_eq!(status, 303);
    assert!(!find_user(&app, &pool, "dora").await.enabled);
    let fresh = app.browser();
    fresh.get(&authorize).send().await.unwrap();
    let res = app.submit_login(&fresh, &client, "dora", PASSWORD).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("User is disabled."));
    let (status, _, _) = post(&http, &page, &format!("{page}/enable"), &[]).await;
    assert_eq!(status, 303);
    fresh.get(&authorize).send().await.unwrap();
    let res = app.submit_login(&fresh, &client, "dora", PASSWORD).await;
    assert!(location(&res).starts_with(CALLBACK));

    // A forged or stale form changes nothing; unknown actions are refused.
    let res = http
        .post(format!("{page}/disable"))
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(find_user(&app, &pool, "dora").await.enabled);
    let (status, _, _) = post(&http, &page, &format!("{page}/explode"), &[]).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_administrator_confirms_users_when_the_pool_verifies_nothing() {
    let (app, http) = console_app().await;
    let out = app
        .cognito()
        .create_user_pool()
        .pool_name("manual")
        .send()
        .await
        .unwrap();
    let pool = out.user_pool().unwrap().id().unwrap().to_string();
    let (client, _) = app.create_client(&pool, false).await;
    app.cognito()
        .sign_up()
        .client_id(&client)
        .username("frank")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let frank = find_user(&app, &pool, "frank").await;
    assert_eq!(frank.status, UserStatus::Unconfirmed);
    let page = at(&app, &pool, &format!("/users/{}", frank.sub));
    let (_, html) = get(&http, &page).await;
    assert!(html.contains("Confirm user"));
    let (status, _, _) = post(&http, &page, &format!("{page}/confirm"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        find_user(&app, &pool, "frank").await.status,
        UserStatus::Confirmed
    );
    let (status, _, html) = post(&http, &page, &format!("{page}/confirm"), &[]).await;
    assert_eq!(status, 400);
    assert!(html.contains("User cannot be confirmed. Current status is CONFIRMED"));
    let browser = app.browser();
    let (_, challenge) = pkce();
    browser
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    let res = app.submit_login(&browser, &client, "frank", PASSWORD).await;
    assert!(
        location(&res).starts_with(CALLBACK),
        "a confirmed user signs in"
    );
    // Without an e-mail or phone there is nowhere to send a new password.
    let (status, _, html) = post(&http, &page, &format!("{page}/reset-password"), &[]).await;
    assert_eq!(status, 400);
    assert!(html.contains("no e-mail address or phone number"));
}

#[tokio::test]
async fn the_users_list_searches_filters_and_pages() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("Many").await;
    many_users(&app, &pool).await;
    let list = |q: &str| format!("{}/admin/pools/{pool}/users{q}", app.url);
    let (status, first) = get(&http, &list("")).await;
    assert_eq!(status, 200);
    assert_eq!(user_rows(&first, &pool), 25);
    assert!(
        first.find("user-29") < first.find("user-28"),
        "newest first"
    );
    assert!(href_after(&first, "rel=\"prev\"").is_none());
    let next = href_after(&first, "rel=\"next\"").expect("a next page");
    let (_, second) = get(&http, &format!("{}{next}", app.url)).await;
    assert_eq!(user_rows(&second, &pool), 8);
    assert!(second.contains("user-04") && second.contains("axb") && !second.contains("user-05"));
    assert!(href_after(&second, "rel=\"next\"").is_none());
    let prev = href_after(&second, "rel=\"prev\"").expect("a previous page");
    let (_, back) = get(&http, &format!("{}{prev}", app.url)).await;
    assert_eq!(user_rows(&back, &pool), 25);
    assert!(back.contains("user-29") && back.contains("user-05") && !back.contains("user-04"));
    assert!(href_after(&back, "rel=\"prev\"").is_none());

    for (query, rows, present) in [
        ("?q=user-1", 10, "user-15"),
        ("?q=PERSON2%40", 1, "user-02"),
        ("?q=%2B1555000000", 10, "user-09"),
        ("?q=a_", 1, "a_b"),
        ("?q=%25", 1, "%lead"),
        ("?q=+user-2+&status=all&enabled=all", 10, "user-20"),
        ("?status=CONFIRMED", 5, "user-00"),
        ("?enabled=disabled", 2, "user-07"),
        ("?status=CONFIRMED&enabled=disabled", 1, "user-03"),
        ("?q=nobody", 0, "No users match."),
    ] {
        let (status, html) = get(&http, &list(query)).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(user_rows(&html, &pool), rows, "{query}");
        assert!(html.contains(present), "{query}: {present}");
    }
    // Filters carry over to the next page.
    let (_, filtered) = get(&http, &list("?status=FORCE_CHANGE_PASSWORD")).await;
    let next = href_after(&filtered, "rel=\"next\"").expect("more than a page");
    assert!(next.contains("status=FORCE_CHANGE_PASSWORD"), "{next}");
    let (_, rest) = get(&http, &format!("{}{next}", app.url)).await;
    assert_eq!(user_rows(&rest, &pool), 3);
    for bad in [
        "?status=ASLEEP",
        "?enabled=maybe",
        "?after=1.x'--",
        "?after=1&before=2",
    ] {
        assert_eq!(get(&http, &list(bad)).await.0, 400, "{bad}");
    }
}
