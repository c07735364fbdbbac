//! Storage: the connection pool, migrations, and the one helper that runs
//! blocking database work off the async workers.
//!
//! An outage: when no connection can be had (the pool's timeout) or a
//! query fails and the connection then does not answer a ping, [`Db::run`]
//! notes it for the current request ([`watch`]) and logs one line when the
//! database becomes unavailable and one when it is back. The web layer
//! answers such requests 503 (`web::outage`). Dead PostgreSQL connections
//! are never handed out again (each one is pinged at check-out), so the
//! pool recovers by itself once the database answers.
//!
//! Single rows are read with `get_result`, not diesel's `first`: `first`
//! adds `LIMIT ?`, and SQLite (3.53) plans a bound LIMIT as a constant, so
//! binding it expires the prepared statement and every execution parsed
//! and planned the query again (37% of the CPU of `/oauth2/userInfo`).
//! Lookups by key need no LIMIT; `first` stays only where many rows match.

pub mod schema;
pub mod settings;

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to either backend; the same diesel code runs on both.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The key of the PostgreSQL advisory lock every write transaction holds:
/// one writer at a time across all nodes, as SQLite has one per file.
const WRITE_LOCK: i64 = 0x636f_676e;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database migration: {0}")]
    Migration(String),
    #[error("blocking task failed: {0}")]
    Join(String),
    #[error("cannot reach the database at {target} (tried for {waited} s): {cause}")]
    Unreachable {
        target: String,
        waited: u64,
        cause: String,
    },
}

/// Pool size and how long to wait for a connection (and, on PostgreSQL,
/// for a statement or a lock).
#[derive(Clone, Copy, Debug)]
pub struct DbOptions {
    pub pool_size: u32,
    pub timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            pool_size: 8,
            timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Pg,
}

/// Which backend a `COGNATE_DATABASE_URL` names, and what to connect to:
/// `postgres://…`/`postgresql://…`, else a SQLite path (`sqlite://` and
/// `sqlite:` prefixes allowed).
pub fn backend_of(url: &str) -> (Backend, &str) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return (Backend::Pg, url);
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    (Backend::Sqlite, path)
}

/// `host:port/database` of a PostgreSQL URL (or the SQLite path): what
/// logs and start-up errors name. Never the user or the password.
pub fn describe(url: &str) -> String {
    let (backend, target) = backend_of(url);
    if backend == Backend::Sqlite {
        return target.to_string();
    }
    let Ok(u) = url::Url::parse(url) else {
        return "(an unreadable postgres:// URL)".into();
    };
    let param = |name: &str| {
        u.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let host = u
        .host_str()
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .or_else(|| param("host"))
        .unwrap_or_else(|| "localhost".into());
    let port = u
        .port()
        .map(|p| p.to_string())
        .or_else(|| param("port"))
        .unwrap_or_else(|| "5432".into());
    let db = match u.path().trim_start_matches('/') {
        "" => param("dbname").unwrap_or_else(|| u.username().to_string()),
        name => name.to_string(),
    };
    format!("{host}:{port}/{db}")
}

/// The URL libpq gets: the configured one, plus a connect timeout and a
/// TCP user timeout unless it sets its own, so that a database host that
/// vanishes (no reset, just silence) fails requests within the timeout
/// instead of the kernel's minutes.
fn pg_target(url: &str, timeout: Duration) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return url.to_string();
    };
    let has = |name: &str| u.query_pairs().any(|(k, _)| k == name);
    let connect = !has("connect_timeout");
    let tcp = !has("tcp_user_timeout");
    {
        let mut q = u.query_pairs_mut();
        if connect {
            // libpq's minimum is 2 s.
            q.append_pair("connect_timeout", &timeout.as_secs().max(2).to_string());
        }
        if tcp {
            q.append_pair("tcp_user_timeout", &timeout.as_millis().to_string());
        }
    }
    u.to_string()
}

/// Opens connections of one backend, set up for cognate. (diesel's own
/// manager would try every backend in turn: a PostgreSQL URL that fails
/// would open a SQLite file of that name.)
#[derive(Debug)]
struct Manager {
    backend: Backend,
    target: String,
    timeout: Duration,
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        use diesel::r2d2::Error;
        match self.backend {
            Backend::Sqlite => {
                let mut c =
                    SqliteConnection::establish(&self.target).map_err(Error::ConnectionError)?;
                c.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(Error::QueryError)?;
                Ok(Conn::Sqlite(c))
            }
            Backend::Pg => {
                let mut c =
                    PgConnection::establish(&self.target).map_err(Error::ConnectionError)?;
                let ms = self.timeout.as_millis();
                c.batch_execute(&format!(
                    "SET statement_timeout = {ms}; SET lock_timeout = {ms}; \
                     SET idle_in_transaction_session_timeout = 60000; SET TIME ZONE 'UTC';"
                ))
                .map_err(Error::QueryError)?;
                Ok(Conn::Pg(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        if std::thread::panicking() {
            return true;
        }
        match conn {
            Conn::Pg(c) => diesel::r2d2::R2D2Connection::is_broken(c),
            Conn::Sqlite(c) => diesel::r2d2::R2D2Connection::is_broken(c),
        }
    }
}

/// r2d2 logs every failed connection attempt at error level, many a second
/// while the database is away; [`Health`] logs the outage once instead.
#[derive(Debug)]
struct QuietErrors;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for QuietErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::debug!(%error, "database connection attempt failed");
    }
}

/// Whether the database answers, as requests find it: one log line when it
/// stops, one when it is back.
struct Health {
    down: AtomicBool,
    since: Mutex<Option<Instant>>,
    /// `host:port/db` or the SQLite path, for the log lines.
    target: String,
}

/// `s` on one line (libpq's messages span several), for the log.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Health {
    fn failed(&self, cause: &str) {
        let cause = one_line(cause);
        let mut since = self.since.lock().unwrap_or_else(|e| e.into_inner());
        if since.is_none() {
            *since = Some(Instant::now());
            self.down.store(true, Ordering::Release);
            tracing::error!(
                database = %self.target,
                "database unavailable: {cause}; answering 503 until it is back"
            );
        }
    }

    fn succeeded(&self) {
        if !self.down.load(Ordering::Acquire) {
            return;
        }
        let mut since = self.since.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = since.take() {
            self.down.store(false, Ordering::Release);
            tracing::warn!(
                database = %self.target,
                "database available again after {} s",
                t.elapsed().as_secs()
            );
        }
    }
}

tokio::task_local! {
    /// Set when a database outage failed part of the current request.
    static OUTAGE: Rc<Cell<bool>>;
}

/// Runs the future `make` builds (one request) and tells whether a
/// database outage failed any of the [`Db::run`] calls inside it.
pub fn watch<F: Future>(make: impl FnOnce() -> F) -> impl Future<Output = (F::Output, bool)> {
    let flag = Rc::new(Cell::new(false));
    let fut = OUTAGE.sync_scope(flag.clone(), make);
    async move {
        let out = OUTAGE.scope(flag.clone(), fut).await;
        (out, flag.get())
    }
}

/// Whether a database outage has failed part of the current request (false
/// outside [`watch`]). Error renderers log at a lower level then: the outage
/// itself is logged once.
pub fn outage_in_request() -> bool {
    OUTAGE.try_with(|f| f.get()).unwrap_or(false)
}

/// The database handle shared by every layer.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    health: Arc<Health>,
    /// How long a request waits for a connection.
    timeout: Duration,
}

impl Db {
    /// Opens (creating if needed) the database and runs pending migrations;
    /// several nodes starting at once run them one after the other.
    pub fn open(url: &str) -> Result<Db, DbError> {
        Db::open_with(url, DbOptions::default())
    }

    /// [`Db::open`] with a pool size and timeout. A PostgreSQL server that
    /// cannot be reached is tried again, with back-off, for six times the
    /// timeout; then this fails naming `host:port/db`.
    pub fn open_with(url: &str, options: DbOptions) -> Result<Db, DbError> {
        let (backend, target) = backend_of(url);
        let target = match backend {
            Backend::Pg => pg_target(target, options.timeout),
            Backend::Sqlite => target.to_string(),
        };
        let label = describe(url);
        let started = Instant::now();
        let give_up = started + options.timeout * 6;
        let mut pause = Duration::from_millis(500);
        let pool = loop {
            let manager = Manager {
                backend,
                target: target.clone(),
                timeout: options.timeout,
            };
            let built = Pool::builder()
                .max_size(options.pool_size)
                .min_idle(Some(1))
                // A PostgreSQL connection can die while idle (a restart, a
                // network cut): each is pinged before use. A SQLite
                // connection is a file handle and cannot.
                .test_on_check_out(backend == Backend::Pg)
                .connection_timeout(options.timeout)
                .error_handler(Box::new(QuietErrors))
                .build(manager);
            match built {
                Ok(pool) => break pool,
                Err(e) if backend == Backend::Pg && Instant::now() + pause < give_up => {
                    tracing::warn!(
                        database = %label,
                        "cannot reach the database yet ({}); trying again in {} ms",
                        one_line(&e.to_string()),
                        pause.as_millis()
                    );
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(10));
                }
                Err(e) if backend == Backend::Pg => {
                    return Err(DbError::Unreachable {
                        target: label,
                        waited: started.elapsed().as_secs(),
                        cause: one_line(&e.to_string()),
                    })
                }
                Err(e) => return Err(e.into()),
            }
        };
        let mut conn = pool.get()?;
        if let Conn::Sqlite(c) = &mut *conn {
            // WAL is a property of the file: set once. With synchronous=NORMAL
            // a committed transaction survives a process kill (not a power loss).
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
        write_tx(&mut conn, |conn| {
            let done = match conn {
                Conn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
                Conn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
            };
            done.map_err(|e| DbError::Migration(e.to_string()))
        })?;
        drop(conn);
        let health = Arc::new(Health {
            down: AtomicBool::new(false),
            since: Mutex::new(None),
            target: label,
        });
        Ok(Db {
            pool,
            backend,
            health,
            timeout: options.timeout,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the last use of the database found it unavailable.
    pub fn is_down(&self) -> bool {
        self.health.down.load(Ordering::Acquire)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool. An
    /// outage (no connection within the timeout, or an error after which
    /// the connection no longer answers) is noted for the request and
    /// logged once.
    pub async fn run<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        // While the database is known to be away, fail fast: requests (and
        // a load balancer's health checks) get their 503 within a second
        // rather than after the whole timeout.
        let wait = if self.is_down() {
            self.timeout.min(Duration::from_secs(1))
        } else {
            self.timeout
        };
        let joined = tokio::task::spawn_blocking(move || {
            let mut conn: PooledConnection<Manager> = match pool.get_timeout(wait) {
                Ok(c) => c,
                Err(e) => {
                    let cause = e.to_string();
                    return (Err(E::from(DbError::Pool(e))), Some(cause));
                }
            };
            let result = f(&mut conn);
            // Most errors are the caller's (a user not found); a lost
            // connection is told apart by a ping.
            let lost = match &result {
                Ok(_) => None,
                Err(_) => conn.batch_execute("SELECT 1").err().map(|e| e.to_string()),
            };
            (result, lost)
        })
        .await;
        let (result, lost) = joined.map_err(|e| E::from(DbError::Join(e.to_string())))?;
        match lost {
            Some(cause) => {
                self.health.failed(&cause);
                let _ = OUTAGE.try_with(|f| f.set(true));
            }
            None => self.health.succeeded(),
        }
        result
    }

    /// Runs `f` on the calling thread: for start-up, before the server runs.
    pub fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.pool.get()?;
        f(&mut conn)
    }

    /// Cheap liveness probe for `/health`.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| {
            conn.batch_execute("SELECT 1;")?;
            Ok::<_, DbError>(())
        })
        .await
    }
}

/// Runs `f` in a write transaction: SQLite's `BEGIN IMMEDIATE` (the write
/// lock taken up front, so read-then-write sequences never fail with
/// SQLITE_BUSY half-way), or on PostgreSQL `BEGIN` and an advisory lock
/// that every write transaction of every node takes — the same one writer
/// at a time, so read-then-write bodies stay correct across nodes. Inside
/// an enclosing transaction it becomes a savepoint of that one.
pub fn write_tx<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let depth = <Conn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth();
    if let Ok(Some(_)) = depth {
        return conn.transaction(f);
    }
    match conn {
        Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        Conn::Pg(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
            if let Err(e) = c.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
            {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e.into());
            }
        }
    }
    match f(conn) {
        Ok(value) => {
            <Conn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            let _ = <Conn as Connection>::TransactionManager::rollback_transaction(conn);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(backend_of("postgres://u@h/db").0, Backend::Pg);
        assert_eq!(backend_of("postgresql://u@h/db").0, Backend::Pg);
        assert_eq!(backend_of("sqlite://x.db"), (Backend::Sqlite, "x.db"));
        assert_eq!(backend_of("sqlite:x.db"), (Backend::Sqlite, "x.db"));
        assert_eq!(backend_of("cognate.db"), (Backend::Sqlite, "cognate.db"));
    }

    #[test]
    fn descriptions_name_host_port_and_database_never_the_password() {
        assert_eq!(
            describe("postgres://u:secret@db.example:6432/cognate?sslmode=disable"),
            "db.example:6432/cognate"
        );
        assert_eq!(describe("postgresql://u:secret@db/"), "db:5432/u");
        assert_eq!(
            describe("postgres:///x?host=/run/postgresql"),
            "/run/postgresql:5432/x"
        );
        assert_eq!(describe("sqlite://data/c.db"), "data/c.db");
    }

    #[test]
    fn libpq_gets_timeouts_unless_the_url_has_its_own() {
        let t = Duration::from_secs(10);
        assert_eq!(
            pg_target("postgres://u@h/db?sslmode=disable", t),
            "postgres://u@h/db?sslmode=disable&connect_timeout=10&tcp_user_timeout=10000"
        );
        assert_eq!(
            pg_target(
                "postgres://u@h/db?connect_timeout=3",
                Duration::from_secs(1)
            ),
            "postgres://u@h/db?connect_timeout=3&tcp_user_timeout=1000"
        );
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        use diesel::migration::MigrationSource;
        let names = |m: &EmbeddedMigrations| -> Vec<String> {
            MigrationSource::<diesel::pg::Pg>::migrations(m)
                .unwrap()
                .iter()
                .map(|m| m.name().to_string())
                .collect()
        };
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&PG_MIGRATIONS));
    }
}
