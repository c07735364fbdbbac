//! The table, the targets, and the JSON copy under target/.

use serde_json::{json, Value};

use crate::bounds::Bounds;
use crate::driver::Run;

/// The CPU-bound work that limits a scenario.
#[derive(Clone, Copy, Debug)]
pub enum Ceiling {
    /// One argon2id hash (or verification) per iteration.
    Argon2,
    /// Two RS256 signatures (ID and access token) per iteration.
    Rs256Pair,
}

impl Ceiling {
    pub fn per_s(self, b: &Bounds) -> f64 {
        match self {
            Ceiling::Argon2 => b.argon2_per_s,
            Ceiling::Rs256Pair => b.rs256_per_s / 2.0,
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            Ceiling::Argon2 => "argon2id hashes/s (1 per iteration)",
            Ceiling::Rs256Pair => "RS256 signatures/s / 2 (ID + access token)",
        }
    }
}

/// What a scenario's throughput is compared with.
#[derive(Clone, Debug)]
pub enum Bound {
    /// A measured ceiling per second, and the fraction of it to reach.
    Measured {
        ceiling: Ceiling,
        per_s: f64,
        goal: Option<f64>,
    },
    /// A fixed requests/s target.
    Target(f64),
}

pub struct Row {
    pub run: Run,
    pub bound: Bound,
}

impl Bound {
    pub fn measured(ceiling: Ceiling, b: &Bounds, goal: Option<f64>) -> Bound {
        Bound::Measured {
            ceiling,
            per_s: ceiling.per_s(b),
            goal,
        }
    }
}

impl Row {
    /// Compares with `b` instead (the bounds measured again after the load).
    pub fn rebound(&mut self, b: &Bounds) {
        if let Bound::Measured { ceiling, per_s, .. } = &mut self.bound {
            *per_s = ceiling.per_s(b);
        }
    }

    fn bound_per_s(&self) -> f64 {
        match self.bound {
            Bound::Measured { per_s, .. } => per_s,
            Bound::Target(t) => t,
        }
    }

    pub fn ratio(&self) -> f64 {
        self.run.per_second() / self.bound_per_s()
    }

    /// Whether the row meets its goal (None: no goal).
    pub fn met(&self) -> Option<bool> {
        match self.bound {
            Bound::Measured { goal, .. } => goal.map(|g| self.ratio() >= g),
            Bound::Target(t) => Some(self.run.per_second() >= t),
        }
    }
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

pub fn errors_text(run: &Run) -> String {
    if run.errors.is_empty() {
        return "0".into();
    }
    run.errors
        .iter()
        .map(|(k, n)| format!("{n}× {k}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn print_bounds(title: &str, b: &Bounds) {
    println!(
        "{title} ({} threads, server idle):\n  argon2id m={} KiB t={} p={}: {:.1} hashes/s ({:.1} ms for one hash alone)\n  RS256 (aws-lc-rs, 2048-bit, {}-byte input): {:.0} signatures/s -> {:.0} grants/s at 2 signatures per grant\n  SRP verifier (cognate::auth::srp::new_verifier): {:.1}/s; sign-up with hash + verifier: {:.1}/s",
        b.threads,
        b.argon2.memory_kib,
        b.argon2.iterations,
        b.argon2.parallelism,
        b.argon2_per_s,
        b.argon2_single_ms,
        b.jwt_input_len,
        b.rs256_per_s,
        b.rs256_per_s / 2.0,
        b.srp_per_s,
        b.sign_up_with_srp_per_s(),
    );
}

pub fn print_table(rows: &[Row]) {
    println!(
        "\n{:<34} | {:>4} | {:>8} | {:>8} | {:>8} | {:>8} | {:>6} | {:>4} | {:>10} | {:>9} | errors",
        "scenario",
        "conc",
        "req/s",
        "p50 ms",
        "p99 ms",
        "bound/s",
        "ratio",
        "met",
        "server CPU",
        "peak RSS"
    );
    println!("{}", "-".repeat(140));
    for r in rows {
        let bound = match r.bound {
            Bound::Measured { per_s, .. } => format!("{per_s:.1}"),
            Bound::Target(t) => format!("{t:.0}*"),
        };
        let ratio = format!("{:.2}", r.ratio());
        let met = match r.met() {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "-",
        };
        println!(
            "{:<34} | {:>4} | {:>8.1} | {:>8.1} | {:>8.1} | {:>8} | {:>6} | {:>4} | {:>5.2} cores | {:>6.1} MB | {}",
            r.run.name,
            r.run.concurrency,
            r.run.per_second(),
            r.run.percentile_ms(50.0),
            r.run.percentile_ms(99.0),
            bound,
            ratio,
            met,
            r.run.server_cores,
            mb(r.run.peak_rss_kib),
            errors_text(&r.run),
        );
    }
    println!(
        "(* a fixed target, not a measured bound. server CPU: cores busy in the window; the load generator's own use is below)"
    );
    for r in rows {
        println!(
            "  during {:<34} load generator {:.2} cores, everything else on the machine {:.2} cores",
            r.run.name, r.run.client_cores, r.run.other_cores
        );
    }
}

pub fn row_json(r: &Row) -> Value {
    json!({
        "scenario": r.run.name,
        "concurrency": r.run.concurrency,
        "window_s": r.run.window.as_secs_f64(),
        "ok": r.run.ok,
        "per_s": r.run.per_second(),
        "p50_ms": r.run.percentile_ms(50.0),
        "p99_ms": r.run.percentile_ms(99.0),
        "bound_per_s": r.bound_per_s(),
        "bound": match r.bound {
            Bound::Measured { ceiling, goal, .. } => json!({ "measured": ceiling.what(), "goal_ratio": goal }),
            Bound::Target(t) => json!({ "target_per_s": t }),
        },
        "ratio": r.ratio(),
        "met": r.met(),
        "errors": r.run.errors,
        "server_5xx": r.run.server_errors,
        "server_cores": r.run.server_cores,
        "client_cores": r.run.client_cores,
        "other_cores": r.run.other_cores,
        "peak_rss_kib": r.run.peak_rss_kib,
    })
}

/// One line per target: what was measured, the goal, met or not.
pub struct Check {
    pub what: String,
    pub measured: String,
    pub goal: String,
    pub met: bool,
}

pub fn print_checks(checks: &[Check]) {
    println!("\ntargets:");
    for c in checks {
        println!(
            "  [{}] {:<52} {:>24}   (goal {})",
            if c.met { "met" } else { "MISSED" },
            c.what,
            c.measured,
            c.goal
        );
    }
}

pub fn checks_json(checks: &[Check]) -> Value {
    Value::Array(
        checks
            .iter()
            .map(|c| json!({ "target": c.what, "measured": c.measured, "goal": c.goal, "met": c.met }))
            .collect(),
    )
}
