//! A pool's password policy (Cognito's `PasswordPolicyType`): its defaults,
//! its own validation, and the checks a candidate password must pass.
//!
//! Cognito counts only Basic Latin letters as upper or lower case and only
//! `0`-`9` as numbers; other characters still count towards the length, which
//! is measured in characters, not bytes.

use serde::{Deserialize, Serialize};

/// The longest password Cognito accepts, whatever the policy.
pub const MAX_PASSWORD_LENGTH: usize = 256;

/// Cognito's special characters. A space also counts when it is neither the
/// first nor the last character.
pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// The start of every `InvalidPasswordException` message about the policy.
pub const POLICY_MESSAGE_PREFIX: &str = "Password did not conform with policy: ";

const MIN_LENGTH_RANGE: (u32, u32) = (6, 99);
const MAX_HISTORY_SIZE: u32 = 24;
const MAX_TEMPORARY_DAYS: u32 = 365;
const DEFAULT_TEMPORARY_DAYS: u32 = 7;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    /// `None` when history is not enforced (Cognito hides a size of 0).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub password_history_size: Option<u32>,
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: None,
            temporary_password_validity_days: DEFAULT_TEMPORARY_DAYS,
        }
    }
}

/// One requirement of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordRule {
    MinimumLength(u32),
    Uppercase,
    Lowercase,
    Number,
    Symbol,
}

impl PasswordRule {
    /// A phrase for pages listing the rules: "Your password needs …".
    pub fn describe(&self) -> String {
        match self {
            PasswordRule::MinimumLength(n) => format!("at least {n} characters"),
            PasswordRule::Uppercase => "an uppercase letter".to_string(),
            PasswordRule::Lowercase => "a lowercase letter".to_string(),
            PasswordRule::Number => "a number".to_string(),
            PasswordRule::Symbol => "a special character or a space".to_string(),
        }
    }

    /// Cognito's `InvalidPasswordException` message when this rule is unmet.
    pub fn message(&self) -> String {
        let reason = match self {
            PasswordRule::MinimumLength(_) => "Password not long enough",
            PasswordRule::Uppercase => "Password must have uppercase characters",
            PasswordRule::Lowercase => "Password must have lowercase characters",
            PasswordRule::Number => "Password must have numeric characters",
            PasswordRule::Symbol => "Password must have symbol characters",
        };
        format!("{POLICY_MESSAGE_PREFIX}{reason}")
    }

    /// Whether `password` satisfies this rule.
    pub fn is_met_by(&self, password: &str) -> bool {
        match self {
            PasswordRule::MinimumLength(n) => password.chars().count() >= *n as usize,
            PasswordRule::Uppercase => password.chars().any(|c| c.is_ascii_uppercase()),
            PasswordRule::Lowercase => password.chars().any(|c| c.is_ascii_lowercase()),
            PasswordRule::Number => password.chars().any(|c| c.is_ascii_digit()),
            PasswordRule::Symbol => has_symbol(password),
        }
    }
}

/// A listed special character anywhere, or a space that is not at either end.
fn has_symbol(password: &str) -> bool {
    let inner = password.trim_matches(' ');
    password.chars().any(|c| SYMBOLS.contains(c)) || inner.contains(' ')
}

impl PasswordPolicy {
    /// Every configured rule, in the order Cognito checks them.
    pub fn rules(&self) -> Vec<PasswordRule> {
        let mut rules = vec![PasswordRule::MinimumLength(self.minimum_length)];
        let optional = [
            (self.require_lowercase, PasswordRule::Lowercase),
            (self.require_uppercase, PasswordRule::Uppercase),
            (self.require_numbers, PasswordRule::Number),
            (self.require_symbols, PasswordRule::Symbol),
        ];
        rules.extend(optional.iter().filter(|(on, _)| *on).map(|(_, r)| *r));
        rules
    }

    /// Every rule `password` does not meet, in checking order.
    pub fn unmet(&self, password: &str) -> Vec<PasswordRule> {
        self.rules()
            .into_iter()
            .filter(|rule| !rule.is_met_by(password))
            .collect()
    }

    /// `Err` carries the `InvalidPasswordException` message for the first
    /// unmet rule. Callers check [`check_format`] first: a leading or
    /// trailing space is a malformed request rather than a policy miss.
    pub fn check(&self, password: &str) -> Result<(), String> {
        if password.chars().count() > MAX_PASSWORD_LENGTH {
            return Err(format!(
                "{POLICY_MESSAGE_PREFIX}Password must have at most {MAX_PASSWORD_LENGTH} characters"
            ));
        }
        match self.unmet(password).first() {
            Some(rule) => Err(rule.message()),
            None => Ok(()),
        }
    }

    /// Checks the policy's own ranges; `Err` is an `InvalidParameterException`
    /// message in Cognito's validation wording.
    pub fn validate(&self) -> Result<(), String> {
        let base = "policies.passwordPolicy";
        let (lo, hi) = MIN_LENGTH_RANGE;
        let checks = [
            ("minimumLength", self.minimum_length, lo, hi),
            (
                "passwordHistorySize",
                self.password_history_size.unwrap_or(0),
                0,
                MAX_HISTORY_SIZE,
            ),
            (
                "temporaryPasswordValidityDays",
                self.temporary_password_validity_days,
                0,
                MAX_TEMPORARY_DAYS,
            ),
        ];
        for (member, value, min, max) in checks {
            let bound = if value < min {
                format!("greater than or equal to {min}")
            } else if value > max {
                format!("less than or equal to {max}")
            } else {
                continue;
            };
            return Err(format!(
                "1 validation error detected: Value '{value}' at '{base}.{member}' \
                 failed to satisfy constraint: Member must have value {bound}"
            ));
        }
        Ok(())
    }

    /// Builds a policy from request values, applying Cognito's rules for
    /// absent members: a missing `Require*` is false once a policy is given,
    /// a temporary validity of 0 means the default 7 days, and a history
    /// size of 0 means no history.
    pub fn from_parts(
        minimum_length: Option<u32>,
        require: [Option<bool>; 4],
        password_history_size: Option<u32>,
        temporary_password_validity_days: Option<u32>,
    ) -> Result<PasswordPolicy, String> {
        let [upper, lower, numbers, symbols] = require;
        let policy = PasswordPolicy {
            minimum_length: minimum_length.unwrap_or(8),
            require_uppercase: upper.unwrap_or(false),
            require_lowercase: lower.unwrap_or(false),
            require_numbers: numbers.unwrap_or(false),
            require_symbols: symbols.unwrap_or(false),
            password_history_size,
            temporary_password_validity_days: temporary_password_validity_days
                .unwrap_or(DEFAULT_TEMPORARY_DAYS),
        };
        policy.validate()?;
        Ok(PasswordPolicy {
            password_history_size: policy.password_history_size.filter(|n| *n > 0),
            temporary_password_validity_days: match policy.temporary_password_validity_days {
                0 => DEFAULT_TEMPORARY_DAYS,
                n => n,
            },
            ..policy
        })
    }

    /// How long a temporary password stays usable.
    pub fn temporary_password_validity_secs(&self) -> i64 {
        i64::from(self.temporary_password_validity_days) * 86_400
    }
}

/// The shape checks Cognito applies to any password member before the policy
/// (length 1..=256, no space at either end). `member` is the request member,
/// e.g. `password` or `proposedPassword`; `Err` is an
/// `InvalidParameterException` message.
pub fn check_format(password: &str, member: &str) -> Result<(), String> {
    let fail = |constraint: &str| {
        Err(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}"
        ))
    };
    let length = password.chars().count();
    if length == 0 {
        return fail("Member must have length greater than or equal to 1");
    }
    if length > MAX_PASSWORD_LENGTH {
        return fail("Member must have length less than or equal to 256");
    }
    if password.starts_with(char::is_whitespace) || password.ends_with(char::is_whitespace) {
        return fail("Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_cognitos() {
        let p = PasswordPolicy::default();
        assert_eq!(p.minimum_length, 8);
        assert!(
            p.require_uppercase && p.require_lowercase && p.require_numbers && p.require_symbols
        );
        assert_eq!(p.temporary_password_validity_days, 7);
        assert_eq!(p.password_history_size, None);
        assert_eq!(p.temporary_password_validity_secs(), 7 * 86_400);
    }

    #[test]
    fn serde_shape_and_round_trip() {
        let p = PasswordPolicy::default();
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"MinimumLength": 8, "RequireUppercase": true,
                "RequireLowercase": true, "RequireNumbers": true, "RequireSymbols": true,
                "TemporaryPasswordValidityDays": 7})
        );
        let back: PasswordPolicy = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
        let with_history = PasswordPolicy {
            password_history_size: Some(5),
            ..p
        };
        let s = serde_json::to_string(&with_history).unwrap();
        assert!(s.contains("\"PasswordHistorySize\":5"));
        assert_eq!(
            serde_json::from_str::<PasswordPolicy>(&s).unwrap(),
            with_history
        );
    }

    #[test]
    fn good_password_passes() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("Passw0rd!"), Ok(()));
        assert!(p.unmet("Passw0rd!").is_empty());
    }

    #[test]
    fn each_rule_has_cognitos_message() {
        let p = PasswordPolicy::default();
        let m = |s: &str| format!("Password did not conform with policy: {s}");
        assert_eq!(p.check("Pa0!"), Err(m("Password not long enough")));
        assert_eq!(
            p.check("PASSW0RD!"),
            Err(m("Password must have lowercase characters"))
        );
        assert_eq!(
            p.check("passw0rd!"),
            Err(m("Password must have uppercase characters"))
        );
        assert_eq!(
            p.check("Password!"),
            Err(m("Password must have numeric characters"))
        );
        assert_eq!(
            p.check("Passw0rdd"),
            Err(m("Password must have symbol characters"))
        );
    }

    #[test]
    fn unmet_lists_every_rule_in_order() {
        let p = PasswordPolicy::default();
        assert_eq!(
            p.unmet(""),
            vec![
                PasswordRule::MinimumLength(8),
                PasswordRule::Lowercase,
                PasswordRule::Uppercase,
                PasswordRule::Number,
                PasswordRule::Symbol
            ]
        );
        assert_eq!(
            p.unmet("abc"),
            vec![
                PasswordRule::MinimumLength(8),
                PasswordRule::Uppercase,
                PasswordRule::Number,
                PasswordRule::Symbol
            ]
        );
    }

    #[test]
    fn every_documented_symbol_counts() {
        let p = PasswordPolicy {
            require_symbols: true,
            ..PasswordPolicy::default()
        };
        for c in SYMBOLS.chars() {
            let pw = format!("Abcdef1{c}");
            assert_eq!(p.check(&pw), Ok(()), "symbol {c:?}");
        }
        for other in ['€', '§', '×', 'é'] {
            assert!(!PasswordRule::Symbol.is_met_by(&format!("Abcdef1{other}")));
        }
    }

    #[test]
    fn only_an_inner_space_is_a_symbol() {
        assert!(PasswordRule::Symbol.is_met_by("Abc def1"));
        assert!(!PasswordRule::Symbol.is_met_by(" Abcdef1"));
        assert!(!PasswordRule::Symbol.is_met_by("Abcdef1 "));
        assert!(!PasswordRule::Symbol.is_met_by("  "));
    }

    #[test]
    fn unicode_counts_characters_but_only_basic_latin_cases() {
        let p = PasswordPolicy::default();
        // Eight characters, more than eight bytes.
        assert_eq!(p.check("Ünïcö1!A"), Ok(()));
        assert!(PasswordRule::MinimumLength(8).is_met_by("ééééééé1"));
        assert!(!PasswordRule::MinimumLength(8).is_met_by("éééé"));
        assert!(!PasswordRule::Uppercase.is_met_by("ÉÀÜ1!abc"));
        assert!(!PasswordRule::Lowercase.is_met_by("éàü1!ABC"));
        assert!(!PasswordRule::Number.is_met_by("Abc!٣٤٥"));
        assert!(PasswordRule::MinimumLength(6).is_met_by("🔒🔒🔒🔒🔒🔒"));
    }

    #[test]
    fn relaxed_policy_only_checks_length() {
        let p = PasswordPolicy::from_parts(Some(6), [None; 4], None, None).unwrap();
        assert_eq!(p.rules(), vec![PasswordRule::MinimumLength(6)]);
        assert_eq!(p.check("aaaaaa"), Ok(()));
        assert!(p.check("aaaaa").is_err());
    }

    #[test]
    fn too_long_is_refused() {
        let p = PasswordPolicy::default();
        let long = format!("Aa1!{}", "x".repeat(253));
        assert_eq!(long.chars().count(), 257);
        assert!(p.check(&long).unwrap_err().contains("at most 256"));
        assert_eq!(p.check(&long[..256]), Ok(()));
    }

    #[test]
    fn format_checks() {
        assert_eq!(check_format("Passw0rd!", "password"), Ok(()));
        let e = check_format("", "password").unwrap_err();
        assert!(e.contains("'password'") && e.contains("greater than or equal to 1"));
        assert!(check_format(" Passw0rd!", "proposedPassword")
            .unwrap_err()
            .contains("pattern"));
        assert!(check_format("Passw0rd!\t", "password").is_err());
        assert!(check_format(&"a".repeat(257), "password")
            .unwrap_err()
            .contains("256"));
        assert_eq!(check_format("a b", "password"), Ok(()));
    }

    #[test]
    fn rules_and_descriptions() {
        let p = PasswordPolicy::default();
        let text: Vec<String> = p.rules().iter().map(PasswordRule::describe).collect();
        assert_eq!(
            text,
            [
                "at least 8 characters",
                "a lowercase letter",
                "an uppercase letter",
                "a number",
                "a special character or a space"
            ]
        );
    }

    #[test]
    fn validation_ranges() {
        let bad = |p: PasswordPolicy| p.validate().unwrap_err();
        let d = PasswordPolicy::default();
        let e = bad(PasswordPolicy {
            minimum_length: 5,
            ..d.clone()
        });
        assert_eq!(
            e,
            "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' \
             failed to satisfy constraint: Member must have value greater than or equal to 6"
        );
        assert!(bad(PasswordPolicy {
            minimum_length: 100,
            ..d.clone()
        })
        .contains("less than or equal to 99"));
        assert!(bad(PasswordPolicy {
            password_history_size: Some(25),
            ..d.clone()
        })
        .contains("passwordHistorySize"));
        assert!(bad(PasswordPolicy {
            temporary_password_validity_days: 366,
            ..d.clone()
        })
        .contains("temporaryPasswordValidityDays"));
        assert_eq!(
            PasswordPolicy {
                minimum_length: 99,
                ..d.clone()
            }
            .validate(),
            Ok(())
        );
        assert_eq!(
            PasswordPolicy {
                minimum_length: 6,
                ..d
            }
            .validate(),
            Ok(())
        );
    }

    #[test]
    fn from_parts_applies_cognitos_zero_rules() {
        let p = PasswordPolicy::from_parts(None, [Some(true), None, None, None], Some(0), Some(0))
            .unwrap();
        assert_eq!(p.minimum_length, 8);
        assert!(p.require_uppercase && !p.require_lowercase);
        assert_eq!(p.password_history_size, None);
        assert_eq!(p.temporary_password_validity_days, 7);
        let p = PasswordPolicy::from_parts(Some(12), [None; 4], Some(3), Some(30)).unwrap();
        assert_eq!(
            (p.password_history_size, p.temporary_password_validity_days),
            (Some(3), 30)
        );
        assert!(PasswordPolicy::from_parts(Some(5), [None; 4], None, None).is_err());
    }
}
