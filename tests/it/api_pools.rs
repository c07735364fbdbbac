//! User pool operations through aws-sdk-rust.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, DeletionProtectionType, PasswordPolicyType, SchemaAttributeType,
    UserPoolPolicyType,
};

use crate::helpers::spawn_app;

#[tokio::test]
async fn create_describe_list_update_delete_a_pool() {
    let app = spawn_app().await;
    let api = app.cognito();

    let created = api
        .create_user_pool()
        .pool_name("My App")
        .schema(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .expect("CreateUserPool");
    let pool = created.user_pool().expect("pool");
    let id = pool.id().expect("id").to_string();
    let (region, suffix) = id.split_once('_').expect("region_suffix");
    assert_eq!(region, "local");
    assert_eq!(suffix.len(), 9);
    assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(pool.name(), Some("My App"));
    assert!(pool
        .arn()
        .unwrap_or_default()
        .ends_with(&format!("userpool/{id}")));

    // Cognito's default password policy when none is given.
    let policy = pool
        .policies()
        .and_then(|p| p.password_policy())
        .expect("password policy");
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(policy.require_uppercase() && policy.require_lowercase());
    assert!(policy.require_numbers() && policy.require_symbols());
    assert_eq!(policy.temporary_password_validity_days(), 7);

    let described = api
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DescribeUserPool");
    let d = described.user_pool().expect("pool");
    assert_eq!(d.id(), Some(id.as_str()));
    let names: Vec<&str> = d
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .collect();
    assert!(names.contains(&"email"), "{names:?}");
    assert!(names.contains(&"sub"), "{names:?}");
    assert!(names.contains(&"custom:team"), "{names:?}");

    api.update_user_pool()
        .user_pool_id(&id)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(12)
                        .require_symbols(false)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("UpdateUserPool");
    let d = api
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DescribeUserPool");
    let policy = d
        .user_pool()
        .and_then(|p| p.policies())
        .and_then(|p| p.password_policy())
        .expect("policy");
    assert_eq!(policy.minimum_length(), Some(12));
    assert!(!policy.require_symbols());
    // The schema survives an update: it is fixed once the pool exists.
    let names: Vec<String> = d
        .user_pool()
        .map(|p| {
            p.schema_attributes()
                .iter()
                .filter_map(|a| a.name().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(names.iter().any(|n| n == "custom:team"));

    api.delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DeleteUserPool");
    let err = api
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect_err("the pool is gone");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err:?}"
    );
}

#[tokio::test]
async fn list_user_pools_pages_through_all_pools() {
    let app = spawn_app().await;
    let api = app.cognito();
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(app.create_pool(&format!("pool-{i}")).await);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = api
            .list_user_pools()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("ListUserPools");
        assert!(page.user_pools().len() <= 2);
        seen.extend(
            page.user_pools()
                .iter()
                .filter_map(|p| p.id().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    made.sort();
    seen.sort();
    assert_eq!(seen, made);
}

#[tokio::test]
async fn bad_pool_requests_get_cognito_errors_and_change_nothing() {
    let app = spawn_app().await;
    let api = app.cognito();

    let err = api
        .describe_user_pool()
        .user_pool_id("local_doesnotexist")
        .send()
        .await
        .expect_err("no such pool");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_resource_not_found_exception()));

    let err = api
        .create_user_pool()
        .pool_name("bad")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(2).build())
                .build(),
        )
        .send()
        .await
        .expect_err("minimum length 2 is out of range");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );

    let err = api
        .list_user_pools()
        .max_results(100)
        .send()
        .await
        .expect_err("MaxResults over 60");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );

    let listed = api
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .expect("list");
    assert!(
        listed.user_pools().is_empty(),
        "failed creates left nothing behind"
    );

    // Deletion protection refuses DeleteUserPool.
    let id = api
        .create_user_pool()
        .pool_name("protected")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .expect("create")
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .expect("id");
    let err = api
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect_err("protected");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );
    api.describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("still there");
}
