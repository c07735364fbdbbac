//! One-time codes (sign-up confirmation, attribute verification, password
//! reset): 6 digits, stored as a keyed hash, single use, expiring, with a
//! bounded number of wrong tries.

use diesel::prelude::*;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{DirectoryError, UserSub};
use crate::db::schema::codes;
use crate::db::{write_tx, Conn};

/// Wrong tries allowed before a code is void.
pub const MAX_ATTEMPTS: i32 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignUp => "signup",
        }
    }

    /// How long a code of this kind lives, in seconds.
    pub fn ttl(self) -> i64 {
        match self {
            Purpose::SignUp => 24 * 3600,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Ok,
    Mismatch,
    Expired,
    TooManyAttempts,
}

/// A fresh 6-digit code from the CSPRNG.
pub fn generate() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn keyed_hash(pepper: &[u8], sub: &UserSub, purpose: Purpose, code: &str) -> String {
    // HMAC accepts keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(pepper).expect("HMAC takes any key");
    mac.update(sub.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(purpose.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Stores `code` for the user, replacing any earlier code of that purpose.
pub fn store(
    conn: &mut Conn,
    pepper: &[u8],
    sub: &UserSub,
    purpose: Purpose,
    code: &str,
    now: i64,
) -> Result<(), DirectoryError> {
    let hash = keyed_hash(pepper, sub, purpose, code);
    write_tx(conn, |conn| {
        diesel::delete(
            codes::table
                .filter(codes::user_id.eq(sub.as_str()))
                .filter(codes::purpose.eq(purpose.as_str())),
        )
        .execute(conn)?;
        diesel::insert_into(codes::table)
            .values((
                codes::id.eq(uuid::Uuid::new_v4().to_string()),
                codes::user_id.eq(sub.as_str()),
                codes::purpose.eq(purpose.as_str()),
                codes::code_hash.eq(hash),
                codes::attempts.eq(0),
                codes::expires_at.eq(now + purpose.ttl()),
                codes::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Checks and, when right, consumes the user's code. A right code is
/// deleted by a statement that must touch its row, so two parallel uses
/// cannot both succeed; a wrong one counts against the code.
pub fn consume(
    conn: &mut Conn,
    pepper: &[u8],
    sub: &UserSub,
    purpose: Purpose,
    code: &str,
    now: i64,
) -> Result<CodeCheck, DirectoryError> {
    let presented = keyed_hash(pepper, sub, purpose, code.trim());
    write_tx(conn, |conn| {
        let row: Option<(String, String, i32, i64)> = codes::table
            .filter(codes::user_id.eq(sub.as_str()))
            .filter(codes::purpose.eq(purpose.as_str()))
            .select((
                codes::id,
                codes::code_hash,
                codes::attempts,
                codes::expires_at,
            ))
            .first(conn)
            .optional()?;
        let Some((id, hash, attempts, expires_at)) = row else {
            return Ok(CodeCheck::Mismatch);
        };
        if attempts >= MAX_ATTEMPTS {
            return Ok(CodeCheck::TooManyAttempts);
        }
        if expires_at <= now {
            return Ok(CodeCheck::Expired);
        }
        if !bool::from(hash.as_bytes().ct_eq(presented.as_bytes())) {
            diesel::update(
                codes::table
                    .find(&id)
                    .filter(codes::attempts.lt(MAX_ATTEMPTS)),
            )
            .set(codes::attempts.eq(codes::attempts + 1))
            .execute(conn)?;
            return Ok(CodeCheck::Mismatch);
        }
        let n = diesel::delete(codes::table.find(&id)).execute(conn)?;
        Ok(if n == 1 {
            CodeCheck::Ok
        } else {
            CodeCheck::Mismatch
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = generate();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        }
    }

    #[test]
    fn hash_depends_on_user_purpose_and_pepper() {
        let a = UserSub::from_db("a".into());
        let b = UserSub::from_db("b".into());
        let h = keyed_hash(b"k", &a, Purpose::SignUp, "123456");
        assert_ne!(h, keyed_hash(b"k", &b, Purpose::SignUp, "123456"));
        assert_ne!(h, keyed_hash(b"j", &a, Purpose::SignUp, "123456"));
        assert_eq!(h, keyed_hash(b"k", &a, Purpose::SignUp, "123456"));
    }
}
