//! The wizard's pages: the frame every step shares (step list, heading,
//! error summary) and one askama page per step; the review is in
//! [`super::review`].

use askama::Template;

use super::draft::{
    ClientType, DataType, Delivery, Draft, Mfa, PolicyMode, RecoveryDelivery, Security, SignIn,
    SignUp, Step, Verify, MAX_CUSTOM_ATTRIBUTES,
};
use super::forms::{SCOPES, STANDARD_ATTRIBUTES};
use super::input::FieldErrors;
use crate::web::admin::shared::Nav;

/// One entry of the step list.
pub struct StepLink {
    pub number: usize,
    pub label: &'static str,
    /// Set for completed steps and the current one.
    pub href: Option<String>,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
}

/// What every wizard page shows around its form.
pub struct Frame {
    pub step: Step,
    pub title: &'static str,
    pub intro: &'static str,
    pub steps: Vec<StepLink>,
    pub errors: FieldErrors,
    /// An error that belongs to no single field.
    pub problem: Option<String>,
    pub action: String,
    pub back: Option<String>,
}

fn heading(step: Step) -> (&'static str, &'static str) {
    match step {
        Step::SignIn => (
            "Configure sign-in experience",
            "Choose how users sign in to your apps. Sign-in identifiers cannot be changed once the user pool exists.",
        ),
        Step::Security => (
            "Configure security requirements",
            "Set the password rules, multi-factor authentication and how users recover their accounts.",
        ),
        Step::SignUp => (
            "Configure sign-up experience",
            "Choose how new users join the pool, how they confirm their accounts and which attributes they give.",
        ),
        Step::Delivery => (
            "Configure message delivery",
            "Choose who emails come from and what the verification messages say.",
        ),
        Step::App => (
            "Integrate your app",
            "Name the user pool and set up its first app client, which signs users in through the hosted pages.",
        ),
        Step::Review => (
            "Review and create",
            "Check your choices before creating the user pool. Edit any step to change it.",
        ),
    }
}

impl Frame {
    pub fn new(step: Step, draft: &Draft, errors: FieldErrors, problem: Option<String>) -> Frame {
        let steps = Step::ALL
            .iter()
            .map(|&s| {
                let state = if s == step {
                    "current"
                } else if draft.is_done(s) {
                    "done"
                } else {
                    "todo"
                };
                StepLink {
                    number: s.number(),
                    label: s.label(),
                    href: (state != "todo" || draft.reachable(s)).then(|| s.href()),
                    state,
                }
            })
            .collect();
        let (title, intro) = heading(step);
        Frame {
            step,
            title,
            intro,
            steps,
            errors,
            problem,
            action: step.href(),
            back: step.previous().map(Step::href),
        }
    }

    /// `aria-describedby` for a field: its hint (when it has one) and its
    /// error (when there is one).
    pub fn describe(&self, id: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{id}-hint"));
        }
        if self.errors.has(id) {
            ids.push(format!("{id}-error"));
        }
        ids.join(" ")
    }
}

/// A radio button or checkbox.
pub struct Opt {
    pub id: String,
    pub value: String,
    pub label: String,
    pub hint: String,
    pub checked: bool,
    /// Shown ticked and not changeable.
    pub fixed: bool,
}

impl Opt {
    fn new(id: String, value: &str, label: &str, hint: &str, checked: bool) -> Opt {
        Opt {
            id,
            value: value.into(),
            label: label.into(),
            hint: hint.into(),
            checked,
            fixed: false,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/wizard/sign_in.html")]
pub struct SignInPage {
    pub nav: Nav,
    pub wiz: Frame,
    pub s: SignIn,
    /// Where Google sends users back: to register at Google.
    pub redirect_uri: String,
}

#[derive(Template)]
#[template(path = "admin/wizard/security.html")]
pub struct SecurityPage {
    pub nav: Nav,
    pub wiz: Frame,
    pub s: Security,
    pub policies: Vec<Opt>,
    pub mfa: Vec<Opt>,
    pub deliveries: Vec<Opt>,
}

impl SecurityPage {
    pub fn new(nav: Nav, wiz: Frame, s: Security) -> SecurityPage {
        let policies = PolicyMode::ALL
            .iter()
            .map(|p| {
                let hint = match p {
                    PolicyMode::Defaults => "At least 8 characters, with a number, a special character, an uppercase and a lowercase letter. Temporary passwords are valid for 7 days.",
                    PolicyMode::Custom => "Set the minimum length, the character requirements and how long temporary passwords stay valid.",
                };
                let id = format!("policy-{}", p.value());
                Opt::new(id, p.value(), p.label(), hint, s.policy == *p)
            })
            .collect();
        let mfa = Mfa::ALL
            .iter()
            .map(|m| {
                let (label, hint) = match m {
                    Mfa::Required => (
                        "Require MFA (recommended)",
                        "Every user gives a second factor when signing in.",
                    ),
                    Mfa::Optional => (
                        "Optional MFA",
                        "Users choose whether to set up a second factor.",
                    ),
                    Mfa::Off => ("No MFA", "Users sign in with a password only."),
                };
                Opt::new(
                    format!("mfa-{}", m.value()),
                    m.value(),
                    label,
                    hint,
                    s.mfa == *m,
                )
            })
            .collect();
        let deliveries = RecoveryDelivery::ALL
            .iter()
            .map(|d| {
                let id = format!("recovery-{}", d.value());
                Opt::new(id, d.value(), d.label(), "", s.recovery_delivery == *d)
            })
            .collect();
        SecurityPage {
            nav,
            wiz,
            s,
            policies,
            mfa,
            deliveries,
        }
    }
}

/// One custom attribute row.
pub struct Row {
    pub index: usize,
    pub name: String,
    pub types: Vec<Opt>,
    pub min: String,
    pub max: String,
    pub mutable: bool,
    pub name_error: Option<String>,
    pub min_error: Option<String>,
    pub max_error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/wizard/sign_up.html")]
pub struct SignUpPage {
    pub nav: Nav,
    pub wiz: Frame,
    pub s: SignUp,
    pub verify: Vec<Opt>,
    pub required: Vec<Opt>,
    pub rows: Vec<Row>,
    pub can_add: bool,
}

impl SignUpPage {
    pub fn new(nav: Nav, wiz: Frame, draft: &Draft, s: SignUp) -> SignUpPage {
        let verify = Verify::ALL
            .iter()
            .map(|v| {
                Opt::new(
                    format!("verify-{}", v.value()),
                    v.value(),
                    v.label(),
                    "",
                    s.verify == *v,
                )
            })
            .collect();
        let fixed = draft.fixed_required(&s);
        let required = STANDARD_ATTRIBUTES
            .iter()
            .map(|a| {
                let why = fixed.iter().find(|(n, _)| n == a).map(|(_, why)| *why);
                let chosen = s.required.iter().any(|r| r == a);
                let mut o = Opt::new(
                    format!("required-{a}"),
                    a,
                    a,
                    why.unwrap_or(""),
                    chosen || why.is_some(),
                );
                o.fixed = why.is_some();
                o
            })
            .collect();
        let blank = s.blank_rows.max(1);
        let shown = (s.custom.len() + blank).min(MAX_CUSTOM_ATTRIBUTES);
        let rows = (0..shown)
            .map(|i| {
                let a = s.custom.get(i).cloned().unwrap_or_default();
                let types = DataType::ALL
                    .iter()
                    .map(|t| Opt::new(String::new(), t.value(), t.label(), "", a.data_type == *t))
                    .collect();
                let error = |field: &str| {
                    wiz.errors
                        .get(&format!("custom-{i}-{field}"))
                        .map(String::from)
                };
                Row {
                    name_error: error("name"),
                    min_error: error("min"),
                    max_error: error("max"),
                    index: i,
                    name: a.name,
                    types,
                    min: a.min,
                    max: a.max,
                    mutable: a.mutable,
                }
            })
            .collect();
        SignUpPage {
            nav,
            wiz,
            can_add: shown < MAX_CUSTOM_ATTRIBUTES,
            s,
            verify,
            required,
            rows,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/wizard/delivery.html")]
pub struct DeliveryPage {
    pub nav: Nav,
    pub wiz: Frame,
    pub s: Delivery,
    pub sender_hint: String,
}

impl DeliveryPage {
    /// `mail_from` is the server's `COGNATE_MAIL_FROM`.
    pub fn new(nav: Nav, wiz: Frame, s: Delivery, mail_from: &str) -> DeliveryPage {
        let sender_hint = format!(
            "For example no-reply@example.com or “Example <no-reply@example.com>”. \
             When empty, this server’s COGNATE_MAIL_FROM is used ({mail_from})."
        );
        DeliveryPage {
            nav,
            wiz,
            s,
            sender_hint,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/wizard/app.html")]
pub struct AppPage {
    pub nav: Nav,
    pub wiz: Frame,
    pub s: super::draft::App,
    pub client_types: Vec<Opt>,
    pub scopes: Vec<Opt>,
    pub providers: Vec<Opt>,
}

impl AppPage {
    pub fn new(nav: Nav, wiz: Frame, draft: &Draft, s: super::draft::App) -> AppPage {
        let client_types = ClientType::ALL
            .iter()
            .map(|t| {
                let hint = match t {
                    ClientType::Public => "A browser or mobile app that cannot keep a secret. It signs users in with PKCE.",
                    ClientType::Confidential => "A server-side app that can keep a client secret. The secret is shown once, after creation.",
                };
                Opt::new(format!("client-type-{}", t.value()), t.value(), t.label(), hint, s.client_type == *t)
            })
            .collect();
        let scopes = SCOPES
            .iter()
            .map(|x| {
                let hint = match *x {
                    "openid" => "ID tokens; needed for the other standard scopes",
                    "email" => "The email address and whether it is verified",
                    "phone" => "The phone number and whether it is verified",
                    "profile" => "The other standard attributes the client may read",
                    _ => "Calls to the user's own account APIs with the access token",
                };
                let checked = s.scopes.iter().any(|c| c == x);
                Opt::new(
                    format!("scope-{}", x.replace('.', "-")),
                    x,
                    x,
                    hint,
                    checked,
                )
            })
            .collect();
        let providers = draft
            .provider_choices()
            .into_iter()
            .map(|p| {
                let (label, hint) = match p {
                    "COGNITO" => (
                        "Cognito user pool",
                        "Users sign in with their user pool password.",
                    ),
                    _ => (
                        "Google",
                        "Sign-in with Google, once the provider is set up for this pool.",
                    ),
                };
                let checked = s.providers.iter().any(|c| c == p);
                Opt::new(
                    format!("provider-{}", p.to_lowercase()),
                    p,
                    label,
                    hint,
                    checked,
                )
            })
            .collect();
        AppPage {
            nav,
            wiz,
            s,
            client_types,
            scopes,
            providers,
        }
    }
}
