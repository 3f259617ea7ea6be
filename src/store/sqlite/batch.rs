//! How SQLite runs a batch (`store::batch`): on the metadata writer's own thread through
//! rusqlite, one cached prepared statement each, rows of one statement gathered several to a
//! statement. And the writer's other helpers: a statement bound in place ([`Bound`]), its
//! errors, and its times.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use crate::core::CoreError;
use crate::core::metadata::MetaValue;
use crate::store::batch::{Arg, Args, Batch, Staged};

impl Batch {
    /// Runs the statements in order, stopping at the first that fails; the change records
    /// last. Rows of one statement in a run go several to a statement (see [`GATHERED_MOST`]).
    pub(in crate::store) fn run(self, db: &rusqlite::Connection) -> rusqlite::Result<()> {
        let (statements, records) = self.into_runs();
        let mut left = &statements[..];
        while let Some(first) = left.first() {
            let same = if first.row {
                left.iter()
                    .take_while(|staged| staged.row && staged.sql == first.sql)
                    .count()
            } else {
                1
            };
            let (run, rest) = left.split_at(same);
            run_rows(db, run)?;
            left = rest;
        }
        run_rows(db, &records)
    }
}

impl ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Int(Some(i)) => ToSqlOutput::Owned(Value::Integer(*i)),
            Self::Real(Some(f)) => ToSqlOutput::Owned(Value::Real(*f)),
            Self::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Self::Bool(Some(b)) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
            Self::Time(Some(at)) => ToSqlOutput::Owned(Value::Text(stored_time(*at))),
            Self::Meta(MetaValue::Text(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Self::Meta(MetaValue::Integer(i)) => ToSqlOutput::Owned(Value::Integer(*i)),
            Self::Meta(MetaValue::Float(f)) => ToSqlOutput::Owned(Value::Real(*f)),
            Self::Meta(MetaValue::Bool(b)) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
            Self::Int(None)
            | Self::Real(None)
            | Self::Text(None)
            | Self::Bool(None)
            | Self::Time(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

/// Runs `rows` (one statement alone, or rows of one statement) in as few statements as
/// [`GATHERED_MOST`] allows.
fn run_rows(db: &rusqlite::Connection, rows: &[Staged]) -> rusqlite::Result<()> {
    let mut left = rows;
    while let Some(first) = left.first() {
        // Chunks of powers of two: a handful of statements to cache, whatever the count.
        let count = GATHERED_MOST.min(1 << left.len().ilog2());
        let (chunk, rest) = left.split_at(count);
        let args = chunk.iter().flat_map(|staged| staged.args.iter());
        if count == 1 {
            db.prepare_cached(first.sql)?
                .execute(rusqlite::params_from_iter(args))?;
        } else {
            db.prepare_cached(&gathered(first.sql, count))?
                .execute(rusqlite::params_from_iter(args))?;
        }
        left = rest;
    }
    Ok(())
}

/// Most rows one statement inserts. A statement a row costs SQLite's setting up and
/// finishing of a statement each time, as much as the insert itself for the ten keys or the
/// thirteen records of an imported row.
const GATHERED_MOST: usize = 32;

/// `sql`, an `INSERT … VALUES (…) …` of one row, inserting `rows` rows: its `VALUES` tuple
/// repeated, whatever follows it kept.
fn gathered(sql: &str, rows: usize) -> String {
    let start = sql
        .find("VALUES")
        .and_then(|at| sql[at..].find('(').map(|open| at + open))
        .expect("a row's statement has a VALUES tuple");
    let mut depth = 0;
    let end = sql[start..]
        .char_indices()
        .find_map(|(at, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(start + at + 1)
        })
        .expect("a row's VALUES tuple is closed");
    let tuple = &sql[start..end];
    let mut gathered = String::with_capacity(sql.len() + (tuple.len() + 2) * rows);
    gathered.push_str(&sql[..end]);
    for _ in 1..rows {
        gathered.push_str(", ");
        gathered.push_str(tuple);
    }
    gathered.push_str(&sql[end..]);
    gathered
}

/// A prepared statement of the writer's, bound in place and run with [`Bound::execute`].
pub(in crate::store) struct Bound<'s, 'c> {
    statement: &'s mut rusqlite::Statement<'c>,
    next: usize,
    failed: Option<rusqlite::Error>,
}

impl<'s, 'c> Bound<'s, 'c> {
    pub(in crate::store) fn new(statement: &'s mut rusqlite::Statement<'c>) -> Self {
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

    pub(in crate::store) fn execute(self) -> rusqlite::Result<usize> {
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

/// The message of a unique violation (a taken id or name), which says which index refused.
pub(in crate::store) fn unique_violation(e: &rusqlite::Error) -> Option<&str> {
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
pub(in crate::store) fn failed(e: rusqlite::Error) -> CoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => CoreError::StorageFull(e.to_string()),
        _ => CoreError::Storage(e.to_string()),
    }
}

/// A time as the rest of the store writes it through sqlx, whose encoding this repeats:
/// RFC 3339 with a `T`, `+00:00` and only as many fraction digits as needed. The writer's
/// times must sort and compare with theirs as text.
/// A time column as [`stored_time`] wrote it, read on the metadata writer's connection.
pub(in crate::store) fn time_column(
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

pub(in crate::store) fn stored_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::{gathered, stored_time};
    use crate::store::batch::Batch;
    use crate::store::changes::APPEND;
    use crate::store::testing::temp_store;

    #[test]
    fn records_are_inserted_last_many_to_a_statement_in_their_order() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id, \
             resource_id, action, subject, old_value, new_value, at, set_pk); \
             CREATE TABLE change_sets (pk INTEGER PRIMARY KEY, tenant_id, id); \
             INSERT INTO change_sets VALUES (1, 'x', 'x'); CREATE TABLE keys (key);",
        )
        .unwrap();
        let mut batch = Batch::default();
        for n in 0..45 {
            batch.statement("INSERT INTO keys (key) VALUES (?)");
            batch.arg(format!("k{n}"));
            batch.statement(APPEND);
            for column in 0..9 {
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

    #[test]
    fn a_gathered_statement_repeats_its_tuple_and_keeps_what_follows_it() {
        assert_eq!(
            gathered(
                "INSERT INTO t (a, b) VALUES (?, (SELECT x FROM u WHERE y = ?)) ON CONFLICT (a) \
                 DO UPDATE SET b = excluded.b",
                3
            ),
            "INSERT INTO t (a, b) VALUES (?, (SELECT x FROM u WHERE y = ?)), \
             (?, (SELECT x FROM u WHERE y = ?)), (?, (SELECT x FROM u WHERE y = ?)) \
             ON CONFLICT (a) DO UPDATE SET b = excluded.b"
        );
    }

    #[test]
    fn gathered_rows_upsert_one_after_the_other_and_statements_keep_their_order() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE kv (k PRIMARY KEY, v, n DEFAULT 1); CREATE TABLE log (e);")
            .unwrap();
        const UPSERT: &str = "INSERT INTO kv (k, v) VALUES (?, ?) \
                              ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = n + 1";
        let mut batch = Batch::default();
        for (k, v) in [("a", 1), ("b", 2), ("a", 3)] {
            batch.row(UPSERT);
            batch.arg(k.to_owned());
            batch.arg(v);
        }
        // A statement between rows ends their run: it sees what came before it only.
        batch.statement("INSERT INTO log (e) SELECT group_concat(k || v) FROM kv");
        batch.row(UPSERT);
        batch.arg("b".to_owned());
        batch.arg(4);
        batch.run(&db).unwrap();
        let rows: Vec<(String, i64, i64)> = db
            .prepare("SELECT k, v, n FROM kv ORDER BY k")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [("a".into(), 3, 2), ("b".into(), 4, 2)]);
        let logged: String = db.query_row("SELECT e FROM log", [], |r| r.get(0)).unwrap();
        assert_eq!(logged, "a3,b2");
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
