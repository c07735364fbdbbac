//! The load generator: a fixed number of workers, each looping over one
//! scenario's iteration for a fixed time on the bench's single-threaded
//! runtime (so the client never takes more than one of the cores it shares
//! with the server). Only iterations that end inside the measured window
//! (after the warm-up, before the deadline) count; those still running at
//! the deadline are awaited and dropped.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::server::{cpu_seconds, machine_busy_seconds, Server};

/// Why an iteration failed: the HTTP status (if one came) and what.
#[derive(Debug)]
pub struct Failure {
    pub status: Option<u16>,
    pub what: String,
}

impl Failure {
    pub fn transport(step: &str, e: impl std::fmt::Display) -> Failure {
        // reqwest's message names the URL, which may carry a code.
        let kind = e.to_string();
        let kind = kind
            .split(" for url")
            .next()
            .unwrap_or_default()
            .to_string();
        Failure {
            status: None,
            what: format!("{step}: transport: {kind}"),
        }
    }

    pub fn unexpected(step: &str, what: impl std::fmt::Display) -> Failure {
        Failure {
            status: None,
            what: format!("{step}: {what}"),
        }
    }
}

pub type Outcome = Result<(), Failure>;
pub type Iteration = Pin<Box<dyn Future<Output = Outcome> + Send>>;
/// One iteration of worker `w`, its `i`-th.
pub type Scenario = Arc<dyn Fn(usize, u64) -> Iteration + Send + Sync>;

/// What one scenario measured.
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub name: String,
    pub concurrency: usize,
    /// Length of the measured window.
    pub window: Duration,
    pub ok: u64,
    /// Latencies of the successful iterations in the window, sorted.
    pub latencies_us: Vec<u32>,
    /// Failed iterations (whole run, warm-up and drain included) by kind.
    pub errors: BTreeMap<String, u64>,
    pub server_errors: u64,
    /// CPU used over the window, in cores (1.0 = one core busy).
    pub server_cores: f64,
    pub client_cores: f64,
    /// Everything else the machine ran meanwhile (other processes, and
    /// time the hypervisor took: steal), in cores.
    pub other_cores: f64,
    /// Highest VmRSS sampled during the run, KiB.
    pub peak_rss_kib: u64,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64().max(1e-9)
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.latencies_us.len()) - 1;
        self.latencies_us[i] as f64 / 1000.0
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

#[derive(Default)]
struct Tally {
    ok: u64,
    latencies_us: Vec<u32>,
    errors: BTreeMap<String, u64>,
    server_errors: u64,
}

/// Runs `scenario` with `concurrency` workers for `warmup + duration`.
pub async fn run(
    name: &str,
    server: &Server,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    scenario: Scenario,
) -> Run {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let start = Instant::now();
    let from = start + warmup;
    let until = from + duration;
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (scenario, tally) = (scenario.clone(), tally.clone());
        workers.spawn(async move {
            let mut i = 0u64;
            while Instant::now() < until {
                let t0 = Instant::now();
                let outcome = scenario(w, i).await;
                let t1 = Instant::now();
                i += 1;
                let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
                match outcome {
                    Ok(()) if t1 >= from && t1 <= until => {
                        t.ok += 1;
                        let us = (t1 - t0).as_micros().min(u32::MAX as u128) as u32;
                        t.latencies_us.push(us);
                    }
                    Ok(()) => {}
                    Err(f) => {
                        if f.status.is_some_and(|s| s >= 500) {
                            t.server_errors += 1;
                        }
                        let key = match f.status {
                            Some(s) => format!("{s} {}", f.what),
                            None => f.what,
                        };
                        *t.errors.entry(key).or_default() += 1;
                    }
                }
            }
        });
    }
    // Samples memory all along and CPU at the window's edges.
    let mut peak = server.rss_kib().unwrap_or(0);
    let mut cpu_from = None;
    let mut cpu_until = None;
    let self_pid = std::process::id().to_string();
    let cpu = || {
        (
            server.cpu_seconds(),
            cpu_seconds(&self_pid),
            machine_busy_seconds(),
            Instant::now(),
        )
    };
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    loop {
        tokio::select! {
            done = workers.join_next() => {
                if done.is_none() {
                    break;
                }
            }
            _ = tick.tick() => {
                peak = peak.max(server.rss_kib().unwrap_or(0));
                let now = Instant::now();
                if cpu_from.is_none() && now >= from {
                    cpu_from = Some(cpu());
                }
                if cpu_until.is_none() && now >= until {
                    cpu_until = Some(cpu());
                }
            }
        }
    }
    peak = peak.max(server.rss_kib().unwrap_or(0));
    // Fast iterations may all end between two ticks after the deadline.
    if cpu_until.is_none() {
        cpu_until = Some(cpu());
    }
    let cores = |a: Option<f64>, b: Option<f64>, dt: f64| match (a, b) {
        (Some(a), Some(b)) if dt > 0.0 => (b - a) / dt,
        _ => f64::NAN,
    };
    let (server_cores, client_cores, other_cores) = match (cpu_from, cpu_until) {
        (Some((s0, c0, m0, t0)), Some((s1, c1, m1, t1))) => {
            let dt = (t1 - t0).as_secs_f64();
            let (server, client) = (cores(s0, s1, dt), cores(c0, c1, dt));
            // Clamped: the three are counted in ticks at slightly
            // different instants.
            let other = (cores(m0, m1, dt) - server - client).max(0.0);
            (server, client, other)
        }
        _ => (f64::NAN, f64::NAN, f64::NAN),
    };
    let mut t = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    t.latencies_us.sort_unstable();
    Run {
        name: name.to_string(),
        concurrency,
        window: duration,
        ok: t.ok,
        latencies_us: t.latencies_us,
        errors: t.errors,
        server_errors: t.server_errors,
        server_cores,
        client_cores,
        other_cores,
        peak_rss_kib: peak,
    }
}
