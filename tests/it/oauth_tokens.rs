//! Tokens: the openidconnect crate as the relying party (discovery, JWKS,
//! code exchange with PKCE, ID token verification), then userInfo,
//! refresh and revocation.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::Value;

use crate::helpers::{
    exchange, jwt_claims, jwt_header, location, pkce, query_param, spawn_app, TestApp, CALLBACK,
    PASSWORD,
};

fn rp_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs `username` in through the pages for `auth_url`; returns the code.
async fn code_for(
    app: &TestApp,
    client_id: &str,
    auth_url: &str,
    username: &str,
) -> (String, String) {
    let http = app.browser();
    let res = http.get(auth_url).send().await.expect("authorize");
    assert_eq!(res.status(), 302, "{:?}", res.text().await);
    let res = app.submit_login(&http, client_id, username, PASSWORD).await;
    assert_eq!(res.status(), 302);
    let back = location(&res).to_string();
    assert!(back.starts_with(CALLBACK), "{back}");
    (
        query_param(&back, "code").expect("code"),
        query_param(&back, "state").expect("state"),
    )
}

#[tokio::test]
async fn a_relying_party_verifies_tokens_through_discovery_and_jwks() {
    let app = spawn_app().await;
    let pool = app.create_pool("rp").await;
    let (client_id, secret) = app.create_client(&pool, true).await;
    let secret = secret.expect("secret");
    let email = app.confirmed_user(&client_id, "rita").await;

    let http = rp_http();
    let issuer = format!("{}/{pool}", app.url);
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
            .await
            .expect("discovery");
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.clone()),
        Some(ClientSecret::new(secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.to_string()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf_state, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let (code, state) = code_for(&app, &client_id, auth_url.as_str(), "rita").await;
    assert_eq!(&state, csrf_state.secret());

    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .expect("token endpoint known")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange (client_secret_basic)");
    let id_token = tokens.id_token().expect("an ID token for scope openid");
    let claims = id_token
        .claims(&rp.id_token_verifier(), &nonce)
        .expect("ID token verifies: signature by JWKS, iss, aud, exp, nonce");
    assert_eq!(claims.issuer().as_str(), issuer);
    assert_eq!(claims.email().map(|e| e.as_str()), Some(email.as_str()));
    assert_eq!(claims.email_verified(), Some(true));
    assert!(claims.auth_time().is_some());

    // Cognito's own claims, read raw.
    let raw = jwt_claims(&id_token.to_string());
    assert_eq!(raw["token_use"], "id");
    assert_eq!(raw["cognito:username"], "rita");
    assert_eq!(raw["aud"], client_id.as_str());
    assert!(raw["jti"].is_string() && raw["origin_jti"].is_string());
    let header = jwt_header(&id_token.to_string());
    assert_eq!(header["alg"], "RS256");
    assert!(header["kid"].is_string());

    let access = tokens.access_token().secret().clone();
    let a = jwt_claims(&access);
    assert_eq!(a["token_use"], "access");
    assert_eq!(a["client_id"], client_id.as_str());
    assert_eq!(a["username"], "rita");
    assert!(a.get("aud").is_none(), "Cognito access tokens carry no aud");
    assert_eq!(a["scope"], "openid email");
    assert_eq!(a["origin_jti"], raw["origin_jti"]);
    assert_eq!(tokens.expires_in().map(|d| d.as_secs()), Some(3600));

    // userInfo answers for the access token.
    let info: Value = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", app.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], raw["sub"]);
    assert_eq!(info["email"], email.as_str());
    assert_eq!(info["username"], "rita");

    // The refresh grant (client_secret_post) gives new tokens.
    let refresh = tokens
        .refresh_token()
        .expect("refresh token")
        .secret()
        .clone();
    let refreshed: Value = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_access = refreshed["access_token"]
        .as_str()
        .expect("new access token");
    assert!(refreshed["id_token"].is_string());
    assert_ne!(new_access, access);

    // Revocation: the refresh token and the access tokens of the sign-in die.
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", app.url))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"], "invalid_grant");
    let res = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", app.url))
        .bearer_auth(new_access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn pkce_is_required_and_checked_and_codes_are_single_use() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "pat").await;
    let http = app.browser();

    // No challenge from a public client: back to the app with an error.
    let url = app
        .authorize_url(&client, "x", "s", "n")
        .replace("&code_challenge=x&code_challenge_method=S256", "");
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 302);
    let to = location(&res).to_string();
    assert!(to.starts_with(CALLBACK));
    assert_eq!(
        query_param(&to, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(query_param(&to, "state").as_deref(), Some("s"));

    // `plain` is refused.
    let (verifier, challenge) = pkce();
    let url = app
        .authorize_url(&client, &verifier, "s", "n")
        .replace("code_challenge_method=S256", "code_challenge_method=plain");
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(
        query_param(location(&res), "error").as_deref(),
        Some("invalid_request")
    );

    // A wrong verifier fails; the right one then works once.
    let (code, _) = code_for(
        &app,
        &client,
        &app.authorize_url(&client, &challenge, "s", "n"),
        "pat",
    )
    .await;
    let (other_verifier, _) = pkce();
    let res = exchange(&app, &client, &code, &other_verifier).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let res = exchange(&app, &client, &code, "").await;
    assert_eq!(res.status(), 400);
    let res = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(res.status(), 200);
    let first: Value = res.json().await.unwrap();
    let refresh = first["refresh_token"].as_str().unwrap().to_string();

    // The same code again fails, and revokes what it gave.
    let res = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", client.as_str()),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        400,
        "the refresh token of a replayed code is revoked"
    );
    let res = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", app.url))
        .bearer_auth(first["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn parallel_redemptions_of_one_code_cannot_both_succeed() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "race").await;
    let (verifier, challenge) = pkce();
    let (code, _) = code_for(
        &app,
        &client,
        &app.authorize_url(&client, &challenge, "s", "n"),
        "race",
    )
    .await;
    let mut handles = Vec::new();
    for _ in 0..6 {
        let (url, client, code, verifier) = (
            app.url.clone(),
            client.clone(),
            code.clone(),
            verifier.clone(),
        );
        handles.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{url}/oauth2/token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", client.as_str()),
                    ("code", code.as_str()),
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", verifier.as_str()),
                ])
                .send()
                .await
                .expect("token request")
                .status()
                .as_u16()
        }));
    }
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.expect("task"));
    }
    let ok = results.iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 1, "exactly one redemption wins: {results:?}");
}

#[tokio::test]
async fn confidential_clients_must_authenticate() {
    let app = spawn_app().await;
    let pool = app.create_pool("conf").await;
    let (client, secret) = app.create_client(&pool, true).await;
    let secret = secret.unwrap();
    app.confirmed_user(&client, "cora").await;
    let (verifier, challenge) = pkce();
    let (code, _) = code_for(
        &app,
        &client,
        &app.authorize_url(&client, &challenge, "s", "n"),
        "cora",
    )
    .await;

    let token = |auth: Option<(&str, &str)>, form_secret: Option<&str>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", client.clone()),
            ("code", code.clone()),
            ("redirect_uri", CALLBACK.to_string()),
            ("code_verifier", verifier.clone()),
        ];
        if let Some(s) = form_secret {
            form.push(("client_secret", s.to_string()));
        }
        let mut req = reqwest::Client::new().post(format!("{}/oauth2/token", app.url));
        if let Some((id, s)) = auth {
            req = req.basic_auth(id, Some(s));
        }
        req.form(&form).send()
    };
    let res = token(None, None).await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let res = token(Some((&client, "wrong")), None).await.unwrap();
    assert_eq!(res.status(), 401);
    let res = token(None, Some("wrong")).await.unwrap();
    assert_eq!(res.status(), 401);
    let res = token(Some((&client, &secret)), None).await.unwrap();
    assert_eq!(res.status(), 200, "client_secret_basic");
}

#[tokio::test]
async fn tokens_and_discovery_reject_nonsense() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[("grant_type", "password"), ("client_id", client.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%=&&&")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    for bad in [
        "",
        "Bearer",
        "Bearer x.y.z",
        "Bearer not-a-jwt",
        "Basic abc",
    ] {
        let res = reqwest::Client::new()
            .get(format!("{}/oauth2/userInfo", app.url))
            .header("authorization", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{bad}");
    }
    let res = reqwest::get(format!(
        "{}/local_nopool123/.well-known/openid-configuration",
        app.url
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    let jwks: Value = reqwest::get(format!("{}/{pool}/.well-known/jwks.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert!(key.get("d").is_none(), "no private part in the JWKS");
}

#[tokio::test]
async fn codes_are_bound_to_client_redirect_uri_and_time() {
    let app = spawn_app().await;
    let pool = app.create_pool("bound").await;
    let (client, _) = app.create_client(&pool, false).await;
    let (other, _) = app.create_client(&pool, false).await;
    app.confirmed_user(&client, "bea").await;
    let (verifier, challenge) = pkce();
    let url = app.authorize_url(&client, &challenge, "s", "n");

    // Another client cannot redeem it.
    let (code, _) = code_for(&app, &client, &url, "bea").await;
    let res = exchange(&app, &other, &code, &verifier).await;
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // A missing or different redirect_uri fails.
    for redirect in [None, Some("http://localhost:3000/other")] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", code.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        if let Some(r) = redirect {
            form.push(("redirect_uri", r));
        }
        let res = reqwest::Client::new()
            .post(format!("{}/oauth2/token", app.url))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    }
    // None of those failures consumed it: the rightful request works.
    let res = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(res.status(), 200);

    // An expired code fails.
    let (code, _) = code_for(&app, &client, &url, "bea").await;
    app.db()
        .with_conn(|conn| {
            use diesel::prelude::*;
            diesel::update(cognate::db::schema::auth_codes::table)
                .set(cognate::db::schema::auth_codes::expires_at.eq(0i64))
                .execute(conn)?;
            Ok(())
        })
        .unwrap();
    let res = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
}

#[tokio::test]
async fn prompt_none_and_prompt_login() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "pru").await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let url = app.authorize_url(&client, &challenge, "st", "n");

    let res = http.get(format!("{url}&prompt=none")).send().await.unwrap();
    let to = location(&res).to_string();
    assert!(to.starts_with(CALLBACK));
    assert_eq!(query_param(&to, "error").as_deref(), Some("login_required"));
    assert_eq!(query_param(&to, "state").as_deref(), Some("st"));

    http.get(&url).send().await.unwrap();
    let res = app.submit_login(&http, &client, "pru", PASSWORD).await;
    assert!(location(&res).starts_with(CALLBACK));
    // Signed in: prompt=none returns a code at once...
    let res = http.get(format!("{url}&prompt=none")).send().await.unwrap();
    assert!(query_param(location(&res), "code").is_some());
    // ...and prompt=login asks again.
    let res = http
        .get(format!("{url}&prompt=login"))
        .send()
        .await
        .unwrap();
    assert!(location(&res).starts_with("/login?"));
    let res = http
        .get(format!("{url}&prompt=none%20login"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(location(&res), "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn logout_with_redirect_uri_goes_back_to_sign_in() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let q = serde_urlencoded::to_string([
        ("client_id", client.as_str()),
        ("redirect_uri", CALLBACK),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("state", "again"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    let res = http
        .get(format!("{}/logout?{q}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let login = app.absolute(location(&res));
    assert!(login.contains("/login?"));
    let res = http.get(&login).send().await.unwrap();
    assert_eq!(res.status(), 200, "the sign-in page accepts the request");
}

#[tokio::test]
async fn identity_providers_the_client_does_not_list_are_refused() {
    let app = spawn_app().await;
    let pool = app.create_pool("idp").await;
    let (client, _) = app.create_client(&pool, false).await;
    let (_, challenge) = pkce();
    let url = app.authorize_url(&client, &challenge, "s", "n");
    let res = app
        .browser()
        .get(format!("{url}&identity_provider=Google"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(location(&res), "error").as_deref(),
        Some("invalid_request")
    );

    // A client without COGNITO offers no password sign-in.
    app.cognito()
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .callback_urls(CALLBACK)
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .send()
        .await
        .unwrap();
    let res = app
        .browser()
        .get(url.replace("openid+email", "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(location(&res), "error").as_deref(),
        Some("unauthorized_client")
    );
}

#[tokio::test]
async fn a_client_secret_with_a_plus_works_in_basic_auth() {
    let app = spawn_app().await;
    let pool = app.create_pool("plus").await;
    let secret = "abc+def+ghi+jkl+mno+pqr+stu+vwx";
    let client = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("plus")
        .client_secret(secret)
        .callback_urls(CALLBACK)
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .and_then(|c| c.client_id().map(str::to_string))
        .unwrap();
    // A bad code, but a good client: the error is about the code.
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth(&client, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth(&client, Some(secret.replace('+', " ")))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
}
