//! Storage: the connection pool, migrations, and the one helper that runs
//! blocking database work off the async workers.

pub mod schema;
pub mod settings;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub type Conn = SqliteConnection;
type Manager = ConnectionManager<Conn>;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

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

/// Settings applied to every pooled connection.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The database handle shared by every layer.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
}

impl Db {
    /// Opens (creating if needed) the database and runs pending migrations.
    pub fn open(url: &str) -> Result<Db, DbError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let manager = Manager::new(path);
        let pool = Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)?;
        let mut conn = pool.get()?;
        // WAL is a property of the file: set once. With synchronous=NORMAL a
        // committed transaction survives a process kill (not a power loss).
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(Db { pool })
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

/// Runs `f` inside `BEGIN IMMEDIATE`, so read-then-write sequences take the
/// write lock up front instead of failing with SQLITE_BUSY half-way. Inside
/// an enclosing transaction it becomes a savepoint of that one.
pub fn write_tx<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{Connection, TransactionManager};
    let depth = <Conn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth();
    match depth {
        Ok(Some(_)) => conn.transaction(f),
        _ => conn.immediate_transaction(f),
    }
}
