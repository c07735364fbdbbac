//! Reading each step's form into the draft, with the checks that give an
//! error next to the field. Wherever the pool or client settings have a
//! rule, the input is run through `PoolSettings`/`ClientSettings` by
//! building a small request, so the wizard accepts exactly what the API
//! accepts; the messages are reworded for people.

use serde_json::json;

use super::draft::{
    lines, ClientType, CustomAttribute, DataType, Delivery, Draft, Mfa, PolicyMode,
    RecoveryDelivery, Security, SignIn, SignUp, Verify, MAX_CUSTOM_ATTRIBUTES,
};
use super::input::{client_check, pool_check, FieldErrors, FormData};
use super::request;
use crate::directory::attributes::is_email;
use crate::directory::client_settings::ClientSettings;

/// The OIDC standard attributes a pool can require.
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// The OAuth scopes an app client can be allowed.
pub const SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

const NAME_RULE: &str =
    "Use up to 128 letters, numbers, spaces and the characters + = , . @ - _ only.";

/// Step 1. A blank Google secret keeps the one given before (the page
/// never shows it again).
pub fn sign_in(form: &FormData, before: &SignIn) -> (SignIn, FieldErrors) {
    let federation = form.checked("federation");
    let mut s = SignIn {
        username: form.checked("signin_username"),
        email: form.checked("signin_email"),
        phone: form.checked("signin_phone"),
        preferred_username: form.checked("preferred_username"),
        case_sensitive: form.checked("case_sensitive"),
        federation,
        ..SignIn::default()
    };
    let mut errors = FieldErrors::default();
    if federation {
        s.google_client_id = form.text("google_client_id");
        s.google_client_secret = match form.text("google_client_secret") {
            new if new.is_empty() => before.google_client_secret.clone(),
            new => new,
        };
        let scopes = form.text("google_scopes");
        if !scopes.is_empty() {
            s.google_scopes = scopes;
        }
        if s.google_client_id.is_empty() {
            errors.add(
                "google-client-id",
                "Enter the client ID Google's console gave your app.",
            );
        }
        if s.google_client_secret.is_empty() {
            errors.add(
                "google-client-secret",
                "Enter the client secret Google's console gave your app.",
            );
        }
    }
    if !(s.username || s.email || s.phone) {
        errors.add(
            "signin-options",
            "Choose at least one way for users to sign in.",
        );
    }
    if s.preferred_username && !s.username {
        errors.add(
            "preferred-username",
            "A preferred user name can only be used next to a user name: choose User name too, or clear this option.",
        );
    }
    (s, errors)
}

fn number_in(text: &str, min: u32, max: u32) -> Option<u32> {
    text.parse::<u32>().ok().filter(|n| (min..=max).contains(n))
}

/// Step 2. With the Cognito defaults, the custom fields are kept as
/// they were unless they hold valid numbers.
pub fn security(form: &FormData, before: &Security) -> (Security, FieldErrors) {
    let mut errors = FieldErrors::default();
    let policy = PolicyMode::parse(form.text("password_policy").as_str()).unwrap_or_else(|| {
        errors.add("password-policy", "Choose a password policy.");
        before.policy
    });
    let min_length = form.text("min_length");
    let temporary_days = form.text("temporary_days");
    let min_ok = number_in(&min_length, 6, 99).is_some();
    let days_ok = number_in(&temporary_days, 1, 365).is_some();
    if policy == PolicyMode::Custom && !min_ok {
        errors.add(
            "min-length",
            "Enter a minimum length from 6 to 99 characters.",
        );
    }
    if policy == PolicyMode::Custom && !days_ok {
        errors.add("temporary-days", "Enter a number of days from 1 to 365.");
    }
    let keep_typed = policy == PolicyMode::Custom;
    let mfa = Mfa::parse(form.text("mfa").as_str()).unwrap_or_else(|| {
        errors.add("mfa", "Choose how multi-factor authentication is enforced.");
        before.mfa
    });
    let (totp, sms) = (form.checked("mfa_totp"), form.checked("mfa_sms"));
    if mfa != Mfa::Off && !totp && !sms {
        errors.add(
            "mfa-methods",
            "Choose at least one MFA method, or choose No MFA.",
        );
    }
    let recovery = form.checked("recovery");
    let recovery_delivery = match RecoveryDelivery::parse(form.text("recovery_delivery").as_str()) {
        Some(d) => d,
        None => {
            if recovery {
                errors.add(
                    "recovery-delivery",
                    "Choose how recovery messages are delivered.",
                );
            }
            before.recovery_delivery
        }
    };
    let s = Security {
        policy,
        min_length: if min_ok || keep_typed {
            min_length
        } else {
            before.min_length.clone()
        },
        require_numbers: form.checked("require_numbers"),
        require_symbols: form.checked("require_symbols"),
        require_uppercase: form.checked("require_uppercase"),
        require_lowercase: form.checked("require_lowercase"),
        temporary_days: if days_ok || keep_typed {
            temporary_days
        } else {
            before.temporary_days.clone()
        },
        mfa,
        totp,
        sms,
        recovery,
        recovery_delivery,
    };
    if errors.is_empty() {
        let members = json!({
            "Policies": { "PasswordPolicy": request::password_policy(&s) },
            "MfaConfiguration": request::mfa_configuration(&s),
            "AccountRecoverySetting": request::account_recovery(&s),
        });
        if let Err(e) = pool_check(members) {
            errors.add("password-policy", e.0);
        }
    }
    (s, errors)
}

/// One custom attribute row's errors, by field id.
fn check_custom(i: usize, row: &CustomAttribute, errors: &mut FieldErrors) {
    let id = |field: &str| format!("custom-{i}-{field}");
    if row.name.is_empty() {
        errors.add(
            id("name"),
            "Enter a name, or clear this row to leave it out.",
        );
    } else if row.name.chars().count() > 20 {
        errors.add(id("name"), "Use at most 20 characters.");
    } else if row
        .name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        errors.add(
            id("name"),
            "Use letters, numbers and punctuation such as _ or -, without spaces.",
        );
    }
    let (lo, hi) = match row.data_type {
        DataType::Text => ("min length", "max length"),
        DataType::Number => ("min value", "max value"),
    };
    for (field, text, what) in [("min", &row.min, lo), ("max", &row.max, hi)] {
        if text.is_empty() {
            continue;
        }
        let ok = match row.data_type {
            DataType::Text => text.parse::<u32>().is_ok_and(|n| n <= 2048),
            DataType::Number => text.parse::<i64>().is_ok(),
        };
        if !ok {
            let rule = match row.data_type {
                DataType::Text => "a whole number from 0 to 2048",
                DataType::Number => "a whole number",
            };
            errors.add(id(field), format!("Enter the {what} as {rule}."));
        }
    }
    if errors.has(&id("name")) || errors.has(&id("min")) || errors.has(&id("max")) {
        return;
    }
    if let Err(e) = pool_check(json!({ "Schema": [request::custom_schema(row)] })) {
        let to_max = e.0.contains("Max ");
        let message = if to_max {
            format!("The {hi} cannot be less than the {lo}.")
        } else {
            e.0
        };
        let field = if to_max {
            "max"
        } else if message.contains("name") {
            "name"
        } else {
            "min"
        };
        errors.add(id(field), message);
    }
}

/// Step 3. Also returns how many empty rows were posted.
pub fn sign_up(form: &FormData) -> (SignUp, FieldErrors, usize) {
    let mut errors = FieldErrors::default();
    let verification = form.checked("verification");
    let verify = match Verify::parse(form.text("verify").as_str()) {
        Some(v) => v,
        None => {
            if verification {
                errors.add("verify", "Choose which attributes to verify.");
            }
            Verify::Email
        }
    };
    let posted = form.all("required");
    let required: Vec<String> = STANDARD_ATTRIBUTES
        .iter()
        .filter(|a| posted.contains(a))
        .map(|a| a.to_string())
        .collect();

    let mut custom: Vec<CustomAttribute> = Vec::new();
    let mut blank = 0;
    for i in 0..=MAX_CUSTOM_ATTRIBUTES + 1 {
        let key = |field: &str| format!("custom-{i}-{field}");
        if form.get(&key("name")).is_none() {
            continue;
        }
        let name = form.text(&key("name"));
        let name = name.strip_prefix("custom:").unwrap_or(&name).to_string();
        let row = CustomAttribute {
            name,
            data_type: DataType::parse(form.text(&key("type")).as_str()).unwrap_or(DataType::Text),
            min: form.text(&key("min")),
            max: form.text(&key("max")),
            mutable: form.checked(&key("mutable")),
        };
        if row.is_blank() {
            blank += 1;
        } else {
            custom.push(row);
        }
    }
    if custom.len() > MAX_CUSTOM_ATTRIBUTES {
        errors.add(
            "custom-attributes",
            format!("A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."),
        );
        custom.truncate(MAX_CUSTOM_ATTRIBUTES);
    }
    for (i, row) in custom.iter().enumerate() {
        check_custom(i, row, &mut errors);
        let earlier = custom[..i].iter().any(|r| r.name == row.name);
        if earlier && !row.name.is_empty() {
            errors.add(
                format!("custom-{i}-name"),
                "Another custom attribute already has this name.",
            );
        }
    }
    let s = SignUp {
        self_registration: form.checked("self_registration"),
        verification,
        verify,
        keep_original_email: form.checked("keep_original_email"),
        keep_original_phone: form.checked("keep_original_phone"),
        required,
        custom,
        blank_rows: 1,
    };
    (s, errors, blank)
}

/// The address in `Name <address>` or a bare address.
fn sender_address(from: &str) -> &str {
    match (from.rfind('<'), from.ends_with('>')) {
        (Some(open), true) => &from[open + 1..from.len() - 1],
        _ => from,
    }
}

/// Step 4.
pub fn delivery(form: &FormData) -> (Delivery, FieldErrors) {
    let s = Delivery {
        from: form.text("email_from"),
        email_subject: form.text("email_subject"),
        email_message: form.multiline("email_message"),
        sms_message: form.multiline("sms_message"),
    };
    let mut errors = FieldErrors::default();
    if !s.from.is_empty() && !is_email(sender_address(&s.from)) {
        errors.add(
            "email-from",
            "Enter an email address such as no-reply@example.com, or leave this empty.",
        );
    }
    let subject_len = s.email_subject.chars().count();
    if subject_len == 0 {
        errors.add("email-subject", "Enter a subject.");
    } else if subject_len > 140 {
        errors.add("email-subject", "Use at most 140 characters.");
    }
    let code_rule = "Include {####} where the verification code goes.";
    let messages = [
        ("email-message", &s.email_message, 20_000),
        ("sms-message", &s.sms_message, 140),
    ];
    for (id, text, max) in messages {
        let n = text.chars().count();
        if !text.contains("{####}") {
            errors.add(id, code_rule);
        } else if n < 6 {
            errors.add(id, "Use at least 6 characters.");
        } else if n > max {
            errors.add(id, format!("Use at most {max} characters."));
        }
    }
    let checks = [
        ("email-subject", "EmailSubject", &s.email_subject),
        ("email-message", "EmailMessage", &s.email_message),
        ("sms-message", "SmsMessage", &s.sms_message),
    ];
    for (id, member, text) in checks {
        if errors.has(id) {
            continue;
        }
        let template = json!({ "VerificationMessageTemplate": { member: text } });
        if pool_check(template).is_err() {
            errors.add(id, "Remove control characters other than line breaks.");
        }
    }
    (s, errors)
}

/// Why a callback or sign-out URL cannot be used, if it cannot: the API's
/// own check, in the console's words.
fn redirect_problem(url: &str) -> Option<String> {
    use crate::directory::redirect_url::{check, UrlProblem};
    let apps = "Use https:// (http:// only for localhost), or your app's own scheme such as myapp://callback.";
    if url.chars().count() > 1024 {
        return Some("Use at most 1024 characters.".into());
    }
    Some(match check(url).err()? {
        UrlProblem::Scheme | UrlProblem::PlainHttp => apps.into(),
        UrlProblem::Fragment => "Remove the #fragment: redirect URLs cannot have one.".into(),
        UrlProblem::Backslash => "Remove the backslash: browsers read it as a slash.".into(),
        UrlProblem::Userinfo => "Remove the user@ part: it can send people to another site.".into(),
        UrlProblem::NotAbsolute | UrlProblem::Pattern => {
            "Enter a full URL, without spaces, such as https://app.example.com/callback.".into()
        }
    })
}

fn check_urls(id: &str, text: &str, required: bool, errors: &mut FieldErrors) {
    let urls = lines(text);
    if urls.is_empty() && required {
        errors.add(
            id,
            "Enter at least one callback URL: after signing in, users are sent back there.",
        );
    }
    if urls.len() > 100 {
        errors.add(id, "Enter at most 100 URLs.");
    }
    for (n, url) in urls.iter().enumerate() {
        if let Some(problem) = redirect_problem(url) {
            errors.add(id, format!("Line {}: {url}: {problem}", n + 1));
        }
    }
}

/// Step 5.
pub fn app(form: &FormData, draft: &Draft) -> (super::draft::App, FieldErrors) {
    let mut errors = FieldErrors::default();
    let client_type = ClientType::parse(form.text("client_type").as_str()).unwrap_or_else(|| {
        errors.add("client-type", "Choose the type of app client.");
        ClientType::Public
    });
    let scopes_posted = form.all("scopes");
    let providers_posted = form.all("providers");
    let s = super::draft::App {
        pool_name: form.text("pool_name"),
        client_name: form.text("client_name"),
        client_type,
        callback_urls: form.multiline("callback_urls").trim().to_string(),
        logout_urls: form.multiline("logout_urls").trim().to_string(),
        scopes: SCOPES
            .iter()
            .filter(|s| scopes_posted.contains(s))
            .map(|s| s.to_string())
            .collect(),
        providers: draft
            .provider_choices()
            .into_iter()
            .filter(|p| providers_posted.contains(p))
            .map(String::from)
            .collect(),
    };
    if s.pool_name.is_empty() {
        errors.add("pool-name", "Enter a name for the user pool.");
    } else if pool_check(json!({ "PoolName": s.pool_name })).is_err() {
        errors.add("pool-name", NAME_RULE);
    }
    if s.client_name.is_empty() {
        errors.add("client-name", "Enter a name for the app client.");
    } else if client_check(json!({ "ClientName": s.client_name })).is_err() {
        errors.add("client-name", NAME_RULE);
    }
    check_urls("callback-urls", &s.callback_urls, true, &mut errors);
    check_urls("logout-urls", &s.logout_urls, false, &mut errors);
    if s.scopes.is_empty() {
        errors.add("scopes", "Choose at least one OAuth scope.");
    } else if !s.scopes.iter().any(|x| x == "openid")
        && s.scopes
            .iter()
            .any(|x| ["email", "phone", "profile"].contains(&x.as_str()))
    {
        errors.add(
            "scopes",
            "The email, phone and profile scopes need openid: choose openid too.",
        );
    }
    if s.providers.is_empty() {
        errors.add("providers", "Choose at least one identity provider.");
    }
    if errors.is_empty() {
        let mut whole = draft.clone();
        whole.app = s.clone();
        if let Err(e) = ClientSettings::from_create_request(&request::client_request(&whole)) {
            errors.add("client-name", e.0);
        }
    }
    (s, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn sign_in_needs_an_option() {
        let (_, e) = sign_in(&form(&[]), &SignIn::default());
        assert!(e.has("signin-options"));
        let (s, e) = sign_in(&form(&[("signin_phone", "on")]), &SignIn::default());
        assert!(e.is_empty());
        assert_eq!(s.username_attributes(), ["phone_number"]);
        let (_, e) = sign_in(
            &form(&[("signin_email", "on"), ("preferred_username", "on")]),
            &SignIn::default(),
        );
        assert!(e.has("preferred-username"));
    }

    #[test]
    fn federation_needs_google_credentials_and_keeps_the_secret() {
        let (_, e) = sign_in(
            &form(&[("signin_email", "on"), ("federation", "on")]),
            &SignIn::default(),
        );
        assert!(e.has("google-client-id") && e.has("google-client-secret"));
        let (s, e) = sign_in(
            &form(&[
                ("signin_email", "on"),
                ("federation", "on"),
                ("google_client_id", "abc.apps.googleusercontent.com"),
                ("google_client_secret", "s3cret"),
            ]),
            &SignIn::default(),
        );
        assert!(e.is_empty());
        assert_eq!(s.google_scopes, "profile email openid");
        // Shown again, the secret field is blank: the secret stays.
        let (again, e) = sign_in(
            &form(&[
                ("signin_email", "on"),
                ("federation", "on"),
                ("google_client_id", "abc.apps.googleusercontent.com"),
            ]),
            &s,
        );
        assert!(e.is_empty());
        assert_eq!(again.google_client_secret, "s3cret");
        // Off: nothing of Google is kept.
        let (off, _) = sign_in(&form(&[("signin_email", "on")]), &s);
        assert!(off.google_client_secret.is_empty() && off.google_client_id.is_empty());
    }

    #[test]
    fn security_checks_the_custom_policy_and_mfa() {
        let base = [
            ("password_policy", "custom"),
            ("min_length", "3"),
            ("temporary_days", "7"),
            ("mfa", "optional"),
            ("recovery", "on"),
            ("recovery_delivery", "email"),
        ];
        let (_, e) = security(&form(&base), &Security::default());
        assert!(e.get("min-length").unwrap().contains("6 to 99"));
        assert!(e.has("mfa-methods"));
        // With the defaults, bad custom numbers are ignored and not kept.
        let mut d = base;
        d[0] = ("password_policy", "defaults");
        d[3] = ("mfa", "off");
        let (s, e) = security(&form(&d), &Security::default());
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(s.min_length, "8");
    }

    #[test]
    fn custom_attributes_are_checked_per_row() {
        let (s, e, blank) = sign_up(&form(&[
            ("custom-0-name", "team"),
            ("custom-0-type", "String"),
            ("custom-0-max", "20"),
            ("custom-1-name", "a b"),
            ("custom-2-name", "custom:n"),
            ("custom-2-type", "Number"),
            ("custom-2-min", "9"),
            ("custom-2-max", "3"),
            ("custom-3-name", ""),
            ("custom-4-name", "team"),
        ]));
        assert_eq!(blank, 1);
        assert_eq!(s.custom.len(), 4);
        assert!(!e.has("custom-0-name"));
        assert!(e.get("custom-1-name").unwrap().contains("without spaces"));
        assert_eq!(s.custom[2].name, "n");
        assert!(e.get("custom-2-max").unwrap().contains("cannot be less"));
        assert!(e.get("custom-3-name").unwrap().contains("already"));
        let (_, e, _) = sign_up(&form(&[("custom-0-name", "x"), ("custom-0-min", "-1")]));
        assert!(e.has("custom-0-min"));
    }

    #[test]
    fn messages_need_the_code() {
        let (_, e) = delivery(&form(&[
            ("email_from", "Team <team@example>"),
            ("email_subject", "Hi"),
            ("email_message", "no code"),
            ("sms_message", "code {###}"),
        ]));
        assert!(e.has("email-from"));
        assert!(e.get("email-message").unwrap().contains("{####}"));
        assert!(e.has("sms-message"));
        let (_, e) = delivery(&form(&[
            ("email_from", "Team <team@example.com>"),
            ("email_subject", "Hi"),
            ("email_message", "Code {####}"),
            ("sms_message", "Code {####}"),
        ]));
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn redirect_urls() {
        assert!(redirect_problem("https://app.example.com/cb").is_none());
        assert!(redirect_problem("http://localhost:3000/cb").is_none());
        assert!(redirect_problem("myapp://callback").is_none());
        assert!(redirect_problem("ftp://x").is_some());
        assert!(redirect_problem("http://example.com/cb").is_some());
        assert!(redirect_problem("https://a.example/#x").is_some());
        assert!(redirect_problem("not a url").is_some());
    }
}
