//! The server under test: the release-built `cognate` binary as a child
//! process on a free port, over a fresh database; its start-up time,
//! memory (/proc/<pid>/status) and CPU time (/proc/<pid>/stat).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key pair the seeding calls sign with.
pub const KEY_ID: &str = "AKIDBENCHKEY000000001";
pub const SECRET: &str = "bench-secret-access-key-0123456789abcdef";

/// How long a start may take before the bench gives up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A database of its own for one run: a SQLite file in a temporary
/// directory, or a fresh PostgreSQL database made with the role of
/// `COGNATE_BENCH_DATABASE_URL` (as `tests/it/helpers.rs` `TestDb` does),
/// dropped at the end.
pub enum Database {
    Sqlite(PathBuf),
    Pg { admin_url: String, name: String },
}

impl Database {
    pub fn fresh(dir: &Path, admin_url: Option<&str>) -> Result<Database, String> {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let Some(admin_url) = admin_url else {
            return Ok(Database::Sqlite(dir.join("cognate.db")));
        };
        let name = format!(
            "cognate_bench_{}_{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let mut admin = diesel::PgConnection::establish(admin_url)
            .map_err(|e| format!("COGNATE_BENCH_DATABASE_URL: cannot connect: {e}"))?;
        admin
            .batch_execute(&format!(
                "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
            ))
            .map_err(|e| format!("cannot create the bench database: {e}"))?;
        Ok(Database::Pg {
            admin_url: admin_url.to_string(),
            name,
        })
    }

    /// The server's `COGNATE_DATABASE_URL`.
    pub fn url(&self) -> Result<String, String> {
        match self {
            Database::Sqlite(path) => Ok(path.display().to_string()),
            Database::Pg { admin_url, name } => {
                let mut u = url::Url::parse(admin_url)
                    .map_err(|e| format!("COGNATE_BENCH_DATABASE_URL: {e}"))?;
                u.set_path(name);
                Ok(u.to_string())
            }
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Pg { .. } => "postgres",
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        if let Database::Pg { admin_url, name } = self {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

/// CPU time of a process, in seconds (user + system), from /proc.
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses: state is
    // field 3, utime 14 and stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / clock_ticks())
}

/// CPU time the whole machine spent busy (all cores, steal included), in
/// seconds, from the first line of /proc/stat.
pub fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let f: Vec<u64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest is in user).
    let busy: u64 = f.iter().take(8).sum::<u64>() - f.get(3)? - f.get(4)?;
    Some(busy as f64 / clock_ticks())
}

/// `getconf CLK_TCK` (100 on Linux almost everywhere).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// A `kB` line of /proc/<pid>/status (`VmRSS`, `VmHWM`), in KiB.
pub fn status_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A running `cognate`.
pub struct Server {
    child: Child,
    pub url: String,
    pub pid: String,
    pub log: PathBuf,
    /// From spawning the process to the first 200 from `/health`.
    pub startup: Duration,
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

impl Server {
    /// Starts the release binary on `database_url` with the production
    /// argon2 parameters (the defaults), logging to `dir/<log_name>`, and
    /// waits for `/health`.
    pub async fn start(
        dir: &Path,
        database_url: &str,
        log_name: &str,
        rust_log: &str,
        extra_env: &[(String, String)],
    ) -> Result<Server, String> {
        let port = free_port()?;
        let log = dir.join(log_name);
        let out = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognate"));
        // Nothing inherited may change what is measured (argon2 cost,
        // workers, pool size): only the bench's settings.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("COGNATE_") {
                cmd.env_remove(k);
            }
        }
        cmd.current_dir(dir) // no stray cognate.toml
            .env("COGNATE_BIND", format!("127.0.0.1:{port}"))
            .env("COGNATE_DATABASE_URL", database_url)
            .env("COGNATE_ACCESS_KEY_ID", KEY_ID)
            .env("COGNATE_SECRET_ACCESS_KEY", SECRET)
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .envs(extra_env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let url = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let health = format!("{url}/health");
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", env!("CARGO_BIN_EXE_cognate")))?;
        let pid = child.id().to_string();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("cognate exited at start-up ({status}):\n{text}"));
            }
            if let Ok(r) = probe.get(&health).send().await {
                if r.status() == 200 {
                    break;
                }
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = child.kill();
                return Err(format!("cognate not healthy after {START_TIMEOUT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Server {
            startup: started.elapsed(),
            child,
            url,
            pid,
            log,
        })
    }

    pub fn rss_kib(&self) -> Option<u64> {
        status_kib(&self.pid, "VmRSS")
    }

    pub fn hwm_kib(&self) -> Option<u64> {
        status_kib(&self.pid, "VmHWM")
    }

    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(&self.pid)
    }

    /// What the server logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Asks the server to stop (SIGTERM, as a service manager would) and
    /// waits for it; kills it after 15 s.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
