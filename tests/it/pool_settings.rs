//! Each pool setting changes what the hosted pages and the API do.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{
    AdminCreateUserConfigType, AliasAttributeType, AttributeDataType, AttributeType,
    SchemaAttributeType, StringAttributeConstraintsType, UsernameAttributeType,
    UsernameConfigurationType, VerifiedAttributeType,
};

use crate::helpers::{
    location, pkce, post_form, query_param, spawn_app, spawn_app_with, TestApp, CALLBACK, PASSWORD,
};

/// A pool made from `req` (a CreateUserPool builder) with a public client.
async fn pool_with(
    app: &TestApp,
    req: cognito::operation::create_user_pool::builders::CreateUserPoolFluentBuilder,
) -> (String, String) {
    let pool = req
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .expect("id");
    let (client, _) = app.create_client(&pool, false).await;
    (pool, client)
}

async fn sign_up(app: &TestApp, client: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    post_form(&http, &url, &url, fields).await
}

/// Signs up through the pages and confirms the e-mailed code.
async fn sign_up_and_confirm(
    app: &TestApp,
    client: &str,
    fields: &[(&str, &str)],
    email: &str,
) -> reqwest::Response {
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(&http, &url, &url, fields).await;
    assert_eq!(res.status(), 302, "sign-up accepted");
    let confirm = app.absolute(location(&res));
    let name = query_param(&confirm, "username").expect("username on the code page");
    let code = app.mail.wait_for(email).await.code().expect("code");
    post_form(
        &http,
        &confirm,
        &format!("{}/confirmUser?client_id={client}", app.url),
        &[("username", name.as_str()), ("code", code.as_str())],
    )
    .await
}

async fn can_sign_in(app: &TestApp, client: &str, name: &str) -> bool {
    let http = app.browser();
    let (_, challenge) = pkce();
    http.get(app.authorize_url(client, &challenge, "s", "n"))
        .send()
        .await
        .unwrap();
    let res = app.submit_login(&http, client, name, PASSWORD).await;
    res.status() == 302 && location(&res).starts_with(CALLBACK)
}

#[tokio::test]
async fn email_as_the_username() {
    let app = spawn_app().await;
    let (_pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("by-email")
            .username_attributes(UsernameAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email),
    )
    .await;
    let html = app
        .browser()
        .get(format!("{}/signup?client_id={client}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("name=\"username\""), "no separate user name");
    let login = app
        .browser()
        .get(format!("{}/login?client_id={client}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login.contains("type=\"email\""),
        "the sign-in asks for an e-mail"
    );
    let res = sign_up_and_confirm(
        &app,
        &client,
        &[("email", "eve@example.com"), ("password", PASSWORD)],
        "eve@example.com",
    )
    .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("eve@example.com"),
        "signed in as the address: {page}"
    );
    assert!(can_sign_in(&app, &client, "eve@example.com").await);
    // The same address cannot sign up twice.
    let res = sign_up(
        &app,
        &client,
        &[("email", "eve@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_verified_email_alias_signs_in_and_cannot_be_taken_twice() {
    let app = spawn_app().await;
    let (_pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("aliases")
            .alias_attributes(AliasAttributeType::Email)
            .alias_attributes(AliasAttributeType::PreferredUsername)
            .auto_verified_attributes(VerifiedAttributeType::Email),
    )
    .await;
    // Before verification the alias does not sign in.
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "alice"),
            ("password", PASSWORD),
            ("email", "al@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
    let confirm = app.absolute(location(&res));
    assert!(!can_sign_in(&app, &client, "al@example.com").await);
    let code = app.mail.wait_for("al@example.com").await.code().unwrap();
    let res = post_form(
        &http,
        &confirm,
        &format!("{}/confirmUser?client_id={client}", app.url),
        &[("username", "alice"), ("code", code.as_str())],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(can_sign_in(&app, &client, "alice").await);
    assert!(
        can_sign_in(&app, &client, "al@example.com").await,
        "the verified alias signs in"
    );

    // A second user with the same e-mail cannot verify it.
    let res = sign_up_and_confirm(
        &app,
        &client,
        &[
            ("username", "alias2"),
            ("password", PASSWORD),
            ("email", "al@example.com"),
        ],
        "al@example.com",
    )
    .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("already exists"));
}

#[tokio::test]
async fn a_preferred_username_alias() {
    let app = spawn_app().await;
    let (_pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("preferred")
            .alias_attributes(AliasAttributeType::PreferredUsername)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .schema(
                SchemaAttributeType::builder()
                    .name("preferred_username")
                    .attribute_data_type(AttributeDataType::String)
                    .required(true)
                    .mutable(true)
                    .build(),
            ),
    )
    .await;
    let res = sign_up_and_confirm(
        &app,
        &client,
        &[
            ("username", "bobby"),
            ("password", PASSWORD),
            ("email", "bobby@example.com"),
            ("preferred_username", "Bob"),
        ],
        "bobby@example.com",
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(can_sign_in(&app, &client, "Bob").await);
    let res = sign_up(
        &app,
        &client,
        &[
            ("username", "other"),
            ("password", PASSWORD),
            ("email", "other@example.com"),
            ("preferred_username", "Bob"),
        ],
    )
    .await;
    assert_eq!(res.status(), 400, "the alias is taken");
}

#[tokio::test]
async fn case_insensitive_user_names() {
    let app = spawn_app().await;
    let (_pool, insensitive) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("insensitive")
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(false)
                    .build()
                    .unwrap(),
            ),
    )
    .await;
    let res = sign_up_and_confirm(
        &app,
        &insensitive,
        &[
            ("username", "MiXeD"),
            ("password", PASSWORD),
            ("email", "mixed@example.com"),
        ],
        "mixed@example.com",
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(can_sign_in(&app, &insensitive, "mixed").await);
    assert!(can_sign_in(&app, &insensitive, "MIXED").await);
    let res = sign_up(
        &app,
        &insensitive,
        &[
            ("username", "mixed"),
            ("password", PASSWORD),
            ("email", "m2@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 400, "the same name in another case is taken");

    // Case-sensitive (the API's default): only the exact name signs in.
    let (_pool, sensitive) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("sensitive")
            .auto_verified_attributes(VerifiedAttributeType::Email),
    )
    .await;
    sign_up_and_confirm(
        &app,
        &sensitive,
        &[
            ("username", "Exact"),
            ("password", PASSWORD),
            ("email", "exact@example.com"),
        ],
        "exact@example.com",
    )
    .await;
    assert!(can_sign_in(&app, &sensitive, "Exact").await);
    assert!(!can_sign_in(&app, &sensitive, "exact").await);
}

#[tokio::test]
async fn without_auto_verification_an_administrator_confirms() {
    let app = spawn_app().await;
    let (_pool, client) =
        pool_with(&app, app.cognito().create_user_pool().pool_name("manual")).await;
    let res = sign_up(
        &app,
        &client,
        &[
            ("username", "waiting"),
            ("password", PASSWORD),
            ("email", "waiting@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("administrator must confirm"));
    assert!(app.mail.all().is_empty(), "no code is sent");
    let http = app.browser();
    let res = app.submit_login(&http, &client, "waiting", PASSWORD).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("not confirmed"));
}

#[tokio::test]
async fn required_and_custom_attributes_are_enforced_on_pages_and_api() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("attrs")
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .schema(
                SchemaAttributeType::builder()
                    .name("given_name")
                    .attribute_data_type(AttributeDataType::String)
                    .required(true)
                    .mutable(true)
                    .build(),
            )
            .schema(
                SchemaAttributeType::builder()
                    .name("team")
                    .attribute_data_type(AttributeDataType::String)
                    .mutable(true)
                    .string_attribute_constraints(
                        StringAttributeConstraintsType::builder()
                            .min_length("1")
                            .max_length("5")
                            .build(),
                    )
                    .build(),
            ),
    )
    .await;
    let html = app
        .browser()
        .get(format!("{}/signup?client_id={client}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"given_name\""),
        "required attributes are asked for"
    );
    let res = sign_up(
        &app,
        &client,
        &[
            ("username", "nogiven"),
            ("password", PASSWORD),
            ("email", "ng@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 400);

    // The API demands them too.
    let api = app.cognito();
    let err = api
        .sign_up()
        .client_id(&client)
        .username("apiuser")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("api@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect_err("given_name is required");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );
    let err = api
        .sign_up()
        .client_id(&client)
        .username("apiuser")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("api@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("given_name")
                .value("Api")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("custom:team")
                .value("toolong")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect_err("custom:team is at most 5 characters");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );
    let out = api
        .sign_up()
        .client_id(&client)
        .username("apiuser")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("api@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("given_name")
                .value("Api")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("custom:team")
                .value("blue")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("SignUp");
    assert!(!out.user_confirmed());
    assert!(!out.user_sub().is_empty());
    let delivery = out.code_delivery_details().expect("code delivery");
    assert_eq!(delivery.attribute_name(), Some("email"));
    let code = app.mail.wait_for("api@example.com").await.code().unwrap();
    let err = api
        .confirm_sign_up()
        .client_id(&client)
        .username("apiuser")
        .confirmation_code(if code == "000000" { "111111" } else { "000000" })
        .send()
        .await
        .expect_err("wrong code");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_code_mismatch_exception()),
        "{err:?}"
    );
    api.confirm_sign_up()
        .client_id(&client)
        .username("apiuser")
        .confirmation_code(&code)
        .send()
        .await
        .expect("ConfirmSignUp");
    assert!(can_sign_in(&app, &client, "apiuser").await);

    // AddCustomAttributes adds, and never renames.
    api.add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("floor")
                .attribute_data_type(AttributeDataType::Number)
                .build(),
        )
        .send()
        .await
        .expect("AddCustomAttributes");
    let err = api
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(AttributeDataType::Number)
                .build(),
        )
        .send()
        .await
        .expect_err("team exists");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );
    let d = api
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let names: Vec<String> = d
        .user_pool()
        .map(|p| {
            p.schema_attributes()
                .iter()
                .filter_map(|a| a.name().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(names.contains(&"custom:floor".to_string()));
    assert!(names.contains(&"custom:team".to_string()));
}

#[tokio::test]
async fn self_registration_off_refuses_the_sign_up_api() {
    let app = spawn_app().await;
    let (_pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("closed")
            .admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .build(),
            ),
    )
    .await;
    let err = app
        .cognito()
        .sign_up()
        .client_id(&client)
        .username("nope")
        .password(PASSWORD)
        .send()
        .await
        .expect_err("closed");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_not_authorized_exception()),
        "{err:?}"
    );
}

#[tokio::test]
async fn secret_clients_need_a_secret_hash() {
    use base64::Engine;
    use hmac::Mac;
    let app = spawn_app().await;
    let pool = app.create_pool("hashes").await;
    let (client, secret) = app.create_client(&pool, true).await;
    let secret = secret.unwrap();
    let api = app.cognito();
    let attempt = |hash: Option<String>| {
        api.sign_up()
            .client_id(&client)
            .username("hashed")
            .password(PASSWORD)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value("h@example.com")
                    .build()
                    .unwrap(),
            )
            .set_secret_hash(hash)
            .send()
    };
    let err = attempt(None).await.expect_err("no hash");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_not_authorized_exception()));
    let err = attempt(Some("d3Jvbmc=".into()))
        .await
        .expect_err("wrong hash");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_not_authorized_exception()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("hashed{client}").as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    attempt(Some(hash)).await.expect("the right hash");
}

#[tokio::test]
async fn sms_verification_goes_to_the_webhook() {
    let (hook, got) = crate::helpers::sms_gateway().await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(hook)).await;
    let (_pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("sms")
            .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
            .sms_verification_message("Code {####} for sms pool"),
    )
    .await;
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "texter"),
            ("password", PASSWORD),
            ("phone_number", "+15555550100"),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
    let confirm = app.absolute(location(&res));
    let sms = got
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("an SMS was posted");
    assert_eq!(sms["to"], "+15555550100");
    let message = sms["message"].as_str().unwrap();
    assert!(
        message.starts_with("Code ") && message.ends_with(" for sms pool"),
        "{message}"
    );
    let code: String = message.chars().filter(|c| c.is_ascii_digit()).collect();
    let res = post_form(
        &http,
        &confirm,
        &format!("{}/confirmUser?client_id={client}", app.url),
        &[("username", "texter"), ("code", code.as_str())],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(app.mail.all().is_empty());
}

#[tokio::test]
async fn the_pools_sender_and_message_are_used() {
    use cognito::types::{
        EmailConfigurationType, EmailSendingAccountType, VerificationMessageTemplateType,
    };
    let app = spawn_app().await;
    let (_pool, client) = pool_with(
        &app,
        app.cognito()
            .create_user_pool()
            .pool_name("branded")
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .email_configuration(
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::Developer)
                    .from("Acme Accounts <accounts@acme.example>")
                    .build(),
            )
            .verification_message_template(
                VerificationMessageTemplateType::builder()
                    .email_subject("Welcome to Acme")
                    .email_message("Your Acme code: {####}")
                    .build(),
            ),
    )
    .await;
    let res = sign_up(
        &app,
        &client,
        &[
            ("username", "acme"),
            ("password", PASSWORD),
            ("email", "acme@example.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
    let mail = app.mail.wait_for("acme@example.com").await;
    assert_eq!(mail.subject().as_deref(), Some("Welcome to Acme"));
    assert!(mail.text_body().contains("Your Acme code: "));
    assert!(mail.from.contains("accounts@acme.example"), "{}", mail.from);
}

#[tokio::test]
async fn resending_a_code_says_nothing_about_the_user_when_existence_is_hidden() {
    use cognito::types::PreventUserExistenceErrorTypes;
    let app = spawn_app().await;
    let pool = app.create_pool("hidden").await;
    let client = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("hidden")
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .and_then(|c| c.client_id().map(str::to_string))
        .unwrap();
    let api = app.cognito();
    for (name, email) in [
        ("waiter", "waiter@example.com"),
        ("done", "done@example.com"),
    ] {
        api.sign_up()
            .client_id(&client)
            .username(name)
            .password(PASSWORD)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value(email)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let code = app.mail.wait_for("done@example.com").await.code().unwrap();
    api.confirm_sign_up()
        .client_id(&client)
        .username("done")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    app.mail.wait_for("waiter@example.com").await;
    let mut answers = Vec::new();
    for name in ["waiter", "done", "nobody"] {
        let out = api
            .resend_confirmation_code()
            .client_id(&client)
            .username(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let d = out.code_delivery_details().unwrap();
        answers.push((
            d.destination().map(str::to_string),
            d.delivery_medium().cloned(),
            d.attribute_name().map(str::to_string),
        ));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    // The waiting user does get a new code.
    app.mail.wait_for("waiter@example.com").await;
}
