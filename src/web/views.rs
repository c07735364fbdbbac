//! Server-rendered pages of the hosted sign-in UI, and the verification e-mail.
//!
//! Templates live in `templates/`; `.html` templates are HTML-escaped by askama,
//! `.txt` templates are not. Pages carry no inline script or style so that they
//! work under `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'`,
//! and every form works without JavaScript. Styling comes from `/static/cognate.css`.

use askama::Template;

/// One input on the sign-up form.
pub struct Field {
    /// Form field name, e.g. `email`, `given_name`, `custom:team`.
    pub name: String,
    /// Visible label text.
    pub label: String,
    /// HTML input type: `text`, `email`, `tel`, `date`, ...
    pub input_type: String,
    /// `autocomplete` token; left off the input when empty.
    pub autocomplete: String,
    /// Value to fill back in after a failed submission.
    pub value: String,
    pub required: bool,
    /// Validation message shown under the input.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/login.html")]
pub struct LoginPage {
    pub pool_name: String,
    /// Form action URL, query string included.
    pub action: String,
    pub csrf: String,
    pub username: String,
    /// "Username" | "Email" | "Phone number" | "Username or email".
    pub username_label: String,
    /// Input type for the username: `text`, `email` or `tel`.
    pub username_type: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub signup_href: Option<String>,
    pub forgot_href: Option<String>,
    /// The user name and password form (the client allows COGNITO).
    pub local: bool,
    /// "Continue with …" buttons: label and link.
    pub providers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "pages/signup.html")]
pub struct SignupPage {
    pub pool_name: String,
    pub action: String,
    pub csrf: String,
    /// `None` when the e-mail address or phone number is the username.
    pub username: Option<Field>,
    /// Attributes asked for; each input is named `Field::name`.
    pub fields: Vec<Field>,
    pub password_error: Option<String>,
    /// Password policy, e.g. "At least 8 characters", listed under the password.
    pub password_rules: Vec<String>,
    pub error: Option<String>,
    pub login_href: String,
}

#[derive(Template)]
#[template(path = "pages/confirm_user.html")]
pub struct ConfirmUserPage {
    pub pool_name: String,
    pub action: String,
    pub resend_action: String,
    pub csrf: String,
    /// Posted back as the hidden input `username`.
    pub username: String,
    /// Masked delivery address, e.g. `j***@e***.com`.
    pub destination: Option<String>,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub login_href: String,
}

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "pages/signed_in.html")]
pub struct SignedInPage {
    pub pool_name: String,
    pub username: String,
    pub logout_href: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/new_password.html")]
pub struct NewPasswordPage {
    pub pool_name: String,
    pub action: String,
    pub csrf: String,
    /// Required attributes the user has no value for yet.
    pub fields: Vec<Field>,
    pub password_error: Option<String>,
    pub password_rules: Vec<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/mfa.html")]
pub struct MfaPage {
    pub pool_name: String,
    pub action: String,
    pub csrf: String,
    /// An SMS code (else an authenticator app's).
    pub sms: bool,
    pub destination: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/mfa_setup.html")]
pub struct MfaSetupPage {
    pub pool_name: String,
    pub action: String,
    pub csrf: String,
    pub qr_src: String,
    /// The base32 secret, for manual entry.
    pub secret: String,
    /// Enrollment is a required step of this sign-in.
    pub required: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/account.html")]
pub struct AccountPage {
    pub pool_name: String,
    pub username: String,
    pub csrf: String,
    pub mfa_on: bool,
    pub mfa_available: bool,
    pub can_disable: bool,
    pub setup_href: String,
    pub disable_action: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub pending_email: Option<String>,
    pub email_action: String,
    pub verify_email_action: String,
    pub password_action: String,
    pub password_error: Option<String>,
    pub password_rules: Vec<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/forgot_password.html")]
pub struct ForgotPasswordPage {
    pub pool_name: String,
    pub action: String,
    pub csrf: String,
    pub username_label: String,
    pub error: Option<String>,
    pub login_href: String,
}

#[derive(Template)]
#[template(path = "pages/confirm_forgot_password.html")]
pub struct ConfirmForgotPasswordPage {
    pub pool_name: String,
    pub action: String,
    pub csrf: String,
    pub username_label: String,
    pub username: String,
    pub code: String,
    pub password_error: Option<String>,
    pub password_rules: Vec<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub login_href: String,
}
