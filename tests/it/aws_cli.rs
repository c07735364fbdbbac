//! The real AWS CLI (`aws`, the PyPI package `awscli` pinned in
//! tests/aws-cli/requirements.txt) against the test server, as a user of
//! the README's walk-through would run it: `--endpoint-url`, the key pair
//! in the environment, JSON out.

use serde_json::Value;
use tokio::process::Command;

use crate::helpers::{spawn_app, KEY_ID, SECRET};

const INSTALL: &str = "pip install -r tests/aws-cli/requirements.txt";

/// Runs `aws --endpoint-url <url> --region us-east-1 cognito-idp <args>`
/// with only the test key pair for credentials; returns its JSON output.
async fn aws(url: &str, home: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new("aws")
        .args([
            "--endpoint-url",
            url,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .arg("cognito-idp")
        .args(args)
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_PAGER", "")
        .env("HOME", home)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("could not run the `aws` command ({e}); install the AWS CLI with `{INSTALL}`")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "aws cognito-idp {args:?} failed ({}):\n{stderr}\n{stdout}",
        out.status
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("aws printed no JSON ({e}):\n{stdout}\n{stderr}"))
}

#[tokio::test]
async fn the_aws_cli_creates_and_lists_pools_and_groups() {
    let app = spawn_app().await;
    let home = tempfile::tempdir().expect("temp dir");
    let url = app.url.as_str();

    let created = aws(
        url,
        home.path(),
        &["create-user-pool", "--pool-name", "cli-pool"],
    )
    .await;
    let pool = created["UserPool"]["Id"]
        .as_str()
        .unwrap_or_else(|| panic!("no pool id in {created}"))
        .to_string();
    assert_eq!(created["UserPool"]["Name"], "cli-pool");

    let listed = aws(
        url,
        home.path(),
        &["list-user-pools", "--max-results", "10"],
    )
    .await;
    let pools = listed["UserPools"].as_array().expect("UserPools");
    assert!(
        pools
            .iter()
            .any(|p| p["Id"] == pool.as_str() && p["Name"] == "cli-pool"),
        "{listed}"
    );

    let group = aws(
        url,
        home.path(),
        &[
            "create-group",
            "--user-pool-id",
            &pool,
            "--group-name",
            "admins",
            "--precedence",
            "1",
            "--description",
            "From the CLI",
        ],
    )
    .await;
    assert_eq!(group["Group"]["GroupName"], "admins");
    assert_eq!(group["Group"]["Precedence"], 1);
    assert_eq!(group["Group"]["UserPoolId"], pool.as_str());

    let groups = aws(url, home.path(), &["list-groups", "--user-pool-id", &pool]).await;
    assert_eq!(groups["Groups"][0]["GroupName"], "admins", "{groups}");
    assert_eq!(groups["Groups"][0]["Description"], "From the CLI");
}
