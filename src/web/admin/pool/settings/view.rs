//! The settings page's views: the fixed settings, and the form of the
//! editable ones with its checks and the UpdateUserPool request it makes.

use serde_json::{json, Map, Value};

use super::super::{attribute_label, Fields};
use crate::directory::pool_settings::{PoolSettings, SchemaAttribute};
use crate::directory::InvalidParameter;

/// One attribute of the schema.
pub struct SchemaRow {
    pub name: String,
    pub data_type: String,
    pub required: bool,
    pub mutable: bool,
    pub constraints: String,
}

impl SchemaRow {
    fn of(a: &SchemaAttribute) -> SchemaRow {
        let bounds = |c: &Option<std::collections::BTreeMap<String, String>>,
                      lo: &str,
                      hi: &str,
                      what: &str| {
            let c = c.as_ref()?;
            let (min, max) = (c.get(lo), c.get(hi));
            if min.is_none() && max.is_none() {
                return None;
            }
            Some(format!(
                "{what} {}\u{2013}{}",
                min.map(String::as_str).unwrap_or("\u{2026}"),
                max.map(String::as_str).unwrap_or("\u{2026}")
            ))
        };
        SchemaRow {
            name: a.name.clone(),
            data_type: a.attribute_data_type.clone(),
            required: a.required,
            mutable: a.mutable,
            constraints: bounds(
                &a.string_attribute_constraints,
                "MinLength",
                "MaxLength",
                "length",
            )
            .or_else(|| {
                bounds(
                    &a.number_attribute_constraints,
                    "MinValue",
                    "MaxValue",
                    "value",
                )
            })
            .unwrap_or_default(),
        }
    }
}

/// What was decided when the pool was created.
pub struct FixedSettings {
    pub sign_in: String,
    pub aliases: String,
    pub case_sensitive: bool,
    pub required: Vec<String>,
    pub custom: Vec<SchemaRow>,
    pub schema: Vec<SchemaRow>,
}

fn words(attrs: &[String]) -> String {
    let named: Vec<String> = attrs
        .iter()
        .map(|a| attribute_label(a).to_lowercase())
        .collect();
    named.join(", ")
}

impl FixedSettings {
    pub fn of(s: &PoolSettings) -> FixedSettings {
        FixedSettings {
            sign_in: if s.username_attributes().is_empty() {
                "A user name".into()
            } else {
                format!(
                    "The {} as the user name",
                    words(s.username_attributes()).replace(", ", " or ")
                )
            },
            aliases: if s.alias_attributes().is_empty() {
                "None".into()
            } else {
                words(s.alias_attributes())
            },
            case_sensitive: s.case_sensitive_usernames(),
            required: s
                .required_attributes()
                .iter()
                .map(|a| attribute_label(a))
                .collect(),
            custom: s
                .schema
                .iter()
                .filter(|a| a.name.contains("custom:"))
                .map(SchemaRow::of)
                .collect(),
            schema: s.schema.iter().map(SchemaRow::of).collect(),
        }
    }
}

/// The editable settings as the form shows them.
pub struct SettingsForm {
    pub min_length: String,
    pub require_upper: bool,
    pub require_lower: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temp_days: String,
    pub mfa: String,
    pub mfa_totp: bool,
    pub mfa_sms: bool,
    pub self_signup: bool,
    pub verify_email: bool,
    pub verify_phone: bool,
    pub keep_email: bool,
    pub keep_phone: bool,
    pub email_subject: String,
    pub email_message: String,
    pub sms_message: String,
    pub invite_subject: String,
    pub invite_message: String,
    pub invite_sms: String,
    pub deletion_protection: bool,
}

fn has(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x == item)
}

impl SettingsForm {
    pub fn of(s: &PoolSettings) -> SettingsForm {
        let p = s.password_policy();
        let t = &s.verification_message_template;
        let invite = |k: &str| {
            s.admin_create_user_config
                .invite_message_template
                .as_ref()
                .and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let keep = &s
            .user_attribute_update_settings
            .attributes_require_verification_before_update;
        SettingsForm {
            min_length: p.minimum_length.to_string(),
            require_upper: p.require_uppercase,
            require_lower: p.require_lowercase,
            require_numbers: p.require_numbers,
            require_symbols: p.require_symbols,
            temp_days: p.temporary_password_validity_days.to_string(),
            mfa: s.mfa_configuration().to_string(),
            mfa_totp: has(&s.enabled_mfas, "SOFTWARE_TOKEN_MFA"),
            mfa_sms: has(&s.enabled_mfas, "SMS_MFA"),
            self_signup: !s.allow_admin_create_user_only(),
            verify_email: has(s.auto_verified_attributes(), "email"),
            verify_phone: has(s.auto_verified_attributes(), "phone_number"),
            keep_email: has(keep, "email"),
            keep_phone: has(keep, "phone_number"),
            email_subject: t.email_subject.clone().unwrap_or_default(),
            email_message: t.email_message.clone().unwrap_or_default(),
            sms_message: t.sms_message.clone().unwrap_or_default(),
            invite_subject: invite("EmailSubject"),
            invite_message: invite("EmailMessage"),
            invite_sms: invite("SMSMessage"),
            deletion_protection: s.deletion_protection(),
        }
    }

    pub fn posted(f: &Fields) -> SettingsForm {
        SettingsForm {
            min_length: f.text("min_length"),
            require_upper: f.checked("require_upper"),
            require_lower: f.checked("require_lower"),
            require_numbers: f.checked("require_numbers"),
            require_symbols: f.checked("require_symbols"),
            temp_days: f.text("temp_days"),
            mfa: f.text("mfa"),
            mfa_totp: f.checked("mfa_totp"),
            mfa_sms: f.checked("mfa_sms"),
            self_signup: f.checked("self_signup"),
            verify_email: f.checked("verify_email"),
            verify_phone: f.checked("verify_phone"),
            keep_email: f.checked("keep_email"),
            keep_phone: f.checked("keep_phone"),
            email_subject: f.text("email_subject"),
            email_message: f.raw("email_message").trim().to_string(),
            sms_message: f.text("sms_message"),
            invite_subject: f.text("invite_subject"),
            invite_message: f.raw("invite_message").trim().to_string(),
            invite_sms: f.text("invite_sms"),
            deletion_protection: f.checked("deletion_protection"),
        }
    }

    /// The form's own checks, in words an administrator reads; Cognito's
    /// rules are applied after, by [`CheckedSettings::apply`].
    pub fn check(&self) -> Result<CheckedSettings, String> {
        let min_length = self
            .min_length
            .parse::<i64>()
            .ok()
            .filter(|n| (6..=99).contains(n))
            .ok_or("The minimum password length is a number from 6 to 99.")?;
        let temp_days = self
            .temp_days
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=365).contains(n))
            .ok_or("Temporary passwords stay valid for 1 to 365 days.")?;
        let mfa = match self.mfa.as_str() {
            "OFF" | "OPTIONAL" | "ON" => self.mfa.clone(),
            _ => {
                return Err(
                    "Choose whether multi-factor authentication is off, optional or required."
                        .into(),
                )
            }
        };
        let mut methods = Vec::new();
        if mfa != "OFF" {
            if self.mfa_totp {
                methods.push("SOFTWARE_TOKEN_MFA".to_string());
            }
            if self.mfa_sms {
                methods.push("SMS_MFA".to_string());
            }
            if methods.is_empty() {
                return Err("Choose at least one MFA method: authenticator apps or SMS.".into());
            }
        }
        let pick = |email: bool, phone: bool| {
            [(email, "email"), (phone, "phone_number")]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, a)| a.to_string())
                .collect::<Vec<_>>()
        };
        let auto_verified = pick(self.verify_email, self.verify_phone);
        let keep = pick(self.keep_email, self.keep_phone);
        if keep.iter().any(|k| !auto_verified.contains(k)) {
            return Err("An attribute can keep its original value while an update is pending only if Cognito verifies it.".into());
        }
        for (text, what) in [
            (&self.email_message, "The verification e-mail message"),
            (&self.sms_message, "The verification SMS message"),
        ] {
            if !text.is_empty() && !text.contains("{####}") {
                return Err(format!(
                    "{what} must contain {{####}}, where the code goes."
                ));
            }
        }
        for (text, what) in [
            (&self.invite_message, "The invitation e-mail message"),
            (&self.invite_sms, "The invitation SMS message"),
        ] {
            let complete = text.contains("{####}") && text.contains("{username}");
            if !text.is_empty() && !complete {
                return Err(format!(
                    "{what} must contain {{username}} and {{####}}, where the user name and the temporary password go."
                ));
            }
        }
        let some = |s: &String| (!s.is_empty()).then(|| s.clone());
        let mut invite = Map::new();
        for (key, value) in [
            ("EmailSubject", &self.invite_subject),
            ("EmailMessage", &self.invite_message),
            ("SMSMessage", &self.invite_sms),
        ] {
            if !value.is_empty() {
                invite.insert(key.into(), json!(value));
            }
        }
        Ok(CheckedSettings {
            min_length,
            require: [
                self.require_upper,
                self.require_lower,
                self.require_numbers,
                self.require_symbols,
            ],
            temp_days,
            mfa,
            methods,
            self_signup: self.self_signup,
            auto_verified,
            keep,
            email_subject: some(&self.email_subject),
            email_message: some(&self.email_message),
            sms_message: some(&self.sms_message),
            invite: (!invite.is_empty()).then_some(Value::Object(invite)),
            deletion_protection: self.deletion_protection,
        })
    }
}

/// The form's values, checked, ready to apply to a pool's settings.
#[derive(Debug)]
pub struct CheckedSettings {
    min_length: i64,
    /// Upper, lower, numbers, symbols.
    require: [bool; 4],
    temp_days: i64,
    mfa: String,
    methods: Vec<String>,
    self_signup: bool,
    auto_verified: Vec<String>,
    keep: Vec<String>,
    email_subject: Option<String>,
    email_message: Option<String>,
    sms_message: Option<String>,
    invite: Option<Value>,
    deletion_protection: bool,
}

impl CheckedSettings {
    /// `current` with the form applied, through UpdateUserPool's own rules.
    pub fn apply(&self, current: &PoolSettings) -> Result<PoolSettings, InvalidParameter> {
        let unexpected = |e: &dyn std::fmt::Display| InvalidParameter(format!("settings: {e}"));
        let Value::Object(mut req) = serde_json::to_value(current).map_err(|e| unexpected(&e))?
        else {
            return Err(unexpected(&"not an object"));
        };
        let [upper, lower, numbers, symbols] = self.require;
        let mut policy = Map::new();
        policy.insert("MinimumLength".into(), json!(self.min_length));
        policy.insert("RequireUppercase".into(), json!(upper));
        policy.insert("RequireLowercase".into(), json!(lower));
        policy.insert("RequireNumbers".into(), json!(numbers));
        policy.insert("RequireSymbols".into(), json!(symbols));
        policy.insert(
            "TemporaryPasswordValidityDays".into(),
            json!(self.temp_days),
        );
        if let Some(h) = current.policies.password_policy.password_history_size {
            policy.insert("PasswordHistorySize".into(), json!(h));
        }
        req.insert(
            "Policies".into(),
            json!({
                "PasswordPolicy": Value::Object(policy),
                "SignInPolicy": serde_json::to_value(&current.policies.sign_in_policy)
                    .map_err(|e| unexpected(&e))?,
            }),
        );
        req.insert("MfaConfiguration".into(), json!(self.mfa));
        let mut admin = Map::new();
        admin.insert("AllowAdminCreateUserOnly".into(), json!(!self.self_signup));
        if let Some(invite) = &self.invite {
            admin.insert("InviteMessageTemplate".into(), invite.clone());
        }
        req.insert("AdminCreateUserConfig".into(), Value::Object(admin));
        req.insert("AutoVerifiedAttributes".into(), json!(self.auto_verified));
        req.insert(
            "UserAttributeUpdateSettings".into(),
            json!({ "AttributesRequireVerificationBeforeUpdate": self.keep }),
        );
        let mut template = current.verification_message_template.clone();
        template.email_subject = self.email_subject.clone();
        template.email_message = self.email_message.clone();
        template.sms_message = self.sms_message.clone();
        req.insert(
            "VerificationMessageTemplate".into(),
            serde_json::to_value(&template).map_err(|e| unexpected(&e))?,
        );
        req.insert(
            "DeletionProtection".into(),
            json!(if self.deletion_protection {
                "ACTIVE"
            } else {
                "INACTIVE"
            }),
        );
        let mut next = current.apply_update(&Value::Object(req))?;
        next.enabled_mfas = self.methods.clone();
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(req: Value) -> PoolSettings {
        PoolSettings::from_create_request(&req).unwrap().1
    }

    #[test]
    fn an_unchanged_form_keeps_every_setting() {
        let rich = pool(json!({
            "PoolName": "p",
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "MfaConfiguration": "OPTIONAL",
            "DeletionProtection": "ACTIVE",
            "Policies": {"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": true,
                "PasswordHistorySize": 3, "TemporaryPasswordValidityDays": 3}},
            "VerificationMessageTemplate": {"EmailSubject": "Code", "EmailMessage": "Code {####}"},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true,
                "InviteMessageTemplate": {"EmailSubject": "Hi", "EmailMessage": "{username} {####}"}},
            "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
            "UserPoolTags": {"team": "a"},
            "Schema": [{"Name": "team", "AttributeDataType": "String"}],
            "EmailConfiguration": {"EmailSendingAccount": "DEVELOPER", "From": "a@example.com",
                "SourceArn": "arn:aws:ses:us-east-1:1:identity/example.com"},
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::1:role/sms", "ExternalId": "x"},
            "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"},
            "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true},
            "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:1:function:f"},
            "SmsAuthenticationMessage": "Auth {####}",
            "UserPoolTier": "PLUS",
        }));
        let mut with_methods = rich.clone();
        with_methods.enabled_mfas = vec!["SOFTWARE_TOKEN_MFA".into()];
        for s in [pool(json!({"PoolName": "plain"})), with_methods] {
            let next = SettingsForm::of(&s).check().unwrap().apply(&s).unwrap();
            assert_eq!(next, s);
        }
    }

    #[test]
    fn the_form_refuses_what_cognito_would_and_more() {
        let s = pool(json!({"PoolName": "p"}));
        let mut form = SettingsForm::of(&s);
        form.min_length = "5".into();
        assert!(form.check().is_err());
        form.min_length = "8".into();
        form.mfa = "ON".into();
        assert!(form.check().unwrap_err().contains("MFA method"));
        form.mfa_totp = true;
        form.email_message = "no code here".into();
        assert!(form.check().unwrap_err().contains("{####}"));
        form.email_message = String::new();
        form.keep_email = true;
        assert!(form.check().is_err());
        form.verify_email = true;
        let next = form.check().unwrap().apply(&s).unwrap();
        assert_eq!(next.mfa_configuration, "ON");
        assert_eq!(next.enabled_mfas, vec!["SOFTWARE_TOKEN_MFA".to_string()]);
        assert_eq!(next.auto_verified_attributes, vec!["email".to_string()]);
    }
}
