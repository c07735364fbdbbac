//! The wizard's draft: what each step chose, kept in the console session
//! (serde JSON under [`SESSION_KEY`]) until the pool is created or the
//! draft is cancelled. Each step's data mirrors its form, so a page can be
//! re-rendered from it; only input that passed the step's checks is stored.

use crate::directory::identity_providers::rules::GOOGLE_DEFAULT_SCOPES;
use actix_session::Session;
use serde::{Deserialize, Serialize};

use crate::directory::pool_settings::{DEFAULT_VERIFICATION_MESSAGE, DEFAULT_VERIFICATION_SUBJECT};
use crate::web::errors::PageError;
use crate::web::session;

/// Session key of the draft.
pub const SESSION_KEY: &str = "wizard";

/// Most rows of custom attributes a pool may have (Cognito's limit).
pub const MAX_CUSTOM_ATTRIBUTES: usize = 50;

/// An enum of form choices: each variant has its form value and a label.
macro_rules! choices {
    ($name:ident { $($variant:ident = $value:literal : $label:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn value(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($value => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

choices!(Step {
    SignIn = "sign-in": "Sign-in experience",
    Security = "security": "Security requirements",
    SignUp = "sign-up": "Sign-up experience",
    Delivery = "messages": "Message delivery",
    App = "app": "App integration",
    Review = "review": "Review and create",
});

choices!(PolicyMode {
    Defaults = "defaults": "Cognito defaults",
    Custom = "custom": "Custom",
});

choices!(Mfa {
    Required = "required": "Require MFA",
    Optional = "optional": "Optional MFA",
    Off = "off": "No MFA",
});

choices!(RecoveryDelivery {
    Email = "email": "Email only",
    Sms = "sms": "SMS only",
    EmailThenSms = "email-sms": "Email if available, otherwise SMS",
    SmsThenEmail = "sms-email": "SMS if available, otherwise email",
});

choices!(Verify {
    Email = "email": "Send email message, verify email address",
    Phone = "phone": "Send SMS message, verify phone number",
    Both = "both": "Send SMS message if phone number is available, otherwise send email message",
});

choices!(DataType {
    Text = "String": "String",
    Number = "Number": "Number",
});

choices!(ClientType {
    Public = "public": "Public client",
    Confidential = "confidential": "Confidential client",
});

impl Step {
    /// The steps that have a form, in order.
    pub const FORMS: [Step; 5] = [
        Step::SignIn,
        Step::Security,
        Step::SignUp,
        Step::Delivery,
        Step::App,
    ];

    /// 1-based position; the review is 6.
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn href(self) -> String {
        format!("/admin/pools/new/{}", self.value())
    }

    pub fn previous(self) -> Option<Step> {
        self.number()
            .checked_sub(2)
            .and_then(|i| Step::ALL.get(i).copied())
    }
}

/// Step 1: how users sign in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignIn {
    pub username: bool,
    pub email: bool,
    pub phone: bool,
    /// An alias next to a user name only.
    pub preferred_username: bool,
    pub case_sensitive: bool,
    pub federation: bool,
    /// Google's OAuth client for the pool, when `federation` is on.
    pub google_client_id: String,
    pub google_client_secret: String,
    pub google_scopes: String,
}

impl Default for SignIn {
    fn default() -> Self {
        SignIn {
            username: false,
            email: true,
            phone: false,
            preferred_username: false,
            case_sensitive: false,
            federation: false,
            google_client_id: String::new(),
            google_client_secret: String::new(),
            google_scopes: GOOGLE_DEFAULT_SCOPES.into(),
        }
    }
}

impl SignIn {
    /// `email`/`phone_number` as Cognito names them, in that order.
    pub fn chosen_attributes(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.email {
            out.push("email");
        }
        if self.phone {
            out.push("phone_number");
        }
        out
    }

    /// `UsernameAttributes`: e-mail and/or phone when there is no user name.
    pub fn username_attributes(&self) -> Vec<&'static str> {
        if self.username {
            Vec::new()
        } else {
            self.chosen_attributes()
        }
    }

    /// `AliasAttributes`: e-mail, phone and preferred user name next to a
    /// user name.
    pub fn alias_attributes(&self) -> Vec<&'static str> {
        if !self.username {
            return Vec::new();
        }
        let mut out = self.chosen_attributes();
        if self.preferred_username {
            out.push("preferred_username");
        }
        out
    }
}

/// Step 2: passwords, MFA and account recovery. Numbers are kept as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    pub policy: PolicyMode,
    pub min_length: String,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub temporary_days: String,
    pub mfa: Mfa,
    pub totp: bool,
    pub sms: bool,
    pub recovery: bool,
    pub recovery_delivery: RecoveryDelivery,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            policy: PolicyMode::Defaults,
            min_length: "8".into(),
            require_numbers: true,
            require_symbols: true,
            require_uppercase: true,
            require_lowercase: true,
            temporary_days: "7".into(),
            mfa: Mfa::Off,
            totp: true,
            sms: false,
            recovery: true,
            recovery_delivery: RecoveryDelivery::Email,
        }
    }
}

/// One custom attribute, as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomAttribute {
    pub name: String,
    pub data_type: DataType,
    pub min: String,
    pub max: String,
    pub mutable: bool,
}

impl Default for CustomAttribute {
    fn default() -> Self {
        CustomAttribute {
            name: String::new(),
            data_type: DataType::Text,
            min: String::new(),
            max: String::new(),
            mutable: true,
        }
    }
}

impl CustomAttribute {
    pub fn is_blank(&self) -> bool {
        self.name.is_empty() && self.min.is_empty() && self.max.is_empty()
    }
}

/// Step 3: self-registration, verification and attributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignUp {
    pub self_registration: bool,
    pub verification: bool,
    pub verify: Verify,
    pub keep_original_email: bool,
    pub keep_original_phone: bool,
    /// Chosen on the form; those used to sign in or verified are added.
    pub required: Vec<String>,
    pub custom: Vec<CustomAttribute>,
    /// Empty rows to show under the custom attributes.
    pub blank_rows: usize,
}

impl Default for SignUp {
    fn default() -> Self {
        SignUp {
            self_registration: true,
            verification: true,
            verify: Verify::Email,
            keep_original_email: true,
            keep_original_phone: true,
            required: Vec::new(),
            custom: Vec::new(),
            blank_rows: 1,
        }
    }
}

impl SignUp {
    /// The defaults that fit the sign-in choices: verify what users sign in
    /// with.
    pub fn suggested(sign_in: &SignIn) -> SignUp {
        let verify = match (sign_in.email, sign_in.phone) {
            (false, true) => Verify::Phone,
            _ => Verify::Email,
        };
        SignUp {
            verify,
            ..SignUp::default()
        }
    }

    /// `AutoVerifiedAttributes`.
    pub fn verified_attributes(&self) -> Vec<&'static str> {
        if !self.verification {
            return Vec::new();
        }
        match self.verify {
            Verify::Email => vec!["email"],
            Verify::Phone => vec!["phone_number"],
            Verify::Both => vec!["email", "phone_number"],
        }
    }

    /// `AttributesRequireVerificationBeforeUpdate`: only verified ones.
    pub fn keep_original(&self) -> Vec<&'static str> {
        self.verified_attributes()
            .into_iter()
            .filter(|a| match *a {
                "email" => self.keep_original_email,
                _ => self.keep_original_phone,
            })
            .collect()
    }
}

/// Step 4: the sender and the verification messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub from: String,
    pub email_subject: String,
    pub email_message: String,
    pub sms_message: String,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            from: String::new(),
            email_subject: DEFAULT_VERIFICATION_SUBJECT.into(),
            email_message: DEFAULT_VERIFICATION_MESSAGE.into(),
            sms_message: DEFAULT_VERIFICATION_MESSAGE.into(),
        }
    }
}

/// Step 5: the pool's name and its first app client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct App {
    pub pool_name: String,
    pub client_name: String,
    pub client_type: ClientType,
    /// One URL a line, as typed.
    pub callback_urls: String,
    pub logout_urls: String,
    pub scopes: Vec<String>,
    /// `COGNITO` and, with federation, `Google`.
    pub providers: Vec<String>,
}

impl Default for App {
    fn default() -> Self {
        App {
            pool_name: String::new(),
            client_name: String::new(),
            client_type: ClientType::Public,
            callback_urls: String::new(),
            logout_urls: String::new(),
            scopes: ["openid", "email", "profile"].map(String::from).to_vec(),
            providers: vec!["COGNITO".into()],
        }
    }
}

/// Non-empty trimmed lines.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// Steps whose form was completed.
    pub done: Vec<Step>,
    pub sign_in: SignIn,
    pub security: Security,
    pub sign_up: SignUp,
    pub delivery: Delivery,
    pub app: App,
}

impl Draft {
    pub fn is_done(&self, step: Step) -> bool {
        self.done.contains(&step)
    }

    pub fn mark_done(&mut self, step: Step) {
        if !self.is_done(step) {
            self.done.push(step);
        }
    }

    /// The first step still to complete; the review when all are.
    pub fn first_open(&self) -> Step {
        Step::FORMS
            .into_iter()
            .find(|s| !self.is_done(*s))
            .unwrap_or(Step::Review)
    }

    /// A step can be opened once every step before it is complete.
    pub fn reachable(&self, step: Step) -> bool {
        step.number() <= self.first_open().number()
    }

    /// The identity providers the client may be offered.
    pub fn provider_choices(&self) -> Vec<&'static str> {
        if self.sign_in.federation {
            vec!["COGNITO", "Google"]
        } else {
            vec!["COGNITO"]
        }
    }

    /// Attributes that must be required, and why: those used as the user
    /// name and those verified.
    pub fn fixed_required(&self, sign_up: &SignUp) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&'static str, &'static str)> = self
            .sign_in
            .username_attributes()
            .into_iter()
            .map(|a| (a, "Used to sign in"))
            .collect();
        for a in sign_up.verified_attributes() {
            if !out.iter().any(|(n, _)| *n == a) {
                out.push((a, "Verified by Cognito-assisted verification"));
            }
        }
        out
    }

    /// Required standard attributes: the chosen ones and the fixed ones.
    pub fn required_attributes(&self) -> Vec<String> {
        let mut out: Vec<String> = super::forms::STANDARD_ATTRIBUTES
            .iter()
            .filter(|a| self.sign_up.required.iter().any(|r| r == *a))
            .map(|a| a.to_string())
            .collect();
        for (a, _) in self.fixed_required(&self.sign_up) {
            if !out.iter().any(|r| r == a) {
                out.push(a.to_string());
            }
        }
        out.sort_by_key(|a| {
            super::forms::STANDARD_ATTRIBUTES
                .iter()
                .position(|s| s == a)
                .unwrap_or(usize::MAX)
        });
        out
    }

    pub fn load(s: &Session) -> Option<Draft> {
        session::get::<Draft>(s, SESSION_KEY)
    }

    pub fn save(&self, s: &Session) -> Result<(), PageError> {
        s.insert(SESSION_KEY, self)?;
        Ok(())
    }

    pub fn discard(s: &Session) {
        s.remove(SESSION_KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_ordered() {
        assert_eq!(Step::SignIn.number(), 1);
        assert_eq!(Step::Review.number(), 6);
        assert_eq!(Step::SignIn.previous(), None);
        assert_eq!(Step::Security.previous(), Some(Step::SignIn));
        assert_eq!(Step::parse("messages"), Some(Step::Delivery));
        assert_eq!(Step::parse("nope"), None);
    }

    #[test]
    fn a_draft_opens_steps_in_order() {
        let mut d = Draft::default();
        assert_eq!(d.first_open(), Step::SignIn);
        assert!(!d.reachable(Step::Security));
        d.mark_done(Step::SignIn);
        d.mark_done(Step::SignIn);
        assert_eq!(d.done.len(), 1);
        assert!(d.reachable(Step::Security) && !d.reachable(Step::SignUp));
        for s in Step::FORMS {
            d.mark_done(s);
        }
        assert_eq!(d.first_open(), Step::Review);
        assert!(d.reachable(Step::Review));
    }

    #[test]
    fn sign_in_choices_become_username_or_alias_attributes() {
        let email_only = SignIn::default();
        assert_eq!(email_only.username_attributes(), ["email"]);
        assert!(email_only.alias_attributes().is_empty());
        let with_name = SignIn {
            username: true,
            phone: true,
            preferred_username: true,
            ..SignIn::default()
        };
        assert!(with_name.username_attributes().is_empty());
        assert_eq!(
            with_name.alias_attributes(),
            ["email", "phone_number", "preferred_username"]
        );
    }

    #[test]
    fn fixed_required_attributes_follow_sign_in_and_verification() {
        let mut d = Draft::default();
        d.sign_up.required = vec!["given_name".into(), "bogus".into()];
        d.sign_up.verify = Verify::Both;
        assert_eq!(
            d.required_attributes(),
            ["email", "given_name", "phone_number"]
        );
        d.sign_up.verification = false;
        assert!(d.sign_up.keep_original().is_empty());
        assert_eq!(d.required_attributes(), ["email", "given_name"]);
    }
}
