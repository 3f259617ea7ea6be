//! The statements of a group of metadata writes, gathered while each write is planned and run
//! together at the end, so that a failure of any of them fails the group as a whole (see
//! `metadata_writer`). They run on the writer's own thread through rusqlite, one cached
//! prepared statement each.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;

use super::changes;
use crate::core::CoreError;

#[derive(Default)]
pub(super) struct Batch {
    statements: Vec<(&'static str, Vec<Value>)>,
    /// The change set whose header was staged last, so a write's records open it once.
    open_set: Option<crate::core::change_sets::ChangeSetId>,
    /// Change records are left out: a preview's writes are rolled back, and records (no
    /// constraint can refuse one) would only double what it writes.
    without_records: bool,
}

impl Batch {
    /// A batch whose writes will be rolled back: change records are not staged.
    pub(super) fn without_records() -> Self {
        Self {
            without_records: true,
            ..Self::default()
        }
    }

    /// Whether change records are staged (see [`Batch::without_records`]).
    pub(super) fn records(&self) -> bool {
        !self.without_records
    }

    /// Whether a record of change set `id` must open it first: true once per run of records
    /// of one set (opening is idempotent, so a set met again later is merely opened again).
    pub(super) fn opens_set(&mut self, id: &crate::core::change_sets::ChangeSetId) -> bool {
        if self.open_set.as_ref() == Some(id) {
            return false;
        }
        self.open_set = Some(id.clone());
        true
    }

    /// Appends a statement; its arguments follow with [`Batch::arg`].
    pub(super) fn statement(&mut self, sql: &'static str) {
        self.statements.push((sql, Vec::new()));
    }

    /// The next argument of the statement appended last.
    pub(super) fn arg(&mut self, value: impl Into<Value>) {
        let (_, args) = self
            .statements
            .last_mut()
            .expect("an argument follows its statement");
        args.push(value.into());
    }

    /// A time argument, as every other write stores one (see [`stored_time`]).
    pub(super) fn time(&mut self, at: DateTime<Utc>) {
        self.arg(stored_time(at));
    }

    /// Runs the statements in order, stopping at the first that fails; the change records
    /// last, several to a statement (see [`GATHERED_MOST`]).
    pub(super) fn run(self, db: &rusqlite::Connection) -> rusqlite::Result<()> {
        let mut records: Vec<Vec<Value>> = Vec::new();
        for (sql, args) in self.statements {
            // No statement of a batch reads the records, so they may wait for the rest.
            if sql == changes::APPEND {
                records.push(args);
                continue;
            }
            db.prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(args))?;
        }
        let mut left = &records[..];
        while !left.is_empty() {
            // Chunks of powers of two: a handful of statements to cache, whatever the count.
            let rows = GATHERED_MOST.min(1 << left.len().ilog2());
            let (chunk, rest) = left.split_at(rows);
            db.prepare_cached(&gathered_records(rows))?
                .execute(rusqlite::params_from_iter(chunk.iter().flatten()))?;
            left = rest;
        }
        Ok(())
    }
}

/// Most change records one statement inserts. A statement a record costs SQLite's setting up
/// and finishing of a statement each time, as much as the insert itself for the thirteen
/// records of an imported row or of a deleted resource.
const GATHERED_MOST: usize = 32;

/// [`changes::APPEND`] inserting `rows` records.
fn gathered_records(rows: usize) -> String {
    let values = changes::APPEND
        .find("VALUES")
        .map(|at| &changes::APPEND[at + "VALUES".len()..])
        .unwrap_or_default()
        .trim();
    let mut sql = changes::APPEND.to_owned();
    for _ in 1..rows {
        sql.push_str(", ");
        sql.push_str(values);
    }
    sql
}

/// Where a statement's arguments go: a batch of the writer's, a statement the writer runs at
/// once, or a sqlx query. A statement run on both paths lists its columns once, in a function
/// generic over this, so the two cannot drift apart. Each sink copies only what it copied
/// before: the batch owns its arguments, the other two bind borrowed ones.
pub(super) trait Args {
    fn text(&mut self, value: &str);
    fn maybe_text(&mut self, value: Option<&str>);
    /// Text made for this statement alone, handed over rather than copied.
    fn made_text(&mut self, value: Option<String>);
    fn time(&mut self, at: DateTime<Utc>);
}

impl Args for Batch {
    fn text(&mut self, value: &str) {
        self.arg(value.to_owned());
    }

    fn maybe_text(&mut self, value: Option<&str>) {
        self.arg(value.map(str::to_owned));
    }

    fn made_text(&mut self, value: Option<String>) {
        self.arg(value);
    }

    fn time(&mut self, at: DateTime<Utc>) {
        Batch::time(self, at);
    }
}

/// A prepared statement of the writer's, bound in place and run with [`Bound::execute`].
pub(super) struct Bound<'s, 'c> {
    statement: &'s mut rusqlite::Statement<'c>,
    next: usize,
    failed: Option<rusqlite::Error>,
}

impl<'s, 'c> Bound<'s, 'c> {
    pub(super) fn new(statement: &'s mut rusqlite::Statement<'c>) -> Self {
        Self {
            statement,
            next: 1,
            failed: None,
        }
    }

    fn bind(&mut self, value: impl rusqlite::ToSql) {
        if self.failed.is_none()
            && let Err(e) = self.statement.raw_bind_parameter(self.next, value)
        {
            self.failed = Some(e);
        }
        self.next += 1;
    }

    pub(super) fn execute(self) -> rusqlite::Result<usize> {
        match self.failed {
            Some(e) => Err(e),
            None => self.statement.raw_execute(),
        }
    }
}

impl Args for Bound<'_, '_> {
    fn text(&mut self, value: &str) {
        self.bind(value);
    }

    fn maybe_text(&mut self, value: Option<&str>) {
        self.bind(value);
    }

    fn made_text(&mut self, value: Option<String>) {
        self.bind(value);
    }

    fn time(&mut self, at: DateTime<Utc>) {
        self.bind(stored_time(at));
    }
}

/// A sqlx query's arguments; the first that fails to encode is kept for [`Query::arguments`].
#[derive(Default)]
pub(super) struct Query {
    arguments: sqlx::sqlite::SqliteArguments,
    failed: Option<sqlx::error::BoxDynError>,
}

impl Query {
    fn add<'t, T: sqlx::Encode<'t, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(&mut self, value: T) {
        use sqlx::Arguments;
        if self.failed.is_none()
            && let Err(e) = self.arguments.add(value)
        {
            self.failed = Some(e);
        }
    }

    pub(super) fn arguments(self) -> Result<sqlx::sqlite::SqliteArguments, CoreError> {
        match self.failed {
            Some(e) => Err(CoreError::Storage(e.to_string())),
            None => Ok(self.arguments),
        }
    }
}

impl Args for Query {
    fn text(&mut self, value: &str) {
        self.add(value);
    }

    fn maybe_text(&mut self, value: Option<&str>) {
        self.add(value);
    }

    fn made_text(&mut self, value: Option<String>) {
        self.add(value);
    }

    fn time(&mut self, at: DateTime<Utc>) {
        self.add(at);
    }
}

/// The message of a unique violation (a taken id or name), which says which index refused.
pub(super) fn unique_violation(e: &rusqlite::Error) -> Option<&str> {
    match e {
        rusqlite::Error::SqliteFailure(failure, message)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            Some(message.as_deref().unwrap_or(""))
        }
        _ => None,
    }
}

/// Any other failure of the writer's statements.
pub(super) fn failed(e: rusqlite::Error) -> CoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => CoreError::StorageFull(e.to_string()),
        _ => CoreError::Storage(e.to_string()),
    }
}

/// A time as the rest of the store writes it through sqlx, whose encoding this repeats:
/// RFC 3339 with a `T`, `+00:00` and only as many fraction digits as needed. The writer's
/// times must sort and compare with theirs as text.
/// A time column as [`stored_time`] wrote it, read on the metadata writer's connection.
pub(super) fn time_column(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(index)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
}

pub(super) fn stored_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::{Batch, stored_time};
    use crate::store::changes::APPEND;
    use crate::store::testing::temp_store;

    #[test]
    fn records_are_inserted_last_many_to_a_statement_in_their_order() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id, \
             resource_id, actor_id, actor_type, action, subject, old_value, new_value, \
             request_id, at, change_set); CREATE TABLE keys (key);",
        )
        .unwrap();
        let mut batch = Batch::default();
        for n in 0..45 {
            batch.statement("INSERT INTO keys (key) VALUES (?)");
            batch.arg(format!("k{n}"));
            batch.statement(APPEND);
            for column in 0..11 {
                batch.arg(if column == 1 {
                    format!("r{n}")
                } else {
                    "x".into()
                });
            }
        }
        batch.run(&db).unwrap();
        let order: Vec<String> = db
            .prepare("SELECT resource_id FROM changes ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(order, (0..45).map(|n| format!("r{n}")).collect::<Vec<_>>());
        let keys: i64 = db
            .query_row("SELECT count(*) FROM keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(keys, 45);
    }

    #[tokio::test]
    async fn times_are_stored_exactly_as_sqlx_stores_them() {
        let (_dir, store) = temp_store().await;
        let times = [
            Utc.with_ymd_and_hms(2026, 11, 23, 22, 9, 0).unwrap(),
            Utc.timestamp_opt(1_795_000_000, 120_000_000).unwrap(),
            Utc.timestamp_opt(1_795_000_000, 123_456_789).unwrap(),
        ];
        for at in times {
            let (by_sqlx,): (String,) = sqlx::query_as("SELECT ?")
                .bind(at)
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert_eq!(stored_time(at), by_sqlx);
        }
    }
}
