//! App clients: created with the secret shown once, edited without losing
//! what the form does not show, deleted.

use aws_sdk_cognitoidentityprovider as cognito;

use super::{at, client_count, get, post};
use crate::console::console_app;

#[tokio::test]
async fn app_clients_are_created_shown_once_edited_and_deleted() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("Clients Pool").await;
    let sdk = app.cognito();
    let new = at(&app, &pool, "/clients/new");
    let fields = |name: &'static str, kind: &'static str, flows: &'static [&'static str]| {
        let mut f = vec![
            ("name", name),
            ("kind", kind),
            (
                "callback_urls",
                "https://a.example/cb\n\n  https://b.example/cb  ",
            ),
            ("logout_urls", "https://a.example/bye"),
            ("idp", "COGNITO"),
            ("scope", "openid"),
            ("scope", "email"),
        ];
        f.extend(flows.iter().map(|fl| ("flow", *fl)));
        f
    };

    // Refused: no token; then settings Cognito refuses. Nothing is created.
    let res = http
        .post(&new)
        .form(&fields("svc", "confidential", &["code"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, _, html) = post(
        &http,
        &new,
        &new,
        &fields("svc", "public", &["code", "client_credentials"]),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        html.contains("client_credentials flow can not be selected along with code flow"),
        "{html}"
    );
    let (status, _, html) = post(
        &http,
        &new,
        &new,
        &fields("svc", "public", &["client_credentials"]),
    )
    .await;
    assert_eq!(status, 400, "{html}");
    assert_eq!(client_count(&app, &pool).await, 0);

    let (status, to, _) = post(&http, &new, &new, &fields("svc", "confidential", &["code"])).await;
    assert_eq!(status, 303);
    let client_id = to.rsplit('/').next().unwrap().to_string();
    let described = sdk
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let c = described.user_pool_client().unwrap();
    let secret = c.client_secret().expect("a secret").to_string();
    assert_eq!(
        c.callback_urls(),
        ["https://a.example/cb", "https://b.example/cb"]
    );
    assert_eq!(c.logout_urls(), ["https://a.example/bye"]);
    assert_eq!(c.allowed_o_auth_scopes(), ["openid", "email"]);
    assert_eq!(c.allowed_o_auth_flows_user_pool_client(), Some(true));
    // The secret shows on the first visit only.
    let (_, html) = get(&http, &format!("{}{to}", app.url)).await;
    assert!(html.contains(&secret) && html.contains("App client “svc” was created."));
    let (_, html) = get(&http, &format!("{}{to}", app.url)).await;
    assert!(!html.contains(&secret));

    // An edit keeps what the form does not show (UpdateUserPoolClient would
    // reset it): token validity and auth flows set through the API.
    let api_client = sdk
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("api-made")
        .access_token_validity(2)
        .token_validity_units(
            cognito::types::TokenValidityUnitsType::builder()
                .access_token(cognito::types::TimeUnitsType::Hours)
                .build(),
        )
        .explicit_auth_flows(cognito::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(cognito::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let api_id = api_client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();
    let edit = at(&app, &pool, &format!("/clients/{api_id}"));
    let (status, _, html) = post(
        &http,
        &edit,
        &edit,
        &[
            ("name", "renamed"),
            ("callback_urls", "not a url"),
            ("flow", "code"),
            ("scope", "openid"),
            ("idp", "COGNITO"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{html}");
    let (status, _, _) = post(
        &http,
        &edit,
        &edit,
        &[
            ("name", "renamed"),
            ("callback_urls", "https://c.example/cb"),
            ("flow", "code"),
            ("scope", "openid"),
            ("scope", "profile"),
            ("idp", "COGNITO"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let described = sdk
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&api_id)
        .send()
        .await
        .unwrap();
    let c = described.user_pool_client().unwrap();
    assert_eq!(c.client_name(), Some("renamed"));
    assert_eq!(c.callback_urls(), ["https://c.example/cb"]);
    assert_eq!(c.allowed_o_auth_scopes(), ["openid", "profile"]);
    assert_eq!(c.access_token_validity(), Some(2));
    assert_eq!(c.explicit_auth_flows().len(), 2);
    assert!(c.client_secret().is_none());

    // Delete.
    let (status, to, _) = post(&http, &edit, &format!("{edit}/delete"), &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("/admin/pools/{pool}/clients").as_str())
    );
    let gone = sdk
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&api_id)
        .send()
        .await;
    assert!(gone
        .unwrap_err()
        .into_service_error()
        .is_resource_not_found_exception());
    let (status, _) = get(&http, &edit).await;
    assert_eq!(status, 400);
    assert_eq!(client_count(&app, &pool).await, 1);
}
