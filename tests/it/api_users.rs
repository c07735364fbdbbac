//! The user operations through aws-sdk-rust: GetUser, DeleteUserAttributes,
//! GlobalSignOut, DeleteUser and RevokeToken (public), and AdminGetUser,
//! AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminConfirmSignUp,
//! AdminDeleteUserAttributes, AdminUserGlobalSignOut and ListUsers (SigV4).
//! A sign-out or a revocation is proven by a token that stopped working.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::error::ProvideErrorMetadata;
use cognito::types::{
    AliasAttributeType, AttributeType, AuthFlowType, AuthenticationResultType,
    ExplicitAuthFlowsType, SmsMfaSettingsType, TimeUnitsType, UserStatusType, UserType,
};
use serde_json::Value;

use crate::helpers::{exchange, jwt_claims, pkce, query_param, spawn_app, TestApp, PASSWORD};

const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// The exception name and message of a failed call.
fn fails<T, E: ProvideErrorMetadata>(r: Result<T, E>) -> (String, String) {
    match r {
        Ok(_) => panic!("the call succeeded"),
        Err(e) => (
            e.code().unwrap_or_default().to_string(),
            e.message().unwrap_or_default().to_string(),
        ),
    }
}

/// A user by SignUp (the code e-mail goes unread), with `extra` attributes.
async fn sign_up(app: &TestApp, client: &str, name: &str, extra: &[(&str, &str)]) {
    let mut req = app
        .cognito()
        .sign_up()
        .client_id(client)
        .username(name)
        .password(PASSWORD)
        .user_attributes(attr("email", &format!("{name}@example.com")));
    for (n, v) in extra {
        req = req.user_attributes(attr(n, v));
    }
    req.send().await.expect("SignUp");
}

/// A confirmed user: SignUp, then AdminConfirmSignUp.
async fn confirmed(app: &TestApp, pool: &str, client: &str, name: &str, extra: &[(&str, &str)]) {
    sign_up(app, client, name, extra).await;
    app.cognito()
        .admin_confirm_sign_up()
        .user_pool_id(pool)
        .username(name)
        .send()
        .await
        .expect("AdminConfirmSignUp");
}

async fn try_sign_in(
    app: &TestApp,
    client: &str,
    name: &str,
) -> Result<AuthenticationResultType, (String, String)> {
    app.cognito()
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map(|o| o.authentication_result().expect("tokens").clone())
        .map_err(|e| {
            (
                e.code().unwrap_or_default().to_string(),
                e.message().unwrap_or_default().to_string(),
            )
        })
}

async fn sign_in(app: &TestApp, client: &str, name: &str) -> AuthenticationResultType {
    try_sign_in(app, client, name).await.expect("InitiateAuth")
}

fn access(t: &AuthenticationResultType) -> String {
    t.access_token().expect("access token").to_string()
}

fn refresh(t: &AuthenticationResultType) -> String {
    t.refresh_token().expect("refresh token").to_string()
}

async fn get_user(
    app: &TestApp,
    token: &str,
) -> Result<
    cognito::operation::get_user::GetUserOutput,
    cognito::error::SdkError<cognito::operation::get_user::GetUserError>,
> {
    app.cognito().get_user().access_token(token).send().await
}

/// The code and message GetUser answers a token that no longer works.
async fn get_user_refused(app: &TestApp, token: &str) -> (String, String) {
    fails(get_user(app, token).await)
}

async fn refresh_fails(app: &TestApp, client: &str, token: &str) -> (String, String) {
    fails(
        app.cognito()
            .initiate_auth()
            .client_id(client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", token)
            .send()
            .await,
    )
}

async fn userinfo_status(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("userInfo")
        .status()
        .as_u16()
}

fn attribute<'a>(list: &'a [AttributeType], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

async fn admin_get(
    app: &TestApp,
    pool: &str,
    name: &str,
) -> Result<
    cognito::operation::admin_get_user::AdminGetUserOutput,
    cognito::error::SdkError<cognito::operation::admin_get_user::AdminGetUserError>,
> {
    app.cognito()
        .admin_get_user()
        .user_pool_id(pool)
        .username(name)
        .send()
        .await
}

async fn setup(app: &TestApp) -> (String, String) {
    let pool = app.create_pool("users").await;
    let client = app.create_api_client(&pool).await;
    (pool, client)
}

#[tokio::test]
async fn get_user_answers_for_the_access_token_and_refuses_bad_ones() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app).await;
    confirmed(&app, &pool, &client, "gina", &[("given_name", "Gina")]).await;
    let tokens = sign_in(&app, &client, "gina").await;
    let token = access(&tokens);
    assert_eq!(jwt_claims(&token)["scope"], ADMIN_SCOPE);

    let out = get_user(&app, &token).await.expect("GetUser");
    assert_eq!(out.username(), "gina");
    let attrs = out.user_attributes();
    let sub = attribute(attrs, "sub").expect("sub").to_string();
    assert_eq!(sub, jwt_claims(&token)["sub"]);
    assert_eq!(attribute(attrs, "email"), Some("gina@example.com"));
    assert_eq!(attribute(attrs, "given_name"), Some("Gina"));
    assert!(out.user_mfa_setting_list().is_empty());
    assert!(out.preferred_mfa_setting().is_none());

    let invalid = get_user_refused(&app, "not.a-token").await;
    assert_eq!(invalid.0, "NotAuthorizedException");
    assert_eq!(invalid.1, "Invalid Access Token");
    // The ID token is no access token.
    let id = tokens.id_token().unwrap();
    assert_eq!(
        get_user_refused(&app, id).await,
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
    // A tampered token fails its signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[2] = parts[2].chars().rev().collect();
    assert_eq!(
        get_user_refused(&app, &parts.join(".")).await.1,
        "Invalid Access Token"
    );

    // An expired token, signed with the pool's own key.
    let keys = cognate::tokens::KeyRing::new(app.db());
    let now = cognate::directory::unix_now();
    let pool_keys = keys.keys(&pool, now).await.unwrap();
    let mut claims = jwt_claims(&token);
    claims["iat"] = (now - 7200).into();
    claims["exp"] = (now - 3600).into();
    let expired = cognate::tokens::jwt::sign(&pool_keys[0], &claims).unwrap();
    assert_eq!(
        get_user_refused(&app, &expired).await,
        (
            "NotAuthorizedException".into(),
            "Access Token has expired".into()
        )
    );
}

#[tokio::test]
async fn tokens_of_the_code_flow_need_the_admin_scope() {
    let app = spawn_app().await;
    let (_pool, client) = app.pool_and_client().await;
    let (verifier, challenge) = pkce();
    let http = app.browser();
    let back = app
        .sign_up_through_pages(&http, &client, "olga", "olga@example.com", &challenge)
        .await;
    let code = query_param(&back, "code").expect("code");
    let body: Value = exchange(&app, &client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(jwt_claims(token)["scope"], "openid email");
    assert_eq!(
        get_user_refused(&app, token).await,
        (
            "NotAuthorizedException".into(),
            "Access Token does not have required scopes".into()
        )
    );
}

#[tokio::test]
async fn token_lifetimes_follow_the_client() {
    let app = spawn_app().await;
    let pool = app.create_pool("lifetimes").await;
    let client = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("short")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .access_token_validity(2)
        .id_token_validity(90)
        .refresh_token_validity(7)
        .token_validity_units(
            cognito::types::TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Hours)
                .id_token(TimeUnitsType::Minutes)
                .refresh_token(TimeUnitsType::Days)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .and_then(|c| c.client_id().map(str::to_string))
        .unwrap();
    confirmed(&app, &pool, &client, "luke", &[]).await;
    let t = sign_in(&app, &client, "luke").await;
    assert_eq!(t.expires_in(), 7200);
    let a = jwt_claims(&access(&t));
    assert_eq!(
        a["exp"].as_i64().unwrap() - a["iat"].as_i64().unwrap(),
        7200
    );
    let id = jwt_claims(t.id_token().unwrap());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        5400
    );
    let lifetime: i64 = app
        .db()
        .with_conn(|conn| {
            use cognate::db::schema::refresh_tokens as r;
            use diesel::prelude::*;
            let (created, expires): (i64, i64) = r::table
                .select((r::created_at, r::expires_at))
                .first(conn)?;
            Ok(expires - created)
        })
        .unwrap();
    assert_eq!(lifetime, 7 * 86_400);
}

#[tokio::test]
async fn admin_get_user_finds_users_by_name_alias_and_sub() {
    let app = spawn_app().await;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("aliases")
        .alias_attributes(AliasAttributeType::Email)
        .auto_verified_attributes(cognito::types::VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    let client = app.create_api_client(&pool).await;
    sign_up(&app, &client, "hana", &[("family_name", "Ito")]).await;
    // ConfirmSignUp with the code verifies the e-mail: it becomes an alias.
    let code = app.mail.wait_for("hana@example.com").await.code().unwrap();
    app.cognito()
        .confirm_sign_up()
        .client_id(&client)
        .username("hana")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();

    let by_name = admin_get(&app, &pool, "hana").await.expect("AdminGetUser");
    assert_eq!(by_name.username(), "hana");
    assert_eq!(by_name.user_status(), Some(&UserStatusType::Confirmed));
    assert!(by_name.enabled());
    assert!(by_name.user_create_date().is_some());
    assert!(by_name.user_last_modified_date().is_some());
    let attrs = by_name.user_attributes();
    assert_eq!(attribute(attrs, "email_verified"), Some("true"));
    assert_eq!(attribute(attrs, "family_name"), Some("Ito"));
    let sub = attribute(attrs, "sub").unwrap().to_string();
    for name in ["hana@example.com", sub.as_str()] {
        let found = admin_get(&app, &pool, name).await.expect(name);
        assert_eq!(found.username(), "hana", "{name}");
    }

    // MFA settings show once the user has SMS MFA.
    app.cognito()
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("hana")
        .user_attributes(attr("phone_number", "+15555550123"))
        .user_attributes(attr("phone_number_verified", "true"))
        .send()
        .await
        .unwrap();
    app.cognito()
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("hana")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let with_mfa = admin_get(&app, &pool, "hana").await.unwrap();
    assert_eq!(with_mfa.user_mfa_setting_list(), ["SMS_MFA".to_string()]);
    assert_eq!(with_mfa.preferred_mfa_setting(), Some("SMS_MFA"));
    let options = with_mfa.mfa_options();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].attribute_name(), Some("phone_number"));

    let (code, message) = fails(admin_get(&app, &pool, "nobody").await);
    assert_eq!(code, "UserNotFoundException");
    assert_eq!(message, "User does not exist.");
    let (code, _) = fails(admin_get(&app, &pool, "nobody@example.com").await);
    assert_eq!(code, "UserNotFoundException");
    let (code, _) = fails(admin_get(&app, "local_NoSuchPl", "hana").await);
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn admin_confirm_disable_and_enable() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app).await;
    sign_up(&app, &client, "ivan", &[]).await;
    assert_eq!(
        admin_get(&app, &pool, "ivan").await.unwrap().user_status(),
        Some(&UserStatusType::Unconfirmed)
    );
    let (code, _) = try_sign_in(&app, &client, "ivan").await.unwrap_err();
    assert_eq!(code, "UserNotConfirmedException");
    app.cognito()
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("ivan")
        .send()
        .await
        .expect("AdminConfirmSignUp");
    assert_eq!(
        admin_get(&app, &pool, "ivan").await.unwrap().user_status(),
        Some(&UserStatusType::Confirmed)
    );
    let (code, message) = fails(
        app.cognito()
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username("ivan")
            .send()
            .await,
    );
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        message,
        "User cannot be confirmed. Current status is CONFIRMED"
    );
    let (code, _) = fails(
        app.cognito()
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");

    let tokens = sign_in(&app, &client, "ivan").await;
    app.cognito()
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("ivan")
        .send()
        .await
        .expect("AdminDisableUser");
    assert!(!admin_get(&app, &pool, "ivan").await.unwrap().enabled());
    // Disabling revoked the tokens and refuses new sign-ins.
    assert_eq!(
        get_user_refused(&app, &access(&tokens)).await,
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    assert_eq!(
        refresh_fails(&app, &client, &refresh(&tokens)).await.0,
        "NotAuthorizedException"
    );
    assert_eq!(
        try_sign_in(&app, &client, "ivan").await.unwrap_err(),
        ("NotAuthorizedException".into(), "User is disabled.".into())
    );

    app.cognito()
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("ivan")
        .send()
        .await
        .expect("AdminEnableUser");
    assert!(admin_get(&app, &pool, "ivan").await.unwrap().enabled());
    let again = sign_in(&app, &client, "ivan").await;
    get_user(&app, &access(&again)).await.expect("works again");

    for r in [
        fails(
            app.cognito()
                .admin_disable_user()
                .user_pool_id(&pool)
                .username("nobody")
                .send()
                .await,
        ),
        fails(
            app.cognito()
                .admin_enable_user()
                .user_pool_id(&pool)
                .username("nobody")
                .send()
                .await,
        ),
    ] {
        assert_eq!(r.0, "UserNotFoundException");
    }
}

#[tokio::test]
async fn global_sign_out_ends_every_sign_in_of_the_user() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app).await;
    confirmed(&app, &pool, &client, "jack", &[]).await;
    confirmed(&app, &pool, &client, "kate", &[]).await;
    let first = sign_in(&app, &client, "jack").await;
    let second = sign_in(&app, &client, "jack").await;
    let other = sign_in(&app, &client, "kate").await;
    assert_eq!(userinfo_status(&app, &access(&second)).await, 200);

    app.cognito()
        .global_sign_out()
        .access_token(access(&first))
        .send()
        .await
        .expect("GlobalSignOut");
    for t in [&first, &second] {
        assert_eq!(
            get_user_refused(&app, &access(t)).await,
            (
                "NotAuthorizedException".into(),
                "Access Token has been revoked".into()
            )
        );
        assert_eq!(
            refresh_fails(&app, &client, &refresh(t)).await.0,
            "NotAuthorizedException"
        );
        assert_eq!(userinfo_status(&app, &access(t)).await, 401);
    }
    let (code, _) = fails(
        app.cognito()
            .global_sign_out()
            .access_token(access(&first))
            .send()
            .await,
    );
    assert_eq!(code, "NotAuthorizedException");
    // Another user is untouched; signing in again works.
    get_user(&app, &access(&other))
        .await
        .expect("kate still in");
    let fresh = sign_in(&app, &client, "jack").await;
    get_user(&app, &access(&fresh))
        .await
        .expect("a new sign-in");

    // The administrator's twin.
    app.cognito()
        .admin_user_global_sign_out()
        .user_pool_id(&pool)
        .username("jack")
        .send()
        .await
        .expect("AdminUserGlobalSignOut");
    assert_eq!(
        get_user_refused(&app, &access(&fresh)).await.1,
        "Access Token has been revoked"
    );
    get_user(&app, &access(&other))
        .await
        .expect("kate still in");
    let (code, _) = fails(
        app.cognito()
            .admin_user_global_sign_out()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");
}

#[tokio::test]
async fn revoke_token_ends_one_sign_in() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app).await;
    confirmed(&app, &pool, &client, "lena", &[]).await;
    let revoked = sign_in(&app, &client, "lena").await;
    let kept = sign_in(&app, &client, "lena").await;
    // An access token refreshed from the revoked one goes with it.
    let refreshed = app
        .cognito()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh(&revoked))
        .send()
        .await
        .unwrap()
        .authentication_result()
        .and_then(|r| r.access_token().map(str::to_string))
        .unwrap();

    app.cognito()
        .revoke_token()
        .client_id(&client)
        .token(refresh(&revoked))
        .send()
        .await
        .expect("RevokeToken");
    for token in [access(&revoked), refreshed] {
        assert_eq!(
            get_user_refused(&app, &token).await,
            (
                "NotAuthorizedException".into(),
                "Access Token has been revoked".into()
            )
        );
        assert_eq!(userinfo_status(&app, &token).await, 401);
    }
    assert_eq!(
        refresh_fails(&app, &client, &refresh(&revoked)).await.0,
        "NotAuthorizedException"
    );
    // The other sign-in stands.
    get_user(&app, &access(&kept))
        .await
        .expect("the other sign-in");
    assert_eq!(userinfo_status(&app, &access(&kept)).await, 200);

    // Revoking again, or an unknown token, is no error.
    for token in [refresh(&revoked), "unknown-refresh-token".to_string()] {
        app.cognito()
            .revoke_token()
            .client_id(&client)
            .token(token)
            .send()
            .await
            .expect("nothing to revoke");
    }
    let (code, _) = fails(
        app.cognito()
            .revoke_token()
            .client_id(&client)
            .token(access(&kept))
            .send()
            .await,
    );
    assert_eq!(code, "UnsupportedTokenTypeException");
    let (code, _) = fails(
        app.cognito()
            .revoke_token()
            .client_id("unknownclient123456789abcd")
            .token(refresh(&kept))
            .send()
            .await,
    );
    assert_eq!(code, "UnauthorizedException");
    get_user(&app, &access(&kept))
        .await
        .expect("still standing");

    // A client with a secret must send it.
    let (secret_client, secret) = app.create_client(&pool, true).await;
    let secret = secret.unwrap();
    for sent in [None, Some("wrong-secret-0123456789abcdef")] {
        let (code, _) = fails(
            app.cognito()
                .revoke_token()
                .client_id(&secret_client)
                .set_client_secret(sent.map(str::to_string))
                .token("some-refresh-token")
                .send()
                .await,
        );
        assert_eq!(code, "UnauthorizedException", "{sent:?}");
    }
    app.cognito()
        .revoke_token()
        .client_id(&secret_client)
        .client_secret(secret)
        .token("some-refresh-token")
        .send()
        .await
        .expect("the right secret");

    // A client with revocation turned off.
    let closed = app
        .cognito()
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("no-revocation")
        .enable_token_revocation(false)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .and_then(|c| c.client_id().map(str::to_string))
        .unwrap();
    let (code, _) = fails(
        app.cognito()
            .revoke_token()
            .client_id(&closed)
            .token("some-refresh-token")
            .send()
            .await,
    );
    assert_eq!(code, "UnsupportedOperationException");
}

/// Rows that name the user in the tables a user owns.
fn rows_of(app: &TestApp, sub: &str) -> i64 {
    let sub = sub.to_string();
    app.db()
        .with_conn(move |conn| {
            use cognate::db::schema::*;
            use diesel::prelude::*;
            let counts = [
                refresh_tokens::table
                    .filter(refresh_tokens::user_id.eq(&sub))
                    .count()
                    .get_result::<i64>(conn)?,
                codes::table
                    .filter(codes::user_id.eq(&sub))
                    .count()
                    .get_result::<i64>(conn)?,
                user_mfa::table
                    .filter(user_mfa::user_id.eq(&sub))
                    .count()
                    .get_result::<i64>(conn)?,
                user_aliases::table
                    .filter(user_aliases::user_id.eq(&sub))
                    .count()
                    .get_result::<i64>(conn)?,
                group_members::table
                    .filter(group_members::user_id.eq(&sub))
                    .count()
                    .get_result::<i64>(conn)?,
                users::table
                    .filter(users::id.eq(&sub))
                    .count()
                    .get_result::<i64>(conn)?,
            ];
            Ok(counts.iter().sum())
        })
        .unwrap()
}

/// Puts the user in a group, written straight to the tables.
fn join_group(app: &TestApp, pool: &str, sub: &str) {
    let (pool, sub) = (pool.to_string(), sub.to_string());
    app.db()
        .with_conn(move |conn| {
            use cognate::db::schema::{group_members as m, user_pool_groups as g};
            use diesel::prelude::*;
            let exists: i64 = g::table.find((&pool, "staff")).count().get_result(conn)?;
            if exists == 0 {
                diesel::insert_into(g::table)
                    .values((
                        g::pool_id.eq(&pool),
                        g::name.eq("staff"),
                        g::created_at.eq(0i64),
                        g::updated_at.eq(0i64),
                    ))
                    .execute(conn)?;
            }
            diesel::insert_into(m::table)
                .values((
                    m::pool_id.eq(&pool),
                    m::group_name.eq("staff"),
                    m::user_id.eq(&sub),
                    m::added_at.eq(0i64),
                ))
                .execute(conn)?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn deleting_a_user_removes_everything_of_it() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app).await;
    confirmed(&app, &pool, &client, "mona", &[]).await;
    confirmed(&app, &pool, &client, "nils", &[]).await;
    let tokens = sign_in(&app, &client, "mona").await;
    let sub = jwt_claims(&access(&tokens))["sub"]
        .as_str()
        .unwrap()
        .to_string();
    join_group(&app, &pool, &sub);
    // A failed sign-in is counted against the name.
    app.cognito()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "mona")
        .auth_parameters("PASSWORD", "Wrong-pass-1")
        .send()
        .await
        .expect_err("wrong password");
    assert!(rows_of(&app, &sub) >= 3);

    app.cognito()
        .delete_user()
        .access_token(access(&tokens))
        .send()
        .await
        .expect("DeleteUser");
    assert_eq!(rows_of(&app, &sub), 0);
    let failures: i64 = app
        .db()
        .with_conn(|conn| {
            use cognate::db::schema::sign_in_failures as f;
            use diesel::prelude::*;
            Ok(f::table.count().get_result(conn)?)
        })
        .unwrap();
    assert_eq!(failures, 0, "the name's failed sign-ins are forgotten");
    assert_eq!(
        fails(admin_get(&app, &pool, "mona").await).0,
        "UserNotFoundException"
    );
    assert_eq!(
        get_user_refused(&app, &access(&tokens)).await,
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    assert_eq!(
        refresh_fails(&app, &client, &refresh(&tokens)).await.0,
        "NotAuthorizedException"
    );
    // The name is free again.
    confirmed(&app, &pool, &client, "mona", &[]).await;
    sign_in(&app, &client, "mona").await;

    // AdminDeleteUser, by the user's sub.
    let nils = sign_in(&app, &client, "nils").await;
    let nils_sub = jwt_claims(&access(&nils))["sub"]
        .as_str()
        .unwrap()
        .to_string();
    app.cognito()
        .admin_delete_user()
        .user_pool_id(&pool)
        .username(&nils_sub)
        .send()
        .await
        .expect("AdminDeleteUser");
    assert_eq!(rows_of(&app, &nils_sub), 0);
    assert_eq!(
        get_user_refused(&app, &access(&nils)).await.0,
        "UserNotFoundException"
    );
    let (code, message) = fails(
        app.cognito()
            .admin_delete_user()
            .user_pool_id(&pool)
            .username("nils")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
}

#[tokio::test]
async fn deleting_attributes_refuses_required_ones_and_releases_aliases() {
    let app = spawn_app().await;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("deletable")
        .alias_attributes(AliasAttributeType::Email)
        .auto_verified_attributes(cognito::types::VerifiedAttributeType::Email)
        .schema(
            cognito::types::SchemaAttributeType::builder()
                .name("name")
                .attribute_data_type(cognito::types::AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    let client = app.create_api_client(&pool).await;
    sign_up(
        &app,
        &client,
        "otto",
        &[
            ("name", "Otto"),
            ("given_name", "Otto"),
            ("family_name", "Berg"),
            ("nickname", "ob"),
        ],
    )
    .await;
    let code = app.mail.wait_for("otto@example.com").await.code().unwrap();
    app.cognito()
        .confirm_sign_up()
        .client_id(&client)
        .username("otto")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    // The verified e-mail signs in as an alias.
    let token = access(&sign_in(&app, &client, "otto@example.com").await);

    app.cognito()
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("given_name")
        .send()
        .await
        .expect("DeleteUserAttributes");
    let attrs = get_user(&app, &token)
        .await
        .unwrap()
        .user_attributes()
        .to_vec();
    assert_eq!(attribute(&attrs, "given_name"), None);
    assert_eq!(attribute(&attrs, "family_name"), Some("Berg"));

    for (name, needle) in [
        ("name", "required"),
        ("sub", "unauthorized attribute"),
        ("email_verified", "unauthorized attribute"),
        ("custom:nothing", "does not exist"),
    ] {
        let (code, message) = fails(
            app.cognito()
                .delete_user_attributes()
                .access_token(&token)
                .user_attribute_names("family_name")
                .user_attribute_names(name)
                .send()
                .await,
        );
        assert_eq!(code, "InvalidParameterException", "{name}");
        assert!(message.contains(needle), "{name}: {message}");
    }
    // Nothing changed when one name was refused.
    let attrs = get_user(&app, &token)
        .await
        .unwrap()
        .user_attributes()
        .to_vec();
    assert_eq!(attribute(&attrs, "family_name"), Some("Berg"));

    // Deleting the e-mail takes its verified flag and the alias with it.
    app.cognito()
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("email")
        .send()
        .await
        .expect("the e-mail is optional here");
    let attrs = get_user(&app, &token)
        .await
        .unwrap()
        .user_attributes()
        .to_vec();
    assert_eq!(attribute(&attrs, "email"), None);
    assert_eq!(attribute(&attrs, "email_verified"), None);
    assert!(try_sign_in(&app, &client, "otto@example.com")
        .await
        .is_err());
    sign_in(&app, &client, "otto").await;

    // The administrator's twin.
    app.cognito()
        .admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("otto")
        .user_attribute_names("family_name")
        .user_attribute_names("nickname")
        .send()
        .await
        .expect("AdminDeleteUserAttributes");
    let attrs = admin_get(&app, &pool, "otto")
        .await
        .unwrap()
        .user_attributes()
        .to_vec();
    assert_eq!(attribute(&attrs, "family_name"), None);
    assert_eq!(attribute(&attrs, "nickname"), None);
    assert_eq!(attribute(&attrs, "name"), Some("Otto"));
    let (code, _) = fails(
        app.cognito()
            .admin_delete_user_attributes()
            .user_pool_id(&pool)
            .username("otto")
            .user_attribute_names("name")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = fails(
        app.cognito()
            .admin_delete_user_attributes()
            .user_pool_id(&pool)
            .username("nobody")
            .user_attribute_names("nickname")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");
    let (code, message) = fails(
        app.cognito()
            .delete_user_attributes()
            .access_token("garbage")
            .user_attribute_names("nickname")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Invalid Access Token")
    );
}

fn names(users: &[UserType]) -> BTreeSet<String> {
    users
        .iter()
        .map(|u| u.username().unwrap().to_string())
        .collect()
}

async fn list(
    app: &TestApp,
    pool: &str,
    filter: &str,
) -> Result<
    BTreeSet<String>,
    cognito::error::SdkError<cognito::operation::list_users::ListUsersError>,
> {
    app.cognito()
        .list_users()
        .user_pool_id(pool)
        .filter(filter)
        .send()
        .await
        .map(|o| names(o.users()))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn list_users_filters_pages_and_picks_attributes() {
    let app = spawn_app().await;
    let (pool, client) = setup(&app).await;
    confirmed(
        &app,
        &pool,
        &client,
        "alice",
        &[("given_name", "Alice"), ("family_name", "Smith")],
    )
    .await;
    confirmed(&app, &pool, &client, "bob", &[("name", "say \"hi\"")]).await;
    confirmed(
        &app,
        &pool,
        &client,
        "carol",
        &[("phone_number", "+15555550100")],
    )
    .await;
    sign_up(&app, &client, "dave", &[]).await;
    confirmed(&app, &pool, &client, "erin", &[("given_name", "Erin")]).await;
    app.cognito()
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("erin")
        .send()
        .await
        .unwrap();
    let carol_sub = attribute(
        admin_get(&app, &pool, "carol")
            .await
            .unwrap()
            .user_attributes(),
        "sub",
    )
    .unwrap()
    .to_string();

    let all = set(&["alice", "bob", "carol", "dave", "erin"]);
    assert_eq!(list(&app, &pool, "").await.unwrap(), all);
    for (filter, expected) in [
        (r#"username = "bob""#, set(&["bob"])),
        (r#"username = "BOB""#, set(&[])),
        (r#"username ^= "a""#, set(&["alice"])),
        (r#"email = "ALICE@example.com""#, set(&["alice"])),
        (r#"email ^= "c""#, set(&["carol"])),
        (r#""email"^="d""#, set(&["dave"])),
        (r#"email ^= """#, all.clone()),
        (r#"email = "alice""#, set(&[])),
        (r#"phone_number ^= "+1555""#, set(&["carol"])),
        (r#"given_name = "alice""#, set(&["alice"])),
        (r#"given_name ^= "E""#, set(&["erin"])),
        (r#"family_name = "Smith""#, set(&["alice"])),
        (r#"name = "say \"hi\"""#, set(&["bob"])),
        (r#"name ^= "say \"""#, set(&["bob"])),
        (r#"preferred_username = "x""#, set(&[])),
        (r#"cognito:user_status = "unconfirmed""#, set(&["dave"])),
        (
            r#"cognito:user_status = "CONFIRMED""#,
            set(&["alice", "bob", "carol", "erin"]),
        ),
        (r#"status = "Disabled""#, set(&["erin"])),
        (
            r#"status = "Enabled""#,
            set(&["alice", "bob", "carol", "dave"]),
        ),
        (r#"status = "enabled""#, set(&[])),
        (&format!("sub = \"{carol_sub}\""), set(&["carol"])),
        (&format!("sub ^= \"{}\"", &carol_sub[..8]), set(&["carol"])),
    ] {
        assert_eq!(
            list(&app, &pool, filter).await.unwrap(),
            expected,
            "{filter}"
        );
    }
    for (filter, message) in [
        ("username = bob", "Error while parsing filter."),
        ("username =", "Error while parsing filter."),
        (
            r#"email = "a" and name = "b""#,
            "Error while parsing filter.",
        ),
        (r#"email != "a""#, "Error while parsing filter."),
        (
            r#"custom:team = "x""#,
            "Invalid search attribute: custom:team",
        ),
        (r#"address = "x""#, "Invalid search attribute: address"),
    ] {
        let (code, got) = fails(list(&app, &pool, filter).await);
        assert_eq!(code, "InvalidParameterException", "{filter}");
        assert_eq!(got, message, "{filter}");
    }
    let (code, _) = fails(list(&app, &pool, &format!("email = \"{}\"", "x".repeat(300))).await);
    assert_eq!(code, "InvalidParameterException");

    // Pages of two: every user once, the last page without a token.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = app
            .cognito()
            .list_users()
            .user_pool_id(&pool)
            .limit(2)
            .set_pagination_token(token.clone())
            .send()
            .await
            .expect("a page");
        pages += 1;
        assert!(out.users().len() <= 2);
        seen.extend(
            out.users()
                .iter()
                .map(|u| u.username().unwrap().to_string()),
        );
        token = out.pagination_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5);
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all);

    // A filter holds across pages.
    let first = app
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"status = "Enabled""#)
        .limit(3)
        .send()
        .await
        .unwrap();
    assert_eq!(first.users().len(), 3);
    let rest = app
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"status = "Enabled""#)
        .limit(3)
        .pagination_token(first.pagination_token().expect("more"))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.users().len(), 1);
    assert!(rest.pagination_token().is_none());
    let both: BTreeSet<String> = names(first.users())
        .union(&names(rest.users()))
        .cloned()
        .collect();
    assert_eq!(both, set(&["alice", "bob", "carol", "dave"]));

    for bad in ["not-a-token", "bm90LWEtY3Vyc29y"] {
        let (code, _) = fails(
            app.cognito()
                .list_users()
                .user_pool_id(&pool)
                .pagination_token(bad)
                .send()
                .await,
        );
        assert_eq!(code, "InvalidParameterException", "{bad}");
    }
    let (code, _) = fails(
        app.cognito()
            .list_users()
            .user_pool_id(&pool)
            .limit(61)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = fails(
        app.cognito()
            .list_users()
            .user_pool_id("local_NoSuchPl")
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");

    // The attributes asked for, and the user's fields.
    let out = app
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"username = "erin""#)
        .attributes_to_get("given_name")
        .attributes_to_get("sub")
        .send()
        .await
        .unwrap();
    let erin = &out.users()[0];
    let got: BTreeSet<&str> = erin.attributes().iter().map(|a| a.name()).collect();
    assert_eq!(got, BTreeSet::from(["given_name", "sub"]));
    assert!(!erin.enabled());
    assert_eq!(erin.user_status(), Some(&UserStatusType::Confirmed));
    assert!(erin.user_create_date().is_some());
}
