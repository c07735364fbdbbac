//! The draft as Cognito requests: `CreateUserPool` and
//! `CreateUserPoolClient` JSON, which `PoolSettings`/`ClientSettings` then
//! parse exactly as they parse the API's. The wizard's choices map to the
//! members the Cognito console sets for the same choices.

use serde_json::{json, Map, Value};

use super::draft::{
    lines, ClientType, CustomAttribute, DataType, Draft, Mfa, PolicyMode, RecoveryDelivery,
    Security, SignIn,
};
use crate::directory::identity_providers::ProviderInput;

/// `Policies.PasswordPolicy`.
pub fn password_policy(s: &Security) -> Value {
    match s.policy {
        PolicyMode::Defaults => json!({
            "MinimumLength": 8,
            "RequireNumbers": true,
            "RequireSymbols": true,
            "RequireUppercase": true,
            "RequireLowercase": true,
            "TemporaryPasswordValidityDays": 7,
        }),
        PolicyMode::Custom => json!({
            "MinimumLength": s.min_length.parse::<u32>().unwrap_or(8),
            "RequireNumbers": s.require_numbers,
            "RequireSymbols": s.require_symbols,
            "RequireUppercase": s.require_uppercase,
            "RequireLowercase": s.require_lowercase,
            "TemporaryPasswordValidityDays": s.temporary_days.parse::<u32>().unwrap_or(7),
        }),
    }
}

pub fn mfa_configuration(s: &Security) -> &'static str {
    match s.mfa {
        Mfa::Off => "OFF",
        Mfa::Optional => "OPTIONAL",
        Mfa::Required => "ON",
    }
}

/// `PoolSettings.enabled_mfas`: the methods offered, none when MFA is off.
pub fn enabled_mfas(s: &Security) -> Vec<String> {
    let mut out = Vec::new();
    if s.mfa == Mfa::Off {
        return out;
    }
    if s.totp {
        out.push("SOFTWARE_TOKEN_MFA".to_string());
    }
    if s.sms {
        out.push("SMS_MFA".to_string());
    }
    out
}

/// `AccountRecoverySetting`; without self-service recovery, admin only.
pub fn account_recovery(s: &Security) -> Value {
    let names: &[&str] = if !s.recovery {
        &["admin_only"]
    } else {
        match s.recovery_delivery {
            RecoveryDelivery::Email => &["verified_email"],
            RecoveryDelivery::Sms => &["verified_phone_number"],
            RecoveryDelivery::EmailThenSms => &["verified_email", "verified_phone_number"],
            RecoveryDelivery::SmsThenEmail => &["verified_phone_number", "verified_email"],
        }
    };
    let mechanisms: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({ "Name": n, "Priority": i + 1 }))
        .collect();
    json!({ "RecoveryMechanisms": mechanisms })
}

/// A `SchemaAttributeType` for a custom attribute (the name without
/// `custom:`, which Cognito adds).
pub fn custom_schema(a: &CustomAttribute) -> Value {
    let mut constraints = Map::new();
    let keys = match a.data_type {
        DataType::Text => ("StringAttributeConstraints", "MinLength", "MaxLength"),
        DataType::Number => ("NumberAttributeConstraints", "MinValue", "MaxValue"),
    };
    if !a.min.is_empty() {
        constraints.insert(keys.1.into(), json!(a.min));
    }
    if !a.max.is_empty() {
        constraints.insert(keys.2.into(), json!(a.max));
    }
    let mut out = json!({
        "Name": a.name,
        "AttributeDataType": a.data_type.value(),
        "Mutable": a.mutable,
    });
    if !constraints.is_empty() {
        out[keys.0] = Value::Object(constraints);
    }
    out
}

/// The whole CreateUserPool request.
pub fn pool_request(d: &Draft) -> Value {
    let mut req = Map::new();
    let mut put = |key: &str, value: Value| {
        req.insert(key.to_string(), value);
    };
    put("PoolName", json!(d.app.pool_name));
    let username = d.sign_in.username_attributes();
    if !username.is_empty() {
        put("UsernameAttributes", json!(username));
    }
    let aliases = d.sign_in.alias_attributes();
    if !aliases.is_empty() {
        put("AliasAttributes", json!(aliases));
    }
    put(
        "UsernameConfiguration",
        json!({ "CaseSensitive": d.sign_in.case_sensitive }),
    );
    put(
        "Policies",
        json!({ "PasswordPolicy": password_policy(&d.security) }),
    );
    put("MfaConfiguration", json!(mfa_configuration(&d.security)));
    put("AccountRecoverySetting", account_recovery(&d.security));
    put(
        "AdminCreateUserConfig",
        json!({ "AllowAdminCreateUserOnly": !d.sign_up.self_registration }),
    );
    put(
        "AutoVerifiedAttributes",
        json!(d.sign_up.verified_attributes()),
    );
    put(
        "UserAttributeUpdateSettings",
        json!({ "AttributesRequireVerificationBeforeUpdate": d.sign_up.keep_original() }),
    );
    let mut schema: Vec<Value> = d
        .required_attributes()
        .iter()
        .map(|name| json!({ "Name": name, "Required": true, "Mutable": true }))
        .collect();
    schema.extend(d.sign_up.custom.iter().map(custom_schema));
    if !schema.is_empty() {
        put("Schema", Value::Array(schema));
    }
    if !d.delivery.from.is_empty() {
        put(
            "EmailConfiguration",
            json!({ "EmailSendingAccount": "DEVELOPER", "From": d.delivery.from }),
        );
    }
    put(
        "VerificationMessageTemplate",
        json!({
            "EmailSubject": d.delivery.email_subject,
            "EmailMessage": d.delivery.email_message,
            "SmsMessage": d.delivery.sms_message,
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        }),
    );
    Value::Object(req)
}

/// The CreateUserPoolClient request of the first app client (without
/// `UserPoolId`, which the settings do not hold): the authorization code
/// grant, as the console sets up a client for the hosted pages.
pub fn client_request(d: &Draft) -> Value {
    let offered = d.provider_choices();
    let providers: Vec<&String> = d
        .app
        .providers
        .iter()
        .filter(|p| offered.contains(&p.as_str()))
        .collect();
    json!({
        "ClientName": d.app.client_name,
        "GenerateSecret": d.app.client_type == ClientType::Confidential,
        "CallbackURLs": lines(&d.app.callback_urls),
        "LogoutURLs": lines(&d.app.logout_urls),
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthScopes": d.app.scopes,
        "SupportedIdentityProviders": providers,
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
    })
}

/// The Google provider the pool is created with, when federation is on:
/// the e-mail (with Google's verified flag) and the name mapped.
pub fn google_provider(s: &SignIn) -> Option<ProviderInput> {
    s.federation.then(|| ProviderInput {
        name: "Google".into(),
        provider_type: "Google".into(),
        details: [
            ("client_id", &s.google_client_id),
            ("client_secret", &s.google_client_secret),
            ("authorize_scopes", &s.google_scopes),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect(),
        attribute_mapping: [
            ("email", "email"),
            ("email_verified", "email_verified"),
            ("name", "name"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        idp_identifiers: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::draft::{SignIn, Verify};
    use super::*;
    use crate::directory::client_settings::ClientSettings;
    use crate::directory::pool_settings::PoolSettings;

    fn complete() -> Draft {
        let mut d = Draft::default();
        d.app.pool_name = "Staff".into();
        d.app.client_name = "web".into();
        d.app.callback_urls = "https://app.example.com/cb\n\nhttp://localhost:3000/cb".into();
        d
    }

    #[test]
    fn the_defaults_make_a_valid_pool_and_client() {
        let d = complete();
        let (name, s) = PoolSettings::from_create_request(&pool_request(&d)).unwrap();
        assert_eq!(name, "Staff");
        assert_eq!(s.username_attributes(), ["email"]);
        assert!(!s.case_sensitive_usernames());
        assert_eq!(s.auto_verified_attributes(), ["email"]);
        assert_eq!(s.required_attributes(), ["email"]);
        assert_eq!(s.recovery_mechanisms(), ["verified_email"]);
        assert_eq!(s.mfa_configuration(), "OFF");
        assert!(enabled_mfas(&d.security).is_empty());
        let (c, secret) = ClientSettings::from_create_request(&client_request(&d)).unwrap();
        assert!(!secret);
        assert_eq!(c.callback_urls().len(), 2);
        assert_eq!(c.supported_identity_providers(), ["COGNITO"]);
    }

    #[test]
    fn choices_map_to_cognito_members() {
        let mut d = complete();
        d.sign_in = SignIn {
            username: true,
            phone: true,
            preferred_username: true,
            ..SignIn::default()
        };
        d.security.policy = PolicyMode::Custom;
        d.security.min_length = "12".into();
        d.security.require_symbols = false;
        d.security.mfa = Mfa::Required;
        d.security.sms = true;
        d.security.recovery_delivery = RecoveryDelivery::SmsThenEmail;
        d.sign_up.self_registration = false;
        d.sign_up.verify = Verify::Both;
        d.sign_up.keep_original_phone = false;
        d.sign_up.custom = vec![CustomAttribute {
            name: "age".into(),
            data_type: DataType::Number,
            max: "150".into(),
            mutable: false,
            ..CustomAttribute::default()
        }];
        d.delivery.from = "Team <team@example.com>".into();
        d.app.client_type = ClientType::Confidential;
        d.app.providers = vec!["COGNITO".into(), "Google".into()];
        let (_, s) = PoolSettings::from_create_request(&pool_request(&d)).unwrap();
        assert_eq!(
            s.alias_attributes(),
            ["email", "phone_number", "preferred_username"]
        );
        assert!(s.username_attributes().is_empty());
        let p = s.password_policy();
        assert_eq!((p.minimum_length, p.require_symbols), (12, false));
        assert_eq!(s.mfa_configuration(), "ON");
        assert_eq!(enabled_mfas(&d.security), ["SOFTWARE_TOKEN_MFA", "SMS_MFA"]);
        assert_eq!(
            s.recovery_mechanisms(),
            ["verified_phone_number", "verified_email"]
        );
        assert!(s.allow_admin_create_user_only());
        assert_eq!(
            s.user_attribute_update_settings
                .attributes_require_verification_before_update,
            ["email"]
        );
        let age = s.schema_attribute("custom:age").unwrap();
        assert!(!age.mutable);
        assert_eq!(s.email_configuration["EmailSendingAccount"], "DEVELOPER");
        let (c, secret) = ClientSettings::from_create_request(&client_request(&d)).unwrap();
        assert!(secret);
        // Google is offered only with federation.
        assert_eq!(c.supported_identity_providers(), ["COGNITO"]);
    }
}
