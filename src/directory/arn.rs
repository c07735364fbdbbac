//! Cognito's `ArnType` (a group's `RoleArn`, a custom domain's
//! `CertificateArn`): 20 to 2048 characters of
//! `arn:partition:service:region?:account:resource(:qualifier){0,2}`.
//! cognate stores ARNs and never resolves them.

use super::pool_settings::{check_length, constraint_error, InvalidParameter};

const PATTERN: &str = "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?";

fn arn_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=/,.@-".contains(c)
}

fn matches(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    if !(6..=8).contains(&parts.len()) || parts[0] != "arn" {
        return false;
    }
    let word = |s: &str| !s.is_empty() && s.chars().all(arn_char);
    word(parts[1])
        && word(parts[2])
        && parts[3].chars().all(arn_char)
        && !parts[4].is_empty()
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5..].iter().all(|p| word(p))
}

/// Checks an ARN member (`member` is its camelCase path for messages).
pub fn check(value: &str, member: &str) -> Result<(), InvalidParameter> {
    check_length(value, member, 20, 2048)?;
    if matches(value) {
        return Ok(());
    }
    Err(constraint_error(
        value,
        member,
        &format!("Member must satisfy regular expression pattern: {PATTERN}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_and_certificate_arns_pass() {
        assert!(check("arn:aws:iam::123456789012:role/Admins", "roleArn").is_ok());
        assert!(check(
            "arn:aws:acm:us-east-1:123456789012:certificate/a1b2-c3",
            "certificateArn"
        )
        .is_ok());
    }

    #[test]
    fn malformed_arns_fail() {
        for bad in [
            "arn:aws:iam::role/Admins-without-account",
            "arn:aws:iam::12ab:role/Admins-123456",
            "not-an-arn-at-all-but-long",
            "arn:aws:iam::123456789012:",
            "arn:aws",
        ] {
            assert!(check(bad, "roleArn").is_err(), "{bad}");
        }
    }
}
