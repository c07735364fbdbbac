//! A user pool's settings in Cognito's `CreateUserPool` shape: parsed and
//! validated from CreateUserPool/UpdateUserPool requests with Cognito's
//! defaults filled in, stored as JSON, and rendered back as `UserPoolType`
//! and `UserPoolDescriptionType`. Also holds the request-reading helpers the
//! app client settings share.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::password_policy::PasswordPolicy;

/// Becomes Cognito's `InvalidParameterException` with this message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidParameter(pub String);

pub const DEFAULT_VERIFICATION_MESSAGE: &str = "Your verification code is {####}. ";
pub const DEFAULT_VERIFICATION_SUBJECT: &str = "Your verification code";
pub const DEFAULT_AUTHENTICATION_MESSAGE: &str = "Your authentication code is {####}. ";
pub const DEFAULT_LINK_MESSAGE: &str =
    "Please click the link below to verify your email address. {##Verify Email##} ";
pub const DEFAULT_LINK_SUBJECT: &str = "Your verification link";

const VERIFIED: &[&str] = &["phone_number", "email"];
const ALIASES: &[&str] = &["phone_number", "email", "preferred_username"];
const DATA_TYPES: &[&str] = &["String", "Number", "DateTime", "Boolean"];
const MAX_CUSTOM_ATTRIBUTES: usize = 50;
const CODE: &str = "{####}";
const SMS_PATTERN: &str = ".*\\{####\\}.*";
const EMAIL_PATTERN: &str =
    "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*";
const LINK_PATTERN: &str = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{##[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*##\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*";

// ---------------------------------------------------------------------------
// Request reading, shared with the client settings.

/// Cognito's wording for a member that breaks a modelled constraint.
pub(crate) fn constraint_error(value: &str, member: &str, constraint: &str) -> InvalidParameter {
    InvalidParameter(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

pub(crate) fn missing(member: &str) -> InvalidParameter {
    InvalidParameter(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

fn type_error(member: &str, value: &Value, what: &str) -> InvalidParameter {
    let shown: String = value.to_string().chars().take(64).collect();
    constraint_error(&shown, member, &format!("Member must be {what}"))
}

/// One JSON object of a request, with its member path for messages.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    pub(crate) fn root(value: &'a Value) -> Result<Fields<'a>, InvalidParameter> {
        Fields::at(value, String::new())
    }

    fn at(value: &'a Value, path: String) -> Result<Fields<'a>, InvalidParameter> {
        match value {
            Value::Object(map) => Ok(Fields { map, path }),
            other => Err(type_error(&path, other, "a structure")),
        }
    }

    /// `policies.passwordPolicy.minimumLength`-style path of a member.
    pub(crate) fn path(&self, key: &str) -> String {
        let mut chars = key.chars();
        let camel: String = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        };
        if self.path.is_empty() {
            camel
        } else {
            format!("{}.{camel}", self.path)
        }
    }

    /// A member; JSON null counts as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<&'a str>, InvalidParameter> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(type_error(&self.path(key), v, "a string")),
        }
    }

    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, InvalidParameter> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(type_error(&self.path(key), v, "a boolean")),
        }
    }

    pub(crate) fn integer(&self, key: &str) -> Result<Option<i64>, InvalidParameter> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| type_error(&self.path(key), v, "an integer")),
        }
    }

    /// An integer member that must lie in `min..=max`.
    pub(crate) fn ranged(
        &self,
        key: &str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>, InvalidParameter> {
        let value = self.integer(key)?;
        if let Some(n) = value {
            check_range(n, &self.path(key), min, max)?;
        }
        Ok(value)
    }

    pub(crate) fn object(&self, key: &str) -> Result<Option<Fields<'a>>, InvalidParameter> {
        self.get(key)
            .map(|v| Fields::at(v, self.path(key)))
            .transpose()
    }

    /// A structure member kept as raw JSON.
    pub(crate) fn raw_object(&self, key: &str) -> Result<Option<Value>, InvalidParameter> {
        Ok(self.object(key)?.map(|f| Value::Object(f.map.clone())))
    }

    pub(crate) fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, InvalidParameter> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(v) => Err(type_error(&self.path(key), v, "a list")),
        }
    }

    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, InvalidParameter> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                v => {
                    return Err(type_error(
                        &format!("{}.{}.member", self.path(key), i + 1),
                        v,
                        "a string",
                    ))
                }
            }
        }
        Ok(Some(out))
    }

    /// The `i`-th structure of a list member.
    pub(crate) fn item(
        &self,
        key: &str,
        i: usize,
        value: &'a Value,
    ) -> Result<Fields<'a>, InvalidParameter> {
        Fields::at(value, format!("{}.{}.member", self.path(key), i + 1))
    }
}

pub(crate) fn check_range(
    value: i64,
    member: &str,
    min: i64,
    max: i64,
) -> Result<(), InvalidParameter> {
    let bound = if value < min {
        format!("greater than or equal to {min}")
    } else if value > max {
        format!("less than or equal to {max}")
    } else {
        return Ok(());
    };
    Err(constraint_error(
        &value.to_string(),
        member,
        &format!("Member must have value {bound}"),
    ))
}

pub(crate) fn check_length(
    value: &str,
    member: &str,
    min: usize,
    max: usize,
) -> Result<(), InvalidParameter> {
    let n = value.chars().count();
    let bound = if n < min {
        format!("greater than or equal to {min}")
    } else if n > max {
        format!("less than or equal to {max}")
    } else {
        return Ok(());
    };
    Err(constraint_error(
        value,
        member,
        &format!("Member must have length {bound}"),
    ))
}

pub(crate) fn check_enum(
    value: &str,
    member: &str,
    allowed: &[&str],
) -> Result<(), InvalidParameter> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let set = allowed.join(", ");
    Err(constraint_error(
        value,
        member,
        &format!("Member must satisfy enum value set: [{set}]"),
    ))
}

pub(crate) fn check_enum_list(
    values: &[String],
    member: &str,
    allowed: &[&str],
) -> Result<(), InvalidParameter> {
    if values.iter().all(|v| allowed.contains(&v.as_str())) {
        return Ok(());
    }
    let constraint = format!(
        "Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
        allowed.join(", ")
    );
    Err(constraint_error(
        &format!("[{}]", values.join(", ")),
        member,
        &constraint,
    ))
}

pub(crate) fn check_list_length(
    n: usize,
    member: &str,
    min: usize,
    max: usize,
) -> Result<(), InvalidParameter> {
    let bound = if n < min {
        format!("greater than or equal to {min}")
    } else if n > max {
        format!("less than or equal to {max}")
    } else {
        return Ok(());
    };
    Err(InvalidParameter(format!(
        "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length {bound}"
    )))
}

/// Pool and client names: 1..=128 of `[\w\s+=,.@-]`.
pub(crate) fn check_name(value: &str, member: &str) -> Result<(), InvalidParameter> {
    check_length(value, member, 1, 128)?;
    let ok = |c: char| c.is_ascii_alphanumeric() || "_+=,.@- \t\n\r\x0b\x0c".contains(c);
    if value.chars().all(ok) {
        return Ok(());
    }
    Err(constraint_error(
        value,
        member,
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    ))
}

/// Free text (`[\p{L}\p{M}\p{S}\p{N}\p{P}\s]`-style): no control characters
/// other than whitespace.
fn is_text(value: &str) -> bool {
    value.chars().all(|c| !c.is_control() || c.is_whitespace())
}

// ---------------------------------------------------------------------------
// The stored settings.

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    pub password_policy: PasswordPolicy,
    pub sign_in_policy: SignInPolicy,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicy {
    pub allowed_first_auth_factors: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct VerificationMessageTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message_by_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject_by_link: Option<String>,
    pub default_email_option: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfig {
    pub allow_admin_create_user_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_message_template: Option<Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfiguration {
    pub challenge_required_on_new_device: bool,
    pub device_only_remembered_on_user_prompt: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct UserAttributeUpdateSettings {
    pub attributes_require_verification_before_update: Vec<String>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfiguration {
    pub case_sensitive: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    pub name: String,
    pub attribute_data_type: String,
    pub developer_only_attribute: bool,
    pub mutable: bool,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<BTreeMap<String, String>>,
}

/// Settings of one pool: the CreateUserPool request minus `PoolName`, with
/// Cognito's defaults applied and the schema already merged with the
/// standard attributes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSettings {
    pub policies: Policies,
    pub deletion_protection: String,
    pub lambda_config: Value,
    pub auto_verified_attributes: Vec<String>,
    pub alias_attributes: Vec<String>,
    pub username_attributes: Vec<String>,
    /// Holds the legacy `Sms/EmailVerification*` members too: Cognito keeps
    /// both spellings in step.
    pub verification_message_template: VerificationMessageTemplate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    pub mfa_configuration: String,
    pub user_attribute_update_settings: UserAttributeUpdateSettings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfiguration>,
    pub email_configuration: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<Value>,
    pub user_pool_tags: BTreeMap<String, String>,
    pub admin_create_user_config: AdminCreateUserConfig,
    pub schema: Vec<SchemaAttribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_add_ons: Option<Value>,
    /// `None` when the request gave none: usernames are then case sensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_recovery_setting: Option<Value>,
    pub user_pool_tier: String,
    /// The MFA methods offered (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`): set by the
    /// console and SetUserPoolMfaConfig, not by CreateUserPool/UpdateUserPool
    /// (kept across updates), and not part of UserPoolType.
    #[serde(default)]
    pub enabled_mfas: Vec<String>,
}

/// What the database knows of a pool besides its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolMeta {
    pub id: String,
    pub name: String,
    pub arn: String,
    /// Unix seconds.
    pub creation_date: i64,
    /// Unix seconds.
    pub last_modified_date: i64,
    pub estimated_number_of_users: i64,
}

// ---------------------------------------------------------------------------
// The schema.

enum Kind {
    Text(&'static str, &'static str),
    Unbounded,
    Flag,
    Number,
}

const STANDARD: &[(&str, Kind)] = &[
    ("sub", Kind::Text("1", "2048")),
    ("name", Kind::Text("0", "2048")),
    ("given_name", Kind::Text("0", "2048")),
    ("family_name", Kind::Text("0", "2048")),
    ("middle_name", Kind::Text("0", "2048")),
    ("nickname", Kind::Text("0", "2048")),
    ("preferred_username", Kind::Text("0", "2048")),
    ("profile", Kind::Text("0", "2048")),
    ("picture", Kind::Text("0", "2048")),
    ("website", Kind::Text("0", "2048")),
    ("email", Kind::Text("0", "2048")),
    ("email_verified", Kind::Flag),
    ("gender", Kind::Text("0", "2048")),
    ("birthdate", Kind::Text("10", "10")),
    ("zoneinfo", Kind::Text("0", "2048")),
    ("locale", Kind::Text("0", "2048")),
    ("phone_number", Kind::Text("0", "2048")),
    ("phone_number_verified", Kind::Flag),
    ("address", Kind::Text("0", "2048")),
    ("updated_at", Kind::Number),
    ("identities", Kind::Unbounded),
];

fn pairs(entries: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The standard attributes exactly as Cognito lists them for a new pool.
pub fn standard_schema() -> Vec<SchemaAttribute> {
    STANDARD
        .iter()
        .map(|(name, kind)| {
            let (data_type, numbers, strings) = match kind {
                Kind::Text(lo, hi) => (
                    "String",
                    None,
                    pairs(&[("MinLength", lo), ("MaxLength", hi)]),
                ),
                Kind::Unbounded => ("String", None, pairs(&[])),
                Kind::Flag => ("Boolean", None, None),
                Kind::Number => ("Number", pairs(&[("MinValue", "0")]), None),
            };
            SchemaAttribute {
                name: name.to_string(),
                attribute_data_type: data_type.to_string(),
                developer_only_attribute: false,
                mutable: *name != "sub",
                required: *name == "sub",
                number_attribute_constraints: numbers,
                string_attribute_constraints: strings,
            }
        })
        .collect()
}

/// Reads `String`/`NumberAttributeConstraints` for an attribute of `data_type`.
fn parse_constraints(
    f: &Fields,
    data_type: &str,
    full_name: &str,
) -> Result<Option<BTreeMap<String, String>>, InvalidParameter> {
    let (key, keys) = match data_type {
        "String" => ("StringAttributeConstraints", ["MinLength", "MaxLength"]),
        "Number" => ("NumberAttributeConstraints", ["MinValue", "MaxValue"]),
        _ => return Ok(None),
    };
    let Some(c) = f.object(key)? else {
        return Ok(None);
    };
    let invalid = || InvalidParameter(format!("Invalid {key} for schema attribute {full_name}"));
    let mut out = BTreeMap::new();
    let mut bounds = [None, None];
    for (slot, k) in bounds.iter_mut().zip(keys) {
        let Some(text) = c.string(k)? else { continue };
        let n: i128 = text.trim().parse().map_err(|_| invalid())?;
        if data_type == "String" && n < 0 {
            return Err(invalid());
        }
        if data_type == "String" && n > 2048 {
            return Err(InvalidParameter(format!(
                "user.{full_name}: String attributes cannot have a length of more than 2048"
            )));
        }
        *slot = Some(n);
        out.insert(k.to_string(), text.to_string());
    }
    if let [Some(lo), Some(hi)] = bounds {
        if lo > hi {
            let what = if data_type == "String" {
                "length cannot be less than min length"
            } else {
                "value cannot be less than min value"
            };
            return Err(InvalidParameter(format!("user.{full_name}: Max {what}.")));
        }
    }
    Ok(Some(out))
}

/// A custom attribute from a `SchemaAttributeType`; its name gains `custom:`
/// (or `dev:custom:` when developer-only).
fn parse_custom(f: &Fields, name: &str) -> Result<SchemaAttribute, InvalidParameter> {
    let data_type = f.string("AttributeDataType")?.ok_or_else(|| {
        InvalidParameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
                .into(),
        )
    })?;
    check_enum(data_type, &f.path("AttributeDataType"), DATA_TYPES)?;
    let developer_only = f.boolean("DeveloperOnlyAttribute")?.unwrap_or(false);
    let full_name = format!("{}custom:{name}", if developer_only { "dev:" } else { "" });
    if f.boolean("Required")?.unwrap_or(false) {
        return Err(InvalidParameter(
            "Required custom attributes are not supported currently.".into(),
        ));
    }
    let constraints = parse_constraints(f, data_type, &full_name)?;
    let (numbers, strings) = match data_type {
        "String" => (None, Some(constraints.unwrap_or_default())),
        "Number" => (Some(constraints.unwrap_or_default()), None),
        _ => (None, None),
    };
    Ok(SchemaAttribute {
        name: full_name,
        attribute_data_type: data_type.to_string(),
        developer_only_attribute: developer_only,
        mutable: f.boolean("Mutable")?.unwrap_or(true),
        required: false,
        number_attribute_constraints: numbers,
        string_attribute_constraints: strings,
    })
}

fn attribute_name<'a>(f: &Fields<'a>) -> Result<&'a str, InvalidParameter> {
    let member = f.path("Name");
    let name = f.string("Name")?.ok_or_else(|| missing(&member))?;
    check_length(name, &member, 1, 20)?;
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(constraint_error(
            name,
            &member,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(name)
}

fn add_custom(
    schema: &mut Vec<SchemaAttribute>,
    attr: SchemaAttribute,
) -> Result<(), InvalidParameter> {
    if schema.iter().any(|a| a.name == attr.name) {
        return Err(InvalidParameter(format!(
            "{0}: Existing attribute already has name {0}.",
            attr.name
        )));
    }
    let custom = schema.iter().filter(|a| a.name.contains("custom:")).count();
    if custom >= MAX_CUSTOM_ATTRIBUTES {
        return Err(InvalidParameter(format!(
            "Cannot add more than {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )));
    }
    schema.push(attr);
    Ok(())
}

/// The standard attributes merged with a CreateUserPool `Schema`.
fn parse_schema(root: &Fields) -> Result<Vec<SchemaAttribute>, InvalidParameter> {
    let mut schema = standard_schema();
    let Some(items) = root.array("Schema")? else {
        return Ok(schema);
    };
    check_list_length(items.len(), "schema", 1, 50)?;
    for (i, item) in items.iter().enumerate() {
        let f = root.item("Schema", i, item)?;
        let name = attribute_name(&f)?;
        let Some(standard) = schema.iter_mut().find(|a| a.name == name) else {
            add_custom(&mut schema, parse_custom(&f, name)?)?;
            continue;
        };
        let given_type = f.string("AttributeDataType")?;
        if given_type.is_some_and(|t| t != standard.attribute_data_type)
            || f.boolean("DeveloperOnlyAttribute")?.unwrap_or(false)
        {
            return Err(InvalidParameter(format!(
                "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
            )));
        }
        if name == "sub" {
            continue;
        }
        standard.mutable = f.boolean("Mutable")?.unwrap_or(standard.mutable);
        standard.required = f.boolean("Required")?.unwrap_or(standard.required);
        let data_type = standard.attribute_data_type.clone();
        if let Some(c) = parse_constraints(&f, &data_type, name)? {
            match data_type.as_str() {
                "String" => standard.string_attribute_constraints = Some(c),
                _ => standard.number_attribute_constraints = Some(c),
            }
        }
    }
    Ok(schema)
}

// ---------------------------------------------------------------------------
// Parsing CreateUserPool / UpdateUserPool.

enum Placeholder {
    Code(&'static str),
    Link,
    Text,
}

/// A message member: its length, and the placeholder it must carry.
fn message(
    f: &Fields,
    key: &str,
    min: usize,
    max: usize,
    kind: Placeholder,
) -> Result<Option<String>, InvalidParameter> {
    let Some(text) = f.string(key)? else {
        return Ok(None);
    };
    let member = f.path(key);
    check_length(text, &member, min, max)?;
    let (ok, pattern) = match kind {
        Placeholder::Code(pattern) => (text.contains(CODE), pattern),
        Placeholder::Link => {
            let after_open = text.split_once("{##").map(|(_, rest)| rest);
            (
                after_open.is_some_and(|rest| rest.contains("##}")),
                LINK_PATTERN,
            )
        }
        Placeholder::Text => (true, "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s]+"),
    };
    if !ok || !is_text(text) {
        let constraint = format!("Member must satisfy regular expression pattern: {pattern}");
        return Err(constraint_error(text, &member, &constraint));
    }
    Ok(Some(text.to_string()))
}

fn enum_or(
    f: &Fields,
    key: &str,
    allowed: &[&str],
    default: &str,
) -> Result<String, InvalidParameter> {
    match f.string(key)? {
        Some(v) => check_enum(v, &f.path(key), allowed).map(|_| v.to_string()),
        None => Ok(default.to_string()),
    }
}

fn enum_list(f: &Fields, key: &str, allowed: &[&str]) -> Result<Vec<String>, InvalidParameter> {
    let list = f.strings(key)?.unwrap_or_default();
    check_enum_list(&list, &f.path(key), allowed)?;
    Ok(list)
}

fn parse_password_policy(f: &Fields) -> Result<PasswordPolicy, InvalidParameter> {
    let small = |key: &str, min: i64, max: i64| -> Result<Option<u32>, InvalidParameter> {
        Ok(f.ranged(key, min, max)?.and_then(|n| u32::try_from(n).ok()))
    };
    let require = [
        f.boolean("RequireUppercase")?,
        f.boolean("RequireLowercase")?,
        f.boolean("RequireNumbers")?,
        f.boolean("RequireSymbols")?,
    ];
    PasswordPolicy::from_parts(
        small("MinimumLength", 6, 99)?,
        require,
        small("PasswordHistorySize", 0, 24)?,
        small("TemporaryPasswordValidityDays", 0, 365)?,
    )
    .map_err(InvalidParameter)
}

fn parse_template(root: &Fields) -> Result<VerificationMessageTemplate, InvalidParameter> {
    use Placeholder::{Code, Link, Text};
    let legacy_sms = message(root, "SmsVerificationMessage", 6, 140, Code(SMS_PATTERN))?;
    let legacy_email = message(
        root,
        "EmailVerificationMessage",
        6,
        20000,
        Code(EMAIL_PATTERN),
    )?;
    let legacy_subject = message(root, "EmailVerificationSubject", 1, 140, Text)?;
    let mut t = VerificationMessageTemplate {
        default_email_option: "CONFIRM_WITH_CODE".to_string(),
        ..VerificationMessageTemplate::default()
    };
    if let Some(f) = root.object("VerificationMessageTemplate")? {
        t.sms_message = message(&f, "SmsMessage", 6, 140, Code(SMS_PATTERN))?;
        t.email_message = message(&f, "EmailMessage", 6, 20000, Code(EMAIL_PATTERN))?;
        t.email_subject = message(&f, "EmailSubject", 1, 140, Text)?;
        t.email_message_by_link = message(&f, "EmailMessageByLink", 6, 20000, Link)?;
        t.email_subject_by_link = message(&f, "EmailSubjectByLink", 1, 140, Text)?;
        let options = ["CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE"];
        t.default_email_option = enum_or(&f, "DefaultEmailOption", &options, "CONFIRM_WITH_CODE")?;
    }
    // The template wins over the legacy members when both are given.
    t.sms_message = t.sms_message.or(legacy_sms);
    t.email_message = t.email_message.or(legacy_email);
    t.email_subject = t.email_subject.or(legacy_subject);
    Ok(t)
}

/// Copies the listed string members of an optional structure.
fn pick_strings(
    f: &Fields,
    keys: &[&str],
    out: &mut Map<String, Value>,
) -> Result<(), InvalidParameter> {
    for key in keys {
        if let Some(s) = f.string(key)? {
            out.insert(key.to_string(), json!(s));
        }
    }
    Ok(())
}

fn parse_email_configuration(root: &Fields) -> Result<Value, InvalidParameter> {
    let mut map = Map::new();
    if let Some(f) = root.object("EmailConfiguration")? {
        pick_strings(
            &f,
            &[
                "SourceArn",
                "ReplyToEmailAddress",
                "From",
                "ConfigurationSet",
            ],
            &mut map,
        )?;
        let account = enum_or(
            &f,
            "EmailSendingAccount",
            &["COGNITO_DEFAULT", "DEVELOPER"],
            "COGNITO_DEFAULT",
        )?;
        map.insert("EmailSendingAccount".into(), json!(account));
    } else {
        map.insert("EmailSendingAccount".into(), json!("COGNITO_DEFAULT"));
    }
    Ok(Value::Object(map))
}

fn parse_sms_configuration(root: &Fields) -> Result<Option<Value>, InvalidParameter> {
    let Some(f) = root.object("SmsConfiguration")? else {
        return Ok(None);
    };
    if f.string("SnsCallerArn")?.is_none() {
        return Err(missing(&f.path("SnsCallerArn")));
    }
    let mut map = Map::new();
    pick_strings(&f, &["SnsCallerArn", "ExternalId", "SnsRegion"], &mut map)?;
    Ok(Some(Value::Object(map)))
}

fn parse_tags(root: &Fields) -> Result<BTreeMap<String, String>, InvalidParameter> {
    let mut tags = BTreeMap::new();
    if let Some(f) = root.object("UserPoolTags")? {
        for key in f.map.keys() {
            let value = f.string(key)?.unwrap_or("");
            check_length(key, "userPoolTags", 1, 128)?;
            check_length(value, &f.path(key), 0, 256)?;
            tags.insert(key.clone(), value.to_string());
        }
    }
    Ok(tags)
}

fn parse_admin_create_user(f: &Fields) -> Result<AdminCreateUserConfig, InvalidParameter> {
    let invite = match f.object("InviteMessageTemplate")? {
        Some(t) => {
            message(&t, "SMSMessage", 6, 140, Placeholder::Text)?;
            message(&t, "EmailMessage", 6, 20000, Placeholder::Text)?;
            message(&t, "EmailSubject", 1, 140, Placeholder::Text)?;
            let mut map = Map::new();
            pick_strings(
                &t,
                &["SMSMessage", "EmailMessage", "EmailSubject"],
                &mut map,
            )?;
            Some(Value::Object(map))
        }
        None => None,
    };
    Ok(AdminCreateUserConfig {
        allow_admin_create_user_only: f.boolean("AllowAdminCreateUserOnly")?.unwrap_or(false),
        invite_message_template: invite,
    })
}

fn parse_add_ons(root: &Fields) -> Result<Option<Value>, InvalidParameter> {
    let Some(f) = root.object("UserPoolAddOns")? else {
        return Ok(None);
    };
    let mode = f
        .string("AdvancedSecurityMode")?
        .ok_or_else(|| missing(&f.path("AdvancedSecurityMode")))?;
    check_enum(
        mode,
        &f.path("AdvancedSecurityMode"),
        &["OFF", "AUDIT", "ENFORCED"],
    )?;
    let mut map = Map::new();
    map.insert("AdvancedSecurityMode".into(), json!(mode));
    if let Some(flows) = f.object("AdvancedSecurityAdditionalFlows")? {
        let mut inner = Map::new();
        if let Some(m) = flows.string("CustomAuthMode")? {
            check_enum(m, &flows.path("CustomAuthMode"), &["AUDIT", "ENFORCED"])?;
            inner.insert("CustomAuthMode".into(), json!(m));
        }
        map.insert(
            "AdvancedSecurityAdditionalFlows".into(),
            Value::Object(inner),
        );
    }
    Ok(Some(Value::Object(map)))
}

fn parse_recovery(root: &Fields) -> Result<Option<Value>, InvalidParameter> {
    let Some(f) = root.object("AccountRecoverySetting")? else {
        return Ok(None);
    };
    let Some(items) = f.array("RecoveryMechanisms")? else {
        return Ok(Some(json!({})));
    };
    check_list_length(items.len(), &f.path("RecoveryMechanisms"), 1, 2)?;
    let mut mechanisms: Vec<(i64, String)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let m = f.item("RecoveryMechanisms", i, item)?;
        let priority = m
            .ranged("Priority", 1, 2)?
            .ok_or_else(|| missing(&m.path("Priority")))?;
        let name = m.string("Name")?.ok_or_else(|| missing(&m.path("Name")))?;
        check_enum(
            name,
            &m.path("Name"),
            &["verified_email", "verified_phone_number", "admin_only"],
        )?;
        if mechanisms.iter().any(|(p, n)| *p == priority || n == name) {
            return Err(InvalidParameter(
                "Invalid account recovery setting parameter. Names and priorities must be unique."
                    .into(),
            ));
        }
        mechanisms.push((priority, name.to_string()));
    }
    if mechanisms.len() > 1 && mechanisms.iter().any(|(_, n)| n == "admin_only") {
        return Err(InvalidParameter(
            "Invalid account recovery setting parameter. admin_only cannot be combined with other recovery mechanisms.".into(),
        ));
    }
    mechanisms.sort();
    let list: Vec<Value> = mechanisms
        .iter()
        .map(|(p, n)| json!({"Priority": p, "Name": n}))
        .collect();
    Ok(Some(json!({ "RecoveryMechanisms": list })))
}

/// The sign-in attributes, username case sensitivity and schema: set at
/// creation, never changed by UpdateUserPool.
type Immutables = (
    Vec<String>,
    Vec<String>,
    Option<UsernameConfiguration>,
    Vec<SchemaAttribute>,
);

fn parse_immutables(root: &Fields) -> Result<Immutables, InvalidParameter> {
    let alias = enum_list(root, "AliasAttributes", ALIASES)?;
    let username = enum_list(root, "UsernameAttributes", VERIFIED)?;
    if !alias.is_empty() && !username.is_empty() {
        return Err(InvalidParameter(
            "Only one of the AliasAttributes or UsernameAttributes can be set in a User Pool."
                .into(),
        ));
    }
    let case_sensitive = match root.object("UsernameConfiguration")? {
        Some(u) => Some(UsernameConfiguration {
            case_sensitive: u
                .boolean("CaseSensitive")?
                .ok_or_else(|| missing(&u.path("CaseSensitive")))?,
        }),
        None => None,
    };
    Ok((alias, username, case_sensitive, parse_schema(root)?))
}

impl PoolSettings {
    /// Settings from a request; `base` is the pool being updated, whose
    /// immutable members and tier carry over.
    fn parse(req: &Value, base: Option<&PoolSettings>) -> Result<PoolSettings, InvalidParameter> {
        let root = Fields::root(req)?;
        let policies = root.object("Policies")?;
        let sub_object = |key: &str| {
            policies
                .as_ref()
                .map(|p| p.object(key))
                .transpose()
                .map(Option::flatten)
        };

        let mut password_policy = PasswordPolicy::default();
        let mut temporary_given = false;
        if let Some(pp) = sub_object("PasswordPolicy")? {
            password_policy = parse_password_policy(&pp)?;
            temporary_given = pp.get("TemporaryPasswordValidityDays").is_some();
        }
        let factors = match sub_object("SignInPolicy")? {
            Some(sp) => {
                let member = sp.path("AllowedFirstAuthFactors");
                let list = sp
                    .strings("AllowedFirstAuthFactors")?
                    .unwrap_or_else(|| vec!["PASSWORD".into()]);
                check_list_length(list.len(), &member, 1, 4)?;
                check_enum_list(
                    &list,
                    &member,
                    &["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
                )?;
                list
            }
            None => vec!["PASSWORD".to_string()],
        };

        let admin = root.object("AdminCreateUserConfig")?;
        let admin_create_user_config = match &admin {
            Some(a) => parse_admin_create_user(a)?,
            None => AdminCreateUserConfig {
                allow_admin_create_user_only: false,
                invite_message_template: None,
            },
        };
        // The legacy UnusedAccountValidityDays stands in for the policy's
        // temporary password validity, and may not contradict it.
        let unused = admin
            .as_ref()
            .map(|a| a.ranged("UnusedAccountValidityDays", 0, 365))
            .transpose()?
            .flatten();
        if let Some(days) = unused
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| *d > 0)
        {
            if !temporary_given {
                password_policy.temporary_password_validity_days = days;
            } else if password_policy.temporary_password_validity_days != days {
                return Err(InvalidParameter(
                    "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays".into(),
                ));
            }
        }

        let auto_verified_attributes = enum_list(&root, "AutoVerifiedAttributes", VERIFIED)?;
        let require_before_update = match root.object("UserAttributeUpdateSettings")? {
            Some(u) => enum_list(&u, "AttributesRequireVerificationBeforeUpdate", VERIFIED)?,
            None => Vec::new(),
        };
        if require_before_update
            .iter()
            .any(|a| !auto_verified_attributes.contains(a))
        {
            return Err(InvalidParameter(
                "Attributes in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes.".into(),
            ));
        }
        let device_configuration = match root.object("DeviceConfiguration")? {
            Some(d) => Some(DeviceConfiguration {
                challenge_required_on_new_device: d
                    .boolean("ChallengeRequiredOnNewDevice")?
                    .unwrap_or(false),
                device_only_remembered_on_user_prompt: d
                    .boolean("DeviceOnlyRememberedOnUserPrompt")?
                    .unwrap_or(false),
            }),
            None => None,
        };
        let (alias_attributes, username_attributes, username_configuration, schema) = match base {
            Some(b) => (
                b.alias_attributes.clone(),
                b.username_attributes.clone(),
                b.username_configuration,
                b.schema.clone(),
            ),
            None => parse_immutables(&root)?,
        };
        let user_pool_tier = match root.string("UserPoolTier")? {
            Some(t) => {
                check_enum(t, "userPoolTier", &["LITE", "ESSENTIALS", "PLUS"])?;
                t.to_string()
            }
            None => base.map_or_else(|| "ESSENTIALS".to_string(), |b| b.user_pool_tier.clone()),
        };
        let sms_code = Placeholder::Code(SMS_PATTERN);
        Ok(PoolSettings {
            policies: Policies {
                password_policy,
                sign_in_policy: SignInPolicy {
                    allowed_first_auth_factors: factors,
                },
            },
            deletion_protection: enum_or(
                &root,
                "DeletionProtection",
                &["ACTIVE", "INACTIVE"],
                "INACTIVE",
            )?,
            lambda_config: root
                .raw_object("LambdaConfig")?
                .unwrap_or_else(|| json!({})),
            auto_verified_attributes,
            alias_attributes,
            username_attributes,
            verification_message_template: parse_template(&root)?,
            sms_authentication_message: message(
                &root,
                "SmsAuthenticationMessage",
                6,
                140,
                sms_code,
            )?,
            mfa_configuration: enum_or(
                &root,
                "MfaConfiguration",
                &["OFF", "ON", "OPTIONAL"],
                "OFF",
            )?,
            user_attribute_update_settings: UserAttributeUpdateSettings {
                attributes_require_verification_before_update: require_before_update,
            },
            device_configuration,
            email_configuration: parse_email_configuration(&root)?,
            sms_configuration: parse_sms_configuration(&root)?,
            user_pool_tags: parse_tags(&root)?,
            admin_create_user_config,
            schema,
            user_pool_add_ons: parse_add_ons(&root)?,
            username_configuration,
            account_recovery_setting: parse_recovery(&root)?,
            user_pool_tier,
            enabled_mfas: base.map(|b| b.enabled_mfas.clone()).unwrap_or_default(),
        })
    }

    /// CreateUserPool: the pool name and its settings.
    pub fn from_create_request(req: &Value) -> Result<(String, PoolSettings), InvalidParameter> {
        let root = Fields::root(req)?;
        let name = root
            .string("PoolName")?
            .ok_or_else(|| missing("poolName"))?;
        check_name(name, "poolName")?;
        Ok((name.to_string(), PoolSettings::parse(req, None)?))
    }

    /// UpdateUserPool: every member the request leaves out returns to its
    /// default, except the tier and what UpdateUserPool cannot carry (sign-in
    /// attributes, username case sensitivity, schema), which are kept.
    pub fn apply_update(&self, req: &Value) -> Result<PoolSettings, InvalidParameter> {
        PoolSettings::parse(req, Some(self))
    }

    /// UpdateUserPool's optional new `PoolName`, validated.
    pub fn pool_name_from_update(req: &Value) -> Result<Option<String>, InvalidParameter> {
        let name = Fields::root(req)?.string("PoolName")?;
        if let Some(n) = name {
            check_name(n, "poolName")?;
        }
        Ok(name.map(str::to_string))
    }

    /// AddCustomAttributes: the settings with the request's
    /// `CustomAttributes` appended (every name gains `custom:`).
    pub fn add_custom_attributes(&self, req: &Value) -> Result<PoolSettings, InvalidParameter> {
        let root = Fields::root(req)?;
        let items = root
            .array("CustomAttributes")?
            .ok_or_else(|| missing("customAttributes"))?;
        check_list_length(items.len(), "customAttributes", 1, 25)?;
        let mut next = self.clone();
        for (i, item) in items.iter().enumerate() {
            let f = root.item("CustomAttributes", i, item)?;
            let name = attribute_name(&f)?;
            add_custom(&mut next.schema, parse_custom(&f, name)?)?;
        }
        Ok(next)
    }
}

// ---------------------------------------------------------------------------
// Rendering and accessors.

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl PoolSettings {
    /// DescribeUserPool's `UserPool` (`UserPoolType`). Dates are epoch seconds.
    pub fn user_pool_type(&self, meta: &PoolMeta) -> Value {
        let t = &self.verification_message_template;
        let mut admin = Map::new();
        admin.insert(
            "AllowAdminCreateUserOnly".into(),
            json!(self.allow_admin_create_user_only()),
        );
        admin.insert(
            "UnusedAccountValidityDays".into(),
            json!(
                self.policies
                    .password_policy
                    .temporary_password_validity_days
            ),
        );
        if let Some(invite) = &self.admin_create_user_config.invite_message_template {
            admin.insert("InviteMessageTemplate".into(), invite.clone());
        }
        let mut out = Map::new();
        let mut put = |key: &str, value: Value| {
            out.insert(key.to_string(), value);
        };
        put("Id", json!(meta.id));
        put("Name", json!(meta.name));
        put("Arn", json!(meta.arn));
        put("Policies", to_json(&self.policies));
        put("DeletionProtection", json!(self.deletion_protection));
        put("LambdaConfig", self.lambda_config.clone());
        put("LastModifiedDate", json!(meta.last_modified_date));
        put("CreationDate", json!(meta.creation_date));
        put("SchemaAttributes", Value::Array(self.schema()));
        put("VerificationMessageTemplate", to_json(t));
        put(
            "UserAttributeUpdateSettings",
            to_json(&self.user_attribute_update_settings),
        );
        put("MfaConfiguration", json!(self.mfa_configuration));
        put(
            "EstimatedNumberOfUsers",
            json!(meta.estimated_number_of_users),
        );
        put("EmailConfiguration", self.email_configuration.clone());
        put("UserPoolTags", to_json(&self.user_pool_tags));
        put("AdminCreateUserConfig", Value::Object(admin));
        put("UserPoolTier", json!(self.user_pool_tier));
        let lists = [
            ("AutoVerifiedAttributes", &self.auto_verified_attributes),
            ("AliasAttributes", &self.alias_attributes),
            ("UsernameAttributes", &self.username_attributes),
        ];
        for (key, list) in lists {
            if !list.is_empty() {
                put(key, json!(list));
            }
        }
        let optional = [
            (
                "SmsVerificationMessage",
                t.sms_message.as_ref().map(|s| json!(s)),
            ),
            (
                "EmailVerificationMessage",
                t.email_message.as_ref().map(|s| json!(s)),
            ),
            (
                "EmailVerificationSubject",
                t.email_subject.as_ref().map(|s| json!(s)),
            ),
            (
                "SmsAuthenticationMessage",
                self.sms_authentication_message.as_ref().map(|s| json!(s)),
            ),
            (
                "DeviceConfiguration",
                self.device_configuration.as_ref().map(to_json),
            ),
            ("SmsConfiguration", self.sms_configuration.clone()),
            ("UserPoolAddOns", self.user_pool_add_ons.clone()),
            (
                "UsernameConfiguration",
                self.username_configuration.as_ref().map(to_json),
            ),
            (
                "AccountRecoverySetting",
                self.account_recovery_setting.clone(),
            ),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                put(key, v);
            }
        }
        Value::Object(out)
    }

    /// One ListUserPools item (`UserPoolDescriptionType`).
    pub fn user_pool_description(&self, meta: &PoolMeta) -> Value {
        json!({
            "Id": meta.id,
            "Name": meta.name,
            "LambdaConfig": self.lambda_config,
            "LastModifiedDate": meta.last_modified_date,
            "CreationDate": meta.creation_date,
        })
    }

    pub fn password_policy(&self) -> &PasswordPolicy {
        &self.policies.password_policy
    }

    /// `email` and/or `phone_number`.
    pub fn auto_verified_attributes(&self) -> &[String] {
        &self.auto_verified_attributes
    }

    pub fn username_attributes(&self) -> &[String] {
        &self.username_attributes
    }

    pub fn alias_attributes(&self) -> &[String] {
        &self.alias_attributes
    }

    pub fn allow_admin_create_user_only(&self) -> bool {
        self.admin_create_user_config.allow_admin_create_user_only
    }

    /// `UsernameConfiguration.CaseSensitive`; true when the pool was created
    /// without one, as the API documents.
    pub fn case_sensitive_usernames(&self) -> bool {
        self.username_configuration.is_none_or(|u| u.case_sensitive)
    }

    pub fn email_verification_subject(&self) -> String {
        let t = &self.verification_message_template;
        t.email_subject
            .clone()
            .unwrap_or_else(|| DEFAULT_VERIFICATION_SUBJECT.into())
    }

    pub fn email_verification_message(&self) -> String {
        let t = &self.verification_message_template;
        t.email_message
            .clone()
            .unwrap_or_else(|| DEFAULT_VERIFICATION_MESSAGE.into())
    }

    pub fn sms_verification_message(&self) -> String {
        let t = &self.verification_message_template;
        t.sms_message
            .clone()
            .unwrap_or_else(|| DEFAULT_VERIFICATION_MESSAGE.into())
    }

    pub fn sms_authentication_message(&self) -> String {
        self.sms_authentication_message
            .clone()
            .unwrap_or_else(|| DEFAULT_AUTHENTICATION_MESSAGE.into())
    }

    /// True when verification emails carry a link rather than a code.
    pub fn verifies_email_by_link(&self) -> bool {
        self.verification_message_template.default_email_option == "CONFIRM_WITH_LINK"
    }

    pub fn email_verification_link_message(&self) -> String {
        let t = &self.verification_message_template;
        t.email_message_by_link
            .clone()
            .unwrap_or_else(|| DEFAULT_LINK_MESSAGE.into())
    }

    pub fn email_verification_link_subject(&self) -> String {
        let t = &self.verification_message_template;
        t.email_subject_by_link
            .clone()
            .unwrap_or_else(|| DEFAULT_LINK_SUBJECT.into())
    }

    /// `OFF`, `ON` or `OPTIONAL`.
    /// The sender of the pool's e-mail (EmailConfiguration.From), if set.
    pub fn email_from(&self) -> Option<String> {
        self.email_configuration
            .get("From")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    }

    pub fn mfa_configuration(&self) -> &str {
        &self.mfa_configuration
    }

    /// True while `DeletionProtection` is `ACTIVE`: DeleteUserPool must
    /// refuse.
    pub fn deletion_protection(&self) -> bool {
        self.deletion_protection == "ACTIVE"
    }

    /// Names of the attributes a new user must supply: standard and custom
    /// ones marked required, less `sub`, which the pool assigns.
    pub fn required_attributes(&self) -> Vec<String> {
        self.schema
            .iter()
            .filter(|a| a.required && a.name != "sub")
            .map(|a| a.name.clone())
            .collect()
    }

    /// The merged `SchemaAttributes` list, as in [`Self::user_pool_type`].
    pub fn schema(&self) -> Vec<Value> {
        self.schema.iter().map(to_json).collect()
    }

    /// One attribute of the schema by its full name (`email`, `custom:x`).
    pub fn schema_attribute(&self, name: &str) -> Option<&SchemaAttribute> {
        self.schema.iter().find(|a| a.name == name)
    }

    /// Password recovery channels in priority order; without a setting,
    /// Cognito's legacy order (phone before email).
    pub fn recovery_mechanisms(&self) -> Vec<String> {
        let listed = self
            .account_recovery_setting
            .as_ref()
            .and_then(|s| s.get("RecoveryMechanisms"))
            .and_then(Value::as_array);
        match listed {
            Some(items) => items
                .iter()
                .filter_map(|m| m.get("Name").and_then(Value::as_str).map(str::to_string))
                .collect(),
            None => vec!["verified_phone_number".into(), "verified_email".into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(req: Value) -> Result<PoolSettings, InvalidParameter> {
        PoolSettings::from_create_request(&req).map(|(_, s)| s)
    }

    fn err(req: Value) -> String {
        create(req).unwrap_err().0
    }

    fn meta() -> PoolMeta {
        PoolMeta {
            id: "us-east-1_abc".into(),
            name: "p".into(),
            arn: "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc".into(),
            creation_date: 1_700_000_000,
            last_modified_date: 1_700_000_100,
            estimated_number_of_users: 3,
        }
    }

    #[test]
    fn minimal_pool_gets_cognitos_defaults() {
        let (name, s) = PoolSettings::from_create_request(&json!({"PoolName": "My pool"})).unwrap();
        assert_eq!(name, "My pool");
        assert_eq!(s.password_policy(), &PasswordPolicy::default());
        assert!(s.auto_verified_attributes().is_empty() && s.alias_attributes().is_empty());
        assert!(!s.allow_admin_create_user_only());
        assert!(s.case_sensitive_usernames());
        assert_eq!(s.mfa_configuration(), "OFF");
        assert_eq!(s.email_verification_subject(), "Your verification code");
        assert_eq!(
            s.email_verification_message(),
            "Your verification code is {####}. "
        );
        assert!(s.required_attributes().is_empty());
        assert!(!s.deletion_protection());

        let up = s.user_pool_type(&meta());
        assert_eq!(up["Id"], "us-east-1_abc");
        assert_eq!(up["CreationDate"], 1_700_000_000);
        assert_eq!(up["EstimatedNumberOfUsers"], 3);
        assert_eq!(up["MfaConfiguration"], "OFF");
        assert_eq!(up["DeletionProtection"], "INACTIVE");
        assert_eq!(up["UserPoolTier"], "ESSENTIALS");
        assert_eq!(up["LambdaConfig"], json!({}));
        assert_eq!(up["UserPoolTags"], json!({}));
        assert_eq!(
            up["EmailConfiguration"],
            json!({"EmailSendingAccount": "COGNITO_DEFAULT"})
        );
        assert_eq!(
            up["VerificationMessageTemplate"],
            json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"})
        );
        assert_eq!(
            up["AdminCreateUserConfig"],
            json!({"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7})
        );
        assert_eq!(
            up["Policies"],
            json!({"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
                "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7},
                "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}})
        );
        assert_eq!(
            up["UserAttributeUpdateSettings"],
            json!({"AttributesRequireVerificationBeforeUpdate": []})
        );
        for absent in [
            "AutoVerifiedAttributes",
            "UsernameAttributes",
            "UsernameConfiguration",
            "EmailVerificationMessage",
            "AccountRecoverySetting",
            "SmsConfiguration",
            "DeviceConfiguration",
            "UserPoolAddOns",
        ] {
            assert!(up.get(absent).is_none(), "{absent}");
        }
        let attrs = up["SchemaAttributes"].as_array().unwrap();
        assert_eq!(attrs.len(), 21);
        assert_eq!(
            attrs[0],
            json!({"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false, "Mutable": false,
                "Required": true, "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}})
        );
        assert_eq!(
            attrs[11],
            json!({"Name": "email_verified", "AttributeDataType": "Boolean",
            "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false})
        );
        assert_eq!(
            attrs[13]["StringAttributeConstraints"],
            json!({"MinLength": "10", "MaxLength": "10"})
        );
        assert_eq!(
            attrs[19]["NumberAttributeConstraints"],
            json!({"MinValue": "0"})
        );
        assert_eq!(attrs[20]["Name"], "identities");
        assert_eq!(s.schema(), *attrs);
    }

    #[test]
    fn round_trips_through_json() {
        let s = create(json!({"PoolName": "p", "AutoVerifiedAttributes": ["email"], "UsernameAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": false}, "UserPoolTags": {"team": "x"},
            "Schema": [{"Name": "tier", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "1"}}],
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true}, "LambdaConfig": {"PreSignUp": "arn:x"},
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::1:role/r"}, "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"},
            "SmsAuthenticationMessage": "code {####}"}))
        .unwrap();
        let text = serde_json::to_string(&s).unwrap();
        let back: PoolSettings = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.user_pool_type(&meta()), s.user_pool_type(&meta()));
        assert!(!back.case_sensitive_usernames());
    }

    #[test]
    fn pool_name_is_validated() {
        assert!(err(json!({})).contains("Value null at 'poolName'"));
        assert!(err(json!({"PoolName": ""})).contains("length greater than or equal to 1"));
        assert!(
            err(json!({"PoolName": "x".repeat(129)})).contains("length less than or equal to 128")
        );
        assert!(err(json!({"PoolName": "bad/name"}))
            .contains("regular expression pattern: [\\w\\s+=,.@-]+"));
        assert!(create(json!({"PoolName": "a_b c+d=e,f.g@h-i"})).is_ok());
    }

    #[test]
    fn wrong_json_types_are_invalid_parameters_not_panics() {
        assert!(PoolSettings::from_create_request(&json!("x")).is_err());
        assert!(err(json!({"PoolName": 5})).contains("Member must be a string"));
        let weird = [
            json!(1),
            json!("s"),
            json!(true),
            json!([1, {}]),
            json!({"a": [null]}),
            json!(-1),
            json!(1.5),
        ];
        let keys = [
            "Policies",
            "DeletionProtection",
            "LambdaConfig",
            "AutoVerifiedAttributes",
            "AliasAttributes",
            "UsernameAttributes",
            "SmsVerificationMessage",
            "EmailVerificationMessage",
            "EmailVerificationSubject",
            "VerificationMessageTemplate",
            "SmsAuthenticationMessage",
            "MfaConfiguration",
            "UserAttributeUpdateSettings",
            "DeviceConfiguration",
            "EmailConfiguration",
            "SmsConfiguration",
            "UserPoolTags",
            "AdminCreateUserConfig",
            "Schema",
            "UserPoolAddOns",
            "UsernameConfiguration",
            "AccountRecoverySetting",
            "UserPoolTier",
        ];
        for key in keys {
            for value in &weird {
                let mut req = json!({"PoolName": "p"});
                req[key] = value.clone();
                let _ = create(req.clone());
                let _ = create(
                    json!({"PoolName": "p", key: {"PasswordPolicy": value, "Inner": value}}),
                );
                let base = create(json!({"PoolName": "p"})).unwrap();
                let _ = base.apply_update(&req);
                let _ = base.add_custom_attributes(&json!({"CustomAttributes": [value]}));
            }
        }
        let e =
            err(json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}}));
        assert!(
            e.contains("'policies.passwordPolicy.minimumLength'") && e.contains("an integer"),
            "{e}"
        );
        assert!(err(json!({"PoolName": "p", "AutoVerifiedAttributes": [1]}))
            .contains("autoVerifiedAttributes.1.member"));
    }

    #[test]
    fn unknown_members_and_nulls_are_ignored() {
        let s = create(json!({"PoolName": "p", "Whatever": {"x": 1}, "MfaConfiguration": null}))
            .unwrap();
        assert_eq!(s.mfa_configuration(), "OFF");
    }

    #[test]
    fn enums_and_attribute_lists() {
        assert!(
            err(json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}))
                .contains("Member must satisfy enum value set: [OFF, ON, OPTIONAL]")
        );
        let e = err(json!({"PoolName": "p", "AutoVerifiedAttributes": ["email", "name"]}));
        assert!(
            e.contains("Value '[email, name]' at 'autoVerifiedAttributes'"),
            "{e}"
        );
        assert!(
            err(json!({"PoolName": "p", "UsernameAttributes": ["preferred_username"]}))
                .contains("usernameAttributes")
        );
        assert!(
            err(json!({"PoolName": "p", "AliasAttributes": ["name"]})).contains("aliasAttributes")
        );
        assert!(err(
            json!({"PoolName": "p", "AliasAttributes": ["email"], "UsernameAttributes": ["email"]})
        )
        .contains("Only one of the AliasAttributes or UsernameAttributes"));
        assert!(err(json!({"PoolName": "p", "DeletionProtection": "ON"}))
            .contains("deletionProtection"));
        assert!(err(json!({"PoolName": "p", "UserPoolTier": "GOLD"})).contains("userPoolTier"));
        assert!(err(json!({"PoolName": "p", "UsernameConfiguration": {}}))
            .contains("usernameConfiguration.caseSensitive"));
        let s = create(json!({"PoolName": "p", "AliasAttributes": ["email", "preferred_username"], "MfaConfiguration": "OPTIONAL",
            "DeletionProtection": "ACTIVE", "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}})).unwrap();
        assert_eq!(s.alias_attributes(), ["email", "preferred_username"]);
        assert!(s.deletion_protection() && s.allow_admin_create_user_only());
    }

    #[test]
    fn password_policy_members() {
        let p = create(json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 6, "RequireNumbers": true,
            "PasswordHistorySize": 0, "TemporaryPasswordValidityDays": 0}}})).unwrap();
        let pp = p.password_policy();
        assert_eq!(
            (pp.minimum_length, pp.require_numbers, pp.require_symbols),
            (6, true, false)
        );
        assert_eq!(
            (
                pp.password_history_size,
                pp.temporary_password_validity_days
            ),
            (None, 7)
        );
        let e = err(json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}}));
        assert!(
            e.ends_with("Member must have value greater than or equal to 6"),
            "{e}"
        );
        assert!(err(
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 100}}})
        )
        .contains("99"));
        assert!(err(
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"PasswordHistorySize": 25}}})
        )
        .contains("24"));
        assert!(err(json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 366}}}))
            .contains("365"));
        assert!(err(json!({"PoolName": "p", "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["FACE"]}}}))
            .contains("allowedFirstAuthFactors"));
        // Only Policies present: the password policy keeps its defaults.
        let s = create(json!({"PoolName": "p", "Policies": {}})).unwrap();
        assert_eq!(s.password_policy(), &PasswordPolicy::default());
    }

    #[test]
    fn unused_account_validity_days_is_the_legacy_temporary_validity() {
        let s = create(
            json!({"PoolName": "p", "AdminCreateUserConfig": {"UnusedAccountValidityDays": 3}}),
        )
        .unwrap();
        assert_eq!(s.password_policy().temporary_password_validity_days, 3);
        assert_eq!(
            s.user_pool_type(&meta())["AdminCreateUserConfig"]["UnusedAccountValidityDays"],
            3
        );
        let both = |a: i64, b: i64| {
            create(
                json!({"PoolName": "p", "AdminCreateUserConfig": {"UnusedAccountValidityDays": a},
            "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": b}}}),
            )
        };
        assert!(both(3, 3).is_ok());
        assert!(both(3, 4)
            .unwrap_err()
            .0
            .contains("Please use TemporaryPasswordValidityDays"));
        assert!(err(
            json!({"PoolName": "p", "AdminCreateUserConfig": {"UnusedAccountValidityDays": 400}})
        )
        .contains("365"));
    }

    #[test]
    fn verification_messages() {
        assert!(
            err(json!({"PoolName": "p", "EmailVerificationMessage": "no code here"}))
                .contains("emailVerificationMessage")
        );
        assert!(
            err(json!({"PoolName": "p", "SmsVerificationMessage": "no code"}))
                .contains("smsVerificationMessage")
        );
        assert!(err(json!({"PoolName": "p", "VerificationMessageTemplate": {"EmailMessageByLink": "click {## here"}}))
            .contains("verificationMessageTemplate.emailMessageByLink"));
        assert!(err(
            json!({"PoolName": "p", "VerificationMessageTemplate": {"DefaultEmailOption": "X"}})
        )
        .contains("defaultEmailOption"));
        assert!(
            err(json!({"PoolName": "p", "EmailVerificationSubject": ""}))
                .contains("emailVerificationSubject")
        );

        let legacy = create(json!({"PoolName": "p", "EmailVerificationMessage": "Code: {####}", "EmailVerificationSubject": "Hi"}))
            .unwrap();
        assert_eq!(legacy.email_verification_message(), "Code: {####}");
        assert_eq!(legacy.email_verification_subject(), "Hi");
        let up = legacy.user_pool_type(&meta());
        assert_eq!(up["EmailVerificationMessage"], "Code: {####}");
        assert_eq!(
            up["VerificationMessageTemplate"]["EmailMessage"],
            "Code: {####}"
        );
        assert_eq!(up["VerificationMessageTemplate"]["EmailSubject"], "Hi");

        let t = create(json!({"PoolName": "p", "EmailVerificationMessage": "old {####}", "VerificationMessageTemplate": {
            "EmailMessage": "new {####}", "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailMessageByLink": "Go {##here##}", "EmailSubjectByLink": "Link"}})).unwrap();
        assert_eq!(t.email_verification_message(), "new {####}");
        assert!(t.verifies_email_by_link());
        assert_eq!(t.email_verification_link_message(), "Go {##here##}");
        assert_eq!(t.email_verification_link_subject(), "Link");
        assert_eq!(
            t.user_pool_type(&meta())["EmailVerificationMessage"],
            "new {####}"
        );
    }

    #[test]
    fn schema_merges_standard_and_custom_attributes() {
        let s = create(json!({"PoolName": "p", "Schema": [
            {"Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true},
            {"Name": "given_name", "Required": true},
            {"Name": "plan", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "256"}},
            {"Name": "age", "AttributeDataType": "Number", "Mutable": false},
            {"Name": "vip", "AttributeDataType": "Boolean"},
            {"Name": "legacy", "AttributeDataType": "String", "DeveloperOnlyAttribute": true}]}))
        .unwrap();
        assert_eq!(s.required_attributes(), ["given_name", "email"]);
        let names: Vec<&str> = s.schema.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            &names[21..],
            [
                "custom:plan",
                "custom:age",
                "custom:vip",
                "dev:custom:legacy"
            ]
        );
        let plan = s.schema_attribute("custom:plan").unwrap();
        assert_eq!(
            plan.string_attribute_constraints.as_ref().unwrap()["MaxLength"],
            "256"
        );
        let age = s.schema_attribute("custom:age").unwrap();
        assert!(!age.mutable && age.number_attribute_constraints == Some(BTreeMap::new()));
        let vip = s.schema_attribute("custom:vip").unwrap();
        assert!(
            vip.string_attribute_constraints.is_none()
                && vip.number_attribute_constraints.is_none()
        );
        assert!(
            s.schema_attribute("dev:custom:legacy")
                .unwrap()
                .developer_only_attribute
        );
        assert_eq!(s.schema().len(), 25);
    }

    #[test]
    fn schema_errors() {
        let one = |attr: Value| err(json!({"PoolName": "p", "Schema": [attr]}));
        assert!(one(json!({"Name": "email", "AttributeDataType": "Number"}))
            .contains("can not change AttributeDataType"));
        assert!(
            one(json!({"Name": "email", "DeveloperOnlyAttribute": true}))
                .contains("standard schema attribute email")
        );
        assert!(
            one(json!({"Name": "x", "AttributeDataType": "String", "Required": true}))
                .contains("Required custom attributes")
        );
        assert!(one(json!({"Name": "x"})).contains("Invalid AttributeDataType input"));
        assert!(one(json!({"Name": "x", "AttributeDataType": "Text"})).contains("enum value set"));
        assert!(one(json!({"AttributeDataType": "String"})).contains("'schema.1.member.name'"));
        assert!(
            one(json!({"Name": "x".repeat(21), "AttributeDataType": "String"}))
                .contains("less than or equal to 20")
        );
        assert!(one(json!({"Name": "a b", "AttributeDataType": "String"})).contains("pattern"));
        let c = |k: &str, v: Value| {
            one(
                json!({"Name": "x", "AttributeDataType": "String", "StringAttributeConstraints": {k: v}}),
            )
        };
        assert!(c("MaxLength", json!("4096")).contains("more than 2048"));
        assert!(c("MinLength", json!("-1")).contains("Invalid StringAttributeConstraints"));
        assert!(c("MinLength", json!("abc")).contains("Invalid StringAttributeConstraints"));
        assert!(c("MinLength", json!(5)).contains("Member must be a string"));
        assert!(one(json!({"Name": "x", "AttributeDataType": "String",
            "StringAttributeConstraints": {"MinLength": "9", "MaxLength": "3"}}))
        .contains("Max length cannot be less"));
        assert!(one(json!({"Name": "n", "AttributeDataType": "Number",
            "NumberAttributeConstraints": {"MinValue": "9", "MaxValue": "-3"}}))
        .contains("Max value cannot be less"));
        let dup = json!({"Name": "x", "AttributeDataType": "String"});
        assert!(err(json!({"PoolName": "p", "Schema": [dup.clone(), dup]}))
            .contains("Existing attribute already has name custom:x"));
        assert!(err(json!({"PoolName": "p", "Schema": []}))
            .contains("length greater than or equal to 1"));
        let many: Vec<Value> = (0..51)
            .map(|i| json!({"Name": format!("a{i}"), "AttributeDataType": "String"}))
            .collect();
        assert!(err(json!({"PoolName": "p", "Schema": many})).contains("less than or equal to 50"));
    }

    #[test]
    fn update_resets_to_defaults_but_keeps_immutables() {
        let s = create(json!({"PoolName": "p", "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": false}, "MfaConfiguration": "OPTIONAL", "UserPoolTier": "PLUS",
            "Policies": {"PasswordPolicy": {"MinimumLength": 12}}, "DeletionProtection": "ACTIVE",
            "Schema": [{"Name": "email", "Required": true}, {"Name": "x", "AttributeDataType": "String"}],
            "UserPoolTags": {"a": "b"}, "EmailVerificationMessage": "c {####}"}))
        .unwrap();
        let u = s.apply_update(&json!({"UserPoolId": "us-east-1_abc",
            "UsernameAttributes": ["phone_number"], "Schema": [{"Name": "y", "AttributeDataType": "String"}]}))
        .unwrap();
        assert_eq!(u.password_policy(), &PasswordPolicy::default());
        assert_eq!(u.mfa_configuration(), "OFF");
        assert!(u.auto_verified_attributes().is_empty() && u.user_pool_tags.is_empty());
        assert!(!u.deletion_protection());
        assert_eq!(u.email_verification_message(), DEFAULT_VERIFICATION_MESSAGE);
        assert_eq!(u.username_attributes(), ["email"]);
        assert!(!u.case_sensitive_usernames());
        assert_eq!(u.schema, s.schema);
        assert_eq!(u.user_pool_tier, "PLUS");
        let v = s
            .apply_update(
                &json!({"UserPoolId": "x", "MfaConfiguration": "ON", "UserPoolTier": "LITE"}),
            )
            .unwrap();
        assert_eq!(
            (v.mfa_configuration(), v.user_pool_tier.as_str()),
            ("ON", "LITE")
        );
        assert!(s.apply_update(&json!({"MfaConfiguration": "NO"})).is_err());
        assert_eq!(
            PoolSettings::pool_name_from_update(&json!({"PoolName": "new"})),
            Ok(Some("new".into()))
        );
        assert_eq!(PoolSettings::pool_name_from_update(&json!({})), Ok(None));
        assert!(PoolSettings::pool_name_from_update(&json!({"PoolName": "a/b"})).is_err());
    }

    #[test]
    fn add_custom_attributes_appends() {
        let s = create(json!({"PoolName": "p"})).unwrap();
        let t = s
            .add_custom_attributes(&json!({"UserPoolId": "x", "CustomAttributes": [
            {"Name": "email", "AttributeDataType": "String"}]}))
            .unwrap();
        assert!(t.schema_attribute("custom:email").is_some());
        let again = t.add_custom_attributes(
            &json!({"CustomAttributes": [{"Name": "email", "AttributeDataType": "String"}]}),
        );
        assert!(again.unwrap_err().0.contains("Existing attribute"));
        assert!(s
            .add_custom_attributes(&json!({"CustomAttributes": []}))
            .is_err());
        assert!(s
            .add_custom_attributes(&json!({}))
            .unwrap_err()
            .0
            .contains("customAttributes"));
    }

    #[test]
    fn nested_settings_are_validated_and_kept() {
        assert!(err(json!({"PoolName": "p", "SmsConfiguration": {}}))
            .contains("smsConfiguration.snsCallerArn"));
        assert!(
            err(json!({"PoolName": "p", "UserPoolAddOns": {}})).contains("advancedSecurityMode")
        );
        assert!(err(
            json!({"PoolName": "p", "EmailConfiguration": {"EmailSendingAccount": "SES"}})
        )
        .contains("emailSendingAccount"));
        assert!(
            err(json!({"PoolName": "p", "UserPoolTags": {"k": "v".repeat(257)}})).contains("256")
        );
        assert!(err(json!({"PoolName": "p", "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}}))
            .contains("AutoVerifiedAttributes"));
        let rec = |m: Value| {
            create(json!({"PoolName": "p", "AccountRecoverySetting": {"RecoveryMechanisms": m}}))
        };
        assert!(rec(json!([])).is_err());
        assert!(rec(json!([{"Priority": 3, "Name": "verified_email"}])).is_err());
        assert!(rec(json!([{"Priority": 1, "Name": "email"}])).is_err());
        assert!(rec(json!([{"Priority": 1, "Name": "verified_email"}, {"Priority": 1, "Name": "verified_phone_number"}])).is_err());
        assert!(rec(json!([{"Priority": 1, "Name": "admin_only"}, {"Priority": 2, "Name": "verified_email"}])).is_err());
        let r = rec(json!([{"Priority": 2, "Name": "verified_email"}, {"Priority": 1, "Name": "verified_phone_number"}])).unwrap();
        assert_eq!(
            r.recovery_mechanisms(),
            ["verified_phone_number", "verified_email"]
        );
        assert_eq!(
            create(json!({"PoolName": "p"}))
                .unwrap()
                .recovery_mechanisms(),
            ["verified_phone_number", "verified_email"]
        );
        let s = create(json!({"PoolName": "p", "EmailConfiguration": {"EmailSendingAccount": "DEVELOPER", "From": "a@b.c", "Junk": 1},
            "AutoVerifiedAttributes": ["email"], "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
            "AdminCreateUserConfig": {"InviteMessageTemplate": {"EmailSubject": "Welcome", "EmailMessage": "Hi {username} {####}"}}}))
        .unwrap();
        let up = s.user_pool_type(&meta());
        assert_eq!(
            up["EmailConfiguration"],
            json!({"EmailSendingAccount": "DEVELOPER", "From": "a@b.c"})
        );
        assert_eq!(
            up["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"],
            json!(["email"])
        );
        assert_eq!(
            up["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailSubject"],
            "Welcome"
        );
    }

    #[test]
    fn description_item() {
        let s = create(json!({"PoolName": "p", "LambdaConfig": {"PreSignUp": "arn:aws:lambda:x"}}))
            .unwrap();
        assert_eq!(
            s.user_pool_description(&meta()),
            json!({"Id": "us-east-1_abc", "Name": "p", "LambdaConfig": {"PreSignUp": "arn:aws:lambda:x"},
                "LastModifiedDate": 1_700_000_100, "CreationDate": 1_700_000_000})
        );
    }
}
