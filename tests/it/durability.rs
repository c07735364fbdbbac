//! What was acknowledged survives `kill -9`: the real binary, killed and
//! started again on the same SQLite file. It runs with the production
//! settings (including the argon2 cost).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{cognito_client, KEY_ID, SECRET};

fn start(db: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cognate"))
        .env("COGNATE_BIND", format!("127.0.0.1:{port}"))
        .env("COGNATE_DATABASE_URL", db)
        .env("COGNATE_ACCESS_KEY_ID", KEY_ID)
        .env("COGNATE_SECRET_ACCESS_KEY", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cognate")
}

async fn wait_healthy(url: &str) {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{url}/health")).await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("cognate did not become healthy at {url}");
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_dash_nine() {
    cognate::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cognate.db");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");

    let mut server = start(&db, port);
    wait_healthy(&url).await;
    let api = cognito_client(&url, KEY_ID, SECRET);
    let mut ids = Vec::new();
    for i in 0..20 {
        let out = api
            .create_user_pool()
            .pool_name(format!("durable-{i}"))
            .send()
            .await
            .expect("CreateUserPool");
        ids.push(
            out.user_pool()
                .and_then(|p| p.id().map(str::to_string))
                .unwrap(),
        );
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();

    let mut server = start(&db, port);
    wait_healthy(&url).await;
    for id in &ids {
        api.describe_user_pool()
            .user_pool_id(id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("pool {id} lost after kill -9: {e:?}"));
    }
    server.kill().unwrap();
    server.wait().unwrap();
}
