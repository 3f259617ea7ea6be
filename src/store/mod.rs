//! The application layer: every use case Sitebook offers is a method of [`Store`] taking the
//! acting [`Actor`](crate::core::access::Actor), and the faces (the REST API, the Leptos pages,
//! the command line) are thin adapters that parse input, call one, and map its answer.
//!
//! A use case here checks the actor's permission, loads what the rules need, asks the domain
//! core to decide (a resource's governing site, whether a metadata write is admitted, whether
//! a new parent closes a loop, whether a tag change strands values, the metadata operations
//! themselves), and writes the outcome with its change records in one transaction. The
//! decisions live in plain core functions with their unit tests beside them; what stays here
//! is what needs the database: loading, counting, uniqueness, atomicity.
//!
//! Every SQL statement Sitebook runs lives below this module, one file per aggregate.

mod access_tokens;
mod aggregates;
mod bare_tags;
mod batch;
pub mod blobs;
mod bulk_import;
mod cache;
mod change_sets;
mod changes;
pub(crate) mod db;
pub mod durability;
mod export;
mod files;
mod grants;
mod import;
mod listing;
mod members;
mod metadata;
mod postgres;
mod removal;
mod resources;
mod revert;
mod rows;
mod search;
mod server_tags;
mod sessions;
mod settings;
pub mod sqlite;
mod stream_search;
mod stream_tags;
mod streams;
mod tags;
mod tokens;
pub mod unchecked;
mod users;

#[cfg(test)]
pub(crate) mod testing;

pub use crate::core::access::{ApiToken, Grant, User};

pub use change_sets::{ChangeSetFilter, ChangeSetPage};
pub use export::{ExportColumns, Exported};
pub use files::{FileChange, NewFile};
pub use import::ImportItem;
pub use metadata::MetadataTarget;
pub use revert::Reverted;
pub use search::SEARCH_CONNECTIONS;
pub use server_tags::ServerTags;
pub use sessions::Session;
pub use streams::{ListedType, Namespace, StoredStream, StoredType};

use crate::core::error::Clash;
use db::sql;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::core::CoreError;
use crate::core::tenancy::TenantId;
use crate::store::blobs::LocalDisk;
use crate::store::durability::Durability;
use sqlite::{checkpointer, metadata_writer, wal_sync};

/// The schema's migrations, applied at start-up.
pub static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// PostgreSQL's, the same schema in its dialect.
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The time now, to the microsecond: what PostgreSQL keeps of a time, so a time written and
/// read back is the same on either engine.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// The key of PostgreSQL's advisory lock that write transactions take in turn.
const WRITE_LOCK: i64 = 0x5174_e800_0001;

/// The database and the file blobs behind the core. Cheap to clone: one shared pointer, so
/// every handler's copy costs one reference count rather than one per part.
#[derive(Clone, Debug)]
pub struct Store(Arc<StoreParts>);

#[derive(Debug)]
pub struct StoreParts {
    /// The database, for the statements that run on either engine (see `db`).
    db: db::Pool,
    /// SQLite's own machinery; `None` on PostgreSQL.
    sqlite: Option<SqliteParts>,
    blobs: LocalDisk,
    cache: Arc<cache::ReadCache>,
    password_checks: sessions::PasswordChecks,
    search_limits: parking_lot::Mutex<crate::core::search::SearchLimits>,
    /// Halted by the first failed sync, after which no write is acknowledged.
    durability: Arc<Durability>,
}

/// What only a SQLite store has.
#[derive(Debug)]
pub struct SqliteParts {
    pool: SqlitePool,
    /// Searches' own connections (see `search`), so no search can hold one the rest need.
    searches: SqlitePool,
    /// Writers queue here, in this process, instead of polling SQLite's lock: a busy SQLite
    /// writer makes others sleep in growing steps, which shows up as long tail latencies.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Metadata writes go through here, committed in groups (see `metadata_writer`), and so
    /// do imports, as transactions of their own.
    writer: metadata_writer::Writer,
    checkpointer: checkpointer::Checkpointer,
}

impl StoreParts {
    /// SQLite's machinery, for what runs on SQLite alone so far.
    fn sqlite(&self) -> &SqliteParts {
        self.sqlite
            .as_ref()
            .expect("this operation runs on SQLite only so far")
    }
}

impl std::ops::Deref for StoreParts {
    type Target = SqliteParts;
    fn deref(&self) -> &SqliteParts {
        self.sqlite()
    }
}

impl std::ops::Deref for Store {
    type Target = StoreParts;
    fn deref(&self) -> &StoreParts {
        &self.0
    }
}

/// A write transaction: on SQLite, holding the process's write turn. It derefs to SQLite's
/// connection for the statements that run on SQLite alone so far.
pub(crate) struct WriteTx {
    engine: EngineTx,
    durability: Arc<Durability>,
}

enum EngineTx {
    Sqlite {
        tx: sqlx::Transaction<'static, sqlx::Sqlite>,
        _turn: tokio::sync::OwnedMutexGuard<()>,
        checkpointer: checkpointer::Checkpointer,
    },
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        let committed = match self.engine {
            EngineTx::Sqlite {
                tx, checkpointer, ..
            } => tx.commit().await.map(|()| checkpointer.committed()),
            EngineTx::Postgres(tx) => tx.commit().await,
        };
        if let Err(e) = &committed
            && is_sync_failure(e)
        {
            self.durability.halt("syncing a commit", e);
        }
        committed
    }

    /// The transaction's connection, to run statements on through `db`.
    pub(crate) fn conn(&mut self) -> db::Conn<'_> {
        match &mut self.engine {
            EngineTx::Sqlite { tx, .. } => db::Conn::Sqlite(tx),
            EngineTx::Postgres(tx) => db::Conn::Postgres(tx),
        }
    }
}

impl<'c> From<&'c mut WriteTx> for db::Conn<'c> {
    fn from(tx: &'c mut WriteTx) -> Self {
        tx.conn()
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        match &self.engine {
            EngineTx::Sqlite { tx, .. } => tx,
            EngineTx::Postgres(_) => panic!("this statement runs on SQLite only so far"),
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.engine {
            EngineTx::Sqlite { tx, .. } => tx,
            EngineTx::Postgres(_) => panic!("this statement runs on SQLite only so far"),
        }
    }
}

impl std::fmt::Debug for cache::ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadCache")
    }
}

impl Store {
    /// Removes uploads a crash left half-written (see `LocalDisk::clear_abandoned_uploads`):
    /// for the server's start only, with its own start time, never for other commands.
    pub fn clear_abandoned_uploads(
        &self,
        before: std::time::SystemTime,
    ) -> Result<usize, CoreError> {
        self.blobs.clear_abandoned_uploads(before)
    }

    /// Opens (creating if needed) the SQLite file at `path` and applies pending migrations;
    /// file bytes go to `files/` beside it.
    pub async fn open_file(path: &Path) -> Result<Self, CoreError> {
        let files = path.with_file_name("files");
        Self::open(SqliteConnectOptions::new().filename(path), &files).await
    }

    /// Opens a database from a `sqlite:` URL, such as `sqlite://data/sitebook.db`, keeping
    /// file bytes in `files_dir`.
    pub async fn open_url(url: &str, files_dir: &Path) -> Result<Self, CoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| CoreError::Storage(format!("bad database URL {url:?}: {e}")))?;
        Self::open(options, files_dir).await
    }

    async fn open(options: SqliteConnectOptions, files_dir: &Path) -> Result<Self, CoreError> {
        let options = options
            .create_if_missing(true)
            // WAL lets readers run beside the one writer. FULL sync makes every commit reach
            // the disk before it is acknowledged, so an answered write survives a power loss
            // (NORMAL alone could lose the last ones); group commit (see `metadata_writer`)
            // pays the fsync once per group of writes rather than per write. The metadata
            // writer's connection syncs on another thread instead (see `wal_sync`).
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Checkpoints run in the background (see `checkpointer`); SQLite's own, inside a
            // commit, only when that falls behind.
            .pragma("wal_autocheckpoint", checkpointer::BACKSTOP_PAGES)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A connection to a local file cannot go stale, so the default ping before every
            // checkout is one more trip to the connection's thread for nothing.
            .test_before_acquire(false)
            .after_release(|conn, _| Box::pin(still_usable(conn)))
            .connect_with(options.clone())
            .await
            .map_err(storage)?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| CoreError::Storage(format!("migration failed: {e}")))?;
        // Opened as searches first need them. They only read: `query_only` (set after the
        // journal mode, which the options apply first) refuses any write made through them.
        let searches = SqlitePoolOptions::new()
            .max_connections(search::SEARCH_CONNECTIONS)
            .min_connections(0)
            .test_before_acquire(false)
            .connect_lazy_with(options.clone().pragma("query_only", "ON"));
        // 128 MiB of metadata records (about 200,000 records of three keys each), and the
        // tokens in use.
        let cache = Arc::new(cache::ReadCache::new(128 << 20, 10_000, 100_000));
        let write_lock = Arc::new(tokio::sync::Mutex::new(()));
        // The WAL exists now: the migrations' connections hold it open. A database without
        // one (in memory) keeps syncing in each commit.
        let database = options.get_filename();
        let wal = format!("{}-wal", database.display());
        let durability = Arc::new(Durability::default());
        let wal_sync = wal_sync::WalSync::start(Path::new(&wal), durability.clone()).ok();
        let writer_connection = options
            .clone()
            // Its pages stay valid between writes (see `Writer::start`), so it may as well
            // keep many: 32 MiB.
            .pragma("cache_size", "-32768")
            // A statement that cascades (a delete takes its keys and tag values with it) keeps
            // a statement journal; in a file, each such statement of a revert or a delete of
            // thousands writes to disk for nothing a crash could use.
            .pragma("temp_store", "memory")
            .synchronous(if wal_sync.is_some() {
                SqliteSynchronous::Normal
            } else {
                SqliteSynchronous::Full
            })
            .connect()
            .await
            .map_err(storage)?;

        let checkpointer = checkpointer::Checkpointer::start(
            options.clone().connect().await.map_err(storage)?,
            tokio::fs::OpenOptions::new()
                .write(true)
                .open(database)
                .await
                .ok(),
            write_lock.clone(),
            durability.clone(),
        );
        let writer = metadata_writer::Writer::start(
            metadata_writer::Shared {
                cache: cache.clone(),
                write_lock: write_lock.clone(),
                checkpointer: checkpointer.clone(),
                durability: durability.clone(),
                #[cfg(test)]
                groups: Default::default(),
            },
            writer_connection,
            wal_sync,
        )?;
        Ok(Self(Arc::new(StoreParts {
            db: db::Pool::Sqlite(pool.clone()),
            sqlite: Some(SqliteParts {
                pool,
                searches,
                write_lock,
                writer,
                checkpointer,
            }),
            blobs: LocalDisk::open(files_dir, durability.clone())?,
            cache,
            password_checks: Default::default(),
            search_limits: Default::default(),
            durability,
        })))
    }

    /// Why the store stopped acknowledging writes, if it has (see `durability`).
    pub fn writes_halted(&self) -> Option<&str> {
        self.durability.halted()
    }

    /// What a failed sync does, for the tests of what answers it (`web::health`).
    #[cfg(test)]
    pub(crate) fn halt_writes_for_tests(&self, what: &str, error: &dyn std::fmt::Display) {
        self.durability.halt(what, error);
    }

    /// Opens the PostgreSQL database at `url` (`postgres://…`), applying pending migrations;
    /// file bytes go to `files_dir`.
    pub async fn open_postgres(url: &str, files_dir: &Path) -> Result<Self, CoreError> {
        let options = sqlx::postgres::PgConnectOptions::from_str(url)
            .map_err(|e| CoreError::Storage(format!("bad database URL: {e}")))?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(32)
            .connect_with(options)
            .await
            .map_err(storage)?;
        POSTGRES_MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| CoreError::Storage(format!("migration failed: {e}")))?;
        let durability = Arc::new(Durability::default());
        Ok(Self(Arc::new(StoreParts {
            db: db::Pool::Postgres(pool),
            sqlite: None,
            blobs: LocalDisk::open(files_dir, durability.clone())?,
            cache: Arc::new(cache::ReadCache::new(128 << 20, 10_000, 100_000)),
            password_checks: Default::default(),
            search_limits: Default::default(),
            durability,
        })))
    }

    /// Whether the database answers: one trivial query.
    pub async fn ping(&self) -> Result<(), CoreError> {
        self.db
            .query(sql!("SELECT 1"))
            .execute(&self.db)
            .await
            .map(|_| ())
            .map_err(storage)
    }

    /// The connection settings in force, as SQLite reports them (for tests and diagnostics).
    pub async fn settings(&self) -> Result<StoreSettings, CoreError> {
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let (journal_mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .map_err(storage)?;
        let (foreign_keys,): (bool,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .map_err(storage)?;
        Ok(StoreSettings {
            journal_mode,
            foreign_keys,
        })
    }

    /// Starts a write transaction that takes SQLite's write lock at once. A deferred `BEGIN`
    /// that reads first and writes later can fail with SQLITE_BUSY when another writer got in
    /// between, which the busy timeout cannot wait out; `BEGIN IMMEDIATE` queues instead.
    pub(crate) async fn write_tx(&self) -> Result<WriteTx, CoreError> {
        self.durability.check()?;
        let engine = match &self.sqlite {
            Some(sqlite) => {
                let turn = sqlite.write_lock.clone().lock_owned().await;
                // Halted while this waited for its turn.
                self.durability.check()?;
                let tx = sqlite
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(storage)?;
                EngineTx::Sqlite {
                    tx,
                    _turn: turn,
                    checkpointer: sqlite.checkpointer.clone(),
                }
            }
            None => {
                let db::Pool::Postgres(pool) = &self.db else {
                    unreachable!("a store without SQLite's parts is on PostgreSQL")
                };
                let mut tx = pool.begin().await.map_err(storage)?;
                // One writer at a time across every server, as on SQLite: the rules that
                // count or compare rows (the last admin, a name taken) see a settled state.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage)?;
                EngineTx::Postgres(tx)
            }
        };
        Ok(WriteTx {
            engine,
            durability: self.durability.clone(),
        })
    }

    /// Adds a tenant (the `default` one always exists). Ids are chosen by the operator.
    pub async fn create_tenant(&self, id: &TenantId, name: &str) -> Result<(), CoreError> {
        self.db
            .query(sql!(
                "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)"
            ))
            .bind(id.as_str())
            .bind(name)
            .bind(crate::store::now())
            .execute(&self.db)
            .await
            .map_err(unique_or(|| {
                CoreError::Conflict(
                    Clash::IdTaken,
                    format!("A tenant with the id '{}' already exists.", id.as_str()),
                )
            }))?;
        Ok(())
    }

    /// Changes how long searches may run and wait (see [`SearchLimits`]): for tests, which
    /// make the deadline tiny to see a search cut off without a slow one.
    ///
    /// [`SearchLimits`]: crate::core::search::SearchLimits
    pub fn set_search_limits(&self, limits: crate::core::search::SearchLimits) {
        *self.search_limits.lock() = limits;
    }

    pub(crate) fn search_limits(&self) -> crate::core::search::SearchLimits {
        *self.search_limits.lock()
    }

    /// The pool searches run on.
    #[cfg(test)]
    pub(crate) fn search_pool(&self) -> &SqlitePool {
        &self.searches
    }

    pub async fn close(&self) {
        if let Some(sqlite) = &self.sqlite {
            sqlite.searches.close().await;
        }
        self.db.close().await;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub journal_mode: String,
    pub foreign_keys: bool,
}

/// Whether a connection going back to the pool may be handed out again. SQLite rolls a
/// transaction back by itself on some failures (a full disk, an I/O error); sqlx does not
/// notice, so its own rollback then fails and it counts the connection as inside a
/// transaction for good, refusing every later `BEGIN` on it: every write that drew it would
/// answer 500 until a restart, long after the disk had room again. Such a connection is closed
/// instead (the pool opens a fresh one).
async fn still_usable(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if conn.is_in_transaction() {
        // A dropped transaction's rollback is queued on the connection's thread; once this
        // round trip is back, it has run, and the count is what it will stay.
        conn.ping().await?;
        if conn.is_in_transaction() {
            tracing::warn!("closing a database connection whose transaction SQLite ended itself");
            return Ok(false);
        }
    }
    Ok(true)
}

/// Maps a unique-constraint violation to the conflict the caller names; any other error is a
/// storage fault.
fn unique_or(conflict: impl FnOnce() -> CoreError) -> impl FnOnce(sqlx::Error) -> CoreError {
    move |e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => conflict(),
        e => storage(e),
    }
}

/// Refuses a write whose `If-Match` names a version other than the current one.
fn check_version(what: &'static str, current: i64, expected: Option<i64>) -> Result<(), CoreError> {
    match expected {
        Some(expected) if expected != current => {
            Err(CoreError::PreconditionFailed { what, current })
        }
        _ => Ok(()),
    }
}

fn storage(e: sqlx::Error) -> CoreError {
    if is_disk_full(&e) {
        CoreError::StorageFull(e.to_string())
    } else {
        CoreError::Storage(e.to_string())
    }
}

/// SQLite's `SQLITE_IOERR_FSYNC` and `SQLITE_IOERR_DIR_FSYNC`: a commit that could not be
/// made durable. (PostgreSQL's server handles its own: it stops rather than go on.)
fn is_sync_failure(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db)
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() =>
        {
            db.code().is_some_and(|code| {
                code.parse::<i32>().is_ok_and(|code| {
                    code == rusqlite::ffi::SQLITE_IOERR_FSYNC
                        || code == rusqlite::ffi::SQLITE_IOERR_DIR_FSYNC
                })
            })
        }
        _ => false,
    }
}

/// SQLite's `SQLITE_FULL` (13), which it answers when a write to the database, its journal or
/// its WAL finds the disk full, or an I/O error saying the same; PostgreSQL's `disk_full`.
fn is_disk_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                return pg.code() == "53100";
            }
            db.code().is_some_and(|code| {
                code.parse::<i32>()
                    .is_ok_and(|code| code & 0xff == rusqlite::ffi::SQLITE_FULL)
            })
        }
        sqlx::Error::Io(e) => crate::core::error::is_out_of_space(e),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp_store;
    use super::*;

    /// Used to: after a failed fsync the store went on acknowledging writes. Now the first
    /// failure (here as the WAL sync, a commit, a blob or a checkpoint would report it)
    /// stops every kind of write until restart, and reads go on.
    #[tokio::test]
    async fn after_a_failed_sync_no_write_is_acknowledged_and_reads_go_on() {
        use crate::core::metadata::{MetaKey, MetaValue, Precondition};
        use crate::core::resources::{ResourceName, ResourceType};
        use crate::store::blobs::{BlobStore, BlobUpload};
        use testing::{manager, site, staff};

        let (_dir, store) = temp_store().await;
        let hq = site(&store, "HQ", 1).await;
        let entry = |n: i64| (MetaKey::parse("speed").unwrap(), MetaValue::Integer(n));
        let (writer, any) = (manager(), Precondition::Any);
        let put =
            |n| store.put_metadata_key(&writer, &hq, entry(n).into(), &any, Default::default());
        put(1).await.unwrap();
        let mut upload = store.blobs().begin_upload(100).await.unwrap();
        upload.write(b"half sent").await.unwrap();

        store
            .durability
            .halt("syncing the WAL", &"Input/output error");
        assert_eq!(
            store.writes_halted(),
            Some("syncing the WAL failed: Input/output error")
        );
        let halted = |result: Result<_, CoreError>| matches!(result, Err(CoreError::WritesHalted(why)) if why.contains("Input/output"));
        assert!(halted(put(2).await.map(|_| ())));
        assert!(halted(
            store
                .create_resource(
                    &manager(),
                    &ResourceType::site(),
                    &ResourceName::parse("Branch").unwrap(),
                    2,
                )
                .await
                .map(|_| ())
        ));
        assert!(halted(upload.finish().await.map(|_| ())));
        assert!(halted(store.blobs().begin_upload(100).await.map(|_| ())));

        let read = store.read_metadata(&staff(), &hq).await.unwrap();
        assert_eq!(read.metadata().get("speed"), Some(&MetaValue::Integer(1)));
    }

    /// A database that cannot grow answers SQLITE_FULL, as a full disk makes it: that is
    /// `StorageFull`, not a fault. (`max_page_count` stands in for the disk here.)
    #[tokio::test]
    async fn a_database_that_cannot_grow_is_out_of_storage() {
        let (_dir, store) = temp_store().await;
        let mut tx = store.write_tx().await.unwrap();
        let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA max_page_count = {pages}"
        )))
        .execute(&mut *tx)
        .await
        .unwrap();
        let e = sqlx::query("CREATE TABLE filler AS SELECT zeroblob(1000000) AS x")
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert!(
            matches!(storage(e), CoreError::StorageFull(_)),
            "SQLITE_FULL is out of storage"
        );
    }

    /// SQLite rolls a transaction back by itself on some failures (a full disk among them),
    /// and sqlx, not knowing, then counts the connection as inside a transaction for good:
    /// every later write on it would fail. Such a connection must not be handed out again.
    #[tokio::test]
    async fn a_connection_whose_transaction_sqlite_ended_is_not_reused() {
        let (_dir, store) = temp_store().await;
        {
            let mut tx = store.write_tx().await.unwrap();
            // What SQLite's own rollback does, behind sqlx's back.
            sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        }
        for _ in 0..16 {
            let tx = store
                .write_tx()
                .await
                .expect("every connection handed out works");
            tx.commit().await.unwrap();
        }
    }
}
