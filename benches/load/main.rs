//! `cargo bench --bench load`: starts the release-built `cognate` on a
//! fresh database, seeds a pool, clients and users, measures the CPU
//! bounds of this machine (argon2id, RS256), then drives each scenario at
//! a fixed concurrency and prints requests/s, latency, memory and each
//! figure as a ratio to its bound, and which of the targets are met.
//! Options: `cargo bench --bench load -- --help`.
//!
//! SQLite by default; `COGNATE_BENCH_DATABASE_URL=postgres://…` (a role
//! with CREATEDB) runs the same on a fresh PostgreSQL database.

mod bounds;
mod driver;
mod options;
mod report;
mod scenarios;
mod seed;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;

use driver::Run;
use options::Options;
use report::{Bound, Ceiling, Check, Row};
use scenarios::{Ctx, Keep};
use server::{Database, Server};

const IDLE_RSS_MB: f64 = 30.0;
const LOADED_RSS_MB: f64 = 150.0;
const STARTUP_MS: f64 = 200.0;
const READS_PER_S: f64 = 10_000.0;

fn main() -> ExitCode {
    // reqwest is built without a default TLS provider: cognate's (aws-lc-rs).
    cognate::install_crypto_provider();
    let options = match Options::parse() {
        Ok(o) => o,
        Err(e) if e == options::USAGE => {
            println!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // One thread: the load generator takes at most one of the cores it
    // shares with the server.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bench(options)) {
        // Targets missed are a result, not a failure of the bench.
        Ok(_all_met) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn kib_mb(kib: Option<u64>) -> f64 {
    kib.map_or(f64::NAN, |k| k as f64 / 1024.0)
}

fn bounds_json(b: &bounds::Bounds) -> serde_json::Value {
    json!({
        "threads": b.threads,
        "argon2_params": { "memory_kib": b.argon2.memory_kib, "iterations": b.argon2.iterations, "parallelism": b.argon2.parallelism },
        "argon2_per_s": b.argon2_per_s,
        "argon2_single_ms": b.argon2_single_ms,
        "rs256_per_s": b.rs256_per_s,
        "rs256_input_bytes": b.jwt_input_len,
        "srp_verifier_per_s": b.srp_per_s,
    })
}

/// Lines of the server's log that speak of a locked or busy database.
fn busy_lines(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("database is locked") || l.contains("busy")
        })
        .map(str::to_string)
        .collect()
}

async fn bench(o: Options) -> Result<bool, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let admin_url = o.database_url.clone();
    let db_dir = dir.path().to_path_buf();
    let db = tokio::task::spawn_blocking(move || Database::fresh(&db_dir, admin_url.as_deref()))
        .await
        .map_err(|e| e.to_string())??;
    let backend = db.backend();
    let db_url = db.url()?;
    println!(
        "cognate load bench: backend {backend}, {} cores, server {}\n  concurrency {} (RSS step {}), {:.1} s measured per scenario after {:.1} s warm-up, {} users, server RUST_LOG={}\n  server settings: {}\n  load average at start: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        env!("CARGO_BIN_EXE_cognate"),
        o.concurrency,
        o.rss_concurrency,
        o.duration.as_secs_f64(),
        o.warmup.as_secs_f64(),
        o.users,
        o.rust_log,
        if o.server_env.is_empty() {
            "defaults (production argon2id cost), no COGNATE_* inherited".to_string()
        } else {
            o.server_env
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        },
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    );

    let server = Server::start(
        dir.path(),
        &db_url,
        "cognate.log",
        &o.rust_log,
        &o.server_env,
    )
    .await?;
    let startup_fresh = server.startup;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_fresh = server.rss_kib();
    println!(
        "start-up on a fresh database: {:.0} ms to a served /health; idle RSS {:.1} MB",
        startup_fresh.as_secs_f64() * 1000.0,
        kib_mb(idle_fresh)
    );

    let seeding = std::time::Instant::now();
    let fixture = seed::seed(&server.url, o.users).await?;
    println!(
        "seeded pool {} with {} confirmed users in {:.1} s",
        fixture.pool_id,
        fixture.users.len(),
        seeding.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Blocks the (idle) runtime thread while the bound threads run; again
    // after the load, and the higher of the two counts.
    let before = bounds::measure(o.bound_duration)?;
    report::print_bounds("bounds before the load", &before);

    let ctx = Ctx::new(&server.url, fixture)?;
    let b = &before;
    let sign_in_bound = |goal| Bound::measured(Ceiling::Argon2, b, goal);
    let mut rows: Vec<Row> = Vec::new();
    let run =
        |name: &'static str, c: usize, s| driver::run(name, &server, c, o.warmup, o.duration, s);
    let announce = |r: &Run| {
        println!(
            "  {:<34} {:>8.1}/s  p50 {:.1} ms  p99 {:.1} ms  errors {}",
            r.name,
            r.per_second(),
            r.percentile_ms(50.0),
            r.percentile_ms(99.0),
            report::errors_text(r)
        )
    };
    println!("\nscenarios:");

    let api_tokens = Keep::new(o.concurrency);
    let r = run(
        "InitiateAuth USER_PASSWORD_AUTH",
        o.concurrency,
        scenarios::initiate_auth(&ctx, api_tokens.clone()),
    )
    .await;
    announce(&r);
    rows.push(Row {
        run: r,
        bound: sign_in_bound(Some(0.9)),
    });

    let web_tokens = Keep::new(o.concurrency);
    let r = run(
        "hosted sign-in + code exchange",
        o.concurrency,
        scenarios::hosted_sign_in(&ctx, web_tokens.clone()),
    )
    .await;
    announce(&r);
    rows.push(Row {
        run: r,
        bound: sign_in_bound(Some(0.9)),
    });

    let web = web_tokens.take();
    let api = api_tokens.take();
    if web.is_empty() || api.is_empty() {
        return Err("no tokens from the sign-in scenarios: see the errors above".into());
    }
    let r = run(
        "refresh grant (/oauth2/token)",
        o.concurrency,
        scenarios::refresh_grant(&ctx, web.clone()),
    )
    .await;
    announce(&r);
    rows.push(Row {
        run: r,
        bound: Bound::measured(Ceiling::Rs256Pair, b, Some(0.8)),
    });

    let r = run(
        "/oauth2/userInfo",
        o.concurrency,
        scenarios::userinfo(&ctx, web),
    )
    .await;
    announce(&r);
    rows.push(Row {
        run: r,
        bound: Bound::Target(READS_PER_S),
    });

    let r = run("GetUser", o.concurrency, scenarios::get_user(&ctx, api)).await;
    announce(&r);
    rows.push(Row {
        run: r,
        bound: Bound::Target(READS_PER_S),
    });

    let log_before_signup = server.log_text().len();
    let r = run(
        "SignUp (concurrent writers)",
        o.concurrency,
        scenarios::sign_up(&ctx, &std::process::id().to_string()),
    )
    .await;
    announce(&r);
    rows.push(Row {
        run: r,
        bound: Bound::measured(Ceiling::Argon2, b, None),
    });
    let signup_busy = busy_lines(server.log_text().get(log_before_signup..).unwrap_or(""));

    // The first wave of sign-ins all end together, seconds later: a longer
    // warm-up, so that the window sees the steady state.
    let r = driver::run(
        "InitiateAuth (RSS under load)",
        &server,
        o.rss_concurrency,
        o.rss_warmup,
        o.duration,
        scenarios::initiate_auth(&ctx, Keep::new(0)),
    )
    .await;
    announce(&r);
    let loaded_peak = r.peak_rss_kib;
    rows.push(Row {
        run: r,
        bound: sign_in_bound(None),
    });

    drop(ctx);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_after = server.rss_kib();
    let hwm = server.hwm_kib();
    let after = bounds::measure(o.bound_duration)?;
    report::print_bounds("bounds after the load", &after);
    let b = before.best(&after);
    for row in &mut rows {
        row.rebound(&b);
    }
    let log = server.log_text();
    let busy = busy_lines(&log);
    server.stop().await;

    let again = Server::start(
        dir.path(),
        &db_url,
        "cognate-restart.log",
        &o.rust_log,
        &o.server_env,
    )
    .await?;
    let startup_existing = again.startup;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_restart = again.rss_kib();
    again.stop().await;

    report::print_bounds("bounds used (the higher of the two)", &b);
    report::print_table(&rows);
    println!(
        "\nmemory: idle after start {:.1} MB, idle after restart {:.1} MB, idle after the load {:.1} MB, peak (VmHWM) {:.1} MB\nstart-up to /health: fresh database {:.0} ms, existing database {:.0} ms",
        kib_mb(idle_fresh),
        kib_mb(idle_restart),
        kib_mb(idle_after),
        kib_mb(hwm),
        startup_fresh.as_secs_f64() * 1000.0,
        startup_existing.as_secs_f64() * 1000.0,
    );
    println!(
        "server log: {} lines mention a locked/busy database{}",
        busy.len(),
        busy.first()
            .map(|l| format!("; first: {l}"))
            .unwrap_or_default()
    );

    let mut checks: Vec<Check> = rows
        .iter()
        .filter_map(|r| {
            let met = r.met()?;
            let (measured, goal) = match r.bound {
                Bound::Measured { goal, ceiling, .. } => (
                    format!("{:.2} of bound", r.ratio()),
                    format!(
                        ">= {:.0}% of {}",
                        goal.unwrap_or(0.0) * 100.0,
                        ceiling.what()
                    ),
                ),
                Bound::Target(t) => (
                    format!("{:.0} req/s", r.run.per_second()),
                    format!(">= {t:.0} req/s"),
                ),
            };
            Some(Check {
                what: r.run.name.clone(),
                measured,
                goal,
                met,
            })
        })
        .collect();
    let rss_check = |what: &str, kib: Option<u64>, limit: f64| Check {
        what: what.to_string(),
        measured: format!("{:.1} MB", kib_mb(kib)),
        goal: format!("<= {limit:.0} MB"),
        met: kib_mb(kib) <= limit,
    };
    checks.push(rss_check("idle RSS after start", idle_fresh, IDLE_RSS_MB));
    checks.push(rss_check(
        "idle RSS after restart (existing database)",
        idle_restart,
        IDLE_RSS_MB,
    ));
    checks.push(rss_check(
        "idle RSS after the load",
        idle_after,
        IDLE_RSS_MB,
    ));
    checks.push(rss_check(
        &format!("peak RSS under {} concurrent sign-ins", o.rss_concurrency),
        Some(loaded_peak),
        LOADED_RSS_MB,
    ));
    let ms = startup_existing.as_secs_f64() * 1000.0;
    checks.push(Check {
        what: "start-up to /health on an existing database".into(),
        measured: format!("{ms:.0} ms"),
        goal: format!("<= {STARTUP_MS:.0} ms"),
        met: ms <= STARTUP_MS,
    });
    let five_xx: u64 = rows.iter().map(|r| r.run.server_errors).sum();
    checks.push(Check {
        what: "5xx answers, all scenarios".into(),
        measured: five_xx.to_string(),
        goal: "0".into(),
        met: five_xx == 0,
    });
    let signup = rows.iter().find(|r| r.run.name.starts_with("SignUp"));
    let signup_failures = signup.map_or(0, |r| r.run.error_count());
    checks.push(Check {
        what: format!(
            "SignUp at {} writers: failures / busy log lines",
            o.concurrency
        ),
        measured: format!("{signup_failures} / {}", signup_busy.len()),
        goal: "0 / 0".into(),
        met: signup_failures == 0 && signup_busy.is_empty(),
    });
    report::print_checks(&checks);

    let out = target_dir().join(format!("bench-load-{backend}.json"));
    let doc = json!({
        "backend": backend,
        "cores": b.threads,
        "options": {
            "concurrency": o.concurrency,
            "rss_concurrency": o.rss_concurrency,
            "duration_s": o.duration.as_secs_f64(),
            "warmup_s": o.warmup.as_secs_f64(),
            "rss_warmup_s": o.rss_warmup.as_secs_f64(),
            "users": o.users,
            "rust_log": o.rust_log,
        },
        "bounds": { "used": bounds_json(&b), "before_load": bounds_json(&before), "after_load": bounds_json(&after) },
        "scenarios": rows.iter().map(report::row_json).collect::<Vec<_>>(),
        "startup_ms": { "fresh": startup_fresh.as_secs_f64() * 1000.0, "existing": ms },
        "rss_kib": { "idle_start": idle_fresh, "idle_restart": idle_restart, "idle_after_load": idle_after, "hwm": hwm, "peak_under_load": loaded_peak },
        "busy_log_lines": busy.len(),
        "targets": report::checks_json(&checks),
    });
    let saved_log = target_dir().join(format!("bench-load-{backend}-server.log"));
    let _ = std::fs::write(&saved_log, &log);
    match std::fs::write(&out, format!("{doc:#}\n")) {
        Ok(()) => println!(
            "\nwritten: {} (server log: {})",
            out.display(),
            saved_log.display()
        ),
        Err(e) => eprintln!("cannot write {}: {e}", out.display()),
    }
    drop(db);
    Ok(checks.iter().all(|c| c.met))
}
