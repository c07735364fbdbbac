//! One way to send a one-time code: store it (within the user's budget of
//! sends), then deliver it by e-mail (the pool's message and sender, with a
//! link where the flow has one) or by SMS.

use secrecy::ExposeSecret;

use super::signup::CodeDelivery;
use super::{AuthError, Core};
use crate::directory::attributes::mask_destination;
use crate::directory::codes::{self, Purpose};
use crate::directory::pools::Pool;
use crate::directory::users::User;
use crate::messaging::Email;

/// What the message says around the code.
pub enum Wording {
    /// The pool's verification message (sign-up, attribute changes).
    Verification,
    /// The verification message with a subject of its own and, by e-mail,
    /// a link: `link_prefix` followed by the code.
    Reset {
        subject: String,
        link_prefix: Option<String>,
    },
    /// The pool's SMS authentication message (an MFA code).
    Authentication,
}

/// A code to send: what for, where (the user's `email` or `phone_number`,
/// and its value), and in which words.
pub struct Outgoing<'a> {
    pub purpose: Purpose,
    pub attribute: &'static str,
    pub destination: &'a str,
    pub wording: Wording,
}

/// Stores a fresh code and sends it.
pub async fn send_code(
    core: &Core,
    pool: &Pool,
    user: &User,
    out: Outgoing<'_>,
    now: i64,
) -> Result<CodeDelivery, AuthError> {
    let Outgoing {
        purpose,
        attribute,
        destination,
        wording,
    } = out;
    let code = codes::generate();
    let pepper = core.code_pepper.expose_secret().as_bytes().to_vec();
    let (sub, stored) = (user.sub.clone(), code.clone());
    let sent = core
        .db
        .run(move |conn| codes::store(conn, &pepper, &sub, purpose, &stored, now))
        .await?;
    if !sent {
        return Err(AuthError::LimitExceeded);
    }
    let settings = &pool.settings;
    let medium = if attribute == "email" {
        let message = settings
            .email_verification_message()
            .replace("{####}", &code);
        let email = match wording {
            Wording::Reset {
                subject,
                link_prefix: Some(prefix),
            } => {
                let link = format!("{prefix}{code}");
                Email::reset(&pool.name, destination, subject, &message, &link)?
            }
            Wording::Reset {
                subject,
                link_prefix: None,
            } => Email::from_pool(&pool.name, destination, subject, &message)?,
            Wording::Verification | Wording::Authentication => Email::from_pool(
                &pool.name,
                destination,
                settings.email_verification_subject(),
                &message,
            )?,
        };
        core.messenger
            .send_email(email.with_from(settings.email_from()), now)
            .await?;
        "EMAIL"
    } else {
        let template = match wording {
            Wording::Authentication => settings.sms_authentication_message(),
            _ => settings.sms_verification_message(),
        };
        core.messenger
            .send_sms(destination, &template.replace("{####}", &code), now)
            .await?;
        "SMS"
    };
    Ok(CodeDelivery {
        destination: mask_destination(destination),
        medium,
        attribute,
    })
}
