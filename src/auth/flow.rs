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
    /// Unix milliseconds.
    pub locked_until: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordStep {
    /// No such user, or a wrong password: the same answer for both.
    Rejected,
    /// A wrong password, to be counted against the user.
    WrongPassword,
    /// Too many failures: try again after the lock.
    Locked,
    Disabled,
    /// Right password, but the sign-up code was never entered.
    Unconfirmed,
    /// Right password, but it is temporary and must be replaced.
    NewPasswordRequired,
    Authenticated,
}

/// The next step after a password was checked; `now_ms` in unix milliseconds.
pub fn password_step(user: Option<UserState>, password_ok: bool, now_ms: i64) -> PasswordStep {
    let Some(u) = user else {
        return PasswordStep::Rejected;
    };
    if u.locked_until > now_ms {
        return PasswordStep::Locked;
    }
    if !password_ok {
        return PasswordStep::WrongPassword;
    }
    if !u.enabled {
        return PasswordStep::Disabled;
    }
    match u.status {
        UserStatus::Unconfirmed => PasswordStep::Unconfirmed,
        UserStatus::ForceChangePassword | UserStatus::ResetRequired => {
            PasswordStep::NewPasswordRequired
        }
        UserStatus::Confirmed => PasswordStep::Authenticated,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: UserStatus) -> UserState {
        UserState {
            status,
            enabled: true,
            locked_until: 0,
        }
    }

    #[test]
    fn unknown_user_is_rejected_like_a_wrong_password() {
        assert_eq!(password_step(None, false, 0), PasswordStep::Rejected);
        assert_eq!(
            password_step(Some(state(UserStatus::Confirmed)), false, 0),
            PasswordStep::WrongPassword
        );
    }

    #[test]
    fn steps_after_a_right_password() {
        assert_eq!(
            password_step(Some(state(UserStatus::Confirmed)), true, 0),
            PasswordStep::Authenticated
        );
        assert_eq!(
            password_step(Some(state(UserStatus::Unconfirmed)), true, 0),
            PasswordStep::Unconfirmed
        );
        assert_eq!(
            password_step(Some(state(UserStatus::ForceChangePassword)), true, 0),
            PasswordStep::NewPasswordRequired
        );
        let mut disabled = state(UserStatus::Confirmed);
        disabled.enabled = false;
        assert_eq!(
            password_step(Some(disabled), true, 0),
            PasswordStep::Disabled
        );
    }

    #[test]
    fn a_locked_user_is_locked_even_with_the_right_password() {
        let mut u = state(UserStatus::Confirmed);
        u.locked_until = 100;
        assert_eq!(password_step(Some(u), true, 99), PasswordStep::Locked);
        assert_eq!(
            password_step(Some(u), true, 100),
            PasswordStep::Authenticated
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
