//! The review page: every choice of the draft, grouped by step, in words.

use askama::Template;

use super::draft::{lines, DataType, Delivery, Draft, Mfa, Security, SignIn, Step};
use super::request::password_policy;
use super::views::Frame;
use crate::web::admin::shared::Nav;

/// One line of the review.
pub struct Item {
    pub label: &'static str,
    pub value: String,
    /// Fixed once the pool exists.
    pub fixed: bool,
}

/// The review of one step.
pub struct Group {
    pub step: Step,
    pub href: String,
    pub items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "admin/wizard/review.html")]
pub struct ReviewPage {
    pub nav: Nav,
    pub wiz: Frame,
    pub groups: Vec<Group>,
}

fn item(label: &'static str, value: impl Into<String>) -> Item {
    Item {
        label,
        value: value.into(),
        fixed: false,
    }
}

fn fixed(label: &'static str, value: impl Into<String>) -> Item {
    Item {
        fixed: true,
        ..item(label, value)
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "On"
    } else {
        "Off"
    }
}

fn or_none(list: Vec<String>) -> String {
    if list.is_empty() {
        "None".into()
    } else {
        list.join(", ")
    }
}

fn one_a_line(list: Vec<String>) -> String {
    if list.is_empty() {
        "None".into()
    } else {
        list.join("\n")
    }
}

/// An attribute's name for people.
fn attribute_label(name: &str) -> &str {
    match name {
        "email" => "Email",
        "phone_number" => "Phone number",
        "preferred_username" => "Preferred user name",
        other => other,
    }
}

fn sign_in_items(s: &SignIn) -> Vec<Item> {
    let how = if s.username {
        let mut how = vec!["User name".to_string()];
        for a in s.alias_attributes() {
            how.push(format!("{} (alias)", attribute_label(a)));
        }
        how.join(", ")
    } else {
        let names: Vec<&str> = s
            .username_attributes()
            .into_iter()
            .map(attribute_label)
            .collect();
        format!("{} (as the user name)", names.join(" or "))
    };
    let case = if s.case_sensitive {
        "Case sensitive"
    } else {
        "Case insensitive"
    };
    vec![
        fixed("Sign-in identifiers", how),
        fixed("User names", case),
        item(
            "Federated identity providers",
            if s.federation {
                format!("Google (client ID {})", s.google_client_id)
            } else {
                on_off(false).to_string()
            },
        ),
    ]
}

fn security_items(s: &Security) -> Vec<Item> {
    let p = password_policy(s);
    let mut rules = vec![format!("At least {} characters", p["MinimumLength"])];
    for (key, what) in [
        ("RequireNumbers", "a number"),
        ("RequireSymbols", "a special character"),
        ("RequireUppercase", "an uppercase letter"),
        ("RequireLowercase", "a lowercase letter"),
    ] {
        if p[key] == true {
            rules.push(format!("contains {what}"));
        }
    }
    let mut mfa = s.mfa.label().to_string();
    if s.mfa != Mfa::Off {
        let mut methods = Vec::new();
        if s.totp {
            methods.push("authenticator apps");
        }
        if s.sms {
            methods.push("SMS");
        }
        mfa = format!("{mfa}: {}", methods.join(", "));
    }
    let recovery = if s.recovery {
        s.recovery_delivery.label().to_string()
    } else {
        "Off: administrators reset passwords".into()
    };
    vec![
        item(
            "Password policy",
            format!("{}: {}", s.policy.label(), rules.join(", ")),
        ),
        item(
            "Temporary passwords",
            format!("Valid for {} days", p["TemporaryPasswordValidityDays"]),
        ),
        item("Multi-factor authentication", mfa),
        item("Self-service account recovery", recovery),
    ]
}

fn sign_up_items(d: &Draft) -> Vec<Item> {
    let s = &d.sign_up;
    let verified = s.verified_attributes();
    let verification = if verified.is_empty() {
        "Off: administrators confirm new users".to_string()
    } else {
        s.verify.label().to_string()
    };
    let custom: Vec<String> = s
        .custom
        .iter()
        .map(|a| {
            let (lo, hi) = match a.data_type {
                DataType::Text => ("length", "length"),
                DataType::Number => ("value", "value"),
            };
            let mut parts = vec![a.data_type.label().to_string()];
            if !a.min.is_empty() {
                parts.push(format!("min {lo} {}", a.min));
            }
            if !a.max.is_empty() {
                parts.push(format!("max {hi} {}", a.max));
            }
            parts.push(if a.mutable { "mutable" } else { "immutable" }.into());
            format!("custom:{} ({})", a.name, parts.join(", "))
        })
        .collect();
    vec![
        item(
            "Self-registration",
            if s.self_registration {
                "On: anyone can sign up"
            } else {
                "Off: administrators create users"
            },
        ),
        item("Cognito-assisted verification", verification),
        item(
            "Keep original value while an update is pending",
            or_none(s.keep_original().iter().map(|a| a.to_string()).collect()),
        ),
        fixed("Required attributes", or_none(d.required_attributes())),
        fixed("Custom attributes", one_a_line(custom)),
    ]
}

fn delivery_items(s: &Delivery, mail_from: &str) -> Vec<Item> {
    let from = if s.from.is_empty() {
        format!("Server default ({mail_from})")
    } else {
        s.from.clone()
    };
    vec![
        item("Sender address", from),
        item("Email subject", s.email_subject.clone()),
        item("Email message", s.email_message.clone()),
        item("SMS message", s.sms_message.clone()),
    ]
}

fn app_items(d: &Draft) -> Vec<Item> {
    let a = &d.app;
    let providers = a
        .providers
        .iter()
        .filter(|p| d.provider_choices().contains(&p.as_str()))
        .map(|p| match p.as_str() {
            "COGNITO" => "Cognito user pool".to_string(),
            other => other.to_string(),
        })
        .collect();
    vec![
        item("User pool name", a.pool_name.clone()),
        item("App client", a.client_name.clone()),
        item("Client type", a.client_type.label()),
        item("Callback URLs", one_a_line(lines(&a.callback_urls))),
        item("Sign-out URLs", one_a_line(lines(&a.logout_urls))),
        item("OAuth grant", "Authorization code grant"),
        item("OpenID Connect scopes", or_none(a.scopes.clone())),
        item("Identity providers", or_none(providers)),
    ]
}

/// Every choice, grouped by step.
pub fn review_groups(d: &Draft, mail_from: &str) -> Vec<Group> {
    let group = |step: Step, items: Vec<Item>| Group {
        step,
        href: step.href(),
        items,
    };
    vec![
        group(Step::SignIn, sign_in_items(&d.sign_in)),
        group(Step::Security, security_items(&d.security)),
        group(Step::SignUp, sign_up_items(d)),
        group(Step::Delivery, delivery_items(&d.delivery, mail_from)),
        group(Step::App, app_items(d)),
    ]
}
