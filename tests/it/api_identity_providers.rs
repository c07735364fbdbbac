//! Identity provider operations through aws-sdk-rust, and app clients that
//! name providers.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::error::ProvideErrorMetadata;
use cognito::types::IdentityProviderTypeType as Kind;

use crate::helpers::{spawn_app, TestApp};

fn code(err: &impl ProvideErrorMetadata) -> String {
    err.code().unwrap_or_default().to_string()
}

fn message(err: &impl ProvideErrorMetadata) -> String {
    err.message().unwrap_or_default().to_string()
}

async fn create_google(app: &TestApp, pool: &str) {
    app.cognito()
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .provider_details("client_id", "1234.apps.googleusercontent.com")
        .provider_details("client_secret", "google-secret")
        .provider_details("authorize_scopes", "email profile openid")
        .attribute_mapping("email", "email")
        .attribute_mapping("email_verified", "email_verified")
        .send()
        .await
        .expect("CreateIdentityProvider Google");
}

async fn create_oidc(app: &TestApp, pool: &str, name: &str, identifier: &str) {
    app.cognito()
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(Kind::Oidc)
        .provider_details("client_id", "cognate")
        .provider_details("client_secret", "oidc-secret")
        .provider_details("authorize_scopes", "openid email")
        .provider_details("oidc_issuer", "http://127.0.0.1:5556/dex")
        .idp_identifiers(identifier)
        .send()
        .await
        .expect("CreateIdentityProvider OIDC");
}

#[tokio::test]
async fn providers_are_created_described_listed_updated_and_deleted() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("federated").await;

    create_google(&app, &pool).await;
    let created = api
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(Kind::Oidc)
        .provider_details("client_id", "cognate")
        .provider_details("client_secret", "oidc-secret")
        .provider_details("authorize_scopes", "openid email")
        .provider_details("oidc_issuer", "https://idp.example.com")
        .attribute_mapping("username", "oid")
        .idp_identifiers("example.com")
        .send()
        .await
        .expect("CreateIdentityProvider OIDC");
    let p = created.identity_provider().expect("provider");
    assert_eq!(p.provider_type(), Some(&Kind::Oidc));
    let details = p.provider_details().expect("details");
    assert_eq!(details["attributes_request_method"], "GET");
    assert_eq!(details["attributes_url_add_attributes"], "false");
    assert_eq!(p.attribute_mapping().unwrap()["username"], "oid");
    assert_eq!(p.idp_identifiers(), ["example.com".to_string()]);

    let google = api
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .expect("DescribeIdentityProvider");
    let g = google.identity_provider().expect("provider");
    assert_eq!(g.user_pool_id(), Some(pool.as_str()));
    assert_eq!(g.provider_name(), Some("Google"));
    assert_eq!(g.provider_type(), Some(&Kind::Google));
    let details = g.provider_details().expect("details");
    assert_eq!(details["client_secret"], "google-secret");
    assert_eq!(details["oidc_issuer"], "https://accounts.google.com");
    assert_eq!(
        details["authorize_url"],
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(
        details["token_url"],
        "https://www.googleapis.com/oauth2/v4/token"
    );
    assert_eq!(details["token_request_method"], "POST");
    assert_eq!(details["attributes_url_add_attributes"], "true");
    assert!(details["attributes_url"].starts_with("https://people.googleapis.com/"));
    let mapping = g.attribute_mapping().expect("mapping");
    assert_eq!(mapping["username"], "sub", "username defaults to sub");
    assert_eq!(mapping["email"], "email");
    assert!(g.idp_identifiers().is_empty());
    let created_at = g.creation_date().expect("creation date").secs();
    assert!(created_at > 1_700_000_000);
    assert_eq!(g.last_modified_date().unwrap().secs(), created_at);

    // Paging, in name order.
    create_oidc(&app, &pool, "Other", "other.example").await;
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = api
            .list_identity_providers()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .expect("ListIdentityProviders");
        assert!(page.providers().len() <= 2);
        seen.extend(page.providers().iter().map(|p| {
            (
                p.provider_name().unwrap_or_default().to_string(),
                p.provider_type().cloned(),
            )
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(
        seen,
        [
            ("Corp".to_string(), Some(Kind::Oidc)),
            ("Google".to_string(), Some(Kind::Google)),
            ("Other".to_string(), Some(Kind::Oidc)),
        ]
    );

    let found = api
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("example.com")
        .send()
        .await
        .expect("GetIdentityProviderByIdentifier");
    assert_eq!(
        found.identity_provider().unwrap().provider_name(),
        Some("Corp")
    );

    // An update keeps what it is not given, and the secret when the new
    // details leave it out.
    let updated = api
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_details("client_id", "cognate-2")
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", "https://idp.example.com")
        .provider_details("attributes_request_method", "POST")
        .idp_identifiers("corp.example")
        .send()
        .await
        .expect("UpdateIdentityProvider");
    let u = updated.identity_provider().unwrap();
    let details = u.provider_details().unwrap();
    assert_eq!(details["client_id"], "cognate-2");
    assert_eq!(details["client_secret"], "oidc-secret");
    assert_eq!(details["attributes_request_method"], "POST");
    assert_eq!(u.attribute_mapping().unwrap()["username"], "oid");
    assert_eq!(u.idp_identifiers(), ["corp.example".to_string()]);
    assert!(u.last_modified_date().unwrap().secs() >= u.creation_date().unwrap().secs());
    let gone = api
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("example.com")
        .send()
        .await
        .expect_err("the old identifier is gone");
    assert_eq!(code(&gone), "ResourceNotFoundException");

    // Describe's details can be sent back as they are.
    let described = api
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap();
    let details = described
        .identity_provider()
        .unwrap()
        .provider_details()
        .cloned();
    api.update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .set_provider_details(details)
        .send()
        .await
        .expect("Describe's details are a valid update");

    api.delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .expect("DeleteIdentityProvider");
    let err = api
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .expect_err("deleted");
    assert_eq!(code(&err), "ResourceNotFoundException");
    let err = api
        .delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .expect_err("already deleted");
    assert_eq!(code(&err), "ResourceNotFoundException");
    let left = api
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(left.providers().len(), 2);
    assert!(left.next_token().is_none());
}

#[tokio::test]
async fn bad_providers_are_refused_with_cognitos_errors() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("refusals").await;
    create_google(&app, &pool).await;

    let err = api
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .provider_details("client_id", "x")
        .provider_details("client_secret", "y")
        .provider_details("authorize_scopes", "openid")
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(code(&err), "DuplicateProviderException");
    assert_eq!(
        message(&err),
        format!("Google already exists in user pool {pool}")
    );

    let oidc = |name: &str| {
        api.create_identity_provider()
            .user_pool_id(&pool)
            .provider_name(name)
            .provider_type(Kind::Oidc)
            .provider_details("client_id", "cognate")
            .provider_details("client_secret", "very-secret-value")
            .provider_details("authorize_scopes", "openid")
            .provider_details("oidc_issuer", "https://idp.example.com")
    };

    let err = oidc("Corp")
        .provider_details("oidc_issuer", "http://idp.example.com")
        .send()
        .await
        .expect_err("plain http issuer");
    assert_eq!(code(&err), "InvalidParameterException");
    assert!(message(&err).contains("https"), "{}", message(&err));

    let err = oidc("Corp")
        .provider_details("color", "blue")
        .send()
        .await
        .expect_err("unknown detail");
    assert_eq!(code(&err), "InvalidParameterException");
    assert!(message(&err).contains("color"));

    let err = api
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(Kind::Oidc)
        .provider_details("client_id", "cognate")
        .provider_details("authorize_scopes", "openid")
        .send()
        .await
        .expect_err("missing details");
    assert_eq!(code(&err), "InvalidParameterException");
    assert_eq!(
        message(&err),
        "client_id, client_secret, authorize_scopes and oidc_issuer are all required idp details"
    );

    let err = oidc("Corp")
        .attribute_mapping("custom:nope", "groups")
        .send()
        .await
        .expect_err("unknown attribute");
    assert_eq!(code(&err), "InvalidParameterException");
    assert_eq!(
        message(&err),
        "AttributeMapping contains invalid mapping: [custom:nope]"
    );

    let err = oidc("Corp")
        .provider_type(Kind::Saml)
        .send()
        .await
        .expect_err("SAML");
    assert_eq!(code(&err), "InvalidParameterException");
    assert!(message(&err).contains("not supported by cognate"));

    let err = api
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("MyGoogle")
        .provider_type(Kind::Google)
        .provider_details("client_id", "x")
        .provider_details("client_secret", "y")
        .provider_details("authorize_scopes", "openid")
        .send()
        .await
        .expect_err("Google under another name");
    assert_eq!(message(&err), "Provider MyGoogle cannot be of type Google.");

    let err = oidc("COGNITO").send().await.expect_err("reserved");
    assert_eq!(code(&err), "InvalidParameterException");

    let err = oidc("x")
        .send()
        .await
        .expect_err("too short for the pattern");
    assert!(message(&err).contains("providerName"));

    create_oidc(&app, &pool, "Corp", "corp.example").await;
    let err = oidc("Corp2")
        .idp_identifiers("corp.example")
        .send()
        .await
        .expect_err("identifier taken");
    assert_eq!(code(&err), "InvalidParameterException");
    assert!(message(&err).contains("corp.example"));

    let err = api
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .attribute_mapping("shoe_size", "x")
        .send()
        .await
        .expect_err("bad mapping on update");
    assert_eq!(code(&err), "InvalidParameterException");

    let err = api
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Nobody")
        .idp_identifiers("x")
        .send()
        .await
        .expect_err("no such provider");
    assert_eq!(code(&err), "ResourceNotFoundException");

    let err = api
        .describe_identity_provider()
        .user_pool_id("local_nosuchpool")
        .provider_name("Google")
        .send()
        .await
        .expect_err("no such pool");
    assert_eq!(code(&err), "ResourceNotFoundException");

    let err = api
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(61)
        .send()
        .await
        .expect_err("page too large");
    assert_eq!(code(&err), "InvalidParameterException");

    // No refusal changed anything, and no message carries a secret.
    let listed = api
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .providers()
        .iter()
        .filter_map(|p| p.provider_name())
        .collect();
    assert_eq!(names, ["Corp", "Google"]);
    let err = oidc("Leaky")
        .provider_details("client_secret", "very-secret-value\u{7}")
        .send()
        .await
        .expect_err("control character in the secret");
    assert!(!message(&err).contains("very-secret-value"));
}

#[tokio::test]
async fn clients_name_only_existing_providers() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("clients-idp").await;

    let err = api
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .send()
        .await
        .expect_err("Google is not set up");
    assert_eq!(code(&err), "InvalidParameterException");
    assert_eq!(
        message(&err),
        format!("The provider Google does not exist for User Pool {pool}")
    );

    create_google(&app, &pool).await;
    create_oidc(&app, &pool, "Corp", "corp.example").await;
    let created = api
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .supported_identity_providers("Corp")
        .send()
        .await
        .expect("providers exist now");
    let client = created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .unwrap()
        .to_string();

    let err = api
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .supported_identity_providers("Nobody")
        .send()
        .await
        .expect_err("unknown provider on update");
    assert_eq!(code(&err), "InvalidParameterException");
    assert!(message(&err).contains("Nobody"));

    // Deleting a provider takes it out of the clients that offered it.
    api.delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .expect("DeleteIdentityProvider");
    let described = api
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .user_pool_client()
            .unwrap()
            .supported_identity_providers(),
        ["COGNITO".to_string(), "Google".to_string()]
    );
}
