//! argon2id password hashing. Every function here is CPU-heavy and blocking:
//! callers run it on the blocking pool, never on an async worker.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

use crate::config::Argon2Params;

/// A password as it is stored: the argon2id hash (password sign-in, the
/// hosted pages) and Cognito's SRP salt and verifier (USER_SRP_AUTH), made
/// together from the same password so that no path can set one without
/// the other. No `Debug`: it is never logged.
#[derive(Clone)]
pub struct PasswordRecord {
    pub hash: String,
    /// `SALT` as sent to clients (lowercase hex).
    pub srp_salt: String,
    /// `g^x mod N` (lowercase hex).
    pub srp_verifier: String,
}

/// Hashes and verifies passwords with the configured argon2id cost.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of a random password with the same cost, checked when the
    /// user does not exist so that timing does not tell.
    dummy_hash: String,
}

impl Passwords {
    pub fn new(p: Argon2Params) -> Result<Passwords, argon2::Error> {
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)?;
        let mut me = Passwords {
            params,
            dummy_hash: String::new(),
        };
        let random = crate::directory::ids::random_token(24);
        me.dummy_hash = me
            .hash(&random)
            .map_err(|_| argon2::Error::AlgorithmInvalid)?;
        Ok(me)
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC-format argon2id hash of `password` with a fresh salt.
    pub fn hash(&self, password: &str) -> Result<String, argon2::password_hash::Error> {
        let mut salt = [0u8; 16];
        rand::rng().fill(&mut salt);
        let salt = SaltString::encode_b64(&salt)?;
        Ok(self
            .argon()
            .hash_password(password.as_bytes(), &salt)?
            .to_string())
    }

    /// Checks `password` against `hash`; with `None` (no such user) the dummy
    /// hash is checked instead and the answer is always `false`.
    pub fn verify(&self, hash: Option<&str>, password: &str) -> bool {
        let (stored, real) = match hash {
            Some(h) => (h, true),
            None => (self.dummy_hash.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        // Verify with the parameters stored in the hash itself.
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && real
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Passwords {
        Passwords::new(Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn hash_and_verify() {
        let p = cheap();
        let h = p.hash("Correct-Horse-1").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify(Some(&h), "Correct-Horse-1"));
        assert!(!p.verify(Some(&h), "correct-horse-1"));
        assert!(!p.verify(None, "anything"));
        assert!(!p.verify(Some("not a hash"), "x"));
    }

    #[test]
    fn production_parameters_are_owasp() {
        let p = Passwords::new(Argon2Params::default()).unwrap();
        let h = p.hash("Correct-Horse-1").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(p.verify(Some(&h), "Correct-Horse-1"));
    }
}
