//! Second factors at sign-in and in self-service: which step comes after
//! the password, SMS codes, TOTP checks (no replay; wrong codes count
//! towards the sign-in lockout), enrollment and removal.

use secrecy::ExposeSecret;

use super::delivery::{Outgoing, Wording};
use super::flow::{self, MfaMethod, MfaPolicy, MfaState, MfaStep};
use super::signin::{admit_attempt, LOCKED};
use super::signup::CodeDelivery;
use super::{AuthError, Core};
use crate::directory::codes::{self, CodeCheck, Purpose};
use crate::directory::lockout;
use crate::directory::pools::Pool;
use crate::directory::users::User;
use crate::mfa::{self, UserMfa};

pub const WRONG_CODE: &str = "Invalid code or auth state for the user.";

pub fn policy(pool: &Pool) -> MfaPolicy {
    MfaPolicy::new(
        pool.settings.mfa_configuration(),
        &pool.settings.enabled_mfas,
    )
}

fn method(name: Option<&str>) -> Option<MfaMethod> {
    match name {
        Some(mfa::SOFTWARE_TOKEN_MFA) => Some(MfaMethod::Totp),
        Some(mfa::SMS_MFA) => Some(MfaMethod::Sms),
        _ => None,
    }
}

pub async fn load(core: &Core, user: &User) -> Result<UserMfa, AuthError> {
    let sub = user.sub.clone();
    Ok(core.db.run(move |conn| mfa::load(conn, &sub)).await?)
}

/// The step after `user`'s right password.
pub async fn step_after_password(
    core: &Core,
    pool: &Pool,
    user: &User,
) -> Result<MfaStep, AuthError> {
    let record = load(core, user).await?;
    let state = MfaState {
        has_totp: record.has_totp(),
        sms_enabled: record.sms_enabled,
        verified_phone: user.attribute("phone_number").is_some()
            && user.attribute("phone_number_verified") == Some("true"),
        preferred: method(record.preferred.as_deref()),
    };
    Ok(flow::mfa_step(policy(pool), state))
}

/// Sends an SMS sign-in code to the user's phone.
pub async fn send_sms_code(
    core: &Core,
    pool: &Pool,
    user: &User,
    now: i64,
) -> Result<CodeDelivery, AuthError> {
    let phone = user
        .attribute("phone_number")
        .ok_or_else(|| AuthError::InvalidParameter("The user has no phone number.".into()))?
        .to_string();
    let out = Outgoing {
        purpose: Purpose::SmsMfa,
        attribute: "phone_number",
        destination: &phone,
        wording: Wording::Authentication,
    };
    super::delivery::send_code(core, pool, user, out, now).await
}

/// The lockout key of a user's second-factor tries.
fn mfa_key(user: &User) -> String {
    crate::directory::lockout::mfa_key(user.sub.as_str())
}

/// Admits one second-factor try of `user`, as the lockout allows.
async fn admit_code(core: &Core, pool: &Pool, user: &User, now_ms: i64) -> Result<(), AuthError> {
    let (realm, key) = (pool.id.to_string(), mfa_key(user));
    let admitted = core
        .db
        .run(move |conn| admit_attempt(conn, &realm, &key, now_ms))
        .await?;
    if admitted {
        Ok(())
    } else {
        Err(AuthError::NotAuthorized(LOCKED.into()))
    }
}

async fn clear_code_failures(core: &Core, pool: &Pool, user: &User) -> Result<(), AuthError> {
    let (realm, key) = (pool.id.to_string(), mfa_key(user));
    core.db
        .run(move |conn| lockout::clear(conn, &realm, &key))
        .await?;
    Ok(())
}

/// Checks a second-factor code; each try counts against the user's MFA
/// lockout.
pub async fn check_code(
    core: &Core,
    pool: &Pool,
    user: &User,
    method: MfaMethod,
    code: &str,
    now_ms: i64,
) -> Result<(), AuthError> {
    admit_code(core, pool, user, now_ms).await?;
    let now = now_ms / 1000;
    let ok = match method {
        MfaMethod::Totp => {
            let record = load(core, user).await?;
            let secret = record
                .totp_secret
                .as_deref()
                .filter(|_| record.totp_verified)
                .and_then(|sealed| core.mfa_key.open(sealed, user.sub.as_str()).ok());
            match secret.and_then(|s| mfa::matching_step(&s, code, now)) {
                Some(step) => {
                    let sub = user.sub.clone();
                    core.db
                        .run(move |conn| mfa::use_step(conn, &sub, step))
                        .await?
                }
                None => false,
            }
        }
        MfaMethod::Sms => {
            let pepper = core.code_pepper.expose_secret().as_bytes().to_vec();
            let sub = user.sub.clone();
            let code = code.to_string();
            let check = core
                .db
                .run(move |conn| codes::consume(conn, &pepper, &sub, Purpose::SmsMfa, &code, now))
                .await?;
            check == CodeCheck::Ok
        }
    };
    if !ok {
        return Err(AuthError::CodeMismatch);
    }
    clear_code_failures(core, pool, user).await
}

/// A new TOTP secret for enrollment, sealed for `user` (kept by the caller
/// until the first code proves the app has it).
pub fn new_totp_secret(core: &Core, user: &User) -> Result<String, AuthError> {
    core.mfa_key
        .seal(&mfa::new_secret(), user.sub.as_str())
        .map_err(|e| AuthError::Internal(e.to_string()))
}

/// The secret of a pending enrollment, opened.
pub fn open_secret(core: &Core, user: &User, sealed: &str) -> Result<Vec<u8>, AuthError> {
    core.mfa_key
        .open(sealed, user.sub.as_str())
        .map_err(|_| AuthError::InvalidParameter("The enrollment has expired; start again.".into()))
}

/// Finishes a TOTP enrollment when `code` is right for the pending secret:
/// the app becomes the user's method (preferred if none was). Tries count
/// against the user's MFA lockout.
pub async fn verify_totp_setup(
    core: &Core,
    pool: &Pool,
    user: &User,
    sealed: &str,
    code: &str,
    now_ms: i64,
) -> Result<(), AuthError> {
    let now = now_ms / 1000;
    admit_code(core, pool, user, now_ms).await?;
    let secret = open_secret(core, user, sealed)?;
    let Some(step) = mfa::matching_step(&secret, code, now) else {
        return Err(AuthError::CodeMismatch);
    };
    clear_code_failures(core, pool, user).await?;
    let mut record = load(core, user).await?;
    record.totp_secret = Some(sealed.to_string());
    record.totp_verified = true;
    record.totp_last_step = step;
    if record.preferred.is_none() {
        record.preferred = Some(mfa::SOFTWARE_TOKEN_MFA.to_string());
    }
    let sub = user.sub.clone();
    core.db
        .run(move |conn| mfa::store(conn, &sub, &record))
        .await?;
    Ok(())
}

/// Removes the user's second factors (where the pool does not require MFA).
pub async fn disable(core: &Core, pool: &Pool, user: &User) -> Result<(), AuthError> {
    if policy(pool).required {
        return Err(AuthError::InvalidParameter(
            "This pool requires MFA: it cannot be turned off.".into(),
        ));
    }
    let sub = user.sub.clone();
    core.db
        .run(move |conn| mfa::store(conn, &sub, &UserMfa::default()))
        .await?;
    Ok(())
}

/// The issuer and account shown in the authenticator app.
pub fn otpauth_uri(pool: &Pool, account: &str, secret: &[u8]) -> Option<String> {
    mfa::otpauth_uri(secret, &pool.name, account)
}

/// AssociateSoftwareToken for a signed-in user: a new secret, pending
/// until VerifySoftwareToken. Returns it as base32 text.
pub async fn associate(core: &Core, user: &User) -> Result<String, AuthError> {
    let sealed = new_totp_secret(core, user)?;
    let secret = open_secret(core, user, &sealed)?;
    let mut record = load(core, user).await?;
    record.pending_totp_secret = Some(sealed);
    let sub = user.sub.clone();
    core.db
        .run(move |conn| mfa::store(conn, &sub, &record))
        .await?;
    Ok(mfa::secret_text(&secret))
}

/// VerifySoftwareToken for a signed-in user: the pending secret becomes
/// the user's authenticator when `code` is right.
pub async fn verify_associated(
    core: &Core,
    pool: &Pool,
    user: &User,
    code: &str,
    now_ms: i64,
) -> Result<(), AuthError> {
    let record = load(core, user).await?;
    let Some(sealed) = record.pending_totp_secret.clone() else {
        return Err(AuthError::InvalidParameter(
            "Call AssociateSoftwareToken first.".into(),
        ));
    };
    verify_totp_setup(core, pool, user, &sealed, code, now_ms).await?;
    let mut record = load(core, user).await?;
    record.pending_totp_secret = None;
    let sub = user.sub.clone();
    core.db
        .run(move |conn| mfa::store(conn, &sub, &record))
        .await?;
    Ok(())
}

/// SetUserMFAPreference: each method `(enabled, preferred)` when given.
pub async fn set_preference(
    core: &Core,
    user: &User,
    totp: Option<(bool, bool)>,
    sms: Option<(bool, bool)>,
) -> Result<(), AuthError> {
    let mut record = load(core, user).await?;
    if let Some((enabled, preferred)) = totp {
        if enabled && !record.has_totp() {
            return Err(AuthError::InvalidParameter(
                "User has not verified software token mfa".into(),
            ));
        }
        if !enabled {
            record.totp_secret = None;
            record.totp_verified = false;
            if record.preferred.as_deref() == Some(mfa::SOFTWARE_TOKEN_MFA) {
                record.preferred = None;
            }
        } else if preferred {
            record.preferred = Some(mfa::SOFTWARE_TOKEN_MFA.into());
        }
    }
    if let Some((enabled, preferred)) = sms {
        if enabled && user.attribute("phone_number").is_none() {
            return Err(AuthError::InvalidParameter(
                "User does not have a phone number for SMS MFA.".into(),
            ));
        }
        record.sms_enabled = enabled;
        if !enabled && record.preferred.as_deref() == Some(mfa::SMS_MFA) {
            record.preferred = None;
        } else if enabled && preferred {
            record.preferred = Some(mfa::SMS_MFA.into());
        }
    }
    let sub = user.sub.clone();
    core.db
        .run(move |conn| mfa::store(conn, &sub, &record))
        .await?;
    Ok(())
}
