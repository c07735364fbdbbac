//! Sign-up on the hosted pages with an e-mailed code.

use crate::helpers::{
    csrf, location, pkce, post_form, query_param, spawn_app, spawn_app_with, CALLBACK,
};

#[tokio::test]
async fn sign_up_confirm_and_return_to_the_app_with_a_code() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let (_verifier, challenge) = pkce();
    let back = app
        .sign_up_through_pages(&http, &client, "jane", "jane@example.com", &challenge)
        .await;
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("st-1"));
    assert!(query_param(&back, "code").is_some_and(|c| c.len() >= 32));

    let mail = app.mail.all();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject().as_deref(), Some("Your verification code"));
    assert!(
        mail[0].html_body().is_some(),
        "the e-mail has an HTML part too"
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_with_what_is_missing() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let html = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("8 characters"), "the rules are shown: {html}");
    let res = http
        .post(&url)
        .form(&[
            ("_csrf", csrf(&html).as_str()),
            ("username", "weak"),
            ("password", "alllowercase1!"),
            ("email", "weak@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("uppercase"),
        "says an uppercase letter is missing: {body}"
    );
    assert!(app.mail.all().is_empty(), "no user, no code");
    // The name is still free: nothing was created.
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "weak"),
            ("password", "Strong-enough-1"),
            ("email", "weak@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
}

#[tokio::test]
async fn a_custom_password_policy_is_enforced() {
    let app = spawn_app().await;
    use aws_sdk_cognitoidentityprovider::types::{
        PasswordPolicyType, UserPoolPolicyType, VerifiedAttributeType,
    };
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("long")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(16)
                        .require_symbols(false)
                        .require_uppercase(false)
                        .require_lowercase(true)
                        .require_numbers(false)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    let (client, _) = app.create_client(&pool, false).await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    for (password, ok) in [("Short-1!", false), ("onlylowercaseletters", true)] {
        let res = post_form(
            &http,
            &url,
            &url,
            &[
                ("username", "longpw"),
                ("password", password),
                ("email", "longpw@example.com"),
            ],
        )
        .await;
        assert_eq!(res.status() == 302, ok, "{password}");
        if !ok {
            assert!(res.text().await.unwrap().contains("long enough"));
        }
    }
}

#[tokio::test]
async fn taken_user_names_and_bad_attributes_are_refused() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "taken").await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "taken"),
            ("password", "Another-pass-1"),
            ("email", "other@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("User already exists"));

    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "newbie"),
            ("password", "Another-pass-1"),
            ("email", "not-an-email"),
        ],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("email"));
}

#[tokio::test]
async fn wrong_codes_are_counted_and_new_codes_do_not_reset_the_count() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "slow"),
            ("password", "Correct-Horse-9"),
            ("email", "slow@example.com"),
        ],
    )
    .await;
    let confirm = app.absolute(location(&res));
    let first = app.mail.wait_for("slow@example.com").await.code().unwrap();
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    let post_code = |code: String| {
        let http = http.clone();
        let confirm = confirm.clone();
        let target = format!("{}/confirmUser?client_id={client}", app.url);
        async move {
            let html = http
                .get(&confirm)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            http.post(&target)
                .form(&[
                    ("_csrf", csrf(&html).as_str()),
                    ("username", "slow"),
                    ("code", code.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        let res = post_code(wrong.to_string()).await;
        assert_eq!(res.status(), 400);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Invalid verification code"));
    }
    // Five wrong tries void the code, even the right one.
    let res = post_code(first.clone()).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Attempt limit exceeded"));

    // A new code does not buy new guesses within the hour.
    let res = post_form(
        &http,
        &confirm,
        &format!("{}/resendCode?client_id={client}", app.url),
        &[("username", "slow")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let second = app.mail.wait_for("slow@example.com").await.code().unwrap();
    let res = post_code(second).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Attempt limit exceeded"));
}

#[tokio::test]
async fn a_resent_code_replaces_the_old_one_and_works_once() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "again"),
            ("password", "Correct-Horse-9"),
            ("email", "again@example.com"),
        ],
    )
    .await;
    let confirm = app.absolute(location(&res));
    let first = app.mail.wait_for("again@example.com").await.code().unwrap();
    let res = post_form(
        &http,
        &confirm,
        &format!("{}/resendCode?client_id={client}", app.url),
        &[("username", "again")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let second = app.mail.wait_for("again@example.com").await.code().unwrap();
    let action = format!("{}/confirmUser?client_id={client}", app.url);
    if first != second {
        let res = post_form(
            &http,
            &confirm,
            &action,
            &[("username", "again"), ("code", &first)],
        )
        .await;
        assert_eq!(res.status(), 400, "the first code was replaced");
    }
    let res = post_form(
        &http,
        &confirm,
        &action,
        &[("username", "again"), ("code", &second)],
    )
    .await;
    assert_eq!(
        res.status(),
        200,
        "confirmed, then signed in (no pending app request)"
    );
    assert!(res.text().await.unwrap().contains("signed in"));
    let res = post_form(
        &http,
        &confirm,
        &action,
        &[("username", "again"), ("code", &second)],
    )
    .await;
    assert_eq!(res.status(), 400, "a used code is spent");
}

#[tokio::test]
async fn self_registration_can_be_off() {
    let app = spawn_app().await;
    use aws_sdk_cognitoidentityprovider::types::AdminCreateUserConfigType;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("closed")
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    let (client, _) = app.create_client(&pool, false).await;
    let http = app.browser();
    let login = http
        .get(format!("{}/login?client_id={client}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!login.contains("/signup"), "no sign-up link");
    let res = http
        .get(format!("{}/signup?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_real_argon2_cost_signs_up_and_in() {
    let app = spawn_app_with(|c| c.argon2 = cognate::config::Argon2Params::default()).await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "realcost").await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let res = http
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let res = app
        .submit_login(&http, &client, "realcost", crate::helpers::PASSWORD)
        .await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with(CALLBACK));
}

#[tokio::test]
async fn without_smtp_the_code_is_kept_in_the_outbox() {
    let app = spawn_app_with(|c| c.smtp_url = None).await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let (_, challenge) = pkce();
    http.get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "offline"),
            ("password", "Correct-Horse-9"),
            ("email", "offline@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
    let confirm = app.absolute(location(&res));
    let kept = app
        .db()
        .with_conn(|conn| cognate::messaging::outbox_messages(conn, 10))
        .expect("outbox");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].channel, "email");
    assert_eq!(kept[0].recipient, "offline@example.com");
    assert_eq!(kept[0].subject, "Your verification code");
    let code: String = kept[0]
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a code in the kept message")
        .to_string();
    assert!(app.mail.all().is_empty(), "nothing went to SMTP");
    let res = post_form(
        &http,
        &confirm,
        &format!("{}/confirmUser?client_id={client}", app.url),
        &[("username", "offline"), ("code", code.as_str())],
    )
    .await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with(CALLBACK));
}
