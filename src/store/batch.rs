//! The statements of a write, gathered while it is planned and run together at the end, so
//! that a failure of any of them fails the write (or the group of writes) as a whole. The
//! planning is the same on both engines, and so is running it through sqlx inside a write's
//! transaction ([`Batch::run_on`]); SQLite's metadata writer runs it on its own thread through
//! rusqlite instead, rows gathered several to a statement (`sqlite::batch`).
//!
//! Statements are written once, in SQLite's dialect (see `db::dialect`). Arguments keep their
//! type, null ones too, because PostgreSQL checks a parameter's type against its column where
//! SQLite stores whatever it is given.

use chrono::{DateTime, Utc};

use crate::core::metadata::MetaValue;
use crate::store::changes;
use crate::store::db::{Conn, Engine, Query, Sql};

#[derive(Default)]
pub(in crate::store) struct Batch {
    statements: Vec<Staged>,
    /// The change set whose header was staged last, so a write's records open it once.
    open_set: Option<crate::core::change_sets::ChangeSetId>,
    /// Change records are left out: a preview's writes are rolled back, and records (no
    /// constraint can refuse one) would only double what it writes.
    without_records: bool,
}

/// A staged statement and its arguments; `row` when it is one row of an `INSERT … VALUES`
/// (see [`Batch::row`]).
pub(in crate::store) struct Staged {
    pub(in crate::store) sql: &'static str,
    pub(in crate::store) args: Vec<Arg>,
    pub(in crate::store) row: bool,
}

/// One argument of a staged statement, typed even when null.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::store) enum Arg {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    /// A metadata value: SQLite keeps it in its own type (a boolean as 0 or 1), PostgreSQL
    /// as JSON beside its type's name.
    Meta(MetaValue),
}

macro_rules! arg_from {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Self::$variant(Some(value.into()))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(value: Option<$t>) -> Self {
                Self::$variant(value.map(Into::into))
            }
        }
    )*};
}

arg_from!(i64 => Int, i32 => Int, f64 => Real, String => Text, bool => Bool, DateTime<Utc> => Time);

impl Batch {
    /// A batch whose writes will be rolled back: change records are not staged.
    pub(in crate::store) fn without_records() -> Self {
        Self {
            without_records: true,
            ..Self::default()
        }
    }

    /// Whether change records are staged (see [`Batch::without_records`]).
    pub(in crate::store) fn records(&self) -> bool {
        !self.without_records
    }

    /// Whether a record of change set `id` must open it first: true once per run of records
    /// of one set (opening is idempotent, so a set met again later is merely opened again).
    pub(in crate::store) fn opens_set(
        &mut self,
        id: &crate::core::change_sets::ChangeSetId,
    ) -> bool {
        if self.open_set.as_ref() == Some(id) {
            return false;
        }
        self.open_set = Some(id.clone());
        true
    }

    /// Appends a statement; its arguments follow with [`Batch::arg`]. Never one that begins
    /// or ends a transaction: the records run after every other statement (see
    /// [`Batch::into_runs`]), so they would land outside it.
    pub(in crate::store) fn statement(&mut self, sql: &'static str) {
        debug_assert!(
            !is_transaction_control(sql),
            "a batch runs inside its caller's transaction: {sql}"
        );
        self.statements.push(Staged {
            sql,
            args: Vec::new(),
            row: false,
        });
    }

    /// Appends one row of `sql`, an `INSERT … VALUES (…)` of one row (maybe with an upsert
    /// clause after it); its arguments follow with [`Batch::arg`]. SQLite runs rows of the
    /// same statement staged one after the other as one statement of several rows.
    pub(in crate::store) fn row(&mut self, sql: &'static str) {
        self.statements.push(Staged {
            sql,
            args: Vec::new(),
            row: true,
        });
    }

    /// The next argument of the statement appended last.
    pub(in crate::store) fn arg(&mut self, value: impl Into<Arg>) {
        self.statements
            .last_mut()
            .expect("an argument follows its statement")
            .args
            .push(value.into());
    }

    /// A time argument.
    pub(in crate::store) fn time(&mut self, at: DateTime<Utc>) {
        self.arg(at);
    }

    /// The statements in the order they run: every statement but the change records, in
    /// the order staged, then the records. No statement of a batch reads the records, so they
    /// may wait for the rest, and all go together.
    pub(in crate::store) fn into_runs(self) -> (Vec<Staged>, Vec<Staged>) {
        self.statements
            .into_iter()
            .partition(|staged| staged.sql != changes::APPEND)
    }
}

impl Batch {
    /// Runs the statements on `conn`, inside its transaction, in the order of
    /// [`Batch::into_runs`], stopping at the first that fails. One statement a row: sqlx
    /// prepares each text once per connection and keeps it, and a statement of varying row
    /// counts would be prepared again for each count.
    pub(in crate::store) async fn run_on(self, mut conn: Conn<'_>) -> Result<(), sqlx::Error> {
        let (statements, records) = self.into_runs();
        for staged in statements.into_iter().chain(records) {
            let mut query = conn.query(Sql::of_static(staged.sql));
            for arg in staged.args {
                bind_arg(&mut query, arg);
            }
            query.execute(&mut conn).await?;
        }
        Ok(())
    }
}

/// Binds one staged argument to a query of either engine.
pub(in crate::store) fn bind_arg(query: &mut Query, arg: Arg) {
    match arg {
        Arg::Int(value) => query.push(value),
        Arg::Real(value) => query.push(value),
        Arg::Text(value) => query.push(value),
        Arg::Bool(value) => query.push(value),
        Arg::Time(value) => query.push(value),
        Arg::Meta(value) => match (query.engine(), value) {
            // The type is in the column beside: the JSON holds the value alone.
            (Engine::Postgres, value) => query.push_json(value.to_json()),
            (Engine::Sqlite, MetaValue::Text(s)) => query.push(s),
            (Engine::Sqlite, MetaValue::Integer(i)) => query.push(i),
            (Engine::Sqlite, MetaValue::Float(f)) => query.push(f),
            (Engine::Sqlite, MetaValue::Bool(b)) => query.push(i64::from(b)),
        },
    }
}

fn is_transaction_control(sql: &str) -> bool {
    let verb = sql.split_whitespace().next().unwrap_or_default();
    ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]
        .iter()
        .any(|control| verb.eq_ignore_ascii_case(control))
}

/// Where a statement's arguments go: a batch, a statement the SQLite writer runs at once
/// (`sqlite::batch::Bound`), or a query of either engine's (`db::Query`). A statement run on
/// several paths lists its columns once, in a function generic over this, so they cannot
/// drift apart. Each sink copies only what it must: the batch owns its arguments, the others
/// bind borrowed ones.
pub(in crate::store) trait Args {
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

impl Args for crate::store::db::Query {
    fn text(&mut self, value: &str) {
        self.push(value);
    }

    fn maybe_text(&mut self, value: Option<&str>) {
        self.push(value);
    }

    fn made_text(&mut self, value: Option<String>) {
        self.push(value);
    }

    fn time(&mut self, at: DateTime<Utc>) {
        self.push(at);
    }
}

#[cfg(test)]
mod tests {
    use super::{Arg, Batch};
    use crate::store::changes::APPEND;

    /// Used to: the metadata writer staged its COMMIT in the batch, and the records, run
    /// last, went after it in a transaction of their own: a backup (or a crash) could find a
    /// write without its record.
    #[test]
    #[should_panic(expected = "inside its caller's transaction")]
    fn a_batch_never_ends_its_transaction() {
        Batch::default().statement("COMMIT");
    }

    #[test]
    fn records_run_after_everything_else_each_in_its_order() {
        let mut batch = Batch::default();
        for n in 0..3_i64 {
            batch.statement("INSERT INTO keys (key) VALUES (?)");
            batch.arg(n);
            batch.row(APPEND);
            batch.arg(n + 10);
        }
        let (statements, records) = batch.into_runs();
        let first = |runs: &[super::Staged]| -> Vec<Arg> {
            runs.iter().map(|s| s.args[0].clone()).collect()
        };
        assert_eq!(first(&statements), [0, 1, 2].map(|n| Arg::Int(Some(n))));
        assert_eq!(first(&records), [10, 11, 12].map(|n| Arg::Int(Some(n))));
    }

    /// A null keeps its type: PostgreSQL refuses a text null for a number column.
    #[test]
    fn null_arguments_keep_their_type() {
        assert_eq!(Arg::from(None::<i64>), Arg::Int(None));
        assert_eq!(Arg::from(None::<String>), Arg::Text(None));
        assert_eq!(Arg::from(true), Arg::Bool(Some(true)));
    }
}
