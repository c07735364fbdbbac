//! cognate: a self-hosted user directory in the shape of Amazon Cognito
//! User Pools. [`Application::build`] makes the whole server from a
//! [`Config`]; `main.rs` only parses the command line.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod directory;
pub mod federation;
pub mod messaging;
pub mod mfa;
pub mod tokens;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::cookie::Key;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web as aw, App, HttpResponse, HttpServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::SecretString;
use tracing_actix_web::TracingLogger;

use crate::auth::Core;
pub use crate::config::Config;
use crate::db::{settings, Db};
use crate::directory::ids::random_token;
use crate::directory::passwords::Passwords;
use crate::messaging::Messenger;
use crate::tokens::KeyRing;
use crate::web::WebState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Messaging(#[from] messaging::MessagingError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

/// Makes aws-lc-rs the process's TLS crypto provider (for outgoing HTTPS,
/// such as the SMS webhook). Idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    public_url: String,
    server: Server,
}

/// Upper-case letters and digits, for access key ids.
fn upper_alnum(n: usize) -> String {
    directory::ids::lower_alnum(n).to_uppercase()
}

/// The key pair that signs admin API calls: configured, or generated once,
/// printed, and kept in the database.
fn api_key_pair(config: &Config, db: &Db) -> Result<(String, SecretString), StartError> {
    if let (Some(id), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
        return Ok((id.clone(), secret.clone()));
    }
    let pair = db.with_conn(|conn| {
        let (id, created) = settings::get_or_create(conn, "api_access_key_id", || {
            format!("AKIA{}", upper_alnum(16))
        })?;
        let (secret, _) =
            settings::get_or_create(conn, "api_secret_access_key", || random_token(30))?;
        Ok((id, secret, created))
    })?;
    let (id, secret, created) = pair;
    if created {
        println!("cognate: generated the API key pair (shown once; set COGNATE_ACCESS_KEY_ID / COGNATE_SECRET_ACCESS_KEY to choose your own):");
        println!("  access key id:     {id}");
        println!("  secret access key: {secret}");
    }
    Ok((id, SecretString::from(secret)))
}

/// The console password's hash: from COGNATE_ADMIN_PASSWORD, or generated
/// once, printed, and kept (hashed) in the database.
fn admin_password_hash(
    config: &Config,
    db: &Db,
    passwords: &Passwords,
) -> Result<String, StartError> {
    use secrecy::ExposeSecret;
    if let Some(pw) = &config.admin_password {
        return passwords
            .hash_now(pw.expose_secret())
            .map_err(|e| StartError::Other(e.to_string()));
    }
    let mut failure = None;
    let (hash, _) = db.with_conn(|conn| {
        settings::get_or_create(conn, "admin_password_hash", || {
            let password = random_token(18);
            match passwords.hash_now(&password) {
                Ok(h) => {
                    println!("cognate: generated the console password (shown once; set COGNATE_ADMIN_PASSWORD to choose your own):");
                    println!("  user: admin   password: {password}");
                    h
                }
                Err(e) => {
                    failure = Some(e.to_string());
                    String::new()
                }
            }
        })
    })?;
    match failure {
        Some(e) => Err(StartError::Other(e)),
        None => Ok(hash),
    }
}

impl Application {
    /// Opens the database, loads or creates the server's keys, binds the
    /// listener (port 0 picks a free port) and builds the HTTP server.
    pub async fn build(config: Config) -> Result<Application, StartError> {
        install_crypto_provider();
        let db = Db::open_with(&config.database_url, config.database)?;
        let (access_key_id, secret_access_key) = api_key_pair(&config, &db)?;
        let (pepper, cookie_key, mfa_key, srp_key) = db.with_conn(|conn| {
            let (pepper, _) = settings::get_or_create(conn, "code_pepper", || random_token(32))?;
            let (mfa_key, _) = settings::get_or_create(conn, "mfa_key", || {
                let mut k = [0u8; 32];
                rand::Rng::fill(&mut rand::rng(), &mut k);
                STANDARD.encode(k)
            })?;
            let (cookie, _) = settings::get_or_create(conn, "cookie_key", || {
                let key = Key::generate();
                STANDARD.encode(key.master())
            })?;
            let (srp_key, _) = settings::get_or_create(conn, "srp_key", || {
                let mut k = [0u8; 32];
                rand::Rng::fill(&mut rand::rng(), &mut k);
                STANDARD.encode(k)
            })?;
            Ok((pepper, cookie, mfa_key, srp_key))
        })?;
        let mfa_key = STANDARD
            .decode(mfa_key)
            .ok()
            .and_then(|b| crate::mfa::seal::SealKey::new(&b).ok())
            .ok_or_else(|| StartError::Other("the stored MFA key is corrupt".into()))?;
        let srp_keys = STANDARD
            .decode(srp_key)
            .ok()
            .and_then(|b| crate::auth::srp_signin::SrpKeys::new(&b).ok())
            .ok_or_else(|| StartError::Other("the stored SRP key is corrupt".into()))?;
        let cookie_key = STANDARD
            .decode(cookie_key)
            .ok()
            .and_then(|b| Key::try_from(b.as_slice()).ok())
            .ok_or_else(|| StartError::Other("the stored cookie key is corrupt".into()))?;
        let passwords =
            Passwords::new(config.argon2).map_err(|e| StartError::Other(e.to_string()))?;
        let admin_password_hash = admin_password_hash(&config, &db, &passwords)?;
        passwords.started();

        let listener = TcpListener::bind(config.bind).map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let secure_cookies = public_url.starts_with("https://");
        let messenger = Messenger::new(&config, db.clone())?;
        let workers = config.workers;
        let pool_size = config.database.pool_size;
        let federation = federation::Federation::new(&config.google_issuer_url)
            .map_err(|e| StartError::Other(e.to_string()))?;
        let core = Arc::new(Core {
            public_url: public_url.clone(),
            federation,
            keys: KeyRing::new(db.clone()),
            db: db.clone(),
            passwords,
            messenger,
            code_pepper: SecretString::from(pepper),
            mfa_key,
            srp_keys,
            admin_password_hash,
            access_key_id,
            secret_access_key,
            config,
        });
        let state = aw::Data::new(WebState {
            public_origin: web::csrf::origin_of(&public_url),
            core,
        });
        let sessions = web::Sessions {
            store: web::session::DbSessionStore::new(db),
            key: cookie_key,
            secure: secure_cookies,
        };
        let body_deadline = aw::Data::new(web::body_deadline::BodyDeadline(
            state.core.config.request_timeout,
        ));
        let request_timeout = state.core.config.request_timeout;
        let mut server = HttpServer::new(move || {
            // The last `wrap` is the outermost: the access log sees the
            // final status; the outage middleware is outside the sessions
            // (wrapped around their scopes in `routes`), whose store is the
            // database too; the body is read before anything else runs.
            App::new()
                .wrap(from_fn(web::nul::refuse_nul))
                .wrap(from_fn(web::outage::answer_503))
                .wrap(from_fn(web::body_deadline::read_body_in_time))
                .wrap(web::security_headers(secure_cookies))
                .wrap(TracingLogger::<web::PathOnlySpan>::new())
                .app_data(body_deadline.clone())
                .app_data(state.clone())
                .app_data(
                    aw::FormConfig::default()
                        .limit(64 * 1024)
                        .error_handler(|e, req| {
                            let msg = format!("The form could not be read: {e}");
                            let res = if req.path().starts_with("/oauth2/") {
                                HttpResponse::BadRequest().json(serde_json::json!({
                                    "error": "invalid_request", "error_description": msg
                                }))
                            } else {
                                actix_web::ResponseError::error_response(
                                    &web::errors::PageError::BadRequest(msg),
                                )
                            };
                            actix_web::error::InternalError::from_response(e, res).into()
                        }),
                )
                .app_data(aw::QueryConfig::default().error_handler(|e, _req| {
                    let msg = format!("The link's parameters could not be read: {e}");
                    let res = actix_web::ResponseError::error_response(
                        &web::errors::PageError::BadRequest(msg),
                    );
                    actix_web::error::InternalError::from_response(e, res).into()
                }))
                .app_data(aw::PayloadConfig::default().limit(web::body_deadline::MAX_BODY))
                .configure(|cfg| web::routes(cfg, &sessions))
        })
        .client_request_timeout(request_timeout)
        .listen(listener)
        .map_err(|source| StartError::Bind { addr, source })?;
        if let Some(n) = workers {
            server = server.workers(n.max(1));
        }
        // Blocking tasks are database calls (each waits for one of the
        // pool's connections) and token signatures: threads beyond that
        // would only wait, each with its stack and allocator arena.
        let blocking = (pool_size as usize + 4).max(8);
        server = server.worker_max_blocking_threads(blocking);
        Ok(Application {
            port: addr.port(),
            public_url,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Serves until the process is told to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
