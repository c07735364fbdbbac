//! Forgotten passwords (hosted pages with the e-mailed link, and the API)
//! and password changes.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{
    AccountRecoverySettingType, AuthFlowType, RecoveryOptionNameType, RecoveryOptionType,
};
use serde_json::Value;

use crate::helpers::{
    csrf, exchange, input_value, location, pkce, post_form, query_param, spawn_app, TestApp,
    CALLBACK, PASSWORD,
};

const NEW_PASSWORD: &str = "Fresh-Start-42";

async fn ask_reset(
    app: &TestApp,
    http: &reqwest::Client,
    client: &str,
    name: &str,
) -> reqwest::Response {
    let page = format!("{}/forgotPassword?client_id={client}", app.url);
    post_form(http, &page, &page, &[("username", name)]).await
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_emailed_link() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    // A signed-in browser and a refresh token, which the reset must end.
    let old_browser = app.browser();
    let (verifier, challenge) = pkce();
    let back = app
        .sign_up_through_pages(
            &old_browser,
            &client,
            "forgetful",
            "forgetful@example.com",
            &challenge,
        )
        .await;
    let code = query_param(&back, "code").unwrap();
    let tokens: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();

    let http = app.browser();
    let login = http
        .get(format!("{}/login?client_id={client}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login.contains("/forgotPassword?client_id="),
        "the sign-in page links to the reset"
    );
    // A forged Host header does not change the link.
    let page = format!("{}/forgotPassword?client_id={client}", app.url);
    let html = http.get(&page).send().await.unwrap().text().await.unwrap();
    let res = http
        .post(&page)
        .header("host", "evil.example.com")
        .header("x-forwarded-host", "evil.example.com")
        .form(&[("_csrf", csrf(&html).as_str()), ("username", "forgetful")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let mail = app.mail.wait_for("forgetful@example.com").await;
    let link = mail
        .link(&format!("{}/confirmForgotPassword?", app.url))
        .expect("a link built from the public URL");
    assert!(!mail.text_body().contains("evil.example.com"));
    let mailed_code = mail.code().unwrap();
    assert_eq!(
        query_param(&link, "code").as_deref(),
        Some(mailed_code.as_str())
    );

    // The link opens the page with the code filled in, in any browser.
    let fresh = app.browser();
    let html = fresh.get(&link).send().await.unwrap().text().await.unwrap();
    assert_eq!(
        input_value(&html, "code").as_deref(),
        Some(mailed_code.as_str())
    );
    assert_eq!(input_value(&html, "username").as_deref(), Some("forgetful"));
    let action = format!("{}/confirmForgotPassword?client_id={client}", app.url);
    let fields = |pw: &'static str| {
        [
            ("username", "forgetful"),
            ("code", mailed_code.as_str()),
            ("password", pw),
        ]
    };
    let res = post_form(&fresh, &link, &action, &fields("weak")).await;
    assert_eq!(res.status(), 400, "the policy applies");
    let res = post_form(&fresh, &link, &action, &fields(NEW_PASSWORD)).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("password was changed"));
    let res = post_form(&fresh, &link, &action, &fields("Another-One-77")).await;
    assert_eq!(res.status(), 400, "the code is single-use");

    // Old password out, new one in; earlier sign-ins are over.
    let res = app
        .submit_login(&app.browser(), &client, "forgetful", PASSWORD)
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .submit_login(&app.browser(), &client, "forgetful", NEW_PASSWORD)
        .await;
    assert_eq!(res.status(), 200);
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
    assert_eq!(res.status(), 400, "the refresh token was revoked");
    let res = old_browser
        .get(app.authorize_url(&client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    assert!(
        location(&res).starts_with("/login?"),
        "the hosted session ended"
    );
    let _ = CALLBACK;
}

#[tokio::test]
async fn unknown_users_see_the_same_and_wrong_codes_are_bounded() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "known").await;
    let http = app.browser();
    let mut pages = Vec::new();
    for name in ["known", "nobody"] {
        let res = ask_reset(&app, &http, &client, name).await;
        assert_eq!(res.status(), 302);
        let next = app.absolute(location(&res));
        let html = http.get(&next).send().await.unwrap().text().await.unwrap();
        pages.push(html.replace(&csrf(&html), "").replace(name, ""));
    }
    assert_eq!(pages[0], pages[1]);

    let right = app.mail.wait_for("known@example.com").await.code().unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let page = format!(
        "{}/confirmForgotPassword?client_id={client}&username=known",
        app.url
    );
    let action = format!("{}/confirmForgotPassword?client_id={client}", app.url);
    for _ in 0..5 {
        let res = post_form(
            &http,
            &page,
            &action,
            &[
                ("username", "known"),
                ("code", wrong),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(res.status(), 400);
    }
    let res = post_form(
        &http,
        &page,
        &action,
        &[
            ("username", "known"),
            ("code", &right),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Attempt limit exceeded"));
    // An unknown user's "code" fails like a wrong one.
    let res = post_form(
        &http,
        &page,
        &action,
        &[
            ("username", "nobody"),
            ("code", "123456"),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Invalid verification code"));
}

#[tokio::test]
async fn admin_only_recovery_offers_no_self_service() {
    let app = spawn_app().await;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("admin-only")
        .account_recovery_setting(
            AccountRecoverySettingType::builder()
                .recovery_mechanisms(
                    RecoveryOptionType::builder()
                        .name(RecoveryOptionNameType::AdminOnly)
                        .priority(1)
                        .build()
                        .unwrap(),
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
    let login = app
        .browser()
        .get(format!("{}/login?client_id={client}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!login.contains("/forgotPassword"));
    let res = app
        .browser()
        .get(format!("{}/forgotPassword?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let err = app
        .cognito()
        .forgot_password()
        .client_id(&client)
        .username("anyone")
        .send()
        .await
        .expect_err("admin only");
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception(),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_api_resets_and_changes_passwords() {
    let app = spawn_app().await;
    let pool = app.create_pool("api-recovery").await;
    let client = app.create_api_client(&pool).await;
    let api = app.cognito();
    api.sign_up()
        .client_id(&client)
        .username("apireset")
        .password(PASSWORD)
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value("apireset@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let code = app
        .mail
        .wait_for("apireset@example.com")
        .await
        .code()
        .unwrap();
    api.confirm_sign_up()
        .client_id(&client)
        .username("apireset")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();

    let out = api
        .forgot_password()
        .client_id(&client)
        .username("apireset")
        .send()
        .await
        .expect("ForgotPassword");
    let d = out.code_delivery_details().unwrap();
    assert_eq!(d.attribute_name(), Some("email"));
    assert_eq!(d.destination(), Some("a***@e***"));
    let code = app
        .mail
        .wait_for("apireset@example.com")
        .await
        .code()
        .unwrap();
    let err = api
        .confirm_forgot_password()
        .client_id(&client)
        .username("apireset")
        .confirmation_code(&code)
        .password("weak")
        .send()
        .await
        .expect_err("policy");
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_password_exception(),
        "{err:?}"
    );
    api.confirm_forgot_password()
        .client_id(&client)
        .username("apireset")
        .confirmation_code(&code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let err = api
        .confirm_forgot_password()
        .client_id(&client)
        .username("apireset")
        .confirmation_code(&code)
        .password("Another-One-77")
        .send()
        .await
        .expect_err("used code");
    assert!(
        err.as_service_error().unwrap().is_code_mismatch_exception(),
        "{err:?}"
    );

    let signed = api
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "apireset")
        .auth_parameters("PASSWORD", NEW_PASSWORD)
        .send()
        .await
        .expect("the new password signs in");
    let access = signed
        .authentication_result()
        .and_then(|r| r.access_token())
        .unwrap()
        .to_string();
    let err = api
        .change_password()
        .access_token(&access)
        .previous_password("not-it")
        .proposed_password("Third-Pass-99")
        .send()
        .await
        .expect_err("wrong current password");
    assert!(err
        .as_service_error()
        .unwrap()
        .is_not_authorized_exception());
    api.change_password()
        .access_token(&access)
        .previous_password(NEW_PASSWORD)
        .proposed_password("Third-Pass-99")
        .send()
        .await
        .expect("ChangePassword");
    api.initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "apireset")
        .auth_parameters("PASSWORD", "Third-Pass-99")
        .send()
        .await
        .expect("changed");
}

/// The temporary password in an invitation ("… temporary password is X.").
fn temporary_password(text: &str) -> String {
    text.split("temporary password is ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(|p| p.trim_end_matches('.').to_string())
        .expect("a temporary password in the invitation")
}

#[tokio::test]
async fn admin_created_users_choose_a_password_at_first_sign_in() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    let api = app.cognito();
    let created = api
        .admin_create_user()
        .user_pool_id(&pool)
        .username("invited")
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value("invited@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminCreateUser");
    let user = created.user().unwrap();
    assert_eq!(
        user.user_status(),
        Some(&cognito::types::UserStatusType::ForceChangePassword)
    );
    let mail = app.mail.wait_for("invited@example.com").await;
    let body = mail.text_body();
    assert!(body.contains("invited"), "{body}");
    let temp = temporary_password(&body);

    // SUPPRESS sends nothing.
    api.admin_create_user()
        .user_pool_id(&pool)
        .username("quiet")
        .temporary_password("Quiet-Temp-123")
        .message_action(cognito::types::MessageActionType::Suppress)
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value("quiet@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("suppressed");
    assert!(app
        .mail
        .all()
        .iter()
        .all(|m| !m.to.iter().any(|t| t == "quiet@example.com")));

    // First sign-in: the temporary password leads to /newPassword.
    let http = app.browser();
    let (_, challenge) = pkce();
    http.get(app.authorize_url(&client, &challenge, "inv", "n"))
        .send()
        .await
        .unwrap();
    let res = app.submit_login(&http, &client, "invited", &temp).await;
    assert_eq!(res.status(), 302);
    let page = app.absolute(location(&res));
    assert!(page.contains("/newPassword"));
    let res = post_form(&http, &page, &page, &[("password", NEW_PASSWORD)]).await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with(CALLBACK));
}

#[tokio::test]
async fn an_admin_reset_sends_a_code_and_requires_a_new_password() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "resetme").await;
    app.cognito()
        .admin_reset_user_password()
        .user_pool_id(&pool)
        .username("resetme")
        .send()
        .await
        .expect("AdminResetUserPassword");
    let code = app
        .mail
        .wait_for("resetme@example.com")
        .await
        .code()
        .unwrap();

    // The old password now leads to the reset page, not in.
    let http = app.browser();
    let res = app.submit_login(&http, &client, "resetme", PASSWORD).await;
    assert_eq!(res.status(), 302);
    let page = app.absolute(location(&res));
    assert!(page.contains("/confirmForgotPassword"), "{page}");
    let action = format!("{}/confirmForgotPassword?client_id={client}", app.url);
    let res = post_form(
        &http,
        &page,
        &action,
        &[
            ("username", "resetme"),
            ("code", &code),
            ("password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = app
        .submit_login(&app.browser(), &client, "resetme", NEW_PASSWORD)
        .await;
    assert_eq!(res.status(), 200, "signed in with the new password");
}

#[tokio::test]
async fn the_api_says_a_reset_is_required() {
    let app = spawn_app().await;
    let pool = app.create_pool("api-reset").await;
    let client = app.create_api_client(&pool).await;
    let api = app.cognito();
    api.admin_create_user()
        .user_pool_id(&pool)
        .username("apinew")
        .temporary_password("Temp-Pass-123")
        .message_action(cognito::types::MessageActionType::Suppress)
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value("apinew@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let out = api
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "apinew")
        .auth_parameters("PASSWORD", "Temp-Pass-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&cognito::types::ChallengeNameType::NewPasswordRequired)
    );
    let out = api
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(cognito::types::ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "apinew")
        .challenge_responses("NEW_PASSWORD", NEW_PASSWORD)
        .send()
        .await
        .expect("NEW_PASSWORD_REQUIRED answered");
    assert!(out.authentication_result().is_some());

    api.admin_reset_user_password()
        .user_pool_id(&pool)
        .username("apinew")
        .send()
        .await
        .unwrap();
    let err = api
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "apinew")
        .auth_parameters("PASSWORD", NEW_PASSWORD)
        .send()
        .await
        .expect_err("reset required");
    assert!(
        err.as_service_error()
            .unwrap()
            .is_password_reset_required_exception(),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_new_password_page_asks_for_missing_required_attributes() {
    use cognito::types::{AttributeDataType, SchemaAttributeType, VerifiedAttributeType};
    let app = spawn_app().await;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("needs-name")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("given_name")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    let (client, _) = app.create_client(&pool, false).await;
    // An administrator creates the user without the required given_name.
    app.cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username("nameless")
        .temporary_password("Temp-Pass-123")
        .message_action(cognito::types::MessageActionType::Suppress)
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value("nameless@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("created");
    let http = app.browser();
    let res = app
        .submit_login(&http, &client, "nameless", "Temp-Pass-123")
        .await;
    let page = app.absolute(location(&res));
    let html = http.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("name=\"given_name\""), "{html}");
    let res = post_form(&http, &page, &page, &[("password", NEW_PASSWORD)]).await;
    assert_eq!(res.status(), 400, "given_name is required");
    let res = post_form(
        &http,
        &page,
        &page,
        &[("password", NEW_PASSWORD), ("given_name", "Nora")],
    )
    .await;
    assert_eq!(res.status(), 200, "signed in (no app request pending)");
    let res = app
        .submit_login(&app.browser(), &client, "nameless", NEW_PASSWORD)
        .await;
    assert_eq!(res.status(), 200);
}
