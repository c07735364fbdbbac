//! USER_SRP_AUTH and AdminSetUserPassword.
//!
//! aws-sdk-rust checks the shapes and error names, driven by a small SRP
//! client written here (the client's half of the math, over crypto-bigint).
//! What proves compatibility are two independent clients, each run as a
//! subprocess against the test server: pycognito's `AWSSRP` with boto3
//! (`tests/srp-clients/srp.py`) and amazon-cognito-identity-js's
//! `CognitoUser.authenticateUser` (`tests/srp-clients/srp.mjs`). They need
//! `pip install -r tests/srp-clients/requirements.txt` and
//! `npm ci --prefix tests/srp-clients`; `PYTHON_BIN` / `NODE_BIN` point at
//! another interpreter.

mod admin_password;
mod client;
mod independent;

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider as cognito;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cognito::types::{
    AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, MessageActionType,
    PreventUserExistenceErrorTypes, UsernameAttributeType,
};
use serde_json::Value;

use crate::helpers::{jwt_claims, spawn_app, TestApp, PASSWORD};
use client::SrpClient;

fn now() -> i64 {
    cognate::directory::unix_now()
}

fn timestamp(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .format("%a %b %-d %H:%M:%S UTC %Y")
        .to_string()
}

// ---- set-up ----

async fn pool(app: &TestApp, name: &str, email_is_username: bool) -> String {
    let mut req = app.cognito().create_user_pool().pool_name(name);
    if email_is_username {
        req = req.username_attributes(UsernameAttributeType::Email);
    }
    req.send()
        .await
        .expect("CreateUserPool")
        .user_pool()
        .and_then(|p| p.id())
        .unwrap()
        .to_string()
}

/// A client with SRP (and refresh) allowed; `(id, secret)`.
async fn srp_client(
    app: &TestApp,
    pool: &str,
    secret: bool,
    prevent: bool,
) -> (String, Option<String>) {
    let out = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("srp")
        .generate_secret(secret)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(if prevent {
            PreventUserExistenceErrorTypes::Enabled
        } else {
            PreventUserExistenceErrorTypes::Legacy
        })
        .send()
        .await
        .expect("CreateUserPoolClient");
    let c = out.user_pool_client().unwrap();
    (
        c.client_id().unwrap().to_string(),
        c.client_secret().map(str::to_string),
    )
}

/// A user made by AdminCreateUser (temporary password, no message) and,
/// when `permanent`, given `password` by AdminSetUserPassword.
async fn admin_user(app: &TestApp, pool: &str, username: &str, password: &str, permanent: bool) {
    let mut req = app
        .cognito()
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .temporary_password(if permanent { "Temp-Pass-123" } else { password })
        .message_action(MessageActionType::Suppress);
    if username.contains('@') {
        req = req.user_attributes(
            AttributeType::builder()
                .name("email")
                .value(username)
                .build()
                .unwrap(),
        );
    }
    req.send().await.expect("AdminCreateUser");
    if permanent {
        set_password(app, pool, username, password, true)
            .await
            .expect("AdminSetUserPassword");
    }
}

async fn set_password(
    app: &TestApp,
    pool: &str,
    username: &str,
    password: &str,
    permanent: bool,
) -> Result<(), cognito::Error> {
    app.cognito()
        .admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(password)
        .permanent(permanent)
        .send()
        .await
        .map(|_| ())
        .map_err(cognito::Error::from)
}

async fn initiate(
    app: &TestApp,
    client: &str,
    username: &str,
    srp: &SrpClient,
) -> Result<HashMap<String, String>, cognito::Error> {
    let out = app
        .cognito()
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", srp.a_hex())
        .send()
        .await
        .map_err(cognito::Error::from)?;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    assert_eq!(out.session(), None, "the SECRET_BLOCK is the session");
    Ok(out.challenge_parameters().cloned().unwrap_or_default())
}

async fn respond(
    app: &TestApp,
    client: &str,
    responses: &HashMap<String, String>,
) -> Result<
    cognito::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cognito::Error,
> {
    app.cognito()
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(responses.clone()))
        .send()
        .await
        .map_err(cognito::Error::from)
}

/// A whole SDK sign-in with `password`: the tokens, or the error.
async fn sign_in(
    app: &TestApp,
    pool: &str,
    client: &str,
    username: &str,
    password: &str,
) -> Result<
    cognito::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cognito::Error,
> {
    let srp = SrpClient::new();
    let challenge = initiate(app, client, username, &srp).await?;
    let answer = srp.answer(pool, &challenge, password, &timestamp(now()));
    respond(app, client, &answer).await
}

fn id_claims(
    out: &cognito::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
) -> Value {
    let result = out.authentication_result().expect("tokens");
    jwt_claims(result.id_token().expect("id token"))
}

fn assert_not_authorized(err: &cognito::Error, message: &str) {
    match err {
        cognito::Error::NotAuthorizedException(e) => assert_eq!(e.message(), Some(message)),
        other => panic!("expected NotAuthorizedException, got {other:?}"),
    }
}

const BAD: &str = "Incorrect username or password.";

// ---- through aws-sdk-rust ----

#[tokio::test]
async fn srp_sign_in_challenge_answer_and_refusals() {
    let app = spawn_app().await;
    let pool = pool(&app, "srp-sdk", false).await;
    let (client, _) = srp_client(&app, &pool, false, true).await;
    admin_user(&app, &pool, "srpana", PASSWORD, true).await;

    let srp = SrpClient::new();
    let challenge = initiate(&app, &client, "srpana", &srp).await.unwrap();
    let mut keys: Vec<&str> = challenge.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    assert_eq!(challenge["USER_ID_FOR_SRP"], "srpana");
    assert_eq!(challenge["USERNAME"], "srpana");
    assert_eq!(challenge["SALT"].len(), 32, "{}", challenge["SALT"]);
    for hex_value in [&challenge["SALT"], &challenge["SRP_B"]] {
        assert!(hex_value
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(!hex_value.starts_with('0'));
    }
    assert!(STANDARD.decode(&challenge["SECRET_BLOCK"]).is_ok());

    let answer = srp.answer(&pool, &challenge, PASSWORD, &timestamp(now()));
    let out = respond(&app, &client, &answer).await.expect("signed in");
    assert_eq!(id_claims(&out)["cognito:username"], "srpana");
    let result = out.authentication_result().unwrap();
    assert!(result.refresh_token().is_some());
    assert!(result.access_token().is_some());

    // The SECRET_BLOCK is single use.
    let err = respond(&app, &client, &answer).await.unwrap_err();
    assert_not_authorized(&err, BAD);

    // A wrong password.
    let err = sign_in(&app, &pool, &client, "srpana", "Wrong-Horse-9")
        .await
        .unwrap_err();
    assert_not_authorized(&err, BAD);

    // A TIMESTAMP ten minutes old, correctly signed.
    let srp = SrpClient::new();
    let challenge = initiate(&app, &client, "srpana", &srp).await.unwrap();
    let old = srp.answer(&pool, &challenge, PASSWORD, &timestamp(now() - 600));
    let err = respond(&app, &client, &old).await.unwrap_err();
    assert!(
        matches!(err, cognito::Error::NotAuthorizedException(_)),
        "{err:?}"
    );
    // A TIMESTAMP in no known format.
    let mut odd = srp.answer(&pool, &challenge, PASSWORD, "yesterday");
    odd.insert("TIMESTAMP".into(), "yesterday".into());
    let err = respond(&app, &client, &odd).await.unwrap_err();
    assert!(
        matches!(err, cognito::Error::InvalidParameterException(_)),
        "{err:?}"
    );
    // A forged block.
    let mut forged = srp.answer(&pool, &challenge, PASSWORD, &timestamp(now()));
    forged.insert(
        "PASSWORD_CLAIM_SECRET_BLOCK".into(),
        STANDARD.encode([7u8; 80]),
    );
    let err = respond(&app, &client, &forged).await.unwrap_err();
    assert_not_authorized(&err, BAD);
    // A's that would skip the password are refused.
    let err = app
        .cognito()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "srpana")
        .auth_parameters("SRP_A", cognate::auth::srp::N_HEX)
        .send()
        .await
        .map_err(cognito::Error::from)
        .unwrap_err();
    assert!(
        matches!(err, cognito::Error::InvalidParameterException(_)),
        "{err:?}"
    );
    for bad_a in ["0", "not hex", ""] {
        let err = app
            .cognito()
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "srpana")
            .auth_parameters("SRP_A", bad_a)
            .send()
            .await
            .map_err(cognito::Error::from)
            .unwrap_err();
        assert!(
            matches!(err, cognito::Error::InvalidParameterException(_)),
            "{bad_a}: {err:?}"
        );
    }

    // The same through the admin operations.
    let srp = SrpClient::new();
    let out = app
        .cognito()
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "srpana")
        .auth_parameters("SRP_A", srp.a_hex())
        .send()
        .await
        .expect("AdminInitiateAuth");
    let challenge = out.challenge_parameters().cloned().unwrap();
    let answer = srp.answer(&pool, &challenge, PASSWORD, &timestamp(now()));
    let out = app
        .cognito()
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool)
        .client_id(&client)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(answer))
        .send()
        .await
        .expect("AdminRespondToAuthChallenge");
    let id = out
        .authentication_result()
        .and_then(|r| r.id_token())
        .unwrap();
    assert_eq!(jwt_claims(id)["cognito:username"], "srpana");
}

#[tokio::test]
async fn srp_failures_count_toward_the_lockout() {
    let app = spawn_app().await;
    let pool = pool(&app, "srp-lock", false).await;
    let (client, _) = srp_client(&app, &pool, false, true).await;
    admin_user(&app, &pool, "locked", PASSWORD, true).await;
    for _ in 0..5 {
        let err = sign_in(&app, &pool, &client, "locked", "Wrong-Horse-9")
            .await
            .unwrap_err();
        assert_not_authorized(&err, BAD);
    }
    // Now even the right password waits.
    let err = sign_in(&app, &pool, &client, "locked", PASSWORD)
        .await
        .unwrap_err();
    assert_not_authorized(&err, "Password attempts exceeded");
}

#[tokio::test]
async fn unknown_users_get_a_stable_stand_in_challenge() {
    let app = spawn_app().await;
    let pool_plain = pool(&app, "srp-ghost", false).await;
    let (hiding, _) = srp_client(&app, &pool_plain, false, true).await;
    let (telling, _) = srp_client(&app, &pool_plain, false, false).await;
    admin_user(&app, &pool_plain, "real", PASSWORD, true).await;

    let first = initiate(&app, &hiding, "ghost", &SrpClient::new())
        .await
        .unwrap();
    let srp = SrpClient::new();
    let second = initiate(&app, &hiding, "ghost", &srp).await.unwrap();
    assert_eq!(first["SALT"], second["SALT"]);
    assert_eq!(first["USER_ID_FOR_SRP"], "ghost");
    assert_eq!(second["USER_ID_FOR_SRP"], "ghost");
    assert_ne!(first["SRP_B"], second["SRP_B"]);
    let other = initiate(&app, &hiding, "phantom", &SrpClient::new())
        .await
        .unwrap();
    assert_ne!(first["SALT"], other["SALT"]);
    let answer = srp.answer(&pool_plain, &second, PASSWORD, &timestamp(now()));
    let err = respond(&app, &hiding, &answer).await.unwrap_err();
    assert_not_authorized(&err, BAD);
    // Exactly what a wrong password for a real user gets.
    let err = sign_in(&app, &pool_plain, &hiding, "real", "Wrong-Horse-9")
        .await
        .unwrap_err();
    assert_not_authorized(&err, BAD);

    // Without PreventUserExistenceErrors the user is said not to exist.
    let err = initiate(&app, &telling, "ghost", &SrpClient::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, cognito::Error::UserNotFoundException(_)),
        "{err:?}"
    );

    // Where e-mail addresses are user names, the stand-in's id looks like
    // a real user's (a UUID), and stays the same.
    let pool_email = pool(&app, "srp-ghost-mail", true).await;
    let (hiding, _) = srp_client(&app, &pool_email, false, true).await;
    admin_user(&app, &pool_email, "real@example.com", PASSWORD, true).await;
    let real = initiate(&app, &hiding, "real@example.com", &SrpClient::new())
        .await
        .unwrap();
    let ghost = initiate(&app, &hiding, "ghost@example.com", &SrpClient::new())
        .await
        .unwrap();
    let again = initiate(&app, &hiding, "ghost@example.com", &SrpClient::new())
        .await
        .unwrap();
    for c in [&real, &ghost] {
        assert!(
            uuid::Uuid::parse_str(&c["USER_ID_FOR_SRP"]).is_ok(),
            "{c:?}"
        );
        assert_eq!(c["USERNAME"], c["USER_ID_FOR_SRP"]);
    }
    assert_eq!(ghost["USER_ID_FOR_SRP"], again["USER_ID_FOR_SRP"]);
    assert_eq!(ghost["SALT"], again["SALT"]);
}

#[tokio::test]
async fn auth_flows_must_be_enabled_for_the_client() {
    let app = spawn_app().await;
    let pool = pool(&app, "srp-flows", false).await;
    admin_user(&app, &pool, "flo", PASSWORD, true).await;
    let password_only = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("pw")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .and_then(|c| c.client_id())
        .unwrap()
        .to_string();
    let (srp_only, _) = srp_client(&app, &pool, false, true).await;

    let refused = |err: cognito::Error, flow: &str| match err {
        cognito::Error::InvalidParameterException(e) => assert_eq!(
            e.message(),
            Some(format!("{flow} flow not enabled for this client").as_str())
        ),
        other => panic!("{flow}: {other:?}"),
    };
    let err = initiate(&app, &password_only, "flo", &SrpClient::new())
        .await
        .unwrap_err();
    refused(err, "USER_SRP_AUTH");
    let err = app
        .cognito()
        .initiate_auth()
        .client_id(&password_only)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", "x")
        .send()
        .await
        .map_err(cognito::Error::from)
        .unwrap_err();
    refused(err, "REFRESH_TOKEN_AUTH");
    let err = app
        .cognito()
        .initiate_auth()
        .client_id(&srp_only)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "flo")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map_err(cognito::Error::from)
        .unwrap_err();
    refused(err, "USER_PASSWORD_AUTH");
    let err = app
        .cognito()
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&srp_only)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "flo")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map_err(cognito::Error::from)
        .unwrap_err();
    refused(err, "ADMIN_USER_PASSWORD_AUTH");
    // An admin flow is not InitiateAuth's.
    let err = app
        .cognito()
        .initiate_auth()
        .client_id(&srp_only)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "flo")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map_err(cognito::Error::from)
        .unwrap_err();
    match err {
        cognito::Error::InvalidParameterException(e) => {
            assert_eq!(e.message(), Some("Initiate Auth method not supported."))
        }
        other => panic!("{other:?}"),
    }

    // REFRESH_TOKEN is REFRESH_TOKEN_AUTH's other name.
    let out = sign_in(&app, &pool, &srp_only, "flo", PASSWORD)
        .await
        .unwrap();
    let refresh = out
        .authentication_result()
        .and_then(|r| r.refresh_token())
        .unwrap();
    let out = app
        .cognito()
        .initiate_auth()
        .client_id(&srp_only)
        .auth_flow(AuthFlowType::RefreshToken)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
        .expect("REFRESH_TOKEN");
    assert!(out.authentication_result().is_some());
}
