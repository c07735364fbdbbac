//! Second factors: TOTP secrets (sealed at rest), code checks without
//! replay, the QR code of the enrollment URI, and a user's MFA record.

pub mod qr;
pub mod seal;

use diesel::prelude::*;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::db::schema::user_mfa as m;
use crate::db::{write_tx, Conn};
use crate::directory::{DirectoryError, UserSub};

/// The TOTP time step (seconds) and the steps of drift allowed each way.
pub const STEP: u64 = 30;
pub const SKEW: i64 = 1;

pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub const SMS_MFA: &str = "SMS_MFA";

/// A user's MFA record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserMfa {
    /// Sealed secret (enrolled or pending verification).
    pub totp_secret: Option<String>,
    pub totp_verified: bool,
    pub totp_last_step: i64,
    pub sms_enabled: bool,
    pub preferred: Option<String>,
    /// Sealed secret being associated, not yet verified.
    pub pending_totp_secret: Option<String>,
}

impl UserMfa {
    pub fn has_totp(&self) -> bool {
        self.totp_verified && self.totp_secret.is_some()
    }
}

/// A fresh 160-bit TOTP secret.
pub fn new_secret() -> Vec<u8> {
    use rand::Rng;
    let mut s = vec![0u8; 20];
    rand::rng().fill(&mut s[..]);
    s
}

/// The base32 text of a secret, for manual entry.
pub fn secret_text(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

fn totp(secret: &[u8], issuer: &str, account: &str) -> Totp {
    // ':' separates issuer and account in the URI label.
    let issuer = issuer.replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(SKEW as u16)
        .with_step_duration(STEP)
        .with_secret(secret.to_vec())
        .with_account_name(account.replace(':', " "))
        .with_issuer((!issuer.is_empty()).then_some(issuer))
        .build_noncompliant()
}

/// `otpauth://totp/{issuer}:{account}?secret=…&issuer=…`
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> Option<String> {
    totp(secret, issuer, account).to_url().ok()
}

/// The time step a right code belongs to (within ±SKEW of `now`), if any.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret, "", "");
    let current = now.max(0) / STEP as i64;
    (current - SKEW..=current + SKEW).find(|step| {
        let at = (*step).max(0) as u64 * STEP;
        let expected = t.generate(at).to_string();
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into()
    })
}

#[derive(Queryable)]
struct Row {
    totp_secret: Option<String>,
    totp_verified: bool,
    totp_last_step: i64,
    sms_enabled: bool,
    preferred: Option<String>,
    pending_totp_secret: Option<String>,
}

/// The user's MFA record (empty when none was ever stored).
pub fn load(conn: &mut Conn, sub: &UserSub) -> Result<UserMfa, DirectoryError> {
    let row: Option<Row> = m::table
        .find(sub.as_str())
        .select((
            m::totp_secret,
            m::totp_verified,
            m::totp_last_step,
            m::sms_enabled,
            m::preferred,
            m::pending_totp_secret,
        ))
        .get_result(conn)
        .optional()?;
    Ok(row
        .map(|r| UserMfa {
            totp_secret: r.totp_secret,
            totp_verified: r.totp_verified,
            totp_last_step: r.totp_last_step,
            sms_enabled: r.sms_enabled,
            preferred: r.preferred,
            pending_totp_secret: r.pending_totp_secret,
        })
        .unwrap_or_default())
}

/// Writes the whole record.
pub fn store(conn: &mut Conn, sub: &UserSub, v: &UserMfa) -> Result<(), DirectoryError> {
    write_tx(conn, |conn| {
        // The last accepted TOTP step only moves forward, even when a stale
        // copy of the record is written back (no replay).
        let last: Option<i64> = m::table
            .find(sub.as_str())
            .select(m::totp_last_step)
            .get_result(conn)
            .optional()?;
        let last_step = last.unwrap_or(0).max(v.totp_last_step);
        diesel::delete(m::table.find(sub.as_str())).execute(conn)?;
        diesel::insert_into(m::table)
            .values((
                m::user_id.eq(sub.as_str()),
                m::totp_secret.eq(&v.totp_secret),
                m::totp_verified.eq(v.totp_verified),
                m::totp_last_step.eq(last_step),
                m::sms_enabled.eq(v.sms_enabled),
                m::preferred.eq(&v.preferred),
                m::pending_totp_secret.eq(&v.pending_totp_secret),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Records `step` as used, if it is newer than the last one used: a
/// conditional update that must touch the row, so a code is accepted once
/// even by parallel requests.
pub fn use_step(conn: &mut Conn, sub: &UserSub, step: i64) -> Result<bool, DirectoryError> {
    let n = diesel::update(
        m::table
            .find(sub.as_str())
            .filter(m::totp_last_step.lt(step)),
    )
    .set(m::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_within_the_skew() {
        let secret = b"12345678901234567890".to_vec();
        let t = totp(&secret, "i", "a");
        let now = 1_000_000_020i64;
        let step = now / 30;
        let code = t.generate(now as u64).to_string();
        assert_eq!(matching_step(&secret, &code, now), Some(step));
        assert_eq!(matching_step(&secret, &code, now + 30), Some(step));
        assert_eq!(matching_step(&secret, &code, now - 30), Some(step));
        assert_eq!(matching_step(&secret, &code, now + 90), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → 287082.
        let secret = b"12345678901234567890".to_vec();
        assert_eq!(totp(&secret, "i", "a").generate(59).to_string(), "287082");
    }

    #[test]
    fn the_uri_names_issuer_account_and_secret() {
        let uri = otpauth_uri(b"12345678901234567890", "My Pool", "jane").unwrap();
        assert!(uri.starts_with("otpauth://totp/My%20Pool:jane?"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=My%20Pool"), "{uri}");
    }
}
