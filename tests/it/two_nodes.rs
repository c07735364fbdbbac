//! Several stateless nodes on one database, behind a load balancer that
//! needs nothing sticky: real `cognate` processes on the test's database
//! (SQLite: one WAL file shared by the processes; PostgreSQL with
//! `COGNATE_TEST_DATABASE_URL`), behind an in-test round-robin TCP proxy
//! that is their public URL ([`Cluster`]). A case that names "A" or "B"
//! talks to that node directly; everything else goes through the proxy.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cognito;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cognito::types::{AttributeType, AuthFlowType};
use serde_json::Value;

use crate::helpers::{jwt_header, location, pkce, post_form, query_param, CALLBACK, PASSWORD};
use crate::support::cluster::{browser, Cluster};

/// The code-for-tokens exchange at `base` as the public client.
async fn redeem(base: &str, client: &str, code: &str, verifier: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token request")
}

/// The refresh grant at `base` as the public client.
async fn refresh(base: &str, client: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", token),
        ])
        .send()
        .await
        .expect("refresh request")
}

/// A `/oauth2/token` refusal: 400 with `invalid_grant`.
async fn assert_invalid_grant(res: reqwest::Response, what: &str) {
    assert_eq!(res.status(), 400, "{what}");
    let body: Value = res.json().await.expect("JSON error");
    assert_eq!(body["error"], "invalid_grant", "{what}: {body}");
}

/// The code a redirect back to the app carries, after checking `state`.
fn code_of(res: &reqwest::Response, state: &str) -> String {
    assert_eq!(res.status(), 302);
    let back = location(res);
    assert!(back.starts_with(CALLBACK), "back to the app: {back}");
    assert_eq!(query_param(back, "state").as_deref(), Some(state));
    query_param(back, "code").expect("a code")
}

async fn initiate(
    api: &cognito::Client,
    client: &str,
    name: &str,
    password: &str,
) -> Result<(), String> {
    api.initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| {
            e.as_service_error()
                .and_then(|s| s.meta().message())
                .map_or_else(|| format!("{e:?}"), str::to_string)
        })
        .map(|out| {
            assert!(
                out.authentication_result()
                    .and_then(|r| r.access_token())
                    .is_some(),
                "tokens, no challenge"
            );
        })
}

/// SignUp on node `on`; the e-mailed code.
async fn sign_up(cluster: &Cluster, on: usize, client: &str, name: &str) -> String {
    let email = format!("{name}@example.com");
    cluster
        .api(on)
        .sign_up()
        .client_id(client)
        .username(name)
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(&email)
                .build()
                .expect("attribute"),
        )
        .send()
        .await
        .expect("SignUp");
    cluster
        .app
        .mail
        .wait_for(&email)
        .await
        .code()
        .expect("a code in the e-mail")
}

#[tokio::test]
async fn sign_up_codes_and_lockout_hold_across_nodes() {
    const A: usize = 0;
    const B: usize = 1;
    let cluster = Cluster::start(2).await;
    let app = &cluster.app;
    let pool = app.create_pool("two-nodes").await;
    let client = app.create_api_client(&pool).await;

    // SignUp on A, ConfirmSignUp with the e-mailed code on B, sign-in on B.
    let code = sign_up(&cluster, A, &client, "ada").await;
    cluster
        .api(B)
        .confirm_sign_up()
        .client_id(&client)
        .username("ada")
        .confirmation_code(&code)
        .send()
        .await
        .expect("ConfirmSignUp on B with the code A sent");
    initiate(&cluster.api(B), &client, "ada", PASSWORD)
        .await
        .expect("InitiateAuth on B");
    assert!(
        cluster
            .api(A)
            .confirm_sign_up()
            .client_id(&client)
            .username("ada")
            .confirmation_code(&code)
            .send()
            .await
            .is_err(),
        "the sign-up code used on B is spent on A"
    );

    // A reset code used on A fails on B.
    cluster
        .api(B)
        .forgot_password()
        .client_id(&client)
        .username("ada")
        .send()
        .await
        .expect("ForgotPassword on B");
    let reset = app
        .mail
        .wait_for("ada@example.com")
        .await
        .code()
        .expect("a reset code");
    cluster
        .api(A)
        .confirm_forgot_password()
        .client_id(&client)
        .username("ada")
        .confirmation_code(&reset)
        .password("Second-Horse-8")
        .send()
        .await
        .expect("ConfirmForgotPassword on A");
    let err = cluster
        .api(B)
        .confirm_forgot_password()
        .client_id(&client)
        .username("ada")
        .confirmation_code(&reset)
        .password("Third-Horse-7")
        .send()
        .await
        .expect_err("the reset code used on A is spent on B");
    let e = err.as_service_error().expect("a service error");
    assert!(
        e.is_code_mismatch_exception() || e.is_expired_code_exception(),
        "{e:?}"
    );
    assert_eq!(
        initiate(&cluster.api(B), &client, "ada", "Third-Horse-7").await,
        Err("Incorrect username or password.".into()),
        "the replayed reset set nothing"
    );
    initiate(&cluster.api(B), &client, "ada", "Second-Horse-8")
        .await
        .expect("the password set on A signs in on B");

    // Wrong passwords alternating between A and B count towards one
    // lockout: after five, even the right password is refused, on either.
    let code = sign_up(&cluster, A, &client, "lou").await;
    cluster
        .api(B)
        .confirm_sign_up()
        .client_id(&client)
        .username("lou")
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
    // One client per node, kept: the attempts follow each other closely.
    let apis = [cluster.api(A), cluster.api(B)];
    for attempt in 0..5 {
        let node = attempt % 2;
        assert_eq!(
            initiate(&apis[node], &client, "lou", "Wrong-pass-1").await,
            Err("Incorrect username or password.".into()),
            "wrong password #{} on node {node}",
            attempt + 1
        );
    }
    // The fifth failure locks for a second. Had each node its own count,
    // eight alternating attempts would leave four on each and no lock; one
    // shared count locks the user by the sixth to eighth attempt (later
    // ones if a slow machine lets a one-second lock pass first).
    let mut failures = 5;
    let locked = loop {
        let node = failures % 2;
        match initiate(&apis[node], &client, "lou", "Wrong-pass-1").await {
            Err(m) if m == "Password attempts exceeded" => break true,
            Err(m) if m == "Incorrect username or password." && failures < 8 => failures += 1,
            other => panic!("attempt #{} on node {node}: {other:?}", failures + 1),
        }
    };
    assert!(locked, "locked out by failures counted on both nodes");
    // Even the right password is refused while the lock lasts, on either.
    assert_eq!(
        initiate(&apis[B], &client, "lou", PASSWORD).await,
        Err("Password attempts exceeded".into())
    );
    let lock_ms = 1000u64 << (failures - 5);
    tokio::time::sleep(Duration::from_millis(lock_ms + 700)).await;
    initiate(&apis[A], &client, "lou", PASSWORD)
        .await
        .expect("signs in once the lock has passed");
}

#[tokio::test]
async fn sessions_codes_and_tokens_are_shared_by_the_nodes() {
    const A: usize = 0;
    const B: usize = 1;
    let cluster = Cluster::start(2).await;
    let app = &cluster.app;
    let (pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "nora").await;

    // Through the proxy with a new connection per request: each step lands
    // on the other node (authorize on one, the login page on the other, its
    // form posted back to the first, the code redeemed on the second).
    let before = cluster.hits();
    let lb = browser(false);
    let (verifier, challenge) = pkce();
    let res = lb
        .get(app.authorize_url(&client, &challenge, "st-lb", "n-lb"))
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), 302);
    let res = app.submit_login(&lb, &client, "nora", PASSWORD).await;
    let code = code_of(&res, "st-lb");
    let res = redeem(&app.url, &client, &code, &verifier).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let after = cluster.hits();
    for node in [A, B] {
        assert_eq!(
            after[node] - before[node],
            2,
            "node {node} served half of the sign-in: {before:?} -> {after:?}"
        );
    }

    // Hosted sign-in on A.
    let http = browser(true);
    let (v1, c1) = pkce();
    let res = http
        .get(cluster.at(A, &app.authorize_url(&client, &c1, "st-a", "n-a")))
        .send()
        .await
        .expect("authorize on A");
    assert_eq!(res.status(), 302);
    assert!(
        location(&res).contains("/login?client_id="),
        "to the login page"
    );
    let login = format!("{}/login?client_id={client}", cluster.node(A));
    let res = post_form(
        &http,
        &login,
        &login,
        &[("username", "nora"), ("password", PASSWORD)],
    )
    .await;
    let code1 = code_of(&res, "st-a");

    // The same browser gets a code from B without a login page.
    let (v2, c2) = pkce();
    let res = http
        .get(cluster.at(B, &app.authorize_url(&client, &c2, "st-b", "n-b")))
        .send()
        .await
        .expect("authorize on B");
    let code2 = code_of(&res, "st-b");

    // Tokens issued on A.
    let res = redeem(cluster.node(A), &client, &code1, &v1).await;
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.expect("tokens");
    let id_token = tokens["id_token"].as_str().expect("ID token");
    let access = tokens["access_token"].as_str().expect("access token");
    let refresh_token = tokens["refresh_token"].as_str().expect("refresh token");

    // The JWKS is the same on A and B, and B's verifies A's tokens.
    let jwks = |i: usize| {
        let url = format!("{}/{pool}/.well-known/jwks.json", cluster.node(i));
        async move {
            reqwest::get(url)
                .await
                .expect("JWKS")
                .json::<Value>()
                .await
                .expect("JWKS JSON")
        }
    };
    let jwks_b = jwks(B).await;
    assert_eq!(jwks(A).await, jwks_b, "one JWKS for both nodes");
    let issuer = format!("{}/{pool}", app.url);
    verify_with(&jwks_b, id_token, access, &client, &issuer, "n-a");

    // A refresh token issued on A refreshes on B; revoked on B, it fails on
    // A, and the access token refreshed on B dies with it.
    let res = refresh(cluster.node(B), &client, refresh_token).await;
    assert_eq!(res.status(), 200, "refresh on B");
    let refreshed: Value = res.json().await.expect("tokens");
    let new_access = refreshed["access_token"].as_str().expect("access token");
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", cluster.node(B)))
        .form(&[("client_id", client.as_str()), ("token", refresh_token)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), 200, "revoke on B");
    assert_invalid_grant(
        refresh(cluster.node(A), &client, refresh_token).await,
        "refresh on A after the revocation on B",
    )
    .await;
    let res = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", cluster.node(A)))
        .bearer_auth(new_access)
        .send()
        .await
        .expect("userInfo");
    assert_eq!(res.status(), 401, "the access token of a revoked sign-in");

    // A code redeemed on A cannot be replayed on B.
    let res = redeem(cluster.node(A), &client, &code2, &v2).await;
    assert_eq!(res.status(), 200, "redeem on A");
    assert_invalid_grant(
        redeem(cluster.node(B), &client, &code2, &v2).await,
        "replay on B",
    )
    .await;

    // Ten parallel redemptions of one code, split across A and B: one wins.
    let (v3, c3) = pkce();
    let res = http
        .get(cluster.at(B, &app.authorize_url(&client, &c3, "st-3", "n-3")))
        .send()
        .await
        .expect("authorize on B");
    let code3 = code_of(&res, "st-3");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (base, client, code, verifier) = (
            cluster.node(i % 2).to_string(),
            client.clone(),
            code3.clone(),
            v3.clone(),
        );
        tasks.spawn(async move {
            let res = redeem(&base, &client, &code, &verifier).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.expect("JSON");
            (status, body)
        });
    }
    let mut won = 0;
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.expect("redeem task");
        match status {
            200 => won += 1,
            400 => assert_eq!(body["error"], "invalid_grant", "{body}"),
            _ => panic!("{status}: {body}"),
        }
    }
    assert_eq!(won, 1, "exactly one of ten parallel redemptions succeeds");
}

/// Checks that `id_token` and `access` verify against `jwks` (another
/// node's): the ID token with openidconnect (signature, `iss`, `aud`,
/// `nonce`), the
/// access token's RS256 signature by hand.
fn verify_with(
    jwks: &Value,
    id_token: &str,
    access: &str,
    client: &str,
    issuer: &str,
    nonce: &str,
) {
    use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
    use openidconnect::{ClientId, IssuerUrl, Nonce};

    let keys: CoreJsonWebKeySet = serde_json::from_value(jwks.clone()).expect("a JWK set");
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(client.into()),
        IssuerUrl::new(issuer.into()).expect("issuer"),
        keys,
    );
    let parsed: CoreIdToken = id_token.parse().expect("an ID token");
    parsed
        .claims(&verifier, &Nonce::new(nonce.into()))
        .expect("A's ID token verifies with B's JWKS, iss = the public URL");

    let kid = jwt_header(access)["kid"].clone();
    assert_eq!(kid, jwt_header(id_token)["kid"]);
    let key = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} in the other node's JWKS: {jwks}"));
    let b64 = |v: &Value| {
        URL_SAFE_NO_PAD
            .decode(v.as_str().expect("string"))
            .expect("base64url")
    };
    let (n, e) = (b64(&key["n"]), b64(&key["e"]));
    let (signed, signature) = access.rsplit_once('.').expect("a JWT");
    aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            signed.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).expect("base64url"),
        )
        .expect("A's access token verifies with B's key");
}

diesel::table! {
    __diesel_schema_migrations (version) {
        version -> Text,
    }
}

#[tokio::test]
async fn three_nodes_starting_at_once_on_an_empty_database() {
    let cluster = Cluster::start(3).await;

    // The configured key pair works on each; what one writes, all see.
    let made = cluster
        .api(0)
        .create_user_pool()
        .pool_name("started-together")
        .send()
        .await
        .expect("CreateUserPool on node 0");
    let id = made
        .user_pool()
        .and_then(|p| p.id())
        .expect("pool id")
        .to_string();
    for i in 0..3 {
        let pools = cluster
            .api(i)
            .list_user_pools()
            .max_results(10)
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListUserPools on node {i}: {e:?}"));
        assert!(
            pools
                .user_pools()
                .iter()
                .any(|p| p.id() == Some(id.as_str())),
            "node {i} lists the pool"
        );
    }

    // Every migration is recorded once.
    let url = cluster.app.database.url();
    let (backend, applied) = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        let db = cognate::db::Db::open(&url).expect("open the database");
        let applied: i64 = db
            .with_conn(|conn| Ok(__diesel_schema_migrations::table.count().get_result(conn)?))
            .expect("count the applied migrations");
        (db.backend(), applied)
    })
    .await
    .expect("count task");
    let dir = match backend {
        cognate::db::Backend::Sqlite => "sqlite",
        cognate::db::Backend::Pg => "postgres",
    };
    let shipped = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
        .expect("migrations directory")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    assert_eq!(applied, shipped as i64, "each {dir} migration applied once");
}
