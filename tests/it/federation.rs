//! Sign-in through external providers. A real, independent OpenID Connect
//! provider (panva's certified `oidc-provider`, run by Node) stands in for
//! Google (through `COGNATE_GOOGLE_ISSUER_URL`) and for a generic OIDC
//! provider; cognate is its relying party.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{IdentityProviderTypeType, OAuthFlowType, ProviderUserIdentifierType};
use serde_json::{json, Value};

use crate::helpers::{
    exchange, jwt_claims, location, pkce, query_param, spawn_app_with, TestApp, CALLBACK, PASSWORD,
};
use crate::support::oidc::{OidcProvider, ProviderClient};

const RP_ID: &str = "cognate-relying-party";
const RP_SECRET: &str = "relying-party-secret-0123456789";

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The provider, with cognate registered as its client, and cognate with
/// the provider as "Google".
async fn app_and_provider(accounts: Value, id_token_claims: bool) -> (TestApp, OidcProvider) {
    let port = free_port();
    let provider = OidcProvider::start(
        vec![ProviderClient {
            client_id: RP_ID.into(),
            client_secret: RP_SECRET.into(),
            redirect_uris: vec![format!("http://127.0.0.1:{port}/oauth2/idpresponse")],
        }],
        accounts,
        id_token_claims,
    )
    .await;
    let issuer = provider.issuer().to_string();
    let app = spawn_app_with(|c| {
        c.bind = format!("127.0.0.1:{port}").parse().unwrap();
        c.google_issuer_url = issuer;
    })
    .await;
    (app, provider)
}

fn accounts() -> Value {
    json!({
        "g-111": {"email": "gina@example.com", "email_verified": true, "name": "Gina Federated"},
        "g-222": {"email": "alice@example.com", "email_verified": true, "name": "Not Alice"},
        "g-333": {"email": "alice@example.com", "email_verified": true, "name": "Alice Linked"},
        "g-444": {"email": "nova@example.com", "email_verified": false, "name": "Nova"},
    })
}

async fn add_google(app: &TestApp, pool: &str) {
    app.cognito()
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .provider_details("client_id", RP_ID)
        .provider_details("client_secret", RP_SECRET)
        .provider_details("authorize_scopes", "openid email profile")
        .attribute_mapping("email", "email")
        .attribute_mapping("email_verified", "email_verified")
        .attribute_mapping("name", "name")
        .send()
        .await
        .expect("CreateIdentityProvider Google");
}

/// An OIDC provider `name` with `details` besides the client credentials.
async fn add_oidc(app: &TestApp, pool: &str, name: &str, details: &[(&str, &str)]) {
    let mut req = app
        .cognito()
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", RP_ID)
        .provider_details("client_secret", RP_SECRET)
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("attributes_request_method", "GET")
        .attribute_mapping("email", "email")
        .attribute_mapping("email_verified", "email_verified")
        .idp_identifiers(format!("{}.example", name.to_lowercase()));
    for (k, v) in details {
        req = req.provider_details(*k, *v);
    }
    req.send().await.expect("CreateIdentityProvider OIDC");
}

/// A public app client allowing `providers`.
async fn client_for(app: &TestApp, pool: &str, providers: &[&str]) -> String {
    let mut req = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("web")
        .callback_urls(CALLBACK)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile");
    for p in providers {
        req = req.supported_identity_providers(*p);
    }
    req.send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("client id")
        .to_string()
}

/// `/oauth2/authorize` for `client` with `extra` parameters.
fn authorize(
    app: &TestApp,
    client: &str,
    challenge: &str,
    state: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email profile"),
        ("state", state),
        ("nonce", "app-nonce"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    format!(
        "{}/oauth2/authorize?{}",
        app.url,
        serde_urlencoded::to_string(&params).unwrap()
    )
}

/// Signs `sub` in at the provider, starting from cognate's authorization
/// URL; returns where cognate then sends the browser (the app's callback).
async fn federated_sign_in(
    app: &TestApp,
    provider: &OidcProvider,
    http: &reqwest::Client,
    start: &str,
    sub: &str,
) -> String {
    let res = http.get(start).send().await.unwrap();
    assert_eq!(res.status(), 302, "{:?}", res.text().await);
    let to_provider = location(&res).to_string();
    assert!(to_provider.starts_with(provider.issuer()), "{to_provider}");
    let callback = provider.sign_in(http, &to_provider, sub).await;
    assert!(
        callback.starts_with(&format!("{}/oauth2/idpresponse?", app.url)),
        "{callback}"
    );
    follow(http, &callback).await
}

/// Opens `url` in `http`; cognate must answer with a redirect, whose
/// target is returned.
async fn follow(http: &reqwest::Client, url: &str) -> String {
    let res = http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 302, "{url}");
    location(&res).to_string()
}

/// `back` is the app's callback with `error` and the app's `state`, and no code.
fn assert_sent_back(back: &str, state: &str, error: &str) {
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(query_param(back, "error").as_deref(), Some(error), "{back}");
    assert_eq!(query_param(back, "state").as_deref(), Some(state), "{back}");
    assert!(query_param(back, "code").is_none(), "{back}");
}

/// The app's side: the code from `back`, exchanged for the ID token's claims.
async fn id_claims(app: &TestApp, client: &str, back: &str, verifier: &str) -> Value {
    assert!(back.starts_with(CALLBACK), "{back}");
    let code = query_param(back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let res = exchange(app, client, &code, verifier).await;
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.unwrap();
    jwt_claims(tokens["id_token"].as_str().expect("id token"))
}

#[tokio::test]
async fn google_sign_in_creates_the_user_then_signs_it_in_again() {
    let (app, provider) = app_and_provider(accounts(), true).await;
    let pool = app.create_pool("fed").await;
    add_google(&app, &pool).await;
    let client = client_for(&app, &pool, &["COGNITO", "Google"]).await;

    // identity_provider=Google goes straight to the provider, with state,
    // nonce and PKCE of cognate's own.
    let http = app.browser();
    let (verifier, challenge) = pkce();
    let start = authorize(
        &app,
        &client,
        &challenge,
        "s1",
        &[("identity_provider", "Google")],
    );
    let res = http.get(&start).send().await.unwrap();
    let to_provider = location(&res).to_string();
    assert!(to_provider.starts_with(provider.issuer()), "{to_provider}");
    assert_eq!(
        query_param(&to_provider, "client_id").as_deref(),
        Some(RP_ID)
    );
    assert_eq!(
        query_param(&to_provider, "redirect_uri"),
        Some(format!("{}/oauth2/idpresponse", app.url))
    );
    assert_eq!(
        query_param(&to_provider, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(query_param(&to_provider, "nonce").is_some_and(|n| n != "app-nonce"));
    assert!(query_param(&to_provider, "state").is_some_and(|s| s != "s1"));
    assert!(query_param(&to_provider, "scope")
        .unwrap()
        .contains("email"));

    let callback = provider.sign_in(&http, &to_provider, "g-111").await;
    let back = follow(&http, &callback).await;
    assert_eq!(query_param(&back, "state").as_deref(), Some("s1"));
    let id = id_claims(&app, &client, &back, &verifier).await;
    assert_eq!(id["cognito:username"], "Google_g-111");
    assert_eq!(id["email"], "gina@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Gina Federated");
    assert_eq!(id["nonce"], "app-nonce");
    assert_eq!(id["aud"], client.as_str());
    let identities = id["identities"].as_array().expect("identities claim");
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0]["providerName"], "Google");
    assert_eq!(identities[0]["providerType"], "Google");
    assert_eq!(identities[0]["userId"], "g-111");
    assert_eq!(identities[0]["primary"], "true");
    let sub = id["sub"].as_str().unwrap().to_string();

    let user = stored_user(&app, &pool, "Google_g-111");
    assert_eq!(user.status.as_str(), "EXTERNAL_PROVIDER");
    assert!(user.password_hash.is_none());

    // The attribute drifts; the next sign-in (a new browser) maps it again,
    // and is the same user.
    app.cognito()
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("Google_g-111")
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("name")
                .value("Stale Name")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let id = signed_in_through(&app, &provider, &client, "Google", "g-111", "s2").await;
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["name"], "Gina Federated");
    assert_eq!(count_users(&app), 1);

    // The hosted session now reuses the sign-in without the provider.
    let (verifier, challenge) = pkce();
    let back = follow(&http, &authorize(&app, &client, &challenge, "s3", &[])).await;
    let id = id_claims(&app, &client, &back, &verifier).await;
    assert_eq!(id["sub"], sub.as_str());

    // An unverified e-mail at the provider stays unverified here.
    let id = signed_in_through(&app, &provider, &client, "Google", "g-444", "s4").await;
    assert_eq!(id["email"], "nova@example.com");
    assert_eq!(id["email_verified"], false);
}

/// Signs `sub` in at `idp` in a new browser, from the app's authorization
/// request with `state`; where the app is sent, and its PKCE verifier.
async fn through(
    app: &TestApp,
    provider: &OidcProvider,
    client: &str,
    idp: &str,
    sub: &str,
    state: &str,
) -> (String, String) {
    let http = app.browser();
    let (verifier, challenge) = pkce();
    let start = authorize(
        app,
        client,
        &challenge,
        state,
        &[("identity_provider", idp)],
    );
    (
        federated_sign_in(app, provider, &http, &start, sub).await,
        verifier,
    )
}

/// [`through`], then the app's code exchange: the ID token's claims.
async fn signed_in_through(
    app: &TestApp,
    provider: &OidcProvider,
    client: &str,
    idp: &str,
    sub: &str,
    state: &str,
) -> Value {
    let (back, verifier) = through(app, provider, client, idp, sub, state).await;
    id_claims(app, client, &back, &verifier).await
}

/// An HTML attribute's text (askama escapes `&`, `=`, `/` and friends).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').expect("entity end");
        let entity = &tail[1..end];
        let c = match entity {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            e if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            e if e.starts_with('#') => char::from_u32(e[1..].parse().unwrap()).unwrap(),
            e => panic!("entity {e}"),
        };
        out.push(c);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

fn stored_user(app: &TestApp, pool: &str, key: &str) -> cognate::directory::users::User {
    let pool_id = cognate::directory::PoolId::parse(pool).unwrap();
    let key = key.to_string();
    app.db()
        .with_conn(move |conn| {
            Ok(
                cognate::directory::users::find_by_username_key(conn, &pool_id, &key)
                    .expect("lookup"),
            )
        })
        .unwrap()
        .unwrap_or_else(|| panic!("no user"))
}

fn count_users(app: &TestApp) -> i64 {
    app.db()
        .with_conn(|conn| {
            use diesel::prelude::*;
            Ok(cognate::db::schema::users::table
                .count()
                .get_result::<i64>(conn)?)
        })
        .unwrap()
}

#[tokio::test]
async fn an_oidc_provider_by_discovery_with_claims_from_userinfo_and_the_sign_in_page() {
    // Claims only in userinfo: cognate must read it for the mapping.
    let (app, provider) = app_and_provider(accounts(), false).await;
    let pool = app.create_pool("corp").await;
    add_oidc(&app, &pool, "Corp", &[("oidc_issuer", provider.issuer())]).await;
    let client = client_for(&app, &pool, &["COGNITO", "Corp"]).await;

    // The sign-in page offers the provider; its button carries the app's
    // request to the provider.
    let http = app.browser();
    let (verifier, challenge) = pkce();
    let res = http
        .get(authorize(&app, &client, &challenge, "p1", &[]))
        .send()
        .await
        .unwrap();
    let login = app.absolute(location(&res));
    let page = http.get(&login).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Continue with Corp"), "{page}");
    assert!(
        page.contains("name=\"password\""),
        "the local form is there too"
    );
    let button = page
        .split("href=\"")
        .skip(1)
        .map(|s| unescape(&s[..s.find('"').unwrap()]))
        .find(|h| h.contains("identity_provider=Corp"))
        .expect("the provider's button");
    let back = federated_sign_in(&app, &provider, &http, &app.absolute(&button), "g-111").await;
    assert_eq!(query_param(&back, "state").as_deref(), Some("p1"));
    let id = id_claims(&app, &client, &back, &verifier).await;
    assert_eq!(id["cognito:username"], "Corp_g-111");
    assert_eq!(id["email"], "gina@example.com", "mapped from userinfo");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["identities"][0]["providerType"], "OIDC");

    // idp_identifier picks the provider too.
    let http = app.browser();
    let (verifier, challenge) = pkce();
    let start = authorize(
        &app,
        &client,
        &challenge,
        "p2",
        &[("idp_identifier", "corp.example")],
    );
    let back = federated_sign_in(&app, &provider, &http, &start, "g-111").await;
    let again = id_claims(&app, &client, &back, &verifier).await;
    assert_eq!(again["sub"], id["sub"]);

    // A client that does not allow the provider is refused, back at the app.
    let local_only = client_for(&app, &pool, &["COGNITO"]).await;
    let back = follow(
        &http,
        &authorize(
            &app,
            &local_only,
            &challenge,
            "p3",
            &[("identity_provider", "Corp")],
        ),
    )
    .await;
    assert_sent_back(&back, "p3", "invalid_request");

    // A client with only the provider shows no password form.
    let corp_only = client_for(&app, &pool, &["Corp"]).await;
    let res = http
        .get(authorize(
            &app,
            &corp_only,
            &challenge,
            "p4",
            &[("prompt", "login")],
        ))
        .send()
        .await
        .unwrap();
    let page = http
        .get(app.absolute(location(&res)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Continue with Corp"));
    assert!(!page.contains("name=\"password\""), "{page}");
}

#[tokio::test]
async fn an_external_identity_never_takes_over_a_local_account_without_a_link() {
    let (app, provider) = app_and_provider(accounts(), true).await;
    let pool = app.create_pool("merge").await;
    add_google(&app, &pool).await;
    let client = client_for(&app, &pool, &["COGNITO", "Google"]).await;
    // alice@example.com, confirmed (verified e-mail), with a password.
    let email = app.confirmed_user(&client, "alice").await;
    assert_eq!(email, "alice@example.com");
    let local_sub = stored_user(&app, &pool, "alice").sub.to_string();

    // A provider identity with the same verified e-mail gets its own user.
    let id = signed_in_through(&app, &provider, &client, "Google", "g-222", "m1").await;
    assert_ne!(id["sub"], local_sub.as_str());
    assert_eq!(id["cognito:username"], "Google_g-222");
    // The local account is untouched and still signs in with its password.
    let alice = stored_user(&app, &pool, "alice");
    assert_eq!(alice.attribute("name"), None);
    assert!(alice.attribute("identities").is_none());
    let http = app.browser();
    let (_, challenge) = pkce();
    http.get(authorize(&app, &client, &challenge, "m2", &[]))
        .send()
        .await
        .unwrap();
    let res = app.submit_login(&http, &client, "alice", PASSWORD).await;
    assert!(location(&res).starts_with(CALLBACK));

    // An identity that already signed in cannot be linked.
    let link = |source: &str| {
        app.cognito()
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(
                ProviderUserIdentifierType::builder()
                    .provider_name("Cognito")
                    .provider_attribute_value("alice")
                    .build(),
            )
            .source_user(
                ProviderUserIdentifierType::builder()
                    .provider_name("Google")
                    .provider_attribute_name("Cognito_Subject")
                    .provider_attribute_value(source)
                    .build(),
            )
            .send()
    };
    let err = link("g-222").await.unwrap_err().into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");

    // An explicit link binds a new identity to the local account.
    link("g-333").await.expect("AdminLinkProviderForUser");
    let id = signed_in_through(&app, &provider, &client, "Google", "g-333", "m3").await;
    assert_eq!(id["sub"], local_sub.as_str());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["identities"][0]["userId"], "g-333");
    assert_ne!(
        id["name"], "Alice Linked",
        "a linked local user keeps its own attributes"
    );

    // Unlinked again: the identity's next sign-in is a user of its own.
    app.cognito()
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(
            ProviderUserIdentifierType::builder()
                .provider_name("Google")
                .provider_attribute_name("Cognito_Subject")
                .provider_attribute_value("g-333")
                .build(),
        )
        .send()
        .await
        .expect("AdminDisableProviderForUser");
    assert!(stored_user(&app, &pool, "alice")
        .attribute("identities")
        .is_none());
    let id = signed_in_through(&app, &provider, &client, "Google", "g-333", "m4").await;
    assert_ne!(id["sub"], local_sub.as_str());
    assert_eq!(id["cognito:username"], "Google_g-333");

    // Disabling the identity of a user it created disables that user.
    app.cognito()
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(
            ProviderUserIdentifierType::builder()
                .provider_name("Google")
                .provider_attribute_name("Cognito_Subject")
                .provider_attribute_value("g-222")
                .build(),
        )
        .send()
        .await
        .expect("AdminDisableProviderForUser");
    let (back, _) = through(&app, &provider, &client, "Google", "g-222", "m5").await;
    assert_sent_back(&back, "m5", "access_denied");
}

#[tokio::test]
async fn a_tampered_or_replayed_answer_never_signs_in() {
    let (app, provider) = app_and_provider(accounts(), true).await;
    let pool = app.create_pool("state").await;
    add_google(&app, &pool).await;
    let client = client_for(&app, &pool, &["Google"]).await;

    let http = app.browser();
    let (verifier, challenge) = pkce();
    let start = authorize(
        &app,
        &client,
        &challenge,
        "t1",
        &[("identity_provider", "Google")],
    );
    let res = http.get(&start).send().await.unwrap();
    let callback = provider.sign_in(&http, location(&res), "g-111").await;

    // The state changed on the way: a page, no sign-in, no code.
    let mut forged = url::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(&pairs);
    let res = http.get(forged.as_str()).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("does not belong to this sign-in"));
    // The pending sign-in was spent by that answer: the genuine one is
    // refused too.
    let res = http.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(count_users(&app), 0);

    // A genuine answer works once; replayed (even in the same browser) it
    // is refused.
    let start = authorize(
        &app,
        &client,
        &challenge,
        "t2",
        &[("identity_provider", "Google")],
    );
    let res = http.get(&start).send().await.unwrap();
    let callback = provider.sign_in(&http, location(&res), "g-111").await;
    let res = http.get(&callback).send().await.unwrap();
    let back = location(&res).to_string();
    id_claims(&app, &client, &back, &verifier).await;
    let res = http.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 400);

    // Another browser cannot use an answer meant for this one.
    let start = authorize(
        &app,
        &client,
        &challenge,
        "t3",
        &[("identity_provider", "Google")],
    );
    let res = http.get(&start).send().await.unwrap();
    let callback = provider.sign_in(&http, location(&res), "g-111").await;
    let res = app.browser().get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 400);
    // No answer with nonsense parameters breaks the server either.
    for q in [
        "",
        "?state=&code=",
        "?error=access_denied",
        "?code=%00%ff&state=%ZZ",
    ] {
        let res = app
            .browser()
            .get(format!("{}/oauth2/idpresponse{q}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{q}");
    }
}

#[tokio::test]
async fn provider_errors_go_back_to_the_app_and_never_sign_in() {
    let (app, provider) = app_and_provider(accounts(), true).await;
    let pool = app.create_pool("errors").await;
    add_google(&app, &pool).await;
    let down = format!("http://127.0.0.1:{}", free_port());
    add_oidc(&app, &pool, "Down", &[("oidc_issuer", &down)]).await;
    // The provider's real endpoints, but an issuer its tokens do not name.
    let issuer = provider.issuer().to_string();
    let endpoints = [
        ("oidc_issuer", format!("{issuer}/impostor")),
        ("authorize_url", format!("{issuer}/auth")),
        ("token_url", format!("{issuer}/token")),
        ("attributes_url", format!("{issuer}/me")),
        ("jwks_uri", format!("{issuer}/jwks")),
    ];
    let endpoints: Vec<(&str, &str)> = endpoints.iter().map(|(k, v)| (*k, v.as_str())).collect();
    add_oidc(&app, &pool, "Impostor", &endpoints).await;
    let client = client_for(&app, &pool, &["COGNITO", "Google", "Down", "Impostor"]).await;
    let (_, challenge) = pkce();

    // The user cancels at the provider.
    let http = app.browser();
    let start = authorize(
        &app,
        &client,
        &challenge,
        "e1",
        &[("identity_provider", "Google")],
    );
    let callback = provider.cancel(&http, &follow(&http, &start).await).await;
    let back = follow(&http, &callback).await;
    assert_sent_back(&back, "e1", "access_denied");

    // The provider is down.
    let back = follow(
        &http,
        &authorize(
            &app,
            &client,
            &challenge,
            "e2",
            &[("identity_provider", "Down")],
        ),
    )
    .await;
    assert_sent_back(&back, "e2", "temporarily_unavailable");

    // The ID token names another issuer: refused after the exchange.
    let start = authorize(
        &app,
        &client,
        &challenge,
        "e3",
        &[("identity_provider", "Impostor")],
    );
    let back = federated_sign_in(&app, &provider, &http, &start, "g-111").await;
    assert_sent_back(&back, "e3", "invalid_request");
    assert!(
        query_param(&back, "error_description")
            .unwrap()
            .contains("ID token"),
        "{back}"
    );
    assert_eq!(count_users(&app), 0, "no failure made a user");

    // An unknown provider name.
    let back = follow(
        &http,
        &authorize(
            &app,
            &client,
            &challenge,
            "e4",
            &[("identity_provider", "Nobody")],
        ),
    )
    .await;
    assert_sent_back(&back, "e4", "invalid_request");
}

#[tokio::test]
async fn a_required_attribute_the_provider_does_not_give_refuses_the_first_sign_in() {
    let (app, provider) = app_and_provider(accounts(), true).await;
    let pool = app.create_pool("required").await;
    // e-mail is required in the pool, but this provider maps only the name.
    app.cognito()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .provider_details("client_id", RP_ID)
        .provider_details("client_secret", RP_SECRET)
        .provider_details("authorize_scopes", "openid profile")
        .attribute_mapping("name", "name")
        .send()
        .await
        .unwrap();
    let client = client_for(&app, &pool, &["Google"]).await;
    let (back, _) = through(&app, &provider, &client, "Google", "g-111", "r1").await;
    assert_sent_back(&back, "r1", "invalid_request");
    assert!(query_param(&back, "error_description")
        .unwrap()
        .contains("email"));
    assert_eq!(count_users(&app), 0);
}

#[tokio::test]
async fn a_browser_continues_with_google() {
    let (app, provider) = app_and_provider(accounts(), true).await;
    let pool = app.create_pool("chrome-fed").await;
    add_google(&app, &pool).await;
    let client = client_for(&app, &pool, &["COGNITO", "Google"]).await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let browser = crate::support::browser::Browser::start().await;
    let (verifier, challenge) = pkce();
    browser
        .goto(&authorize(&app, &client, &challenge, "c1", &[]))
        .await;
    assert!(browser.current_url().await.contains("/login?client_id="));
    assert_eq!(
        browser.text("a.button-provider").await,
        "Continue with Google"
    );
    browser.screenshot(&shots.join("login-providers.png")).await;
    browser.submit("a.button-provider").await;
    let at_provider = browser.current_url().await;
    assert!(at_provider.starts_with(provider.issuer()), "{at_provider}");
    browser.fill("input[name='sub']", "g-111").await;
    browser.submit("#sign-in").await;
    let back = browser.current_url().await;
    assert!(
        back.starts_with(CALLBACK),
        "{back}: {}",
        browser.page_source().await
    );
    assert_eq!(query_param(&back, "state").as_deref(), Some("c1"));
    browser.close().await;
    let id = id_claims(&app, &client, &back, &verifier).await;
    assert_eq!(id["cognito:username"], "Google_g-111");
    assert_eq!(id["identities"][0]["providerName"], "Google");
}

#[tokio::test]
async fn linking_refuses_what_cognito_refuses() {
    let app = crate::helpers::spawn_app().await;
    let pool = app.create_pool("links").await;
    app.cognito()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .provider_details("client_id", RP_ID)
        .provider_details("client_secret", RP_SECRET)
        .provider_details("authorize_scopes", "openid email")
        .send()
        .await
        .unwrap();
    app.cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username("dora")
        .temporary_password(PASSWORD)
        .message_action(cognito::types::MessageActionType::Suppress)
        .user_attributes(
            cognito::types::AttributeType::builder()
                .name("email")
                .value("dora@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminCreateUser");
    let who = |provider: &str, attr: Option<&str>, value: &str| {
        ProviderUserIdentifierType::builder()
            .provider_name(provider)
            .set_provider_attribute_name(attr.map(str::to_string))
            .provider_attribute_value(value)
            .build()
    };
    let link = |dest: ProviderUserIdentifierType, source: ProviderUserIdentifierType| {
        app.cognito()
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(dest)
            .source_user(source)
            .send()
    };
    let google = |sub: &str| who("Google", Some("Cognito_Subject"), sub);

    let err = link(who("Cognito", None, "nobody"), google("x1"))
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_user_not_found_exception(), "{err:?}");
    for (dest, source) in [
        (who("Google", None, "dora"), google("x1")),
        (who("Cognito", None, "dora"), who("Cognito", None, "dora")),
        (
            who("Cognito", None, "dora"),
            who("Google", Some("email"), "x1"),
        ),
        (
            who("Cognito", None, "dora"),
            who("Nobody", Some("Cognito_Subject"), "x1"),
        ),
        (who("Cognito", None, "dora"), google("")),
    ] {
        let err = link(dest.clone(), source.clone())
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            err.is_invalid_parameter_exception(),
            "{dest:?} {source:?}: {err:?}"
        );
    }
    let err = app
        .cognito()
        .admin_link_provider_for_user()
        .user_pool_id(&pool)
        .destination_user(who("Cognito", None, "dora"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_parameter_exception(), "{err:?}");

    // Five identities at most; the same one twice is refused.
    for i in 0..5 {
        link(who("Cognito", None, "dora"), google(&format!("s{i}")))
            .await
            .expect("AdminLinkProviderForUser");
    }
    let err = link(who("Cognito", None, "dora"), google("s0"))
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        err.is_limit_exceeded_exception() || err.is_invalid_parameter_exception(),
        "{err:?}"
    );
    let err = link(who("Cognito", None, "dora"), google("s9"))
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_limit_exceeded_exception(), "{err:?}");
    let dora = stored_user(&app, &pool, "dora");
    let identities: Value = serde_json::from_str(dora.attribute("identities").unwrap()).unwrap();
    assert_eq!(identities.as_array().unwrap().len(), 5);

    // Unlinking an identity nobody has is an unknown user.
    let err = app
        .cognito()
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(google("never-linked"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_user_not_found_exception(), "{err:?}");
}
