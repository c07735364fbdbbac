//! The console's sign-in providers page: Google and OIDC providers added,
//! refused, edited and deleted over HTTP, app clients offering them; the
//! effect read back through the Cognito API.

use aws_sdk_cognitoidentityprovider as cognito;
use base64::Engine;
use cognito::types::{AttributeDataType, SchemaAttributeType};

use crate::console::console_app;
use crate::console_pool::{at, get, post};
use crate::helpers::{capture_logs, TestApp};

const GOOGLE_SECRET: &str = "google-console-secret-7731";
const OIDC_SECRET: &str = "oidc-console-secret-9102";

fn key(name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name)
}

async fn described(app: &TestApp, pool: &str, name: &str) -> cognito::types::IdentityProviderType {
    app.cognito()
        .describe_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .send()
        .await
        .expect("DescribeIdentityProvider")
        .identity_provider
        .expect("provider")
}

async fn provider_count(app: &TestApp, pool: &str) -> usize {
    app.cognito()
        .list_identity_providers()
        .user_pool_id(pool)
        .send()
        .await
        .expect("ListIdentityProviders")
        .providers()
        .len()
}

#[tokio::test]
async fn sign_in_providers_are_added_edited_offered_and_deleted() {
    let logs = capture_logs();
    let (app, http) = console_app().await;
    let pool = app.create_pool("Federated Pool").await;
    app.cognito()
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .expect("AddCustomAttributes");
    let list = at(&app, &pool, "/providers");
    let redirect_uri = format!("{}/oauth2/idpresponse", app.url);

    // The pool's pages link to the providers page, which shows the URI to
    // register at the provider.
    let (status, overview) = get(&http, &at(&app, &pool, "")).await;
    assert_eq!(status, 200);
    assert!(overview.contains(&format!("href=\"/admin/pools/{pool}/providers\"")));
    let (status, html) = get(&http, &list).await;
    assert_eq!(status, 200);
    assert!(html.contains(&redirect_uri), "{html}");
    assert!(html.contains("No sign-in providers yet"));

    // Google: the defaults, then refusals that change nothing.
    let new_google = at(&app, &pool, "/providers/new?type=Google");
    let (status, form) = get(&http, &new_google).await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"profile email openid\""), "{form}");
    assert!(form.contains("<option value=\"email_verified\" selected>"));
    assert!(form.contains("<option value=\"name\" selected>"));
    assert!(form.contains("<option value=\"custom:team\">"));
    assert!(form.contains(&redirect_uri));
    let action = at(&app, &pool, "/providers/new");
    let google = |secret: &'static str| {
        vec![
            ("type", "Google"),
            ("client_id", "1234.apps.googleusercontent.com"),
            ("client_secret", secret),
            ("authorize_scopes", "profile email openid"),
            ("map_attr", "email"),
            ("map_claim", "email"),
            ("map_attr", "email_verified"),
            ("map_claim", "email_verified"),
            ("map_attr", "custom:team"),
            ("map_claim", "hd"),
            ("map_attr", ""),
            ("map_claim", ""),
        ]
    };
    let res = http
        .post(&action)
        .form(&google(GOOGLE_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no CSRF token");
    let (status, _, html) = post(&http, &new_google, &action, &google("")).await;
    assert_eq!(status, 400);
    assert!(
        html.contains("client_id, client_secret and authorize_scopes are all required idp details")
    );
    let mut half_row = google(GOOGLE_SECRET);
    half_row.extend([("map_attr", ""), ("map_claim", "locale")]);
    let (status, _, html) = post(&http, &new_google, &action, &half_row).await;
    assert_eq!(status, 400);
    assert!(html.contains("Choose the pool attribute that the claim locale fills."));
    assert_eq!(provider_count(&app, &pool).await, 0);

    let (status, to, _) = post(&http, &new_google, &action, &google(GOOGLE_SECRET)).await;
    assert_eq!(status, 303);
    assert_eq!(to, format!("/admin/pools/{pool}/providers"));
    let g = described(&app, &pool, "Google").await;
    let details = g.provider_details().unwrap();
    assert_eq!(details["client_secret"], GOOGLE_SECRET);
    assert_eq!(details["oidc_issuer"], "https://accounts.google.com");
    let mapping = g.attribute_mapping().unwrap();
    assert_eq!(mapping["username"], "sub");
    assert_eq!(mapping["custom:team"], "hd");
    assert_eq!(mapping.len(), 4);

    // OIDC: refused, then added.
    let new_oidc = at(&app, &pool, "/providers/new?type=OIDC");
    let oidc = |issuer: &'static str| {
        vec![
            ("type", "OIDC"),
            ("name", "Corp"),
            ("client_id", "cognate"),
            ("client_secret", OIDC_SECRET),
            ("authorize_scopes", "openid email"),
            ("oidc_issuer", issuer),
            ("attributes_request_method", "GET"),
            ("authorize_url", ""),
            ("token_url", ""),
            ("attributes_url", ""),
            ("jwks_uri", ""),
            ("username_claim", "oid"),
            ("map_attr", "email"),
            ("map_claim", "email"),
            ("identifiers", "corp.example\n\n  example.org "),
        ]
    };
    let (status, _, html) = post(&http, &new_oidc, &action, &oidc("http://idp.example.com")).await;
    assert_eq!(status, 400);
    assert!(html.contains("must use https"), "{html}");
    assert!(
        html.contains("value=\"http://idp.example.com\""),
        "the form keeps what was typed"
    );
    let mut partial = oidc("https://idp.example.com");
    for field in partial.iter_mut().filter(|(k, _)| *k == "token_url") {
        field.1 = "https://idp.example.com/token";
    }
    let (status, _, html) = post(&http, &new_oidc, &action, &partial).await;
    assert_eq!(status, 400);
    assert!(html.contains("go together"));
    assert_eq!(provider_count(&app, &pool).await, 1);
    let (status, _, _) = post(
        &http,
        &new_oidc,
        &action,
        &oidc("http://127.0.0.1:5556/dex"),
    )
    .await;
    assert_eq!(status, 303);
    let corp = described(&app, &pool, "Corp").await;
    assert_eq!(corp.attribute_mapping().unwrap()["username"], "oid");
    assert_eq!(corp.idp_identifiers(), ["corp.example", "example.org"]);

    // The list shows client ids, never a secret.
    let (_, html) = get(&http, &list).await;
    assert!(html.contains("1234.apps.googleusercontent.com") && html.contains(">Corp</a>"));
    assert!(!html.contains(GOOGLE_SECRET) && !html.contains(OIDC_SECRET));
    assert!(
        !html.contains("/providers/new?type=Google"),
        "one Google provider per pool"
    );

    // Edit: the secret only in its password field; blank keeps it.
    let edit = at(&app, &pool, &format!("/providers/{}", key("Corp")));
    let (status, html) = get(&http, &edit).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!(
        "name=\"client_secret\" type=\"password\" value=\"{OIDC_SECRET}\""
    )));
    assert!(html.contains("value=\"oid\""));
    let mut changed = oidc("http://127.0.0.1:5556/dex");
    changed.retain(|(k, _)| {
        *k != "client_secret" && *k != "name" && *k != "attributes_request_method"
    });
    changed.extend([("client_secret", ""), ("attributes_request_method", "POST")]);
    let (status, to, _) = post(&http, &edit, &edit, &changed).await;
    assert_eq!(status, 303);
    assert_eq!(to, format!("/admin/pools/{pool}/providers/{}", key("Corp")));
    let corp = described(&app, &pool, "Corp").await;
    let details = corp.provider_details().unwrap();
    assert_eq!(details["client_secret"], OIDC_SECRET);
    assert_eq!(details["attributes_request_method"], "POST");
    let mut bad = changed.clone();
    bad.push(("map_attr", "email"));
    bad.push(("map_claim", "mail"));
    let (status, _, html) = post(&http, &edit, &edit, &bad).await;
    assert_eq!(status, 400);
    assert!(html.contains("email is mapped more than once."));
    let (status, _) = get(&http, &at(&app, &pool, "/providers/bm9ib2R5")).await;
    assert_eq!(status, 400, "no such provider");

    // App clients offer the pool's providers next to COGNITO.
    let new_client = at(&app, &pool, "/clients/new");
    let (_, html) = get(&http, &new_client).await;
    assert!(html.contains("name=\"idp\" value=\"Google\""));
    assert!(html.contains("name=\"idp\" value=\"Corp\""));
    let client = |idp: &'static str| {
        vec![
            ("name", "web"),
            ("kind", "public"),
            ("callback_urls", "https://a.example/cb"),
            ("idp", "COGNITO"),
            ("idp", idp),
            ("flow", "code"),
            ("scope", "openid"),
        ]
    };
    let (status, _, html) = post(&http, &new_client, &new_client, &client("Nobody")).await;
    assert_eq!(status, 400);
    assert!(html.contains(&format!(
        "The provider Nobody does not exist for User Pool {pool}"
    )));
    let (status, to, _) = post(&http, &new_client, &new_client, &client("Corp")).await;
    assert_eq!(status, 303);
    let client_id = to.rsplit('/').next().unwrap().to_string();

    // Delete, after a confirmation page naming the clients that offer it.
    let delete = format!("{edit}/delete");
    let (status, html) = get(&http, &delete).await;
    assert_eq!(status, 200);
    assert!(html.contains("These app clients stop offering it") && html.contains("<li>web</li>"));
    let (status, to, _) = post(&http, &delete, &delete, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(to, format!("/admin/pools/{pool}/providers"));
    let err = app
        .cognito()
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .expect_err("deleted");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_resource_not_found_exception()));
    let c = app
        .cognito()
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.user_pool_client().unwrap().supported_identity_providers(),
        ["COGNITO"]
    );

    let text = logs.text();
    assert!(!text.contains(GOOGLE_SECRET) && !text.contains(OIDC_SECRET));
}
