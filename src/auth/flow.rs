//! The password step of sign-in as a pure function of the user's state,
//! the password check and `now`: no I/O, so every branch is unit-tested.

use crate::directory::users::UserStatus;

/// Failed sign-ins allowed before the lock starts.
pub const FREE_FAILURES: i32 = 5;
/// The longest lock, in milliseconds (Cognito: about 15 minutes).
pub const MAX_LOCK_MS: i64 = 15 * 60 * 1000;

/// What the user record says, as far as the password step cares.
#[derive(Clone, Copy, Debug)]
pub struct UserState {
    pub status: UserStatus,
    pub enabled: bool,
    /// A temporary password older than the pool allows.
    pub temporary_password_expired: bool,
}

/// Whether a sign-in attempt may check its password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Refused: the name is locked until then (unix ms).
    Locked,
    /// Go on; the attempt is counted as a failure up front (so parallel
    /// guesses cannot share one window) and forgiven if it succeeds.
    Counted { failures: i32, locked_until: i64 },
}

/// Admits a sign-in attempt for a name with `failures` so far and a lock
/// until `locked_until` (unix ms). Applies to unknown names alike, so the
/// lockout says nothing about whether a user exists.
pub fn admit(failures: i32, locked_until: i64, now_ms: i64) -> Admission {
    if locked_until > now_ms {
        return Admission::Locked;
    }
    let failures = failures.saturating_add(1);
    Admission::Counted {
        failures,
        locked_until: lock_until(failures, now_ms),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordStep {
    /// No such user, or a wrong password: the same answer for both.
    Rejected,
    /// A wrong password, to be counted against the user.
    WrongPassword,
    Disabled,
    /// Right password, but the sign-up code was never entered.
    Unconfirmed,
    /// Right password, but it is temporary and must be replaced.
    NewPasswordRequired,
    /// Right password, but temporary and too old: an administrator must
    /// issue a new one.
    TemporaryPasswordExpired,
    /// An administrator reset the password: the user must set a new one
    /// with the code that was sent (the forgot-password flow).
    ResetRequired,
    Authenticated,
}

/// The next step after an admitted attempt's password was checked.
pub fn password_step(user: Option<UserState>, password_ok: bool) -> PasswordStep {
    let Some(u) = user else {
        return PasswordStep::Rejected;
    };
    if !password_ok {
        return PasswordStep::WrongPassword;
    }
    if !u.enabled {
        return PasswordStep::Disabled;
    }
    match u.status {
        UserStatus::Unconfirmed => PasswordStep::Unconfirmed,
        UserStatus::ResetRequired => PasswordStep::ResetRequired,
        UserStatus::ForceChangePassword if u.temporary_password_expired => {
            PasswordStep::TemporaryPasswordExpired
        }
        UserStatus::ForceChangePassword => PasswordStep::NewPasswordRequired,
        // An external user has no password, so only a session (not a
        // password) gets here.
        UserStatus::Confirmed | UserStatus::ExternalProvider => PasswordStep::Authenticated,
    }
}

/// When (unix ms) the lock after the `failures`-th consecutive failure
/// ends: none for the first four, then 2^(n-5) seconds, capped at 15 minutes.
pub fn lock_until(failures: i32, now_ms: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let exp = (failures - FREE_FAILURES).min(20) as u32;
    now_ms + (1000i64 << exp).min(MAX_LOCK_MS)
}

/// A second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaMethod {
    Totp,
    Sms,
}

/// What the pool asks: `OFF`, `OPTIONAL` or `ON`, and the methods it offers.
#[derive(Clone, Copy, Debug)]
pub struct MfaPolicy {
    pub required: bool,
    pub optional: bool,
    pub totp_allowed: bool,
    pub sms_allowed: bool,
}

impl MfaPolicy {
    /// From the pool's MfaConfiguration and enabled methods (none named
    /// means both are offered).
    pub fn new(configuration: &str, enabled: &[String]) -> MfaPolicy {
        let any = enabled.is_empty();
        MfaPolicy {
            required: configuration == "ON",
            optional: configuration == "OPTIONAL",
            totp_allowed: any || enabled.iter().any(|m| m == "SOFTWARE_TOKEN_MFA"),
            sms_allowed: any || enabled.iter().any(|m| m == "SMS_MFA"),
        }
    }
}

/// What the user has set up.
#[derive(Clone, Copy, Debug, Default)]
pub struct MfaState {
    pub has_totp: bool,
    pub sms_enabled: bool,
    pub verified_phone: bool,
    pub preferred: Option<MfaMethod>,
}

/// The step after a right password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaStep {
    /// No second factor: signed in.
    Done,
    Challenge(MfaMethod),
    /// Both methods set up and none preferred: the user picks.
    Select,
    /// MFA is required and nothing is set up: enroll this method first.
    Setup(MfaMethod),
    /// MFA is required but no method can work for this user.
    Unavailable,
}

/// Decides the second-factor step.
pub fn mfa_step(policy: MfaPolicy, user: MfaState) -> MfaStep {
    if !policy.required && !policy.optional {
        return MfaStep::Done;
    }
    let totp = policy.totp_allowed && user.has_totp;
    // Where MFA is required, a verified phone is enough for SMS.
    let sms = policy.sms_allowed && user.verified_phone && (user.sms_enabled || policy.required);
    match (totp, sms) {
        (true, true) => match user.preferred {
            Some(m) => MfaStep::Challenge(m),
            None => MfaStep::Select,
        },
        (true, false) => MfaStep::Challenge(MfaMethod::Totp),
        (false, true) => MfaStep::Challenge(MfaMethod::Sms),
        (false, false) if !policy.required => MfaStep::Done,
        (false, false) if policy.totp_allowed => MfaStep::Setup(MfaMethod::Totp),
        (false, false) => MfaStep::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: UserStatus) -> UserState {
        UserState {
            status,
            enabled: true,
            temporary_password_expired: false,
        }
    }

    #[test]
    fn unknown_user_is_rejected_like_a_wrong_password() {
        assert_eq!(password_step(None, false), PasswordStep::Rejected);
        assert_eq!(
            password_step(Some(state(UserStatus::Confirmed)), false),
            PasswordStep::WrongPassword
        );
    }

    #[test]
    fn steps_after_a_right_password() {
        assert_eq!(
            password_step(Some(state(UserStatus::Confirmed)), true),
            PasswordStep::Authenticated
        );
        assert_eq!(
            password_step(Some(state(UserStatus::Unconfirmed)), true),
            PasswordStep::Unconfirmed
        );
        assert_eq!(
            password_step(Some(state(UserStatus::ForceChangePassword)), true),
            PasswordStep::NewPasswordRequired
        );
        let mut old = state(UserStatus::ForceChangePassword);
        old.temporary_password_expired = true;
        assert_eq!(
            password_step(Some(old), true),
            PasswordStep::TemporaryPasswordExpired
        );
        let mut disabled = state(UserStatus::Confirmed);
        disabled.enabled = false;
        assert_eq!(password_step(Some(disabled), true), PasswordStep::Disabled);
    }

    #[test]
    fn attempts_are_counted_before_the_check_and_locks_refuse() {
        assert_eq!(
            admit(0, 0, 1000),
            Admission::Counted {
                failures: 1,
                locked_until: 0
            }
        );
        assert_eq!(
            admit(4, 0, 1000),
            Admission::Counted {
                failures: 5,
                locked_until: 2000
            }
        );
        assert_eq!(admit(5, 2000, 1999), Admission::Locked);
        assert_eq!(
            admit(5, 2000, 2000),
            Admission::Counted {
                failures: 6,
                locked_until: 4000
            }
        );
        assert!(matches!(admit(i32::MAX, 0, 0), Admission::Counted { .. }));
    }

    fn policy(conf: &str, methods: &[&str]) -> MfaPolicy {
        MfaPolicy::new(
            conf,
            &methods.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn mfa_steps() {
        let none = MfaState::default();
        let totp = MfaState {
            has_totp: true,
            ..Default::default()
        };
        let phone = MfaState {
            verified_phone: true,
            ..Default::default()
        };
        let both = MfaState {
            has_totp: true,
            sms_enabled: true,
            verified_phone: true,
            preferred: None,
        };
        assert_eq!(mfa_step(policy("OFF", &[]), both), MfaStep::Done);
        assert_eq!(mfa_step(policy("OPTIONAL", &[]), none), MfaStep::Done);
        assert_eq!(
            mfa_step(policy("OPTIONAL", &[]), totp),
            MfaStep::Challenge(MfaMethod::Totp)
        );
        // Optional SMS needs the user to have turned it on.
        assert_eq!(mfa_step(policy("OPTIONAL", &[]), phone), MfaStep::Done);
        assert_eq!(
            mfa_step(policy("ON", &["SMS_MFA"]), phone),
            MfaStep::Challenge(MfaMethod::Sms)
        );
        assert_eq!(
            mfa_step(policy("ON", &["SOFTWARE_TOKEN_MFA"]), none),
            MfaStep::Setup(MfaMethod::Totp)
        );
        assert_eq!(
            mfa_step(policy("ON", &["SMS_MFA"]), none),
            MfaStep::Unavailable
        );
        assert_eq!(mfa_step(policy("ON", &[]), both), MfaStep::Select);
        let preferred = MfaState {
            preferred: Some(MfaMethod::Sms),
            ..both
        };
        assert_eq!(
            mfa_step(policy("ON", &[]), preferred),
            MfaStep::Challenge(MfaMethod::Sms)
        );
        // A method the pool no longer offers is not asked for.
        assert_eq!(
            mfa_step(policy("OPTIONAL", &["SMS_MFA"]), totp),
            MfaStep::Done
        );
    }

    #[test]
    fn lock_doubles_and_caps() {
        assert_eq!(lock_until(4, 1000), 0);
        assert_eq!(lock_until(5, 1000), 2000);
        assert_eq!(lock_until(6, 1000), 3000);
        assert_eq!(lock_until(10, 1000), 33_000);
        assert_eq!(lock_until(15, 1000), 1000 + 900_000);
        assert_eq!(lock_until(i32::MAX, 1000), 1000 + 900_000);
    }
}
