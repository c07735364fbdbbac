//! Resource servers and custom scopes through aws-sdk-rust and
//! `/oauth2/token`: the operations, their errors and paging; app clients
//! that may name only existing scopes; `client_credentials` and the code
//! flow granting custom scopes. Also the pool's domains (the other part of
//! a pool's OAuth setup): create, describe, update, delete, and
//! DescribeUserPool's `Domain` / `CustomDomain`.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::error::ProvideErrorMetadata;
use cognito::types::{
    CustomDomainConfigType, DomainStatusType, OAuthFlowType, ResourceServerScopeType,
};
use serde_json::Value;

use crate::helpers::{
    exchange, jwt_claims, location, pkce, query_param, spawn_app, TestApp, CALLBACK, PASSWORD,
};

const API: &str = "https://api.example.com";
const READ: &str = "https://api.example.com/read";
const WRITE: &str = "https://api.example.com/write";
const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678";

fn code(err: &impl ProvideErrorMetadata) -> String {
    err.code().unwrap_or_default().to_string()
}

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} access"))
        .build()
        .unwrap()
}

async fn resource_server(app: &TestApp, pool: &str, identifier: &str, scopes: &[&str]) {
    app.cognito()
        .create_resource_server()
        .user_pool_id(pool)
        .identifier(identifier)
        .name("My API")
        .set_scopes(Some(scopes.iter().map(|s| scope(s)).collect()))
        .send()
        .await
        .expect("CreateResourceServer");
}

/// A confidential machine-to-machine client; `(id, secret)`.
async fn m2m_client(app: &TestApp, pool: &str, scopes: &[&str]) -> (String, String) {
    let out = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("m2m")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_flows_user_pool_client(true)
        .set_allowed_o_auth_scopes(Some(scopes.iter().map(|s| s.to_string()).collect()))
        .send()
        .await
        .expect("CreateUserPoolClient m2m");
    let c = out.user_pool_client().unwrap();
    (
        c.client_id().unwrap().to_string(),
        c.client_secret().unwrap().to_string(),
    )
}

async fn client_credentials(
    app: &TestApp,
    id: &str,
    secret: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth(id, Some(secret))
        .form(&form)
        .send()
        .await
        .expect("token request");
    let status = res.status().as_u16();
    (status, res.json().await.expect("json"))
}

#[tokio::test]
async fn resource_servers_are_created_described_updated_listed_and_deleted() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("servers").await;

    let created = api
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .name("My API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .expect("CreateResourceServer");
    let rs = created.resource_server().unwrap();
    assert_eq!(rs.user_pool_id(), Some(pool.as_str()));
    assert_eq!(rs.identifier(), Some(API));
    assert_eq!(rs.name(), Some("My API"));
    let names: Vec<&str> = rs.scopes().iter().map(|s| s.scope_name()).collect();
    assert_eq!(names, ["read", "write"]);
    assert_eq!(rs.scopes()[0].scope_description(), "read access");

    // Errors.
    let err = api
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .name("Again")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    for (identifier, name, scope_name) in [
        ("has space", "n", "read"),
        ("api", "bad/name", "read"),
        ("api", "n", "a/b"),
        ("api", "n", "with space"),
    ] {
        let err = api
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier(identifier)
            .name(name)
            .scopes(scope(scope_name))
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err),
            "InvalidParameterException",
            "{identifier} {name} {scope_name}"
        );
    }
    let err = api
        .create_resource_server()
        .user_pool_id("local_nosuchpool")
        .identifier("api")
        .name("n")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");
    let err = api
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("nothing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");

    // Describe; update replaces the name and the scopes.
    let d = api
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .send()
        .await
        .expect("DescribeResourceServer");
    assert_eq!(d.resource_server().unwrap().scopes().len(), 2);
    let u = api
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .name("Renamed")
        .scopes(scope("read"))
        .send()
        .await
        .expect("UpdateResourceServer");
    let rs = u.resource_server().unwrap();
    assert_eq!(rs.name(), Some("Renamed"));
    assert_eq!(rs.scopes().len(), 1);
    let err = api
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("nothing")
        .name("n")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");

    // Paging in identifier order.
    resource_server(&app, &pool, "b-api", &["x"]).await;
    resource_server(&app, &pool, "a-api", &[]).await;
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = api
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .expect("ListResourceServers");
        assert!(page.resource_servers().len() <= 2);
        seen.extend(
            page.resource_servers()
                .iter()
                .map(|r| r.identifier().unwrap().to_string()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["a-api", "b-api", API]);

    // Delete.
    api.delete_resource_server()
        .user_pool_id(&pool)
        .identifier("b-api")
        .send()
        .await
        .expect("DeleteResourceServer");
    let err = api
        .delete_resource_server()
        .user_pool_id(&pool)
        .identifier("b-api")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");

    // At most 25 per pool (two are left).
    for i in 0..23 {
        resource_server(&app, &pool, &format!("rs-{i:02}"), &[]).await;
    }
    let err = api
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("one-too-many")
        .name("n")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "LimitExceededException");
}

#[tokio::test]
async fn client_credentials_grant_custom_scopes_that_exist() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("m2m").await;

    // A client may not name a scope that no resource server has.
    let err = api
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("m2m")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes(READ)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    assert!(err.message().unwrap_or_default().contains(READ));

    resource_server(&app, &pool, API, &["read", "write"]).await;
    let (id, secret) = m2m_client(&app, &pool, &[READ, WRITE]).await;

    // No scope asked: all the client's custom scopes.
    let (status, body) = client_credentials(&app, &id, &secret, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["scope"], format!("{READ} {WRITE}"));
    assert_eq!(claims["client_id"], id.as_str());
    assert_eq!(claims["token_use"], "access");
    assert!(claims.get("cognito:groups").is_none());

    // One asked: that one.
    let (status, body) = client_credentials(&app, &id, &secret, Some(READ)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        jwt_claims(body["access_token"].as_str().unwrap())["scope"],
        READ
    );

    // Unknown or standard scopes are refused.
    for bad in ["https://api.example.com/admin", "openid"] {
        let (status, body) = client_credentials(&app, &id, &secret, Some(bad)).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"], "invalid_scope");
    }

    // Update checks too.
    let err = api
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("https://api.example.com/admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");

    // A scope dropped from its resource server leaves the clients.
    api.update_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .name("My API")
        .scopes(scope("read"))
        .send()
        .await
        .unwrap();
    let described = api
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .user_pool_client()
            .unwrap()
            .allowed_o_auth_scopes(),
        [READ.to_string()]
    );
    let (status, body) = client_credentials(&app, &id, &secret, Some(WRITE)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );

    // Deleting the resource server takes its scopes away: no token.
    api.delete_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .send()
        .await
        .unwrap();
    let described = api
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    assert!(described
        .user_pool_client()
        .unwrap()
        .allowed_o_auth_scopes()
        .is_empty());
    let (status, body) = client_credentials(&app, &id, &secret, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
}

#[tokio::test]
async fn the_code_flow_grants_a_requested_custom_scope() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("web-api").await;
    resource_server(&app, &pool, API, &["read"]).await;
    let client = api
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .callback_urls(CALLBACK)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes(READ)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client()
        .and_then(|c| c.client_id().map(str::to_string))
        .unwrap();
    app.confirmed_user(&client, "cody").await;

    let http = app.browser();
    let (verifier, challenge) = pkce();
    let q = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client.as_str()),
        ("redirect_uri", CALLBACK),
        ("scope", &format!("openid {READ}")),
        ("state", "s"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    let res = http
        .get(format!("{}/oauth2/authorize?{q}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let res = app.submit_login(&http, &client, "cody", PASSWORD).await;
    let back = location(&res).to_string();
    assert!(back.starts_with(CALLBACK), "{back}");
    let code = query_param(&back, "code").unwrap();
    let res = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let access = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], format!("openid {READ}"));
    assert!(body["id_token"].is_string());
}

#[tokio::test]
async fn domains_are_created_described_and_deleted() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("domains").await;
    let other = app.create_pool("other").await;

    let out = api
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app")
        .send()
        .await
        .expect("CreateUserPoolDomain");
    assert_eq!(out.managed_login_version(), Some(1));
    assert!(out.cloud_front_domain().is_none());

    let d = api
        .describe_user_pool_domain()
        .domain("my-app")
        .send()
        .await
        .expect("DescribeUserPoolDomain");
    let d = d.domain_description().expect("description");
    assert_eq!(d.user_pool_id(), Some(pool.as_str()));
    assert_eq!(d.domain(), Some("my-app"));
    assert_eq!(d.aws_account_id(), Some("000000000000"));
    assert_eq!(d.status(), Some(&DomainStatusType::Active));
    assert!(d.s3_bucket().is_some());
    assert!(d.cloud_front_distribution().is_some_and(|c| !c.is_empty()));
    assert!(d.version().is_some());
    assert!(d.custom_domain_config().is_none());

    let up = api
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(up.user_pool().unwrap().domain(), Some("my-app"));
    assert_eq!(up.user_pool().unwrap().custom_domain(), None);

    // One prefix domain per pool; a domain belongs to one pool; reserved words.
    for (p, domain) in [
        (&pool, "second"),
        (&other, "my-app"),
        (&other, "my-cognito"),
    ] {
        let err = api
            .create_user_pool_domain()
            .user_pool_id(p)
            .domain(domain)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterException", "{domain}");
    }

    // A custom domain beside it.
    let cert = CustomDomainConfigType::builder()
        .certificate_arn(CERT)
        .build()
        .unwrap();
    let out = api
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .custom_domain_config(cert.clone())
        .send()
        .await
        .expect("CreateUserPoolDomain custom");
    assert!(out.cloud_front_domain().is_some());
    let d = api
        .describe_user_pool_domain()
        .domain("auth.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.domain_description()
            .and_then(|d| d.custom_domain_config())
            .map(|c| c.certificate_arn()),
        Some(CERT)
    );
    let up = api
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        up.user_pool().unwrap().custom_domain(),
        Some("auth.example.com")
    );

    // Update: the managed login version.
    let out = api
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app")
        .managed_login_version(2)
        .send()
        .await
        .expect("UpdateUserPoolDomain");
    assert_eq!(out.managed_login_version(), Some(2));
    let err = api
        .update_user_pool_domain()
        .user_pool_id(&other)
        .domain("my-app")
        .managed_login_version(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");

    // Delete: only by its pool; then it is free and described as empty.
    let err = api
        .delete_user_pool_domain()
        .user_pool_id(&other)
        .domain("my-app")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterException");
    api.delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app")
        .send()
        .await
        .expect("DeleteUserPoolDomain");
    let d = api
        .describe_user_pool_domain()
        .domain("my-app")
        .send()
        .await
        .unwrap();
    assert!(d.domain_description().and_then(|d| d.domain()).is_none());
    let up = api
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(up.user_pool().unwrap().domain(), None);
    api.create_user_pool_domain()
        .user_pool_id(&other)
        .domain("my-app")
        .send()
        .await
        .expect("a freed domain can be taken");
}
