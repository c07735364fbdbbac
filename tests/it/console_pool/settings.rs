//! Settings edits (checked with DescribeUserPool and by what they change),
//! custom attributes, and the pool's deletion.

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::AttributeDataType;

use super::{at, describe, get, post, settings_fields, unescape};
use crate::console::console_app;

#[tokio::test]
async fn settings_edits_show_in_describe_user_pool_and_bad_ones_change_nothing() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("Settings Pool").await;
    let (client, _) = app.create_client(&pool, false).await;
    let sdk = app.cognito();
    let settings = at(&app, &pool, "/settings");
    let before = describe(&app, &pool).await;

    let refused = [
        (settings_fields(&[("min_length", "5")], &[]), "from 6 to 99"),
        (
            settings_fields(&[("email_message", "no code")], &[]),
            "must contain {####}",
        ),
        (
            settings_fields(&[("invite_message", "only {####}")], &[]),
            "must contain {username} and {####}",
        ),
        (
            settings_fields(&[("mfa", "ON")], &["mfa_totp"]),
            "at least one MFA method",
        ),
        (
            settings_fields(&[("keep_phone", "true")], &[]),
            "only if Cognito verifies it",
        ),
        (
            settings_fields(&[("email_subject", "bad\u{1}subject")], &[]),
            "emailSubject",
        ),
    ];
    for (fields, reason) in refused {
        let (status, _, html) = post(&http, &settings, &settings, &fields).await;
        assert_eq!(status, 400, "{reason}");
        assert!(unescape(&html).contains(reason), "{reason}: {html}");
    }
    let res = http
        .post(&settings)
        .form(&settings_fields(&[], &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no token");
    let unchanged = describe(&app, &pool).await;
    assert_eq!(unchanged.policies, before.policies);
    assert_eq!(unchanged.last_modified_date, before.last_modified_date);

    let (status, to, _) = post(&http, &settings, &settings, &settings_fields(&[], &[])).await;
    assert_eq!(
        (status, to.as_str()),
        (303, settings.trim_start_matches(&app.url))
    );
    let p = describe(&app, &pool).await;
    let policy = p.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(12));
    assert_eq!(policy.temporary_password_validity_days(), 3);
    assert!(policy.require_numbers() && !policy.require_symbols());
    assert_eq!(
        p.mfa_configuration(),
        Some(&cognito::types::UserPoolMfaType::Optional)
    );
    assert_eq!(
        p.deletion_protection(),
        Some(&cognito::types::DeletionProtectionType::Active)
    );
    let admin = p.admin_create_user_config().unwrap();
    assert!(
        admin.allow_admin_create_user_only(),
        "self-registration is off"
    );
    assert_eq!(
        admin.invite_message_template().unwrap().email_subject(),
        Some("Welcome to Acme")
    );
    let t = p.verification_message_template().unwrap();
    assert_eq!(t.email_message(), Some("Your Acme code is {####}"));
    assert_eq!(p.auto_verified_attributes().len(), 1);
    let (_, html) = get(&http, &settings).await;
    assert!(html.contains("The settings were saved.") && html.contains("value=\"12\""));
    assert!(
        html.contains("(must contain {####}, the code)"),
        "labels name the placeholder"
    );

    // The changes act: SignUp is refused, invitations use the template.
    let refused = sdk
        .sign_up()
        .client_id(&client)
        .username("eve")
        .password("Long-Enough-12")
        .send()
        .await;
    assert!(refused
        .unwrap_err()
        .into_service_error()
        .is_not_authorized_exception());
    let new = at(&app, &pool, "/users/new");
    let (status, _, html) = post(
        &http,
        &new,
        &new,
        &[
            ("username", "gina"),
            ("email", "gina@example.com"),
            ("send_invitation", "true"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let mail = app.mail.wait_for("gina@example.com").await;
    assert_eq!(mail.subject().as_deref(), Some("Welcome to Acme"));
    assert!(mail.text_body().contains("Hello gina, sign in with "));

    // Custom attributes: added once, never again under the same name.
    let add = format!("{settings}/attributes");
    let attr = [
        ("attr_name", "team"),
        ("attr_type", "String"),
        ("attr_min", "1"),
        ("attr_max", "40"),
        ("attr_mutable", "true"),
    ];
    let (status, _, _) = post(&http, &settings, &add, &attr).await;
    assert_eq!(status, 303);
    let (status, _, html) = post(&http, &settings, &add, &attr).await;
    assert_eq!(status, 400);
    assert!(html.contains("Existing attribute already has name custom:team"));
    let (status, _, _) = post(
        &http,
        &settings,
        &add,
        &[
            ("attr_name", "n"),
            ("attr_type", "Number"),
            ("attr_min", "9"),
            ("attr_max", "1"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let schema = describe(&app, &pool).await.schema_attributes;
    let custom: Vec<_> = schema
        .iter()
        .flatten()
        .filter(|a| a.name().is_some_and(|n| n.starts_with("custom:")))
        .collect();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0].name(), Some("custom:team"));
    assert_eq!(
        custom[0].attribute_data_type(),
        Some(&AttributeDataType::String)
    );
}

#[tokio::test]
async fn a_pool_is_deleted_only_by_name_and_without_protection() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("Doomed Pool").await;
    let settings = at(&app, &pool, "/settings");
    let (status, _, _) = post(&http, &settings, &settings, &settings_fields(&[], &[])).await;
    assert_eq!(status, 303);
    let delete = at(&app, &pool, "/delete");
    let (status, html) = get(&http, &delete).await;
    assert!(status == 200 && html.contains("Deletion protection is active"));
    let (status, _, html) = post(&http, &delete, &delete, &[("confirm_name", "Doomed Pool")]).await;
    assert_eq!(status, 400);
    assert!(html.contains("Turn it off in Settings"));
    let (status, _, _) = post(
        &http,
        &settings,
        &settings,
        &settings_fields(&[], &["deletion_protection"]),
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, html) = post(&http, &delete, &delete, &[("confirm_name", "doomed pool")]).await;
    assert_eq!(status, 400);
    assert!(html.contains("does not match"));
    assert!(app
        .cognito()
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .is_ok());
    let (status, to, _) = post(&http, &delete, &delete, &[("confirm_name", "Doomed Pool")]).await;
    assert_eq!((status, to.as_str()), (303, "/admin"));
    let gone = app
        .cognito()
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await;
    assert!(gone
        .unwrap_err()
        .into_service_error()
        .is_resource_not_found_exception());
    let (_, html) = get(&http, &format!("{}/admin", app.url)).await;
    assert!(html.contains("was deleted."));
}
