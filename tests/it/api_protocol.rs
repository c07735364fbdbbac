//! The JSON protocol itself: targets, bodies, signatures, error shapes.

use serde_json::Value;

use crate::helpers::{cognito_client, spawn_app, KEY_ID};

async fn raw(url: &str, target: &str, body: &str) -> (u16, Option<String>, Value) {
    let res = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let json = res.json().await.unwrap_or(Value::Null);
    (status, kind, json)
}

#[tokio::test]
async fn unsigned_admin_calls_are_refused() {
    let app = spawn_app().await;
    let (status, kind, body) = raw(
        &app.url,
        "AWSCognitoIdentityProviderService.CreateUserPool",
        r#"{"PoolName":"sneaky"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(kind.as_deref(), Some("MissingAuthenticationTokenException"));
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    let listed = app
        .cognito()
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("list");
    assert!(listed.user_pools().is_empty(), "nothing was created");
}

#[tokio::test]
async fn badly_signed_calls_are_refused() {
    let app = spawn_app().await;
    let wrong_secret = cognito_client(&app.url, KEY_ID, "not-the-secret");
    let err = wrong_secret
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect_err("wrong secret");
    let meta = err
        .as_service_error()
        .map(|e| e.meta().code().unwrap_or_default().to_string());
    assert_eq!(
        meta.as_deref(),
        Some("InvalidSignatureException"),
        "{err:?}"
    );

    let wrong_key = cognito_client(&app.url, "AKIDSOMEONEELSE00000", "whatever");
    let err = wrong_key
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect_err("unknown key");
    let meta = err
        .as_service_error()
        .map(|e| e.meta().code().unwrap_or_default().to_string());
    assert_eq!(
        meta.as_deref(),
        Some("UnrecognizedClientException"),
        "{err:?}"
    );
}

#[tokio::test]
async fn unknown_operations_and_bad_bodies_get_typed_errors() {
    let app = spawn_app().await;
    let (status, kind, body) = raw(
        &app.url,
        "AWSCognitoIdentityProviderService.LaunchRocket",
        "{}",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(kind.as_deref(), Some("UnknownOperationException"));
    assert_eq!(body["__type"], "UnknownOperationException");

    let (status, _, body) = raw(&app.url, "SomethingElse.CreateUserPool", "{}").await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "UnknownOperationException");

    for bad in ["{not json", "[1,2]", "\"a string\""] {
        let (status, kind, body) = raw(
            &app.url,
            "AWSCognitoIdentityProviderService.CreateUserPool",
            bad,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(kind.as_deref(), Some("SerializationException"), "{bad}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    let res = reqwest::Client::new()
        .post(format!("{}/", app.url))
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn health_answers() {
    let app = spawn_app().await;
    let res = reqwest::get(format!("{}/health", app.url))
        .await
        .expect("health");
    assert_eq!(res.status(), 200);
}
