//! Several real `cognate` processes on one database and mail sink, behind
//! an in-test round-robin TCP proxy standing in for a load balancer that
//! needs nothing sticky. Each node's output goes to a file, printed when a
//! test fails.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cognito;
use reqwest::redirect::Policy;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{cognito_client, TestApp, TestDb, KEY_ID, SECRET};
use crate::support::smtp::MailSink;

/// How long a node may take to answer `/health` (migrations, on a busy
/// 2-core machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The round-robin load balancer: every new TCP connection goes to the
/// next node, whatever it carries.
struct Proxy {
    hits: Arc<Vec<AtomicUsize>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    fn start(listener: TcpListener, nodes: Vec<SocketAddr>) -> Proxy {
        let hits: Arc<Vec<AtomicUsize>> = Arc::new(nodes.iter().map(|_| 0.into()).collect());
        let counts = hits.clone();
        let task = tokio::spawn(async move {
            let mut next = 0;
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let i = next % nodes.len();
                next += 1;
                counts[i].fetch_add(1, Ordering::Relaxed);
                let to = nodes[i];
                tokio::spawn(async move {
                    // A node that is down closes the client's connection.
                    if let Ok(mut outbound) = TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Proxy { hits, task }
    }

    /// Connections sent to each node so far.
    fn hits(&self) -> Vec<usize> {
        self.hits
            .iter()
            .map(|h| h.load(Ordering::Relaxed))
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One `cognate` process; its stdout and stderr go to `log`.
struct Node {
    url: String,
    process: Child,
    log: PathBuf,
}

impl Node {
    fn start(
        i: usize,
        dir: &Path,
        port: u16,
        database_url: &str,
        smtp: &str,
        public: &str,
    ) -> Node {
        let log = dir.join(format!("node-{i}.log"));
        let out = File::create(&log).expect("node log file");
        let process = Command::new(env!("CARGO_BIN_EXE_cognate"))
            // No stray cognate.toml.
            .current_dir(dir)
            .env("COGNATE_BIND", format!("127.0.0.1:{port}"))
            .env("COGNATE_PUBLIC_URL", public)
            .env("COGNATE_DATABASE_URL", database_url)
            .env("COGNATE_DATABASE_POOL_SIZE", "3")
            .env("COGNATE_SMTP_URL", smtp)
            .env("COGNATE_ACCESS_KEY_ID", KEY_ID)
            .env("COGNATE_SECRET_ACCESS_KEY", SECRET)
            .env("COGNATE_ARGON2_MEMORY_KIB", "256")
            .env("COGNATE_ARGON2_ITERATIONS", "1")
            .env("COGNATE_WORKERS", "2")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(out.try_clone().expect("node log file"))
            .stderr(out)
            .spawn()
            .expect("start cognate");
        Node {
            url: format!("http://127.0.0.1:{port}"),
            process,
            log,
        }
    }
}

/// Nodes on one database and mail sink, behind the proxy. Dropping it
/// kills the nodes; after a failure it prints their logs.
pub struct Cluster {
    nodes: Vec<Node>,
    proxy: Proxy,
    /// The public face: `url` is the proxy's; the shared mail sink and
    /// database.
    pub app: TestApp,
    /// The nodes' logs (kept after a failure).
    dir: Option<tempfile::TempDir>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    /// Starts `n` nodes at once on a fresh database and waits until each
    /// answers `/health`.
    pub async fn start(n: usize) -> Cluster {
        cognate::install_crypto_provider();
        let mail = MailSink::start().await;
        let database = tokio::task::spawn_blocking(TestDb::new)
            .await
            .expect("test database");
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let public = format!("http://{}", listener.local_addr().expect("proxy address"));
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let proxy = Proxy::start(
            listener,
            ports
                .iter()
                .map(|p| SocketAddr::from(([127, 0, 0, 1], *p)))
                .collect(),
        );
        let (db_url, smtp) = (database.url(), mail.url());
        let nodes = ports
            .iter()
            .enumerate()
            .map(|(i, port)| Node::start(i, dir.path(), *port, &db_url, &smtp, &public))
            .collect();
        let mut cluster = Cluster {
            nodes,
            proxy,
            app: TestApp {
                url: public,
                mail,
                database,
            },
            dir: Some(dir),
        };
        for i in 0..n {
            cluster.wait_healthy(i).await;
        }
        cluster
    }

    async fn wait_healthy(&mut self, i: usize) {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        let health = format!("{}/health", self.nodes[i].url);
        loop {
            if let Ok(Some(status)) = self.nodes[i].process.try_wait() {
                panic!("node {i} exited at start-up ({status})");
            }
            if let Ok(r) = reqwest::get(&health).await {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "node {i} not healthy after {START_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Node `i`'s own URL.
    pub fn node(&self, i: usize) -> &str {
        &self.nodes[i].url
    }

    /// The Cognito API of node `i`, signed with the configured key pair.
    pub fn api(&self, i: usize) -> cognito::Client {
        cognito_client(self.node(i), KEY_ID, SECRET)
    }

    /// Connections the proxy has sent to each node so far.
    pub fn hits(&self) -> Vec<usize> {
        self.proxy.hits()
    }

    /// `url` (through the proxy) sent to node `i` instead.
    pub fn at(&self, i: usize, url: &str) -> String {
        let rest = url
            .strip_prefix(&self.app.url)
            .unwrap_or_else(|| panic!("{url} is not under {}", self.app.url));
        format!("{}{rest}", self.node(i))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let _ = node.process.kill();
            let _ = node.process.wait();
        }
        if std::thread::panicking() {
            for (i, node) in self.nodes.iter().enumerate() {
                let log = std::fs::read_to_string(&node.log).unwrap_or_default();
                eprintln!(
                    "----- node {i} ({}), {} -----\n{log}",
                    node.url,
                    node.log.display()
                );
            }
            eprintln!("(proxy connections per node: {:?})", self.proxy.hits());
            // Keep the logs for a look after the run.
            if let Some(dir) = self.dir.take() {
                eprintln!("(logs kept in {})", dir.keep().display());
            }
        }
    }
}

/// A browser: keeps cookies, follows no redirects. With `sticky` off it
/// opens a new connection for every request, so the proxy sends each one
/// to the next node.
pub fn browser(sticky: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none());
    if !sticky {
        b = b.pool_max_idle_per_host(0);
    }
    b.build().expect("http client")
}
