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

/// Wrong tries allowed per window, across every code sent in it.
pub const MAX_ATTEMPTS: i32 = 5;
/// Codes that may be sent per window.
pub const MAX_SENDS: i32 = 5;
/// The window over which sends and wrong tries are counted (seconds).
pub const WINDOW: i64 = 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    /// The code of an SMS second factor.
    SmsMfa,
    /// A forgotten password's reset code.
    ResetPassword,
    /// A changed e-mail address's code.
    VerifyEmail,
    /// A changed phone number's code.
    VerifyPhone,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignUp => "signup",
            Purpose::SmsMfa => "sms_mfa",
            Purpose::ResetPassword => "reset_password",
            Purpose::VerifyEmail => "verify_email",
            Purpose::VerifyPhone => "verify_phone_number",
        }
    }

    /// How long a code of this kind lives, in seconds.
    pub fn ttl(self) -> i64 {
        match self {
            Purpose::SignUp => 24 * 3600,
            Purpose::SmsMfa => 180,
            Purpose::ResetPassword => 3600,
            Purpose::VerifyEmail | Purpose::VerifyPhone => 24 * 3600,
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
/// Sending a new code does not restore the wrong tries spent in the same
/// window, so asking for codes again and again buys no extra guesses.
/// Returns `false` (and stores nothing) when the window's sends are spent.
pub fn store(
    conn: &mut Conn,
    pepper: &[u8],
    sub: &UserSub,
    purpose: Purpose,
    code: &str,
    now: i64,
) -> Result<bool, DirectoryError> {
    let hash = keyed_hash(pepper, sub, purpose, code);
    let key = (sub.as_str(), purpose.as_str());
    write_tx(conn, |conn| {
        let row: Option<(i32, i64)> = codes::table
            .find(key)
            .select((codes::sends, codes::window_start))
            .get_result(conn)
            .optional()?;
        match row {
            Some((sends, start)) if now - start < WINDOW => {
                if sends >= MAX_SENDS {
                    return Ok(false);
                }
                diesel::update(codes::table.find(key))
                    .set((
                        codes::code_hash.eq(&hash),
                        codes::sends.eq(sends + 1),
                        codes::expires_at.eq(now + purpose.ttl()),
                    ))
                    .execute(conn)?;
            }
            Some(_) => {
                diesel::update(codes::table.find(key))
                    .set((
                        codes::code_hash.eq(&hash),
                        codes::attempts.eq(0),
                        codes::sends.eq(1),
                        codes::window_start.eq(now),
                        codes::expires_at.eq(now + purpose.ttl()),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(codes::table)
                    .values((
                        codes::user_id.eq(sub.as_str()),
                        codes::purpose.eq(purpose.as_str()),
                        codes::code_hash.eq(&hash),
                        codes::attempts.eq(0),
                        codes::sends.eq(1),
                        codes::window_start.eq(now),
                        codes::expires_at.eq(now + purpose.ttl()),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(true)
    })
}

/// Checks and, when right, consumes the user's code. A right code is
/// deleted by a statement that must touch its row, so two parallel uses
/// cannot both succeed; a wrong one counts against the window's budget.
pub fn consume(
    conn: &mut Conn,
    pepper: &[u8],
    sub: &UserSub,
    purpose: Purpose,
    code: &str,
    now: i64,
) -> Result<CodeCheck, DirectoryError> {
    let presented = keyed_hash(pepper, sub, purpose, code.trim());
    let key = (sub.as_str(), purpose.as_str());
    write_tx(conn, |conn| {
        let row: Option<(String, i32, i64)> = codes::table
            .find(key)
            .select((codes::code_hash, codes::attempts, codes::expires_at))
            .get_result(conn)
            .optional()?;
        let Some((hash, attempts, expires_at)) = row else {
            return Ok(CodeCheck::Mismatch);
        };
        if attempts >= MAX_ATTEMPTS {
            return Ok(CodeCheck::TooManyAttempts);
        }
        if !bool::from(hash.as_bytes().ct_eq(presented.as_bytes())) {
            diesel::update(
                codes::table
                    .find(key)
                    .filter(codes::attempts.lt(MAX_ATTEMPTS)),
            )
            .set(codes::attempts.eq(codes::attempts + 1))
            .execute(conn)?;
            return Ok(CodeCheck::Mismatch);
        }
        if expires_at <= now {
            return Ok(CodeCheck::Expired);
        }
        let n = diesel::delete(codes::table.find(key).filter(codes::code_hash.eq(&hash)))
            .execute(conn)?;
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

    use crate::directory::test_support::{db, user};

    #[test]
    fn a_code_is_consumed_once() {
        let (_d, db) = db();
        db.with_conn(|c| {
            let sub = user(c);
            assert!(store(c, b"k", &sub, Purpose::SignUp, "123456", 0).unwrap());
            assert_eq!(
                consume(c, b"k", &sub, Purpose::SignUp, "123456", 1).unwrap(),
                CodeCheck::Ok
            );
            assert_eq!(
                consume(c, b"k", &sub, Purpose::SignUp, "123456", 1).unwrap(),
                CodeCheck::Mismatch
            );
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn expired_codes_fail() {
        let (_d, db) = db();
        db.with_conn(|c| {
            let sub = user(c);
            store(c, b"k", &sub, Purpose::SignUp, "123456", 0).unwrap();
            let late = Purpose::SignUp.ttl();
            assert_eq!(
                consume(c, b"k", &sub, Purpose::SignUp, "123456", late).unwrap(),
                CodeCheck::Expired
            );
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn new_codes_do_not_restore_wrong_tries_and_sends_are_bounded() {
        let (_d, db) = db();
        db.with_conn(|c| {
            let sub = user(c);
            store(c, b"k", &sub, Purpose::SignUp, "111111", 0).unwrap();
            for _ in 0..MAX_ATTEMPTS {
                assert_eq!(
                    consume(c, b"k", &sub, Purpose::SignUp, "000000", 1).unwrap(),
                    CodeCheck::Mismatch
                );
            }
            // A fresh code in the same window: the budget stays spent.
            assert!(store(c, b"k", &sub, Purpose::SignUp, "222222", 2).unwrap());
            assert_eq!(
                consume(c, b"k", &sub, Purpose::SignUp, "222222", 3).unwrap(),
                CodeCheck::TooManyAttempts
            );
            for _ in 2..MAX_SENDS {
                assert!(store(c, b"k", &sub, Purpose::SignUp, "333333", 4).unwrap());
            }
            assert!(!store(c, b"k", &sub, Purpose::SignUp, "444444", 5).unwrap());
            // A new window restores both.
            assert!(store(c, b"k", &sub, Purpose::SignUp, "555555", WINDOW).unwrap());
            assert_eq!(
                consume(c, b"k", &sub, Purpose::SignUp, "555555", WINDOW + 1).unwrap(),
                CodeCheck::Ok
            );
            Ok(())
        })
        .unwrap();
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
