//! What a run measures: concurrency, durations, backend. Environment
//! variables first, command-line arguments (after `--`) override them.

use std::time::Duration;

pub const USAGE: &str = "\
cargo bench --bench load [-- OPTIONS]

  --concurrency N        workers per scenario (env COGNATE_BENCH_CONCURRENCY, default 64)
  --rss-concurrency N    workers of the RSS-under-load step (env COGNATE_BENCH_RSS_CONCURRENCY, default 200)
  --duration SECS        measured time per scenario (env COGNATE_BENCH_DURATION, default 5)
  --warmup SECS          unmeasured start of each scenario (env COGNATE_BENCH_WARMUP, default 1)
  --rss-warmup SECS      unmeasured start of the RSS-under-load step, where every sign-in of the
                         first wave takes seconds (env COGNATE_BENCH_RSS_WARMUP, default 8)
  --bound-duration SECS  time per bound measurement (env COGNATE_BENCH_BOUND_DURATION, default 3)
  --users N              confirmed users seeded (env COGNATE_BENCH_USERS, default max(200, concurrencies))
  --database-url URL     postgres://… (a role with CREATEDB): a fresh database is created in it
                         and dropped at the end (env COGNATE_BENCH_DATABASE_URL); default: a
                         fresh SQLite file in a temporary directory
  --rust-log FILTER      the server's RUST_LOG (env COGNATE_BENCH_RUST_LOG, default info)
  --server-env KEY=VALUE a setting for the server, repeatable, e.g. COGNATE_WORKERS=1 (env
                         COGNATE_BENCH_SERVER_ENV, comma-separated); default: none, the server
                         runs with its defaults (production argon2 cost) and no inherited COGNATE_*";

#[derive(Clone, Debug)]
pub struct Options {
    pub concurrency: usize,
    pub rss_concurrency: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub rss_warmup: Duration,
    pub bound_duration: Duration,
    pub users: usize,
    pub database_url: Option<String>,
    pub rust_log: String,
    pub server_env: Vec<(String, String)>,
}

fn secs(name: &str, v: &str) -> Result<Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{name} must be a number of seconds, not {v:?}"))
}

fn count(name: &str, v: &str) -> Result<usize, String> {
    v.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{name} must be a positive integer, not {v:?}"))
}

impl Options {
    pub fn parse() -> Result<Options, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut o = Options {
            concurrency: 64,
            rss_concurrency: 200,
            duration: Duration::from_secs(5),
            warmup: Duration::from_secs(1),
            rss_warmup: Duration::from_secs(8),
            bound_duration: Duration::from_secs(3),
            users: 0,
            database_url: env("COGNATE_BENCH_DATABASE_URL"),
            rust_log: env("COGNATE_BENCH_RUST_LOG").unwrap_or_else(|| "info".into()),
            server_env: Vec::new(),
        };
        let mut users = None;
        let mut set = |o: &mut Options, key: &str, v: &str| -> Result<(), String> {
            match key {
                "concurrency" => o.concurrency = count(key, v)?,
                "rss-concurrency" => o.rss_concurrency = count(key, v)?,
                "duration" => o.duration = secs(key, v)?,
                "warmup" => o.warmup = secs(key, v)?,
                "rss-warmup" => o.rss_warmup = secs(key, v)?,
                "bound-duration" => o.bound_duration = secs(key, v)?,
                "users" => users = Some(count(key, v)?),
                "database-url" => o.database_url = Some(v.to_string()).filter(|u| !u.is_empty()),
                "rust-log" => o.rust_log = v.to_string(),
                "server-env" => {
                    for pair in v.split(',').filter(|p| !p.is_empty()) {
                        let (k, val) = pair
                            .split_once('=')
                            .ok_or_else(|| format!("--server-env wants KEY=VALUE, not {pair:?}"))?;
                        o.server_env.push((k.trim().to_string(), val.to_string()));
                    }
                }
                _ => return Err(format!("unknown option --{key}\n\n{USAGE}")),
            }
            Ok(())
        };
        for (var, key) in [
            ("COGNATE_BENCH_CONCURRENCY", "concurrency"),
            ("COGNATE_BENCH_RSS_CONCURRENCY", "rss-concurrency"),
            ("COGNATE_BENCH_DURATION", "duration"),
            ("COGNATE_BENCH_WARMUP", "warmup"),
            ("COGNATE_BENCH_RSS_WARMUP", "rss-warmup"),
            ("COGNATE_BENCH_BOUND_DURATION", "bound-duration"),
            ("COGNATE_BENCH_USERS", "users"),
            ("COGNATE_BENCH_SERVER_ENV", "server-env"),
        ] {
            if let Some(v) = env(var) {
                set(&mut o, key, &v)?;
            }
        }
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            // `cargo bench` passes `--bench` to every bench binary.
            if arg == "--bench" {
                continue;
            }
            if arg == "--help" || arg == "-h" {
                return Err(USAGE.to_string());
            }
            let Some(opt) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}\n\n{USAGE}"));
            };
            let (key, value) = match opt.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (
                    opt.to_string(),
                    args.next()
                        .ok_or_else(|| format!("--{opt} needs a value\n\n{USAGE}"))?,
                ),
            };
            set(&mut o, &key, &value)?;
        }
        if o.duration.is_zero() {
            return Err("--duration must be more than 0".into());
        }
        o.users = users
            .unwrap_or(200)
            .max(o.concurrency)
            .max(o.rss_concurrency);
        Ok(o)
    }
}
