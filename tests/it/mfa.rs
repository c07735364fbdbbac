//! MFA on the hosted pages: TOTP enrolled from the QR code (decoded with
//! png + rqrr, codes computed with totp-rs), challenges, replay and
//! lockout, optional MFA from the account page, SMS codes by webhook.

use aws_sdk_cognitoidentityprovider::types::{
    SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType, VerifiedAttributeType,
};
use totp_rs::{Algorithm, Builder, Secret};

use crate::helpers::{
    input_value, location, pkce, post_form, query_param, spawn_app, spawn_app_with, TestApp,
    CALLBACK, PASSWORD,
};

/// Reads the QR code of an enrollment page: the otpauth URI.
async fn scan_qr(app: &TestApp, http: &reqwest::Client, client: &str) -> String {
    let res = http
        .get(format!("{}/mfa/setup/qr.png?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("content-type").unwrap(), "image/png");
    let bytes = res.bytes().await.unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("pixels");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    content
}

fn secret_of(uri: &str) -> Vec<u8> {
    let b32 = query_param(uri, "secret").expect("secret in the URI");
    Secret::try_from_base32(&b32)
        .expect("base32")
        .as_ref()
        .to_vec()
}

fn code_at(secret: &[u8], time: i64) -> String {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .build_noncompliant()
        .generate(time as u64)
        .to_string()
}

fn now() -> i64 {
    cognate::directory::unix_now()
}

async fn mfa_pool(app: &TestApp, conf: UserPoolMfaType, totp: bool, sms: bool) -> (String, String) {
    let pool = app.create_pool("mfa").await;
    let mut req = app
        .cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(conf)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(totp).build(),
        );
    if sms {
        req = req.sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Sign-in code {####}")
                .build(),
        );
    }
    req.send().await.expect("SetUserPoolMfaConfig");
    let (client, _) = app.create_client(&pool, false).await;
    (pool, client)
}

/// Starts an authorization in a fresh browser and submits the password.
async fn password_step(
    app: &TestApp,
    client: &str,
    user: &str,
) -> (reqwest::Client, reqwest::Response) {
    let http = app.browser();
    let (_, challenge) = pkce();
    http.get(app.authorize_url(client, &challenge, "m", "n"))
        .send()
        .await
        .unwrap();
    let res = app.submit_login(&http, client, user, PASSWORD).await;
    (http, res)
}

async fn answer(
    app: &TestApp,
    http: &reqwest::Client,
    client: &str,
    code: &str,
) -> reqwest::Response {
    let page = format!("{}/mfa?client_id={client}", app.url);
    post_form(http, &page, &page, &[("code", code)]).await
}

#[tokio::test]
async fn required_mfa_enrolls_totp_then_challenges_without_replay() {
    let app = spawn_app().await;
    let (pool, client) = mfa_pool(&app, UserPoolMfaType::On, true, false).await;
    let got = app
        .cognito()
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(got
        .software_token_mfa_configuration()
        .is_some_and(|c| c.enabled()));

    // The first sign-in after the password goes to enrollment.
    let http = app.browser();
    let (_, challenge) = pkce();
    let back = app
        .sign_up_through_pages(&http, &client, "totpuser", "totp@example.com", &challenge)
        .await;
    assert!(back.contains("/mfa/setup"), "{back}");
    let setup = app.absolute(&back);
    let html = http.get(&setup).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("autocomplete=\"one-time-code\""));
    let uri = scan_qr(&app, &http, &client).await;
    assert!(uri.starts_with("otpauth://totp/mfa:totpuser?"), "{uri}");
    assert!(uri.contains("issuer=mfa"), "{uri}");
    let secret = secret_of(&uri);
    // The page shows the same secret as text for manual entry.
    let text = html
        .split("id=\"secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the secret as text");
    assert_eq!(Secret::try_from_base32(text).unwrap().as_ref(), &secret[..]);

    let res = post_form(&http, &setup, &setup, &[("code", "000000")]).await;
    assert_eq!(res.status(), 400, "a wrong first code is refused");
    let t = now();
    let res = post_form(&http, &setup, &setup, &[("code", &code_at(&secret, t))]).await;
    assert_eq!(res.status(), 302);
    assert!(
        location(&res).starts_with(CALLBACK),
        "enrolled and signed in"
    );

    // Next sign-in: the app's code is asked for.
    let (http, res) = password_step(&app, &client, "totpuser").await;
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/mfa?"), "{}", location(&res));
    let res = answer(&app, &http, &client, "123456").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Invalid code"));
    // The enrollment's step is spent; the next step's code works once.
    let res = answer(&app, &http, &client, &code_at(&secret, t)).await;
    assert_eq!(res.status(), 400, "a used step is refused");
    let next = code_at(&secret, t + 30);
    let res = answer(&app, &http, &client, &next).await;
    assert_eq!(res.status(), 302);
    let back = location(&res).to_string();
    assert!(back.starts_with(CALLBACK));
    assert!(query_param(&back, "code").is_some());

    let (http, _) = password_step(&app, &client, "totpuser").await;
    let res = answer(&app, &http, &client, &next).await;
    assert_eq!(res.status(), 400, "the same code cannot be replayed");

    // The secret is not stored in the clear.
    let b32 = query_param(&uri, "secret").unwrap();
    let stored = app
        .db()
        .with_conn(|conn| {
            use diesel::prelude::*;
            Ok(cognate::db::schema::user_mfa::table
                .select(cognate::db::schema::user_mfa::totp_secret)
                .load::<Option<String>>(conn)?)
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
    let sealed = stored[0].clone().unwrap();
    assert!(!sealed.contains(&b32));
    assert!(!sealed.contains(&String::from_utf8_lossy(&secret).to_string()));
}

#[tokio::test]
async fn wrong_codes_lock_out_and_a_new_sign_in_does_not_reset_them() {
    let app = spawn_app().await;
    let (_pool, client) = mfa_pool(&app, UserPoolMfaType::On, true, false).await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let setup = app.absolute(
        &app.sign_up_through_pages(&http, &client, "locky", "locky@example.com", &challenge)
            .await,
    );
    http.get(&setup).send().await.unwrap();
    let secret = secret_of(&scan_qr(&app, &http, &client).await);
    let res = post_form(&http, &setup, &setup, &[("code", &code_at(&secret, now()))]).await;
    assert_eq!(res.status(), 302);

    // Four wrong codes, then a new sign-in with the right password: the
    // count goes on (per user, not cleared by the password).
    let (http, _) = password_step(&app, &client, "locky").await;
    for _ in 0..4 {
        let res = answer(&app, &http, &client, "000000").await;
        assert_eq!(res.status(), 400);
    }
    let (http, res) = password_step(&app, &client, "locky").await;
    assert!(location(&res).starts_with("/mfa?"));
    let res = answer(&app, &http, &client, "000000").await;
    assert_eq!(res.status(), 400);
    // Five wrong codes in all: even the right one is refused now, and
    // starting again does not help.
    let res = answer(&app, &http, &client, &code_at(&secret, now() + 30)).await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Password attempts exceeded"));
    let (http, res) = password_step(&app, &client, "locky").await;
    assert!(location(&res).starts_with("/mfa?"));
    let res = answer(&app, &http, &client, &code_at(&secret, now() + 30)).await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Password attempts exceeded"));
}

#[tokio::test]
async fn optional_mfa_is_enrolled_from_the_account_page_and_can_be_turned_off() {
    let app = spawn_app().await;
    let (_pool, client) = mfa_pool(&app, UserPoolMfaType::Optional, true, false).await;
    let http = app.browser();
    let (_, challenge) = pkce();
    let back = app
        .sign_up_through_pages(&http, &client, "opty", "opty@example.com", &challenge)
        .await;
    assert!(back.starts_with(CALLBACK), "no MFA yet: straight in");

    let account = format!("{}/account?client_id={client}", app.url);
    let html = http
        .get(&account)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Set up an authenticator app"), "{html}");
    let res = http
        .get(format!("{}/account/mfa?client_id={client}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "enrollment starts by a POST only");
    let res = post_form(
        &http,
        &account,
        &format!("{}/account/mfa?client_id={client}", app.url),
        &[],
    )
    .await;
    assert_eq!(res.status(), 302);
    let setup = app.absolute(location(&res));
    http.get(&setup).send().await.unwrap();
    let secret = secret_of(&scan_qr(&app, &http, &client).await);
    let t = now();
    let res = post_form(&http, &setup, &setup, &[("code", &code_at(&secret, t))]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("set up"));

    // Every sign-in now asks for the code.
    let (other, res) = password_step(&app, &client, "opty").await;
    assert!(location(&res).starts_with("/mfa?"));
    let res = answer(&app, &other, &client, &code_at(&secret, t + 30)).await;
    assert_eq!(res.status(), 302);

    // Turned off, it is not asked for any more.
    let html = http
        .get(&account)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = input_value(&html, "_csrf").unwrap();
    let res = http
        .post(format!(
            "{}/account/mfa/disable?client_id={client}",
            app.url
        ))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, res) = password_step(&app, &client, "opty").await;
    assert!(location(&res).starts_with(CALLBACK));

    // The account page is for signed-in users only.
    let res = app.browser().get(&account).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

fn digits(message: &str) -> String {
    message.chars().filter(|c| c.is_ascii_digit()).collect()
}

#[tokio::test]
async fn sms_mfa_sends_a_code_to_the_verified_phone() {
    let (hook, got) = crate::helpers::sms_gateway().await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(hook)).await;
    let pool = app
        .cognito()
        .create_user_pool()
        .pool_name("smsmfa")
        .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
        .send()
        .await
        .unwrap()
        .user_pool()
        .and_then(|p| p.id().map(str::to_string))
        .unwrap();
    app.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Sign-in code {####}")
                .build(),
        )
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(false).build(),
        )
        .send()
        .await
        .unwrap();
    let (client, _) = app.create_client(&pool, false).await;
    // Sign up with a phone number and verify it by SMS.
    let http = app.browser();
    let url = format!("{}/signup?client_id={client}", app.url);
    let res = post_form(
        &http,
        &url,
        &url,
        &[
            ("username", "phoney"),
            ("password", PASSWORD),
            ("phone_number", "+15555550123"),
        ],
    )
    .await;
    let confirm = app.absolute(location(&res));
    let code = digits(got.lock().unwrap()[0]["message"].as_str().unwrap());
    let res = post_form(
        &http,
        &confirm,
        &format!("{}/confirmUser?client_id={client}", app.url),
        &[("username", "phoney"), ("code", code.as_str())],
    )
    .await;
    // Confirming signs in, and MFA is required: a sign-in code by SMS.
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/mfa?"), "{}", location(&res));
    let sms = got.lock().unwrap()[1].clone();
    assert_eq!(sms["to"], "+15555550123");
    let message = sms["message"].as_str().unwrap();
    assert!(message.starts_with("Sign-in code "), "{message}");
    let page = app.absolute(location(&res));
    let html = http.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("+*******0123"), "the masked phone is named");
    let res = answer(&app, &http, &client, "000000").await;
    assert_eq!(res.status(), 400);
    let res = answer(&app, &http, &client, &digits(message)).await;
    assert_eq!(res.status(), 200, "signed in (no app request was pending)");
    assert!(res.text().await.unwrap().contains("signed in"));
}
