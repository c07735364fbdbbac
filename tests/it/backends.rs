//! What must not depend on the database backend: input PostgreSQL would
//! refuse (U+0000) is refused at the edge, the same on both; searches fold
//! ASCII case only and treat LIKE's wildcards literally on both.

use aws_sdk_cognitoidentityprovider as cognito;
use cognate::directory::user_admin::{self, PageAt, UserQuery};
use cognate::directory::PoolId;
use serde_json::{json, Value};

use crate::helpers::{csrf, pkce, spawn_app, TestApp, PASSWORD};

async fn sign_up_raw(app: &TestApp, client: &str, username: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/", app.url))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body(
            json!({
                "ClientId": client,
                "Username": username,
                "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "nul@example.com"}],
            })
            .to_string(),
        )
        .send()
        .await
        .expect("SignUp");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn nul_characters_are_refused_at_the_edge() {
    let app = spawn_app().await;
    let (pool, client) = app.pool_and_client().await;
    let api_client = app.create_api_client(&pool).await;

    // The API: a NUL in any JSON string.
    let (status, body) = sign_up_raw(&app, &api_client, "nul\u{0}user").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    let listed = app
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("ListUsers");
    assert!(listed.users().is_empty(), "nothing was stored");
    // A backslash and "u0000" as text are fine.
    let (status, body) = sign_up_raw(&app, &api_client, "nul\\u0000user").await;
    assert_ne!(status, 500, "{body}");

    // /oauth2/authorize: a NUL in the nonce, on cognate's own page.
    let http = app.browser();
    let (_, challenge) = pkce();
    let res = http
        .get(app.authorize_url(&client, &challenge, "st", "n\u{0}once"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none(), "never redirected");
    assert!(res.text().await.unwrap().contains("<html"));

    // The login form.
    let login = format!("{}/login?client_id={client}", app.url);
    let html = http.get(&login).send().await.unwrap().text().await.unwrap();
    let res = http
        .post(&login)
        .form(&[
            ("_csrf", csrf(&html).as_str()),
            ("username", "nul\u{0}user"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("<html"));

    // The token endpoint answers in OAuth's shape.
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", "co\u{0}de"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{body}");

    // The pages still work.
    assert_eq!(http.get(&login).send().await.unwrap().status(), 200);
}

async fn sign_up(app: &TestApp, client: &str, name: &str, email: &str, given_name: &str) {
    let attr = |n: &str, v: &str| {
        cognito::types::AttributeType::builder()
            .name(n)
            .value(v)
            .build()
            .unwrap()
    };
    app.cognito()
        .sign_up()
        .client_id(client)
        .username(name)
        .password(PASSWORD)
        .user_attributes(attr("email", email))
        .user_attributes(attr("given_name", given_name))
        .send()
        .await
        .expect("SignUp");
}

async fn filtered(app: &TestApp, pool: &str, filter: &str) -> Vec<String> {
    let mut names: Vec<String> = app
        .cognito()
        .list_users()
        .user_pool_id(pool)
        .filter(filter)
        .send()
        .await
        .expect("ListUsers")
        .users()
        .iter()
        .filter_map(|u| u.username().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn searches_fold_ascii_case_only_and_match_wildcards_literally() {
    let app = spawn_app().await;
    let pool = app.create_pool("search").await;
    let client = app.create_api_client(&pool).await;
    sign_up(&app, &client, "upper", "a1@example.com", "Émile").await;
    sign_up(&app, &client, "lower", "a2@example.com", "émile").await;
    sign_up(&app, &client, "pct", "a3@example.com", "50%_off").await;
    sign_up(&app, &client, "plain", "a4@example.com", "50xyoff").await;
    sign_up(&app, &client, "Élodie", "a5@example.com", "Elodie").await;

    for (filter, expected) in [
        (r#"given_name = "ÉMILE""#, vec!["upper"]),
        (r#"given_name = "émile""#, vec!["lower"]),
        (r#"given_name ^= "É""#, vec!["upper"]),
        (r#"given_name ^= "é""#, vec!["lower"]),
        (r#"given_name ^= "50%_""#, vec!["pct"]),
        (r#"given_name ^= "50""#, vec!["pct", "plain"]),
        (r#"given_name = "50_XYOFF""#, vec![]),
        (r#"given_name ^= "ELO""#, vec!["Élodie"]),
    ] {
        assert_eq!(filtered(&app, &pool, filter).await, expected, "{filter}");
    }

    // The console's search: a prefix of the user name (or e-mail, phone).
    let db = app.db();
    let pool_id = PoolId::parse(&pool).expect("pool id");
    let search = |s: &str| {
        let q = UserQuery {
            search: s.into(),
            ..Default::default()
        };
        let mut names: Vec<String> = db
            .with_conn(|conn| Ok(user_admin::list(conn, &pool_id, &q, &PageAt::First, 25)))
            .expect("database")
            .expect("search")
            .users
            .into_iter()
            .map(|u| u.username)
            .collect();
        names.sort();
        names
    };
    assert_eq!(search("ÉL"), vec!["Élodie"]);
    assert_eq!(search("él"), Vec::<String>::new());
    assert_eq!(search("UPP"), vec!["upper"]);
    assert_eq!(search("p_t"), Vec::<String>::new());
    assert_eq!(search("%"), Vec::<String>::new());
}
