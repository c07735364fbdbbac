//! Groups through aws-sdk-rust: the group operations, membership, their
//! errors and paging, and the `cognito:groups` / `cognito:roles` /
//! `cognito:preferred_role` claims in tokens from an API sign-in and from
//! the hosted UI's code flow.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::error::ProvideErrorMetadata;
use cognito::types::{AttributeType, AuthFlowType, MessageActionType};
use serde_json::{json, Value};

use crate::helpers::{
    exchange, jwt_claims, location, pkce, query_param, spawn_app, TestApp, CALLBACK, PASSWORD,
};

const ROLE_A: &str = "arn:aws:iam::123456789012:role/Admins";
const ROLE_B: &str = "arn:aws:iam::123456789012:role/Readers";

fn code(err: &impl ProvideErrorMetadata) -> String {
    err.code().unwrap_or_default().to_string()
}

async fn group(app: &TestApp, pool: &str, name: &str, precedence: Option<i32>, role: Option<&str>) {
    app.cognito()
        .create_group()
        .user_pool_id(pool)
        .group_name(name)
        .set_precedence(precedence)
        .set_role_arn(role.map(str::to_string))
        .send()
        .await
        .expect("CreateGroup");
}

/// A user made with AdminCreateUser (no message).
async fn admin_user(app: &TestApp, pool: &str, name: &str) {
    app.cognito()
        .admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .temporary_password(PASSWORD)
        .message_action(MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(format!("{name}@example.com"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("AdminCreateUser");
}

async fn add(app: &TestApp, pool: &str, user: &str, group: &str) {
    app.cognito()
        .admin_add_user_to_group()
        .user_pool_id(pool)
        .username(user)
        .group_name(group)
        .send()
        .await
        .expect("AdminAddUserToGroup");
}

/// A confirmed user made through SignUp / ConfirmSignUp.
async fn signed_up(app: &TestApp, client: &str, name: &str) {
    let email = format!("{name}@example.com");
    app.cognito()
        .sign_up()
        .client_id(client)
        .username(name)
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(&email)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("SignUp");
    let code = app.mail.wait_for(&email).await.code().unwrap();
    app.cognito()
        .confirm_sign_up()
        .client_id(client)
        .username(name)
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp");
}

/// (ID token claims, access token claims, refresh token) of a password sign-in.
async fn api_sign_in(app: &TestApp, client: &str, name: &str) -> (Value, Value, String) {
    let out = app
        .cognito()
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let r = out.authentication_result().expect("tokens");
    (
        jwt_claims(r.id_token().unwrap()),
        jwt_claims(r.access_token().unwrap()),
        r.refresh_token().unwrap().to_string(),
    )
}

#[tokio::test]
async fn groups_are_created_read_updated_listed_and_deleted() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("groups").await;

    let created = api
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("The administrators")
        .role_arn(ROLE_A)
        .precedence(1)
        .send()
        .await
        .expect("CreateGroup");
    let g = created.group().expect("group");
    assert_eq!(g.group_name(), Some("admins"));
    assert_eq!(g.user_pool_id(), Some(pool.as_str()));
    assert_eq!(g.description(), Some("The administrators"));
    assert_eq!(g.role_arn(), Some(ROLE_A));
    assert_eq!(g.precedence(), Some(1));
    let created_at = g.creation_date().expect("creation date").secs();
    assert!(created_at > 1_700_000_000);
    assert_eq!(g.last_modified_date().unwrap().secs(), created_at);

    // A group without the optional members has none of them.
    group(&app, &pool, "plain", None, None).await;
    let plain = api
        .get_group()
        .user_pool_id(&pool)
        .group_name("plain")
        .send()
        .await
        .expect("GetGroup");
    let p = plain.group().unwrap();
    assert_eq!(
        (p.description(), p.role_arn(), p.precedence()),
        (None, None, None)
    );

    // Errors.
    let err = api
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "GroupExistsException");
    let err = api
        .create_group()
        .user_pool_id("local_nosuchpool")
        .group_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");
    for (name, precedence, role) in [
        ("two words", None, None),
        ("neg", Some(-1), None),
        ("badrole", None, Some("role/admins-is-not-an-arn")),
    ] {
        let err = api
            .create_group()
            .user_pool_id(&pool)
            .group_name(name)
            .set_precedence(precedence)
            .set_role_arn(role.map(str::to_string))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterException", "{name}");
    }
    let err = api
        .get_group()
        .user_pool_id(&pool)
        .group_name("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");

    // Update changes what it is given and keeps the rest.
    let updated = api
        .update_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .precedence(7)
        .send()
        .await
        .expect("UpdateGroup");
    let u = updated.group().unwrap();
    assert_eq!(u.precedence(), Some(7));
    assert_eq!(u.role_arn(), Some(ROLE_A));
    assert_eq!(u.description(), Some("The administrators"));
    let err = api
        .update_group()
        .user_pool_id(&pool)
        .group_name("nobody")
        .description("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");

    // Paging, in name order.
    for name in ["c-three", "a-one", "b-two"] {
        group(&app, &pool, name, None, None).await;
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = api
            .list_groups()
            .user_pool_id(&pool)
            .limit(2)
            .set_next_token(token)
            .send()
            .await
            .expect("ListGroups");
        assert!(page.groups().len() <= 2);
        pages += 1;
        seen.extend(
            page.groups()
                .iter()
                .map(|g| g.group_name().unwrap().to_string()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["a-one", "admins", "b-two", "c-three", "plain"]);
    assert_eq!(pages, 3);
    let all = api.list_groups().user_pool_id(&pool).send().await.unwrap();
    assert_eq!(all.groups().len(), 5);
    assert!(all.next_token().is_none());

    // Delete.
    api.delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect("DeleteGroup");
    let err = api
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");
    let err = api
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");
}

#[tokio::test]
async fn users_join_and_leave_groups() {
    let app = spawn_app().await;
    let api = app.cognito();
    let pool = app.create_pool("members").await;
    for name in ["g1", "g2", "g3"] {
        group(&app, &pool, name, None, None).await;
    }
    for name in ["carol", "alice", "bob"] {
        admin_user(&app, &pool, name).await;
    }
    for g in ["g1", "g2", "g3"] {
        add(&app, &pool, "alice", g).await;
    }
    // Adding twice changes nothing.
    add(&app, &pool, "alice", "g1").await;
    add(&app, &pool, "bob", "g1").await;
    add(&app, &pool, "carol", "g1").await;

    // AdminListGroupsForUser, paged.
    let first = api
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("alice")
        .limit(2)
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let names: Vec<&str> = first
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["g1", "g2"]);
    let rest = api
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("alice")
        .limit(2)
        .set_next_token(first.next_token().map(str::to_string))
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = rest
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["g3"]);
    assert!(rest.next_token().is_none());

    // ListUsersInGroup, paged, in user-name order, as UserType.
    let first = api
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("g1")
        .limit(2)
        .send()
        .await
        .expect("ListUsersInGroup");
    let names: Vec<&str> = first.users().iter().filter_map(|u| u.username()).collect();
    assert_eq!(names, ["alice", "bob"]);
    let alice = &first.users()[0];
    assert!(alice.user_create_date().is_some());
    assert!(alice
        .attributes()
        .iter()
        .any(|a| a.name() == "email" && a.value() == Some("alice@example.com")));
    let rest = api
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("g1")
        .limit(2)
        .set_next_token(first.next_token().map(str::to_string))
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = rest.users().iter().filter_map(|u| u.username()).collect();
    assert_eq!(names, ["carol"]);
    assert!(rest.next_token().is_none());

    // Errors: unknown user, unknown group.
    let err = api
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("nobody")
        .group_name("g1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotFoundException");
    let err = api
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("alice")
        .group_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");
    let err = api
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("nobody")
        .group_name("g1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotFoundException");
    let err = api
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "UserNotFoundException");
    let err = api
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ResourceNotFoundException");

    // Leaving, and a deleted group takes its memberships with it.
    api.admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("alice")
        .group_name("g2")
        .send()
        .await
        .expect("AdminRemoveUserFromGroup");
    api.delete_group()
        .user_pool_id(&pool)
        .group_name("g3")
        .send()
        .await
        .unwrap();
    let left = api
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = left
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["g1"]);
}

/// The groups of the token tests: their order by precedence is
/// plain (0), admins (1), readers (5), then zeta (none).
async fn ranked_groups(app: &TestApp, pool: &str, user: &str) {
    group(app, pool, "zeta", None, Some(ROLE_B)).await;
    group(app, pool, "readers", Some(5), Some(ROLE_B)).await;
    group(app, pool, "admins", Some(1), Some(ROLE_A)).await;
    group(app, pool, "plain", Some(0), None).await;
    for g in ["zeta", "readers", "admins", "plain"] {
        add(app, pool, user, g).await;
    }
}

fn assert_group_claims(id: &Value, access: &Value) {
    let order = json!(["plain", "admins", "readers", "zeta"]);
    assert_eq!(id["cognito:groups"], order, "{id}");
    assert_eq!(access["cognito:groups"], order, "{access}");
    assert_eq!(id["cognito:roles"], json!([ROLE_A, ROLE_B]));
    assert_eq!(id["cognito:preferred_role"], json!(ROLE_A));
    assert!(access.get("cognito:roles").is_none());
    assert!(access.get("cognito:preferred_role").is_none());
}

#[tokio::test]
async fn api_sign_in_tokens_carry_the_groups_by_precedence() {
    let app = spawn_app().await;
    let pool = app.create_pool("claims").await;
    let client = app.create_api_client(&pool).await;
    signed_up(&app, &client, "gina").await;

    // No group, no group claims.
    let (id, access, _) = api_sign_in(&app, &client, "gina").await;
    for claim in ["cognito:groups", "cognito:roles", "cognito:preferred_role"] {
        assert!(id.get(claim).is_none(), "{claim} in {id}");
        assert!(access.get(claim).is_none(), "{claim} in {access}");
    }

    ranked_groups(&app, &pool, "gina").await;
    let (id, access, refresh) = api_sign_in(&app, &client, "gina").await;
    assert_group_claims(&id, &access);

    // A refresh reads the groups again.
    app.cognito()
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("gina")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let out = app
        .cognito()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .expect("refresh");
    let r = out.authentication_result().unwrap();
    let id = jwt_claims(r.id_token().unwrap());
    assert_eq!(id["cognito:groups"], json!(["plain", "readers", "zeta"]));
    // readers (5) is now the best group with a role.
    assert_eq!(id["cognito:preferred_role"], json!(ROLE_B));
    assert_eq!(id["cognito:roles"], json!([ROLE_B]));
}

#[tokio::test]
async fn hosted_ui_code_flow_tokens_carry_the_groups_by_precedence() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    app.confirmed_user(&client, "hana").await;
    ranked_groups(&app, &pool, "hana").await;

    let http = app.browser();
    let (verifier, challenge) = pkce();
    let res = http
        .get(app.authorize_url(&client, &challenge, "st", "n"))
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), 302);
    let res = app.submit_login(&http, &client, "hana", PASSWORD).await;
    assert_eq!(res.status(), 302);
    let back = location(&res).to_string();
    assert!(back.starts_with(CALLBACK), "{back}");
    let code = query_param(&back, "code").expect("code");
    let res = exchange(&app, &client, &code, &verifier).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let id = jwt_claims(body["id_token"].as_str().unwrap());
    let access = jwt_claims(body["access_token"].as_str().unwrap());
    assert_group_claims(&id, &access);
}
