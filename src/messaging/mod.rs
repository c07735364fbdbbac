//! Outgoing messages: e-mail through lettre's SMTP transport, or, when no
//! sender is configured, the outbox (kept in the database, shown in the
//! console, logged without its body).

use diesel::prelude::*;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::db::schema::outbox;
use crate::db::{Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    #[error("mail sender: {0}")]
    Config(String),
    #[error("mail could not be sent: {0}")]
    Send(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for MessagingError {
    fn from(e: diesel::result::Error) -> Self {
        MessagingError::Db(DbError::Query(e))
    }
}

/// Plain-text part of the verification e-mail; `message` is the pool's
/// message with the code already substituted.
#[derive(askama::Template)]
#[template(path = "email/verification.txt")]
struct VerificationEmailText<'a> {
    pool_name: &'a str,
    message: &'a str,
}

/// HTML part of the verification e-mail.
#[derive(askama::Template)]
#[template(path = "email/verification.html")]
struct VerificationEmailHtml<'a> {
    pool_name: &'a str,
    message: &'a str,
}

#[derive(askama::Template)]
#[template(path = "email/reset.txt")]
struct ResetEmailText<'a> {
    pool_name: &'a str,
    message: &'a str,
    link: &'a str,
}

#[derive(askama::Template)]
#[template(path = "email/reset.html")]
struct ResetEmailHtml<'a> {
    pool_name: &'a str,
    message: &'a str,
    link: &'a str,
}

/// An e-mail ready to send: both parts already rendered.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The pool's own sender, instead of COGNATE_MAIL_FROM.
    pub from: Option<String>,
}

impl Email {
    /// A message of the pool's (subject and text already final) in the
    /// verification template pair.
    pub fn from_pool(
        pool_name: &str,
        to: &str,
        subject: String,
        message: &str,
    ) -> Result<Email, MessagingError> {
        use askama::Template;
        let text = VerificationEmailText { pool_name, message }
            .render()
            .map_err(|e| MessagingError::Send(e.to_string()))?;
        let html = VerificationEmailHtml { pool_name, message }
            .render()
            .map_err(|e| MessagingError::Send(e.to_string()))?;
        Ok(Email {
            to: to.to_string(),
            subject,
            text,
            html,
            from: None,
        })
    }

    /// A password-reset message: the pool's text (with its code) and a link.
    pub fn reset(
        pool_name: &str,
        to: &str,
        subject: String,
        message: &str,
        link: &str,
    ) -> Result<Email, MessagingError> {
        use askama::Template;
        let text = ResetEmailText {
            pool_name,
            message,
            link,
        }
        .render()
        .map_err(|e| MessagingError::Send(e.to_string()))?;
        let html = ResetEmailHtml {
            pool_name,
            message,
            link,
        }
        .render()
        .map_err(|e| MessagingError::Send(e.to_string()))?;
        Ok(Email {
            to: to.to_string(),
            subject,
            text,
            html,
            from: None,
        })
    }

    /// Sends as `from` (a pool's EmailConfiguration.From) when given.
    pub fn with_from(mut self, from: Option<String>) -> Email {
        self.from = from;
        self
    }
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox,
}

#[derive(Clone)]
pub struct Messenger {
    transport: Transport,
    from: Mailbox,
    db: Db,
    /// Where SMS go (`COGNATE_SMS_WEBHOOK_URL`), with the client that posts.
    sms_webhook: Option<(url::Url, reqwest::Client)>,
}

impl Messenger {
    pub fn new(config: &Config, db: Db) -> Result<Messenger, MessagingError> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            MessagingError::Config(format!("COGNATE_MAIL_FROM is not an address: {e}"))
        })?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| MessagingError::Config(format!("COGNATE_SMTP_URL: {e}")))?
                    .build(),
            ),
            None => Transport::Outbox,
        };
        let sms_webhook = match &config.sms_webhook_url {
            None => None,
            Some(u) => {
                let url = url::Url::parse(u)
                    .map_err(|e| MessagingError::Config(format!("COGNATE_SMS_WEBHOOK_URL: {e}")))?;
                let client = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(10))
                    .build()
                    .map_err(|e| MessagingError::Config(format!("SMS webhook client: {e}")))?;
                Some((url, client))
            }
        };
        Ok(Messenger {
            transport,
            from,
            db,
            sms_webhook,
        })
    }

    /// Whether e-mail or SMS goes to the outbox (no sender configured).
    pub fn uses_outbox(&self) -> bool {
        matches!(self.transport, Transport::Outbox) || self.sms_webhook.is_none()
    }

    /// Delivers `email`, returning once the SMTP server accepted it (or the
    /// outbox stored it).
    pub async fn send_email(&self, email: Email, now: i64) -> Result<(), MessagingError> {
        match &self.transport {
            Transport::Smtp(smtp) => {
                let to: Mailbox = email
                    .to
                    .parse()
                    .map_err(|e| MessagingError::Send(format!("bad recipient: {e}")))?;
                let from = match email.from.as_deref().map(str::parse::<Mailbox>) {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "the pool's sender address does not parse; using the default");
                        self.from.clone()
                    }
                    None => self.from.clone(),
                };
                let message = Message::builder()
                    .from(from)
                    .to(to)
                    .subject(email.subject)
                    .multipart(MultiPart::alternative_plain_html(email.text, email.html))
                    .map_err(|e| MessagingError::Send(e.to_string()))?;
                smtp.send(message)
                    .await
                    .map_err(|e| MessagingError::Send(e.to_string()))?;
                Ok(())
            }
            Transport::Outbox => {
                tracing::info!(channel = "email", subject = %email.subject, "message kept in the outbox");
                self.keep("email", &email.to, &email.subject, &email.text, now)
                    .await
            }
        }
    }

    /// Sends a text message: POSTed as `{"to": …, "message": …}` to the SMS
    /// webhook, answered with a 2xx once accepted; or kept in the outbox.
    pub async fn send_sms(&self, to: &str, message: &str, now: i64) -> Result<(), MessagingError> {
        let Some((url, client)) = &self.sms_webhook else {
            tracing::info!(channel = "sms", "message kept in the outbox");
            return self.keep("sms", to, "", message, now).await;
        };
        let res = client
            .post(url.clone())
            .json(&serde_json::json!({ "to": to, "message": message }))
            .send()
            .await
            .map_err(|e| MessagingError::Send(format!("SMS webhook: {}", e.without_url())))?;
        if !res.status().is_success() {
            return Err(MessagingError::Send(format!(
                "SMS webhook answered {}",
                res.status()
            )));
        }
        Ok(())
    }

    async fn keep(
        &self,
        channel: &'static str,
        to: &str,
        subject: &str,
        body: &str,
        now: i64,
    ) -> Result<(), MessagingError> {
        let (to, subject, body) = (to.to_string(), subject.to_string(), body.to_string());
        self.db
            .run(move |conn| {
                diesel::insert_into(outbox::table)
                    .values((
                        outbox::id.eq(uuid::Uuid::new_v4().to_string()),
                        outbox::channel.eq(channel),
                        outbox::recipient.eq(&to),
                        outbox::subject.eq(&subject),
                        outbox::body.eq(&body),
                        outbox::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok::<_, MessagingError>(())
            })
            .await
    }
}

/// A message kept in the outbox.
#[derive(Clone, Debug, Queryable)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

/// The newest `limit` messages of the outbox, newest first.
pub fn outbox_messages(
    conn: &mut crate::db::Conn,
    limit: i64,
) -> Result<Vec<OutboxMessage>, DbError> {
    Ok(outbox::table
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .load(conn)?)
}
