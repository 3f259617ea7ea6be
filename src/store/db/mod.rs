//! The narrow interface the use cases run their statements through, on either engine: a
//! statement ([`Sql`], its text in each dialect), its arguments bound once ([`Query::bind`],
//! for any value both engines encode), and rows out ([`Query::fetch_all`] and friends, into
//! any type both engines decode), on a pool ([`Pool`]) or a connection or transaction
//! ([`Conn`]).
//!
//! So a use case is written once and each engine differs only in the text of the statements
//! whose dialects differ. The engines' own machinery (SQLite's single writer, its WAL sync and
//! checkpoints) stays in their folders.
//!
//! Why not sqlx's `Any`: it decodes every row through a dynamic value and knows no dates,
//! while here each engine keeps its own typed driver and the choice costs one `match`.

pub mod dialect;

use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Arguments, Encode, FromRow, Postgres, Sqlite, Type};

/// One statement: its text in SQLite's dialect and in PostgreSQL's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sql {
    sqlite: &'static str,
    postgres: &'static str,
}

impl Sql {
    /// A statement whose dialects differ beyond placeholders: both texts, written out (the
    /// PostgreSQL one with `$n` placeholders).
    pub const fn each(sqlite: &'static str, postgres: &'static str) -> Self {
        Self { sqlite, postgres }
    }

    #[cfg(test)]
    pub const fn sqlite(&self) -> &'static str {
        self.sqlite
    }

    /// A statement put together while running from static SQLite text (a batch's): its
    /// PostgreSQL text is made once per text and kept (see [`dialect::postgres_static`]).
    pub fn of_static(sqlite: &'static str) -> Self {
        Self {
            sqlite,
            postgres: dialect::postgres_static(sqlite),
        }
    }

    /// The PostgreSQL text, for code of that engine's own (`store::postgres`).
    pub const fn postgres(&self) -> &'static str {
        self.postgres
    }
}

/// A statement written once, in SQLite's dialect with `?` placeholders, as an [`Sql`] whose
/// PostgreSQL text numbers them (see `dialect`). Takes a string literal, `concat!` or a
/// `const`.
macro_rules! sql {
    ($text:expr) => {{
        const TEXT: &str = $text;
        const LEN: usize = $crate::store::db::dialect::postgres_len(TEXT);
        const BYTES: [u8; LEN] = $crate::store::db::dialect::postgres_bytes::<LEN>(TEXT);
        const POSTGRES: &str = match std::str::from_utf8(&BYTES) {
            Ok(text) => text,
            Err(_) => panic!("a statement is UTF-8"),
        };
        $crate::store::db::Sql::each(TEXT, POSTGRES)
    }};
}
pub(crate) use sql;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A value both engines bind. Each engine encodes it as it is bound, so it need not outlive
/// the call.
pub trait Bind<'q>:
    Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send
{
}

impl<'q, T> Bind<'q> for T where
    T: Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send
{
}

/// A row type both engines decode.
pub trait Decode:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Decode for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// The database's connections.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// A statement to run on this pool or one of its connections.
    pub fn query(&self, sql: Sql) -> Query {
        Query::new(self.engine(), sql)
    }

    /// A connection of the pool's, for several statements in a row.
    pub async fn acquire(&self) -> Result<PoolConn, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => PoolConn::Sqlite(pool.acquire().await?),
            Self::Postgres(pool) => PoolConn::Postgres(pool.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// A connection taken from a [`Pool`]; [`PoolConn::conn`] runs statements on it.
pub enum PoolConn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl PoolConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
            Self::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

/// A connection, or a transaction, of either engine.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// A statement to run on this connection.
    pub fn query(&self, sql: Sql) -> Query {
        Query::new(self.engine(), sql)
    }

    /// The same connection for a shorter borrow, to hand to a helper and use again after.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
            Self::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

impl<'c> From<&'c mut SqliteConnection> for Conn<'c> {
    fn from(conn: &'c mut SqliteConnection) -> Self {
        Self::Sqlite(conn)
    }
}

impl<'c> From<&'c mut sqlx::pool::PoolConnection<Sqlite>> for Conn<'c> {
    fn from(conn: &'c mut sqlx::pool::PoolConnection<Sqlite>) -> Self {
        Self::Sqlite(conn)
    }
}

impl<'c> From<&'c mut PoolConn> for Conn<'c> {
    fn from(conn: &'c mut PoolConn) -> Self {
        conn.conn()
    }
}

/// Where a [`Query`] runs: a pool or a connection.
pub enum On<'a, 'c> {
    Pool(&'a Pool),
    Conn(&'a mut Conn<'c>),
}

impl<'a> From<&'a Pool> for On<'a, 'static> {
    fn from(pool: &'a Pool) -> Self {
        Self::Pool(pool)
    }
}

impl<'a, 'c> From<&'a mut Conn<'c>> for On<'a, 'c> {
    fn from(conn: &'a mut Conn<'c>) -> Self {
        Self::Conn(conn)
    }
}

/// A statement with its arguments, bound for one engine.
pub struct Query {
    sql: Sql,
    arguments: Bound,
    /// The first argument that failed to encode; the statement then fails when run.
    failed: Option<sqlx::error::BoxDynError>,
}

enum Bound {
    Sqlite(SqliteArguments),
    Postgres(PgArguments),
}

/// Runs `$run` with `$executor` bound to the engine's own executor and `$args` to its
/// arguments, for whichever engine the query and its target are of.
macro_rules! dispatch {
    ($query:expr, $on:expr, |$text:ident, $args:ident, $executor:ident| $run:expr) => {{
        let query = $query;
        if let Some(e) = query.failed {
            return Err(sqlx::Error::Encode(e));
        }
        match (query.arguments, $on.into()) {
            (Bound::Sqlite($args), On::Pool(Pool::Sqlite($executor))) => {
                let $text = query.sql.sqlite;
                $run
            }
            (Bound::Sqlite($args), On::Conn(Conn::Sqlite($executor))) => {
                let $text = query.sql.sqlite;
                let $executor = &mut **$executor;
                $run
            }
            (Bound::Postgres($args), On::Pool(Pool::Postgres($executor))) => {
                let $text = query.sql.postgres;
                $run
            }
            (Bound::Postgres($args), On::Conn(Conn::Postgres($executor))) => {
                let $text = query.sql.postgres;
                let $executor = &mut **$executor;
                $run
            }
            _ => unreachable!("a statement runs on the engine it was bound for"),
        }
    }};
}

impl Query {
    fn new(engine: Engine, sql: Sql) -> Self {
        Self {
            sql,
            arguments: match engine {
                Engine::Sqlite => Bound::Sqlite(SqliteArguments::default()),
                Engine::Postgres => Bound::Postgres(PgArguments::default()),
            },
            failed: None,
        }
    }

    pub fn bind<'q>(mut self, value: impl Bind<'q>) -> Self {
        self.push(value);
        self
    }

    pub fn engine(&self) -> Engine {
        match self.arguments {
            Bound::Sqlite(_) => Engine::Sqlite,
            Bound::Postgres(_) => Engine::Postgres,
        }
    }

    /// Binds text compared ignoring case by its column: SQLite's `COLLATE NOCASE` column does
    /// so whatever is bound; PostgreSQL's `CITEXT` only against a `citext` argument (a `text`
    /// one would make the comparison `text = text`, case and all).
    pub fn bind_nocase(mut self, value: &str) -> Self {
        let added = match &mut self.arguments {
            Bound::Sqlite(arguments) => arguments.add(value.to_owned()),
            Bound::Postgres(arguments) => {
                arguments.add(sqlx::postgres::types::PgCiText(value.to_owned()))
            }
        };
        if let (Err(e), None) = (added, &self.failed) {
            self.failed = Some(e);
        }
        self
    }

    /// Binds a JSON document: PostgreSQL's `JSONB`; on SQLite, its text.
    pub fn push_json(&mut self, value: serde_json::Value) {
        let added = match &mut self.arguments {
            Bound::Sqlite(arguments) => arguments.add(value.to_string()),
            Bound::Postgres(arguments) => arguments.add(sqlx::types::Json(value)),
        };
        if let (Err(e), None) = (added, &self.failed) {
            self.failed = Some(e);
        }
    }

    /// Binds the next argument in place (for a statement whose columns a function lists).
    pub fn push<'q>(&mut self, value: impl Bind<'q>) {
        let added = match &mut self.arguments {
            Bound::Sqlite(arguments) => arguments.add(value),
            Bound::Postgres(arguments) => arguments.add(value),
        };
        if let (Err(e), None) = (added, &self.failed) {
            self.failed = Some(e);
        }
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute<'a, 'c>(self, on: impl Into<On<'a, 'c>>) -> Result<u64, sqlx::Error>
    where
        'c: 'a,
    {
        dispatch!(self, on, |text, args, executor| {
            sqlx::query_with(text, args)
                .execute(executor)
                .await
                .map(|done| done.rows_affected())
        })
    }

    pub async fn fetch_all<'a, 'c, R: Decode>(
        self,
        on: impl Into<On<'a, 'c>>,
    ) -> Result<Vec<R>, sqlx::Error>
    where
        'c: 'a,
    {
        dispatch!(self, on, |text, args, executor| {
            sqlx::query_as_with(text, args).fetch_all(executor).await
        })
    }

    pub async fn fetch_optional<'a, 'c, R: Decode>(
        self,
        on: impl Into<On<'a, 'c>>,
    ) -> Result<Option<R>, sqlx::Error>
    where
        'c: 'a,
    {
        dispatch!(self, on, |text, args, executor| {
            sqlx::query_as_with(text, args)
                .fetch_optional(executor)
                .await
        })
    }

    pub async fn fetch_one<'a, 'c, R: Decode>(
        self,
        on: impl Into<On<'a, 'c>>,
    ) -> Result<R, sqlx::Error>
    where
        'c: 'a,
    {
        dispatch!(self, on, |text, args, executor| {
            sqlx::query_as_with(text, args).fetch_one(executor).await
        })
    }

    /// The first column of the only row.
    pub async fn fetch_scalar<'a, 'c, T>(self, on: impl Into<On<'a, 'c>>) -> Result<T, sqlx::Error>
    where
        'c: 'a,
        (T,): Decode,
    {
        self.fetch_one::<(T,)>(on).await.map(|(value,)| value)
    }

    /// The first column of each row.
    pub async fn fetch_column<'a, 'c, T>(
        self,
        on: impl Into<On<'a, 'c>>,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        'c: 'a,
        (T,): Decode,
    {
        self.fetch_all::<(T,)>(on)
            .await
            .map(|rows| rows.into_iter().map(|(value,)| value).collect())
    }
}
