//! App client operations through aws-sdk-rust.

use aws_sdk_cognitoidentityprovider::types::OAuthFlowType;

use crate::helpers::{spawn_app, CALLBACK};

#[tokio::test]
async fn create_describe_list_update_delete_clients() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("clients").await;

    let (public_id, public_secret) = app.create_client(&pool, false).await;
    assert_eq!(public_id.len(), 26);
    assert!(public_secret.is_none());
    let (private_id, secret) = app.create_client(&pool, true).await;
    let secret = secret.expect("GenerateSecret gives a secret");
    assert!(secret.len() >= 40);

    let d = api
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&private_id)
        .send()
        .await
        .expect("DescribeUserPoolClient");
    let c = d.user_pool_client().expect("client");
    assert_eq!(c.client_secret(), Some(secret.as_str()));
    assert_eq!(c.callback_urls(), [CALLBACK.to_string()]);
    assert_eq!(c.allowed_o_auth_flows(), [OAuthFlowType::Code]);
    assert!(c.allowed_o_auth_flows_user_pool_client().unwrap_or(false));
    assert_eq!(c.user_pool_id(), Some(pool.as_str()));

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = api
            .list_user_pool_clients()
            .user_pool_id(&pool)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .expect("ListUserPoolClients");
        seen.extend(
            page.user_pool_clients()
                .iter()
                .filter_map(|c| c.client_id().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    seen.sort();
    let mut want = vec![public_id.clone(), private_id.clone()];
    want.sort();
    assert_eq!(seen, want);

    let updated = api
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&public_id)
        .client_name("renamed")
        .callback_urls("https://app.example.com/cb")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .send()
        .await
        .expect("UpdateUserPoolClient");
    let u = updated.user_pool_client().expect("client");
    assert_eq!(u.client_name(), Some("renamed"));
    assert_eq!(
        u.callback_urls(),
        ["https://app.example.com/cb".to_string()]
    );

    api.delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&public_id)
        .send()
        .await
        .expect("DeleteUserPoolClient");
    let err = api
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&public_id)
        .send()
        .await
        .expect_err("deleted");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_resource_not_found_exception()));
}

#[tokio::test]
async fn invalid_clients_are_refused() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("clients").await;

    let err = api
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("bad")
        .callback_urls("http://evil.example.com/cb")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .send()
        .await
        .expect_err("plain http callback outside localhost");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );

    let err = api
        .create_user_pool_client()
        .user_pool_id("local_nosuchpool")
        .client_name("x")
        .send()
        .await
        .expect_err("no such pool");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err:?}"
    );

    let listed = api
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("list");
    assert!(listed.user_pool_clients().is_empty());
}
