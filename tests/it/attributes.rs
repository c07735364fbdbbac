//! Attribute changes after sign-up: a new e-mail gets a code; with "keep
//! the original value active while an update is pending" the old one stays
//! in force (sign-in alias, messages) until then; without it the new value
//! replaces the old one at once, unverified. The old address is told.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{
    AliasAttributeType, AttributeDataType, AttributeType, AuthFlowType, SchemaAttributeType,
    UserAttributeUpdateSettingsType, VerifiedAttributeType,
};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp, PASSWORD};

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A pool with e-mail aliases (keeping the old e-mail active when `keep`),
/// an API client, and a confirmed user "changer" with old@example.com.
async fn setup(app: &TestApp, keep: bool) -> (String, String) {
    let mut req = app
        .cognito()
        .create_user_pool()
        .pool_name("attrs")
        .alias_attributes(AliasAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("badge")
                .attribute_data_type(AttributeDataType::String)
                .mutable(false)
                .build(),
        );
    if keep {
        req = req.user_attribute_update_settings(
            UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        );
    }
    let pool = req
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    let client = app.create_api_client(&pool).await;
    app.cognito()
        .sign_up()
        .client_id(&client)
        .username("changer")
        .password(PASSWORD)
        .user_attributes(attr("email", "old@example.com"))
        .user_attributes(attr("custom:badge", "B-1"))
        .send()
        .await
        .unwrap();
    let code = app.mail.wait_for("old@example.com").await.code().unwrap();
    app.cognito()
        .confirm_sign_up()
        .client_id(&client)
        .username("changer")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    (pool, client)
}

async fn access_token(app: &TestApp, client: &str, name: &str) -> Option<String> {
    app.cognito()
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .ok()
        .and_then(|o| {
            o.authentication_result()
                .and_then(|r| r.access_token().map(str::to_string))
        })
}

async fn userinfo(app: &TestApp, token: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_pending_email_waits_for_its_code_while_the_old_one_stays() {
    let app = spawn_app().await;
    let (_pool, client) = setup(&app, true).await;
    let token = access_token(&app, &client, "old@example.com")
        .await
        .expect("the alias signs in");
    let out = app
        .cognito()
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "new@example.com"))
        .send()
        .await
        .expect("UpdateUserAttributes");
    let list = out.code_delivery_details_list();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].destination(), Some("n***@e***"));
    let code = app.mail.wait_for("new@example.com").await.code().unwrap();
    let told = app.mail.wait_for("old@example.com").await;
    assert!(
        told.text_body().contains("being changed"),
        "the old address is told"
    );

    // Until the code: the old address is still the one in force.
    assert!(access_token(&app, &client, "old@example.com")
        .await
        .is_some());
    assert!(access_token(&app, &client, "new@example.com")
        .await
        .is_none());
    let info = userinfo(&app, &token).await;
    assert_eq!(info["email"], "old@example.com");
    assert_eq!(info["email_verified"], "true");

    let err = app
        .cognito()
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(if code == "000000" { "111111" } else { "000000" })
        .send()
        .await
        .expect_err("wrong code");
    assert!(
        err.as_service_error().unwrap().is_code_mismatch_exception(),
        "{err:?}"
    );
    app.cognito()
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .expect("VerifyUserAttribute");
    assert!(access_token(&app, &client, "new@example.com")
        .await
        .is_some());
    assert!(access_token(&app, &client, "old@example.com")
        .await
        .is_none());
    let info = userinfo(&app, &token).await;
    assert_eq!(info["email"], "new@example.com");
    assert_eq!(info["email_verified"], "true");
}

#[tokio::test]
async fn without_keeping_the_new_email_replaces_the_old_one_unverified() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app, false).await;
    let token = access_token(&app, &client, "changer").await.unwrap();
    app.cognito()
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "fresh@example.com"))
        .user_attributes(attr("name", "Changer"))
        .send()
        .await
        .unwrap();
    let info = userinfo(&app, &token).await;
    assert_eq!(info["email"], "fresh@example.com");
    assert_eq!(info["email_verified"], "false");
    assert_eq!(info["name"], "Changer");
    // The old alias is gone, the new one is not verified yet.
    assert!(access_token(&app, &client, "old@example.com")
        .await
        .is_none());
    assert!(access_token(&app, &client, "fresh@example.com")
        .await
        .is_none());
    // A new code can be asked for, and verifies the address.
    app.mail.wait_for("fresh@example.com").await;
    let out = app
        .cognito()
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .expect("GetUserAttributeVerificationCode");
    assert_eq!(
        out.code_delivery_details().and_then(|d| d.attribute_name()),
        Some("email")
    );
    let code = app.mail.wait_for("fresh@example.com").await.code().unwrap();
    app.cognito()
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .unwrap();
    assert!(access_token(&app, &client, "fresh@example.com")
        .await
        .is_some());

    // Immutable and unknown attributes are refused; an administrator may
    // set the verified flag.
    for (name, value) in [("custom:badge", "B-2"), ("custom:nope", "x"), ("sub", "x")] {
        let err = app
            .cognito()
            .update_user_attributes()
            .access_token(&token)
            .user_attributes(attr(name, value))
            .send()
            .await
            .expect_err(name);
        assert!(
            err.as_service_error()
                .unwrap()
                .is_invalid_parameter_exception(),
            "{name}: {err:?}"
        );
    }
    app.cognito()
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("changer")
        .user_attributes(attr("given_name", "Chan"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let info = userinfo(&app, &token).await;
    assert_eq!(info["given_name"], "Chan");
}

#[tokio::test]
async fn the_account_page_changes_the_email_and_the_password() {
    use crate::helpers::{pkce, post_form};
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let (_, challenge) = pkce();
    app.sign_up_through_pages(&http, &client, "selfserve", "self@example.com", &challenge)
        .await;
    let account = format!("{}/account?client_id={client}", app.url);
    let html = http
        .get(&account)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("self@example.com") && html.contains("Verified"));

    let res = post_form(
        &http,
        &account,
        &format!("{}/account/email?client_id={client}", app.url),
        &[("email", "moved@example.com")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("We sent a code to m***@e***"));
    let code = app.mail.wait_for("moved@example.com").await.code().unwrap();
    let res = post_form(
        &http,
        &account,
        &format!("{}/account/email/verify?client_id={client}", app.url),
        &[("code", code.as_str())],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("moved@example.com") && html.contains("is verified"),
        "{html}"
    );

    let change = format!("{}/account/password?client_id={client}", app.url);
    let res = post_form(
        &http,
        &account,
        &change,
        &[("current_password", "wrong"), ("password", "Newer-Pass-55")],
    )
    .await;
    assert_eq!(res.status(), 400);
    let res = post_form(
        &http,
        &account,
        &change,
        &[("current_password", PASSWORD), ("password", "short")],
    )
    .await;
    assert_eq!(res.status(), 400);
    let res = post_form(
        &http,
        &account,
        &change,
        &[
            ("current_password", PASSWORD),
            ("password", "Newer-Pass-55"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = app
        .submit_login(&app.browser(), &client, "selfserve", "Newer-Pass-55")
        .await;
    assert_eq!(res.status(), 200, "the new password signs in");
}
