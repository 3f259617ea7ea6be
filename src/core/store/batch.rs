//! Several statements sent to SQLite in one call. sqlx hands every call to the connection's
//! worker thread and back, and on the write path those hops cost more than the statements, so
//! a write's statements (version bump, key rows, change records) go as one batch. Arguments
//! bind in order across the statements.

use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, AssertSqlSafe, Encode, Sqlite, SqliteConnection, Type};

use crate::core::CoreError;

#[derive(Default)]
pub(super) struct Batch {
    sql: String,
    args: SqliteArguments,
    statements: usize,
}

impl Batch {
    /// Appends a statement; its arguments follow with [`Batch::arg`].
    pub(super) fn statement(&mut self, sql: &'static str) {
        self.sql.push_str(sql);
        self.sql.push_str(";\n");
        self.statements += 1;
    }

    pub(super) fn arg<'t, T: Encode<'t, Sqlite> + Type<Sqlite> + 't>(
        &mut self,
        value: T,
    ) -> Result<(), CoreError> {
        self.args
            .add(value)
            .map_err(|e| CoreError::Storage(format!("cannot bind a value: {e}")))
    }

    pub(super) async fn run(self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        if self.statements == 0 {
            return Ok(());
        }
        // The text is only the fixed statements above, joined; every value is an argument.
        sqlx::query_with(AssertSqlSafe(self.sql), self.args)
            .execute(conn)
            .await
            .map(|_| ())
    }
}
