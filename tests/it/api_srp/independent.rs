//! The independent clients, each run as a subprocess against the test
//! server: pycognito's `AWSSRP` over boto3 (`tests/srp-clients/srp.py`) and
//! amazon-cognito-identity-js (`tests/srp-clients/srp.mjs`). Each sign-in
//! ends with tokens whose `cognito:username` is checked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cognito::types::{SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType};
use serde_json::{json, Value};

use super::{admin_user, cognito, now, pool, srp_client, BAD};
use crate::helpers::{jwt_claims, spawn_app, TestApp, PASSWORD};

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/srp-clients")
}

#[derive(Clone, Copy, Debug)]
enum Independent {
    /// pycognito's AWSSRP over boto3.
    Pycognito,
    /// amazon-cognito-identity-js.
    CognitoIdentityJs,
}

impl Independent {
    /// The interpreter and script, after checking they can run.
    async fn command(self) -> (String, PathBuf) {
        match self {
            Independent::Pycognito => {
                let python = std::env::var("PYTHON_BIN").unwrap_or_else(|_| "python3".into());
                let ok = tokio::process::Command::new(&python)
                    .args(["-c", "import pycognito, boto3"])
                    .output()
                    .await
                    .map(|o| o.status.success())
                    .unwrap_or(false);
                assert!(
                    ok,
                    "pycognito is needed for the SRP tests: run `pip install -r tests/srp-clients/requirements.txt` \
                     (with {python}, or set PYTHON_BIN to a Python 3 that has it)"
                );
                (python, clients_dir().join("srp.py"))
            }
            Independent::CognitoIdentityJs => {
                let node = std::env::var("NODE_BIN").unwrap_or_else(|_| "node".into());
                let runs = tokio::process::Command::new(&node)
                    .arg("--version")
                    .output()
                    .await
                    .map(|o| o.status.success())
                    .unwrap_or(false);
                assert!(
                    runs,
                    "Node.js is needed for the SRP tests: install node (18 or later) or set NODE_BIN"
                );
                assert!(
                    clients_dir()
                        .join("node_modules/amazon-cognito-identity-js")
                        .is_dir(),
                    "amazon-cognito-identity-js is needed for the SRP tests: run `npm ci --prefix tests/srp-clients`"
                );
                (node, clients_dir().join("srp.mjs"))
            }
        }
    }

    /// Runs one sign-in; the tokens, or `{"error", "message"}`.
    async fn sign_in(self, args: Value) -> Result<Value, Value> {
        let (program, script) = self.command().await;
        let child = tokio::process::Command::new(&program)
            .arg(&script)
            .arg(args.to_string())
            .current_dir(clients_dir())
            .env("AWS_ACCESS_KEY_ID", "dummy")
            .env("AWS_SECRET_ACCESS_KEY", "dummy")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("{self:?} did not finish in 60 s"))
            .expect("client output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stdout.lines().last().unwrap_or_default();
        let value: Value = serde_json::from_str(line).unwrap_or_else(|_| {
            panic!("{self:?} printed no result.\nstdout:\n{stdout}\nstderr:\n{stderr}")
        });
        if out.status.success() {
            Ok(value)
        } else {
            Err(value)
        }
    }
}

fn client_args(app: &TestApp, pool: &str, client: &str, username: &str, password: &str) -> Value {
    json!({
        "endpoint": app.url,
        "pool_id": pool,
        "client_id": client,
        "username": username,
        "password": password,
    })
}

fn username_of(tokens: &Value) -> String {
    let id = tokens["IdToken"].as_str().expect("IdToken");
    jwt_claims(id)["cognito:username"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn enroll_totp(app: &TestApp, access: &str) -> String {
    let secret = app
        .cognito()
        .associate_software_token()
        .access_token(access)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_string();
    let code = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(
            totp_rs::Secret::try_from_base32(&secret)
                .unwrap()
                .as_ref()
                .to_vec(),
        )
        .build_noncompliant()
        .generate(now() as u64)
        .to_string();
    app.cognito()
        .verify_software_token()
        .access_token(access)
        .user_code(code)
        .send()
        .await
        .expect("VerifySoftwareToken");
    app.cognito()
        .set_user_mfa_preference()
        .access_token(access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference");
    secret
}

#[tokio::test]
async fn pycognito_signs_in_with_srp() {
    let app = spawn_app().await;
    let pool = pool(&app, "srp-python", false).await;
    app.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    // A client with a secret: SECRET_HASH on both steps.
    let (client, secret) = srp_client(&app, &pool, true, true).await;
    let secret = secret.expect("client secret");
    let py = Independent::Pycognito;
    let args = |user: &str, password: &str| {
        let mut a = client_args(&app, &pool, &client, user, password);
        a["client_secret"] = json!(secret);
        a
    };
    admin_user(&app, &pool, "pyana", PASSWORD, true).await;

    let tokens = py
        .sign_in(args("pyana", PASSWORD))
        .await
        .expect("pycognito");
    assert_eq!(username_of(&tokens), "pyana");

    let err = py
        .sign_in(args("pyana", "Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert_eq!(err["error"], "NotAuthorizedException", "{err}");
    assert_eq!(err["message"], BAD);
    let err = py.sign_in(args("nobody", PASSWORD)).await.unwrap_err();
    assert_eq!(err["error"], "NotAuthorizedException", "{err}");

    // A changed password: the new verifier works, the old one is gone.
    app.cognito()
        .change_password()
        .access_token(tokens["AccessToken"].as_str().unwrap())
        .previous_password(PASSWORD)
        .proposed_password("Changed-Horse-8")
        .send()
        .await
        .expect("ChangePassword");
    let tokens = py
        .sign_in(args("pyana", "Changed-Horse-8"))
        .await
        .expect("new password");
    assert_eq!(username_of(&tokens), "pyana");
    let err = py.sign_in(args("pyana", PASSWORD)).await.unwrap_err();
    assert_eq!(err["error"], "NotAuthorizedException", "{err}");

    // TOTP after SRP: pycognito stops at SOFTWARE_TOKEN_MFA, the script
    // answers it.
    let totp_secret = enroll_totp(&app, tokens["AccessToken"].as_str().unwrap()).await;
    let err = py
        .sign_in(args("pyana", "Changed-Horse-8"))
        .await
        .unwrap_err();
    assert_eq!(err["error"], "SOFTWARE_TOKEN_MFA", "{err}");
    let mut with_code = args("pyana", "Changed-Horse-8");
    with_code["totp_secret"] = json!(totp_secret);
    let tokens = py.sign_in(with_code).await.expect("SRP, then TOTP");
    assert_eq!(username_of(&tokens), "pyana");

    // NEW_PASSWORD_REQUIRED through pycognito's own helper.
    admin_user(&app, &pool, "pynew", "Temp-Pass-123", false).await;
    let mut new = args("pynew", "Temp-Pass-123");
    new["new_password"] = json!("Brand-New-Pass-7");
    let tokens = py.sign_in(new).await.expect("new password");
    assert_eq!(username_of(&tokens), "pynew");
    let tokens = py
        .sign_in(args("pynew", "Brand-New-Pass-7"))
        .await
        .expect("the new password");
    assert_eq!(username_of(&tokens), "pynew");
}

#[tokio::test]
async fn amazon_cognito_identity_js_signs_in_with_srp() {
    let app = spawn_app().await;
    // E-mail addresses are the user names: USER_ID_FOR_SRP is then the
    // stored, sub-like name, and the client must use it.
    let pool = pool(&app, "srp-js", true).await;
    let (client, _) = srp_client(&app, &pool, false, true).await;
    let js = Independent::CognitoIdentityJs;
    admin_user(&app, &pool, "jsana@example.com", PASSWORD, true).await;

    let tokens = js
        .sign_in(client_args(
            &app,
            &pool,
            &client,
            "jsana@example.com",
            PASSWORD,
        ))
        .await
        .expect("amazon-cognito-identity-js");
    let id = jwt_claims(tokens["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "jsana@example.com");
    assert_eq!(id["cognito:username"], id["sub"]);

    let err = js
        .sign_in(client_args(
            &app,
            &pool,
            &client,
            "jsana@example.com",
            "Wrong-Horse-9",
        ))
        .await
        .unwrap_err();
    assert_eq!(err["error"], "NotAuthorizedException", "{err}");
    let err = js
        .sign_in(client_args(
            &app,
            &pool,
            &client,
            "ghost@example.com",
            PASSWORD,
        ))
        .await
        .unwrap_err();
    assert_eq!(err["error"], "NotAuthorizedException", "{err}");
    assert_eq!(err["message"], BAD);

    // An administrator's temporary password, replaced in the client.
    admin_user(&app, &pool, "jsnew@example.com", "Temp-Pass-123", false).await;
    let mut args = client_args(&app, &pool, &client, "jsnew@example.com", "Temp-Pass-123");
    args["new_password"] = json!("Brand-New-Pass-7");
    let tokens = js.sign_in(args).await.expect("NEW_PASSWORD_REQUIRED");
    let id = jwt_claims(tokens["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "jsnew@example.com");
    let tokens = js
        .sign_in(client_args(
            &app,
            &pool,
            &client,
            "jsnew@example.com",
            "Brand-New-Pass-7",
        ))
        .await
        .expect("the new password");
    assert_eq!(
        username_of(&tokens),
        id["cognito:username"].as_str().unwrap()
    );
}
