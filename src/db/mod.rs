//! Storage: the connection pool, migrations, and the one helper that runs
//! blocking database work off the async workers.

pub mod schema;
pub mod settings;

use std::time::Duration;

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
        match conn {
            Conn::Pg(c) => diesel::r2d2::R2D2Connection::is_broken(c),
            Conn::Sqlite(c) => diesel::r2d2::R2D2Connection::is_broken(c),
        }
    }
}

/// The database handle shared by every layer.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
}

impl Db {
    /// Opens (creating if needed) the database and runs pending migrations;
    /// several nodes starting at once run them one after the other.
    pub fn open(url: &str) -> Result<Db, DbError> {
        Db::open_with(url, DbOptions::default())
    }

    /// [`Db::open`] with a pool size and timeout.
    pub fn open_with(url: &str, options: DbOptions) -> Result<Db, DbError> {
        let (backend, target) = backend_of(url);
        let manager = Manager {
            backend,
            target: target.to_string(),
            timeout: options.timeout,
        };
        let pool = Pool::builder()
            .max_size(options.pool_size)
            .min_idle(Some(1))
            .connection_timeout(options.timeout)
            .build(manager)?;
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
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn: PooledConnection<Manager> = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(DbError::Join(e.to_string())))?
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
