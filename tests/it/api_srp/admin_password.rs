//! AdminSetUserPassword: permanent and temporary passwords, the policy,
//! unknown and external users, and the SRP verifier stored with each.

use cognito::types::{AuthFlowType, ChallengeNameType};

use super::{
    admin_user, assert_not_authorized, cognito, id_claims, now, pool, set_password, sign_in,
    srp_client, BAD,
};
use crate::helpers::{spawn_app, TestApp, PASSWORD};

fn user_status(app: &TestApp, pool: &str, username: &str) -> String {
    let pool_id = cognate::directory::PoolId::parse(pool).unwrap();
    app.db()
        .with_conn(|conn| {
            Ok(
                cognate::directory::users::find_by_username_key(conn, &pool_id, username)
                    .unwrap()
                    .expect("user")
                    .status
                    .as_str()
                    .to_string(),
            )
        })
        .unwrap()
}

#[tokio::test]
async fn admin_set_user_password_permanent_and_temporary() {
    let app = spawn_app().await;
    let pool = pool(&app, "srp-admin", false).await;
    let (client, _) = srp_client(&app, &pool, false, true).await;
    admin_user(&app, &pool, "adele", "Temp-Pass-123", false).await;
    assert_eq!(user_status(&app, &pool, "adele"), "FORCE_CHANGE_PASSWORD");

    set_password(&app, &pool, "adele", PASSWORD, true)
        .await
        .unwrap();
    assert_eq!(user_status(&app, &pool, "adele"), "CONFIRMED");
    let out = sign_in(&app, &pool, &client, "adele", PASSWORD)
        .await
        .unwrap();
    let refresh = out
        .authentication_result()
        .and_then(|r| r.refresh_token())
        .unwrap()
        .to_string();
    let err = sign_in(&app, &pool, &client, "adele", "Temp-Pass-123")
        .await
        .unwrap_err();
    assert_not_authorized(&err, BAD);

    // Temporary: the next sign-in asks for a new password, through SRP too.
    set_password(&app, &pool, "adele", "Temp-Pass-456", false)
        .await
        .unwrap();
    assert_eq!(user_status(&app, &pool, "adele"), "FORCE_CHANGE_PASSWORD");
    // Sign-ins already made go on: Cognito documents no sign-out here.
    app.cognito()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .expect("the refresh token still works");
    let out = sign_in(&app, &pool, &client, "adele", "Temp-Pass-456")
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let out = app
        .cognito()
        .respond_to_auth_challenge()
        .client_id(&client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "adele")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-7")
        .send()
        .await
        .expect("NEW_PASSWORD_REQUIRED");
    assert!(out.authentication_result().is_some());
    // The new password's verifier was stored with it.
    let out = sign_in(&app, &pool, &client, "adele", "Brand-New-Pass-7")
        .await
        .unwrap();
    assert_eq!(id_claims(&out)["cognito:username"], "adele");

    // The pool's policy applies; unknown and external users are refused.
    let err = set_password(&app, &pool, "adele", "short", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, cognito::Error::InvalidPasswordException(_)),
        "{err:?}"
    );
    let err = set_password(&app, &pool, "nobody", PASSWORD, true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, cognito::Error::UserNotFoundException(_)),
        "{err:?}"
    );
    let pool_id = cognate::directory::PoolId::parse(&pool).unwrap();
    app.db()
        .with_conn(|conn| {
            let attrs = Default::default();
            cognate::directory::users::create(
                conn,
                cognate::directory::users::NewUser {
                    sub: &cognate::directory::UserSub::generate(),
                    pool_id: &pool_id,
                    username: "Google_1234",
                    username_key: "Google_1234",
                    password: None,
                    status: cognate::directory::users::UserStatus::ExternalProvider,
                    attributes: &attrs,
                },
                now(),
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
    let err = set_password(&app, &pool, "Google_1234", PASSWORD, true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, cognito::Error::InvalidParameterException(_)),
        "{err:?}"
    );
    // An external user has no verifier: SRP fails like a wrong password.
    let err = sign_in(&app, &pool, &client, "Google_1234", PASSWORD)
        .await
        .unwrap_err();
    assert_not_authorized(&err, BAD);
}
