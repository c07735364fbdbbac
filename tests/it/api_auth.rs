//! Sign-in through the API with aws-sdk-rust: InitiateAuth and its
//! challenges (MFA, enrollment, a new password), the software token and MFA
//! preference operations — the hosted pages' state machine, API-shaped.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{
    AuthFlowType, ChallengeNameType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType,
    UserPoolMfaType, VerifySoftwareTokenResponseType,
};
use totp_rs::{Algorithm, Builder, Secret};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

fn code_at(secret_b32: &str, time: i64) -> String {
    let secret = Secret::try_from_base32(secret_b32)
        .expect("base32")
        .as_ref()
        .to_vec();
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build_noncompliant()
        .generate(time as u64)
        .to_string()
}

/// A confirmed user made through SignUp / ConfirmSignUp.
async fn user(app: &TestApp, client: &str, name: &str) {
    let email = format!("{name}@example.com");
    app.cognito()
        .sign_up()
        .client_id(client)
        .username(name)
        .password(PASSWORD)
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value(&email)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("SignUp");
    let code = app.mail.wait_for(&email).await.code().unwrap();
    app.cognito()
        .confirm_sign_up()
        .client_id(client)
        .username(name)
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
}

async fn initiate(
    app: &TestApp,
    client: &str,
    name: &str,
    password: &str,
) -> Result<
    cognito::operation::initiate_auth::InitiateAuthOutput,
    cognito::error::SdkError<cognito::operation::initiate_auth::InitiateAuthError>,
> {
    app.cognito()
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

fn now() -> i64 {
    cognate::directory::unix_now()
}

#[tokio::test]
async fn password_sign_in_refresh_and_errors() {
    let app = spawn_app().await;
    let pool = app.create_pool("api-auth").await;
    let client = app.create_api_client(&pool).await;
    user(&app, &client, "apiana").await;

    let out = initiate(&app, &client, "apiana", PASSWORD)
        .await
        .expect("InitiateAuth");
    let result = out.authentication_result().expect("tokens, no challenge");
    let access = result.access_token().unwrap().to_string();
    assert!(result.id_token().is_some());
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    let refresh = result.refresh_token().unwrap().to_string();

    let err = initiate(&app, &client, "apiana", "Wrong-pass-1")
        .await
        .expect_err("wrong");
    let e = err.as_service_error().unwrap();
    assert!(e.is_not_authorized_exception());
    assert_eq!(e.meta().message(), Some("Incorrect username or password."));

    let out = app
        .cognito()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .expect("refresh");
    assert!(out
        .authentication_result()
        .and_then(|r| r.access_token())
        .is_some());

    // A client without the flow refuses it.
    let (plain, _) = app.create_client(&pool, false).await;
    let err = initiate(&app, &plain, "apiana", PASSWORD)
        .await
        .expect_err("flow off");
    assert!(err
        .as_service_error()
        .unwrap()
        .is_invalid_parameter_exception());

    // The access token authorizes the user's own operations.
    app.cognito()
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(false)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference");
    let err = app
        .cognito()
        .set_user_mfa_preference()
        .access_token("not-a-token")
        .send()
        .await
        .expect_err("bad token");
    assert!(err
        .as_service_error()
        .unwrap()
        .is_not_authorized_exception());

    // Admin sign-in, signed.
    let out = app
        .cognito()
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "apiana")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("AdminInitiateAuth");
    assert!(out.authentication_result().is_some());
}

#[tokio::test]
async fn required_mfa_is_set_up_and_answered_through_challenges() {
    let app = spawn_app().await;
    let pool = app.create_pool("api-mfa").await;
    app.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    let client = app.create_api_client(&pool).await;
    user(&app, &client, "apimo").await;

    let out = initiate(&app, &client, "apimo", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    let session = out.session().unwrap().to_string();
    let assoc = app
        .cognito()
        .associate_software_token()
        .session(&session)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    let secret = assoc.secret_code().unwrap().to_string();
    let session = assoc.session().unwrap_or(&session).to_string();
    let t = now();
    let verified = app
        .cognito()
        .verify_software_token()
        .session(&session)
        .user_code(code_at(&secret, t))
        .send()
        .await
        .expect("VerifySoftwareToken");
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    let session = verified.session().unwrap_or(&session).to_string();
    let out = app
        .cognito()
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(&session)
        .challenge_responses("USERNAME", "apimo")
        .send()
        .await
        .expect("MFA_SETUP answered");
    assert!(out.authentication_result().is_some());

    // The next sign-in is challenged.
    let out = initiate(&app, &client, "apimo", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let session = out.session().unwrap().to_string();
    let respond = |code: String| {
        app.cognito()
            .respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session(&session)
            .challenge_responses("USERNAME", "apimo")
            .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code)
            .send()
    };
    let err = respond("000000".into()).await.expect_err("wrong code");
    assert!(
        err.as_service_error().unwrap().is_code_mismatch_exception(),
        "{err:?}"
    );
    let err = respond(code_at(&secret, t)).await.expect_err("a used step");
    assert!(err.as_service_error().unwrap().is_code_mismatch_exception());
    let out = respond(code_at(&secret, t + 30))
        .await
        .expect("the next step's code");
    assert!(out
        .authentication_result()
        .and_then(|r| r.access_token())
        .is_some());
    // The session is spent.
    let err = respond(code_at(&secret, t + 30))
        .await
        .expect_err("session used");
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception(),
        "{err:?}"
    );
}

#[tokio::test]
async fn optional_mfa_through_the_access_token() {
    let app = spawn_app().await;
    let pool = app.create_pool("api-opt").await;
    app.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    let client = app.create_api_client(&pool).await;
    user(&app, &client, "apiopt").await;
    let out = initiate(&app, &client, "apiopt", PASSWORD).await.unwrap();
    let access = out
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("no MFA yet")
        .to_string();
    let secret = app
        .cognito()
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_string();
    let err = app
        .cognito()
        .verify_software_token()
        .access_token(&access)
        .user_code("000000")
        .send()
        .await
        .expect_err("wrong code");
    assert!(
        err.as_service_error()
            .unwrap()
            .is_enable_software_token_mfa_exception(),
        "{err:?}"
    );
    app.cognito()
        .verify_software_token()
        .access_token(&access)
        .user_code(code_at(&secret, now()))
        .send()
        .await
        .expect("VerifySoftwareToken");
    app.cognito()
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = initiate(&app, &client, "apiopt", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );

    // An administrator turns it off again.
    app.cognito()
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("apiopt")
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(false)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");
    let out = initiate(&app, &client, "apiopt", PASSWORD).await.unwrap();
    assert!(out.authentication_result().is_some());
}

#[tokio::test]
async fn sms_mfa_through_the_api() {
    use cognito::types::{AttributeType, SmsMfaConfigType, VerifiedAttributeType};
    let (hook, got) = crate::helpers::sms_gateway().await;
    let app = crate::helpers::spawn_app_with(|c| c.sms_webhook_url = Some(hook)).await;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("api-sms")
        .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    app.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Code {####}")
                .build(),
        )
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(false).build(),
        )
        .send()
        .await
        .unwrap();
    let client = app.create_api_client(&pool).await;
    let digits = |i: usize| -> String {
        got.lock().unwrap()[i]["message"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    };
    app.cognito()
        .sign_up()
        .client_id(&client)
        .username("texty")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550199")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    app.cognito()
        .confirm_sign_up()
        .client_id(&client)
        .username("texty")
        .confirmation_code(digits(0))
        .send()
        .await
        .unwrap();
    let out = initiate(&app, &client, "texty", PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(
        params
            .get("CODE_DELIVERY_DELIVERY_MEDIUM")
            .map(String::as_str),
        Some("SMS")
    );
    assert_eq!(
        params.get("CODE_DELIVERY_DESTINATION").map(String::as_str),
        Some("+*******0199")
    );
    let out = app
        .cognito()
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "texty")
        .challenge_responses("SMS_MFA_CODE", digits(1))
        .send()
        .await
        .expect("SMS_MFA answered");
    assert!(out.authentication_result().is_some());
}
