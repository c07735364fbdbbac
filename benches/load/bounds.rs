//! The machine's ceilings for the CPU-bound work of each scenario,
//! measured in this process while the server is idle, one thread per core:
//! argon2id hashes/s with the server's parameters (each thread reusing one
//! memory block), RS256 signatures/s with aws-lc-rs (2048-bit key, a
//! typical ~900-byte JWT signing input), and — for sign-up, which also
//! stores an SRP verifier — cognate's own SRP verifier computation.

use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

#[derive(Clone, Debug)]
pub struct Bounds {
    pub threads: usize,
    pub argon2: cognate::config::Argon2Params,
    pub argon2_per_s: f64,
    /// One hash alone, on an otherwise idle machine.
    pub argon2_single_ms: f64,
    pub rs256_per_s: f64,
    pub srp_per_s: f64,
    /// Bytes of the RS256 signing input.
    pub jwt_input_len: usize,
}

impl Bounds {
    /// The higher of two measurements of each ceiling: a ceiling measured
    /// low only says that something else ran meanwhile.
    pub fn best(&self, other: &Bounds) -> Bounds {
        Bounds {
            argon2_per_s: self.argon2_per_s.max(other.argon2_per_s),
            argon2_single_ms: self.argon2_single_ms.min(other.argon2_single_ms),
            rs256_per_s: self.rs256_per_s.max(other.rs256_per_s),
            srp_per_s: self.srp_per_s.max(other.srp_per_s),
            ..self.clone()
        }
    }

    /// Sign-up's ceiling with both of its CPU costs (a hash and an SRP
    /// verifier per sign-up).
    pub fn sign_up_with_srp_per_s(&self) -> f64 {
        1.0 / (1.0 / self.argon2_per_s + 1.0 / self.srp_per_s)
    }
}

/// Runs `work` on `threads` threads for `duration`; operations per second
/// summed over the threads.
fn on_all_cores<S, F>(threads: usize, duration: Duration, setup: S) -> f64
where
    S: Fn() -> F + Send + Sync + 'static,
    F: FnMut(),
{
    let setup = Arc::new(setup);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let setup = setup.clone();
            std::thread::spawn(move || {
                let mut work = setup();
                let start = Instant::now();
                let mut n = 0u64;
                while start.elapsed() < duration || n == 0 {
                    work();
                    n += 1;
                }
                n as f64 / start.elapsed().as_secs_f64()
            })
        })
        .collect();
    handles.into_iter().filter_map(|h| h.join().ok()).sum()
}

/// A JWT signing input shaped like cognate's ID tokens (~900 bytes).
fn jwt_input() -> String {
    let header = json!({ "kid": "abcdefghijklmnopqrstuvwx", "alg": "RS256" });
    let claims = json!({
        "sub": uuid::Uuid::new_v4().to_string(),
        "email_verified": true,
        "iss": "http://127.0.0.1:9229/local_AbCdEfGhI",
        "cognito:username": "user-00001",
        "origin_jti": uuid::Uuid::new_v4().to_string(),
        "aud": "abcdefghijklmnopqrstuvwxyz",
        "event_id": uuid::Uuid::new_v4().to_string(),
        "token_use": "id",
        "auth_time": 1_764_000_000,
        "exp": 1_764_003_600,
        "iat": 1_764_000_000,
        "jti": uuid::Uuid::new_v4().to_string(),
        "email": "user-00001@example.com",
        "at_hash": "AbCdEfGhIjKlMnOpQrStUv",
        "nonce": "n-0S6_WzA2Mj",
        "custom:team": "platform",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "cognito:groups": ["admins", "readers"],
    });
    let mut input = URL_SAFE_NO_PAD.encode(header.to_string());
    input.push('.');
    input.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
    input
}

pub fn measure(duration: Duration) -> Result<Bounds, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let p = cognate::config::Argon2Params::default();
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32))
        .map_err(|e| format!("argon2 parameters: {e}"))?;

    let argon = {
        let params = params.clone();
        move || {
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
            let mut blocks = vec![Block::default(); params.block_count()];
            let mut out = [0u8; 32];
            let mut salt = [7u8; 16];
            move || {
                salt[0] = salt[0].wrapping_add(1);
                let _ = argon.hash_password_into_with_memory(
                    b"Correct-Horse-9",
                    &salt,
                    &mut out,
                    &mut blocks,
                );
            }
        }
    };
    let argon2_single_ms = {
        let mut one = argon();
        one(); // first touch of the memory block
        let t = Instant::now();
        one();
        t.elapsed().as_secs_f64() * 1000.0
    };
    let argon2_per_s = on_all_cores(threads, duration, argon);

    let key = Arc::new(
        KeyPair::generate(KeySize::Rsa2048).map_err(|e| format!("RSA key generation: {e}"))?,
    );
    let input = Arc::new(jwt_input());
    let jwt_input_len = input.len();
    let rs256_per_s = on_all_cores(threads, duration, move || {
        let (key, input) = (key.clone(), input.clone());
        let rng = SystemRandom::new();
        let mut sig = vec![0u8; key.public_modulus_len()];
        move || {
            let _ = key.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig);
        }
    });

    let srp_per_s = on_all_cores(threads, duration, || {
        let mut i = 0u64;
        move || {
            i += 1;
            let _ = cognate::auth::srp::new_verifier("AbCdEfGhI", &format!("user-{i}"), "pw");
        }
    });

    Ok(Bounds {
        threads,
        argon2: p,
        argon2_per_s,
        argon2_single_ms,
        rs256_per_s,
        srp_per_s,
        jwt_input_len,
    })
}
