//! Settings: defaults < `cognate.toml` < `COGNATE_*` environment variables.

pub use crate::db::DbOptions;
use std::net::SocketAddr;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

/// argon2id cost parameters. Tests lower them; production keeps OWASP's.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Argon2Params {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Raw, serializable settings as read from the layered sources.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct RawConfig {
    bind: String,
    public_url: Option<String>,
    database_url: String,
    database_pool_size: u32,
    database_timeout_secs: u64,
    region: String,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    admin_password: Option<String>,
    smtp_url: Option<String>,
    mail_from: String,
    sms_webhook_url: Option<String>,
    google_issuer_url: String,
    argon2_memory_kib: u32,
    argon2_iterations: u32,
    argon2_parallelism: u32,
    workers: Option<usize>,
    request_timeout_secs: u64,
}

impl Default for RawConfig {
    fn default() -> Self {
        let argon = Argon2Params::default();
        RawConfig {
            bind: "127.0.0.1:9229".into(),
            public_url: None,
            database_url: "cognate.db".into(),
            database_pool_size: 8,
            database_timeout_secs: 10,
            region: "local".into(),
            access_key_id: None,
            secret_access_key: None,
            admin_password: None,
            smtp_url: None,
            mail_from: "no-reply@localhost".into(),
            sms_webhook_url: None,
            google_issuer_url: "https://accounts.google.com".into(),
            argon2_memory_kib: argon.memory_kib,
            argon2_iterations: argon.iterations,
            argon2_parallelism: argon.parallelism,
            workers: None,
            request_timeout_secs: 10,
        }
    }
}

/// Validated settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    /// Base URL seen by browsers, without a trailing slash. `None` means
    /// `http://{bound address}` (resolved once the port is known).
    pub public_url: Option<String>,
    /// `cognate.db` (SQLite) or `postgres://…`.
    pub database_url: String,
    pub database: DbOptions,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
    pub admin_password: Option<SecretString>,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub sms_webhook_url: Option<String>,
    pub google_issuer_url: String,
    pub argon2: Argon2Params,
    pub workers: Option<usize>,
    /// How long a client may take to send a request's head, and then its
    /// body: a slow or stalled sender is answered 408 and let go.
    pub request_timeout: std::time::Duration,
}

impl Config {
    /// Reads `cognate.toml` (if present) and `COGNATE_*` variables.
    pub fn load() -> Result<Config, ConfigError> {
        let raw: RawConfig = Figment::from(Serialized::defaults(RawConfig::default()))
            .merge(Toml::file("cognate.toml"))
            .merge(Env::prefixed("COGNATE_"))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))?;
        Config::from_raw(raw)
    }

    /// Defaults only: the starting point for tests and embedding.
    pub fn defaults() -> Config {
        // The defaults are valid by construction.
        Config::from_raw(RawConfig::default()).expect("default configuration is valid")
    }

    fn from_raw(raw: RawConfig) -> Result<Config, ConfigError> {
        let bind: SocketAddr = raw.bind.parse().map_err(|_| {
            ConfigError(format!(
                "COGNATE_BIND must be an address such as 127.0.0.1:9229, not {:?}",
                raw.bind
            ))
        })?;
        let public_url = match raw.public_url.filter(|u| !u.is_empty()) {
            None => None,
            Some(u) => {
                let parsed = url::Url::parse(&u).map_err(|_| {
                    ConfigError(format!(
                        "COGNATE_PUBLIC_URL must be an absolute http(s) URL, not {u:?}"
                    ))
                })?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                    return Err(ConfigError(
                        "COGNATE_PUBLIC_URL must start with http:// or https://".into(),
                    ));
                }
                Some(u.trim_end_matches('/').to_string())
            }
        };
        let region_ok = !raw.region.is_empty()
            && raw.region.len() <= 32
            && raw
                .region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !region_ok {
            return Err(ConfigError(
                "COGNATE_REGION must be lowercase letters, digits and '-', such as us-east-1"
                    .into(),
            ));
        }
        if raw.access_key_id.is_some() != raw.secret_access_key.is_some() {
            return Err(ConfigError(
                "set both COGNATE_ACCESS_KEY_ID and COGNATE_SECRET_ACCESS_KEY, or neither".into(),
            ));
        }
        if let Some(u) = &raw.smtp_url {
            if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                return Err(ConfigError(
                    "COGNATE_SMTP_URL must start with smtp:// or smtps://".into(),
                ));
            }
        }
        if let Some(u) = &raw.sms_webhook_url {
            let ok = url::Url::parse(u)
                .map(|p| matches!(p.scheme(), "http" | "https"))
                .unwrap_or(false);
            if !ok {
                return Err(ConfigError(
                    "COGNATE_SMS_WEBHOOK_URL must be an http(s) URL".into(),
                ));
            }
        }
        let argon2 = Argon2Params {
            memory_kib: raw.argon2_memory_kib,
            iterations: raw.argon2_iterations,
            parallelism: raw.argon2_parallelism,
        };
        if raw.request_timeout_secs == 0 {
            return Err(ConfigError(
                "COGNATE_REQUEST_TIMEOUT_SECS must be at least 1".into(),
            ));
        }
        if raw.database_pool_size == 0 || raw.database_timeout_secs == 0 {
            return Err(ConfigError(
                "COGNATE_DATABASE_POOL_SIZE and COGNATE_DATABASE_TIMEOUT_SECS must be at least 1"
                    .into(),
            ));
        }
        if argon2.memory_kib < 8 * argon2.parallelism.max(1)
            || argon2.iterations == 0
            || argon2.parallelism == 0
        {
            return Err(ConfigError(
                "COGNATE_ARGON2_* parameters are out of range (memory_kib >= 8 x parallelism, iterations >= 1, parallelism >= 1)"
                    .into(),
            ));
        }
        Ok(Config {
            bind,
            public_url,
            database_url: raw.database_url,
            database: DbOptions {
                pool_size: raw.database_pool_size,
                timeout: std::time::Duration::from_secs(raw.database_timeout_secs),
            },
            region: raw.region,
            access_key_id: raw.access_key_id,
            secret_access_key: raw.secret_access_key.map(SecretString::from),
            admin_password: raw.admin_password.map(SecretString::from),
            smtp_url: raw.smtp_url.map(SecretString::from),
            mail_from: raw.mail_from,
            sms_webhook_url: raw.sms_webhook_url,
            google_issuer_url: raw.google_issuer_url,
            argon2,
            workers: raw.workers,
            request_timeout: std::time::Duration::from_secs(raw.request_timeout_secs),
        })
    }
}
