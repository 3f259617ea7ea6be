//! How PostgreSQL runs a batch (`store::batch`): each statement through sqlx inside the
//! caller's transaction, in the order SQLite runs them (the change records last).
//!
//! One statement a row, not several rows to a statement as on SQLite: sqlx prepares each text
//! once per connection and keeps it, and a statement of varying row counts would be prepared
//! again for each count.

use sqlx::postgres::PgArguments;
use sqlx::types::Json;
use sqlx::{Arguments, PgConnection};

use crate::store::batch::{Arg, Batch, Staged};
use crate::store::db::dialect::postgres_text;

impl Batch {
    /// Runs the statements on `conn`, inside its transaction, stopping at the first that fails.
    pub(in crate::store) async fn run_postgres(
        self,
        conn: &mut PgConnection,
    ) -> Result<(), sqlx::Error> {
        let (statements, records) = self.into_runs();
        for staged in statements.into_iter().chain(records) {
            run(conn, staged).await?;
        }
        Ok(())
    }
}

async fn run(conn: &mut PgConnection, staged: Staged) -> Result<(), sqlx::Error> {
    let mut args = PgArguments::default();
    for arg in staged.args {
        let added = match arg {
            Arg::Int(value) => args.add(value),
            Arg::Real(value) => args.add(value),
            Arg::Text(value) => args.add(value),
            Arg::Bool(value) => args.add(value),
            Arg::Time(value) => args.add(value),
            // The type is in the column beside: the JSON holds the value alone.
            Arg::Meta(value) => args.add(Json(value.to_json())),
        };
        added.map_err(sqlx::Error::Encode)?;
    }
    // The text is a statement of the code's own (a batch takes only `&'static str`), with its
    // placeholders renumbered: nothing of a request's is in it.
    sqlx::query_with(sqlx::AssertSqlSafe(postgres_text(staged.sql)), args)
        .execute(conn)
        .await
        .map(drop)
}
