//! User attributes checked against the pool's schema.

use std::collections::BTreeMap;

use serde_json::Value;

use super::pool_settings::{InvalidParameter, PoolSettings};

/// Attributes only the server sets.
const SERVER_OWNED: &[&str] = &[
    "sub",
    "identities",
    "email_verified",
    "phone_number_verified",
];

fn nonconforming(msg: String) -> InvalidParameter {
    InvalidParameter(format!("Attributes did not conform to the schema: {msg}"))
}

fn constraint(attr: &Value, group: &str, key: &str) -> Option<i64> {
    let v = attr.get(group)?.get(key)?;
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// A plausible e-mail address: one `@`, non-empty local part and domain
/// with a dot, no white space.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// E.164: `+` then 4 to 15 digits.
pub fn is_phone_number(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (4..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

/// Checks the attributes a new user gives (sign-up) and returns them as a
/// map. Every attribute must be in the schema and writable, satisfy its
/// constraints, and every required attribute must be present.
pub fn validate_new(
    settings: &PoolSettings,
    given: &[(String, String)],
) -> Result<BTreeMap<String, String>, InvalidParameter> {
    let out = validate_given(settings, given)?;
    for required in settings.required_attributes() {
        if out.get(&required).is_none_or(|v| v.is_empty()) {
            return Err(nonconforming(format!(
                "{required}: The attribute {required} is required"
            )));
        }
    }
    Ok(out)
}

/// Like [`validate_new`] without demanding the required attributes: an
/// administrator may create a user without them (the user gives them with
/// the first new password).
pub fn validate_given(
    settings: &PoolSettings,
    given: &[(String, String)],
) -> Result<BTreeMap<String, String>, InvalidParameter> {
    let schema = settings.schema();
    let mut out = BTreeMap::new();
    for (name, value) in given {
        if SERVER_OWNED.contains(&name.as_str()) {
            return Err(InvalidParameter(format!(
                "A client attempted to write unauthorized attribute: {name}"
            )));
        }
        let Some(attr) = schema
            .iter()
            .find(|a| a.get("Name").and_then(Value::as_str) == Some(name.as_str()))
        else {
            return Err(nonconforming(format!(
                "{name}: Attribute does not exist in the schema."
            )));
        };
        check_value(name, value, attr)?;
        if out.insert(name.clone(), value.clone()).is_some() {
            return Err(InvalidParameter(format!(
                "Duplicate attribute name: {name}"
            )));
        }
    }
    Ok(out)
}

/// Checks one attribute a user or administrator writes after sign-up: it
/// must be in the schema, mutable, and its value must fit.
pub fn validate_update(
    settings: &PoolSettings,
    name: &str,
    value: &str,
) -> Result<(), InvalidParameter> {
    let schema = settings.schema();
    let Some(attr) = schema
        .iter()
        .find(|a| a.get("Name").and_then(Value::as_str) == Some(name))
    else {
        return Err(nonconforming(format!(
            "{name}: Attribute does not exist in the schema."
        )));
    };
    if attr.get("Mutable").and_then(Value::as_bool) == Some(false) {
        return Err(InvalidParameter(format!(
            "Cannot modify the non-mutable attribute {name}"
        )));
    }
    check_value(name, value, attr)
}

fn check_value(name: &str, value: &str, attr: &Value) -> Result<(), InvalidParameter> {
    let data_type = attr
        .get("AttributeDataType")
        .and_then(Value::as_str)
        .unwrap_or("String");
    match data_type {
        "Number" => {
            let n: i64 = value.parse().map_err(|_| {
                nonconforming(format!("{name}: Number attribute value must be a number."))
            })?;
            let min = constraint(attr, "NumberAttributeConstraints", "MinValue");
            let max = constraint(attr, "NumberAttributeConstraints", "MaxValue");
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(nonconforming(format!(
                    "{name}: Number is out of the allowed range."
                )));
            }
        }
        "Boolean" => {
            if value != "true" && value != "false" {
                return Err(nonconforming(format!(
                    "{name}: Boolean attribute value must be true or false."
                )));
            }
        }
        _ => {
            let len = value.chars().count() as i64;
            let min = constraint(attr, "StringAttributeConstraints", "MinLength").unwrap_or(0);
            let max = constraint(attr, "StringAttributeConstraints", "MaxLength").unwrap_or(2048);
            if len < min || len > max {
                return Err(nonconforming(format!(
                    "{name}: String must be between {min} and {max} characters."
                )));
            }
        }
    }
    if name == "email" && !is_email(value) {
        return Err(InvalidParameter("Invalid email address format.".into()));
    }
    if name == "phone_number" && !is_phone_number(value) {
        return Err(InvalidParameter("Invalid phone number format.".into()));
    }
    Ok(())
}

/// Masks a delivery destination as Cognito does: `j***@e***`.
pub fn mask_destination(dest: &str) -> String {
    if let Some((local, domain)) = dest.split_once('@') {
        let l = local.chars().next().map(String::from).unwrap_or_default();
        let d = domain.chars().next().map(String::from).unwrap_or_default();
        return format!("{l}***@{d}***");
    }
    let tail: String = dest
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("+*******{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones() {
        assert!(is_email("jane@example.com"));
        assert!(!is_email("jane@example"));
        assert!(!is_email("jane example@x.com"));
        assert!(!is_email("@x.com"));
        assert!(is_phone_number("+15555550100"));
        assert!(!is_phone_number("5555550100"));
        assert!(!is_phone_number("+1-555"));
    }

    #[test]
    fn masks() {
        assert_eq!(mask_destination("jane@example.com"), "j***@e***");
        assert_eq!(mask_destination("+15555550100"), "+*******0100");
    }
}
