//! A pool's console pages: overview, app clients, users, settings, deletion.
//! Every action goes through HTTP; its effect is checked through the
//! Cognito API (aws-sdk-rust), the hosted pages, the mail sink or the
//! database.

mod clients;
mod pages;
mod settings;
mod users;

use aws_sdk_cognitoidentityprovider as cognito;
use cognate::directory::users::{self as users_table, NewUser, UserStatus};
use cognate::directory::{user_admin, PoolId, UserSub};
use reqwest::Client as Http;

use crate::console::console_app;
use crate::helpers::{cheap_argon2, post_form, TestApp};

/// `{app}/admin/pools/{pool}{rest}`.
pub fn at(app: &TestApp, pool: &str, rest: &str) -> String {
    format!("{}/admin/pools/{pool}{rest}", app.url)
}

pub async fn get(http: &Http, url: &str) -> (u16, String) {
    let res = http.get(url).send().await.expect("GET");
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

/// GETs `page` for its token, then posts `fields` to `action`; returns the
/// status, the Location (if any) and the body.
pub async fn post(
    http: &Http,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let res = post_form(http, page, action, fields).await;
    let status = res.status().as_u16();
    let to = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, to, res.text().await.expect("body"))
}

/// The HTML-escaped text askama writes, read back.
pub fn unescape(s: &str) -> String {
    [
        ("&#38;", "&"),
        ("&#39;", "'"),
        ("&#34;", "\""),
        ("&#60;", "<"),
        ("&#62;", ">"),
    ]
    .iter()
    .chain(&[
        ("&amp;", "&"),
        ("&#x27;", "'"),
        ("&quot;", "\""),
        ("&lt;", "<"),
        ("&gt;", ">"),
    ])
    .fold(s.to_string(), |acc, (from, to)| acc.replace(from, to))
}

/// The `href` after `marker` (such as `rel="next"`).
pub fn href_after(html: &str, marker: &str) -> Option<String> {
    let rest = &html[html.find(marker)?..];
    let start = rest.find("href=\"")? + 6;
    let end = start + rest[start..].find('"')?;
    Some(unescape(&rest[start..end]))
}

/// How many user rows a users page lists.
pub fn user_rows(html: &str, pool: &str) -> usize {
    html.matches(&format!("<tr><td><a href=\"/admin/pools/{pool}/users/"))
        .count()
}

pub async fn find_user(app: &TestApp, pool: &str, key: &str) -> users_table::User {
    let (pool, key) = (PoolId::parse(pool).unwrap(), key.to_string());
    app.db()
        .run(move |conn| users_table::find_by_username_key(conn, &pool, &key))
        .await
        .unwrap()
        .expect("user exists")
}

/// The temporary password in an invitation built from Cognito's default
/// text: "… temporary password is {####}."
pub fn temporary_password(body: &str) -> String {
    let after = body
        .split("temporary password is ")
        .nth(1)
        .expect("password");
    let line = after.lines().next().unwrap_or_default();
    line.trim().trim_end_matches('.').to_string()
}

pub async fn client_count(app: &TestApp, pool: &str) -> usize {
    let out = app
        .cognito()
        .list_user_pool_clients()
        .user_pool_id(pool)
        .max_results(60)
        .send()
        .await;
    out.unwrap().user_pool_clients().len()
}

pub async fn describe(app: &TestApp, pool: &str) -> cognito::types::UserPoolType {
    let out = app
        .cognito()
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await;
    out.unwrap().user_pool.expect("a pool")
}

pub fn password_matches(user: &users_table::User, password: &str) -> bool {
    cognate::directory::passwords::Passwords::new(cheap_argon2())
        .unwrap()
        .verify_now(user.password_hash.as_deref(), password)
}

/// 33 users straight into the database: `user-00`…`user-29` (e-mail
/// `person{i}@example.com`, phone `+1555{i:07}`, created in that order),
/// then `a_b`, `%lead` and `axb`, older than all of them. Users 0–4 are
/// CONFIRMED, the rest FORCE_CHANGE_PASSWORD; users 3 and 7 are disabled.
pub async fn many_users(app: &TestApp, pool: &str) {
    let pool = PoolId::parse(pool).unwrap();
    let db = app.db();
    db.run(move |conn| {
        let mut made = Vec::new();
        let names = (0..30).map(|i| (format!("user-{i:02}"), i + 10)).chain([
            ("a_b".to_string(), 1),
            ("%lead".to_string(), 2),
            ("axb".to_string(), 3),
        ]);
        for (name, at) in names {
            let i: i64 = name
                .strip_prefix("user-")
                .and_then(|n| n.parse().ok())
                .unwrap_or(99);
            let attrs: std::collections::BTreeMap<String, String> = [
                ("email".to_string(), format!("person{i}@example.com")),
                ("phone_number".to_string(), format!("+1555{i:07}")),
            ]
            .into();
            let sub = UserSub::generate();
            let status = if i < 5 {
                UserStatus::Confirmed
            } else {
                UserStatus::ForceChangePassword
            };
            let new = NewUser {
                sub: &sub,
                pool_id: &pool,
                username: &name,
                username_key: &name,
                password: None,
                status,
                attributes: &attrs,
            };
            users_table::create(conn, new, 1_700_000_000 + at)?;
            made.push((i, sub));
        }
        for (_, sub) in made.iter().filter(|(i, _)| *i == 3 || *i == 7) {
            user_admin::set_enabled(conn, &pool, sub, false, 1_700_000_100)?;
        }
        Ok::<_, cognate::directory::DirectoryError>(())
    })
    .await
    .unwrap();
}

/// The settings form with every field, as a browser sends it.
pub fn settings_fields<'a>(
    overrides: &[(&'a str, &'a str)],
    omit: &[&str],
) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = vec![
        ("min_length", "12"),
        ("temp_days", "3"),
        ("require_numbers", "true"),
        ("require_upper", "true"),
        ("require_lower", "true"),
        ("mfa", "OPTIONAL"),
        ("mfa_totp", "true"),
        ("verify_email", "true"),
        ("email_subject", "Your Acme code"),
        ("email_message", "Your Acme code is {####}"),
        ("sms_message", ""),
        ("invite_subject", "Welcome to Acme"),
        (
            "invite_message",
            "Hello {username}, sign in with {####} soon.",
        ),
        ("invite_sms", ""),
        ("deletion_protection", "true"),
    ];
    f.retain(|(k, _)| !omit.contains(k) && !overrides.iter().any(|(o, _)| o == k));
    f.extend_from_slice(overrides);
    f
}

#[tokio::test]
async fn the_overview_shows_identifiers_endpoints_and_hosted_links() {
    let (app, http) = console_app().await;
    let pool = app.create_pool("Overview Pool").await;
    let (client, _) = app.create_client(&pool, false).await;
    let (status, html) = get(&http, &at(&app, &pool, "")).await;
    assert_eq!(status, 200, "{html}");
    let html = unescape(&html);
    for expected in [
        "Overview Pool".to_string(),
        format!("arn:aws:cognito-idp:local:000000000000:userpool/{pool}"),
        format!("{}/{pool}/.well-known/jwks.json", app.url),
        format!("{}/{pool}/.well-known/openid-configuration", app.url),
        format!("{}/login?client_id={client}", app.url),
        format!("{}/signup?client_id={client}", app.url),
    ] {
        assert!(html.contains(&expected), "{expected} on the overview");
    }
    // Unknown and malformed pools are the error page; strangers sign in first.
    for bad in ["local_nosuchpool", "not-a-pool", "local_x%20y"] {
        let (status, _) = get(&http, &format!("{}/admin/pools/{bad}/users", app.url)).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = get(&app.browser(), &at(&app, &pool, "/settings")).await;
    assert_eq!(status, 303);
}
