//! A metadata write on PostgreSQL: the same plan as SQLite's writer (`metadata::plan`), run in
//! a transaction of its own. No group commit here: PostgreSQL's own commits already overlap
//! across connections, where SQLite has one writer.

use crate::core::CoreError;
use crate::core::metadata::MetadataRecord;
use crate::core::resources::ResourceType;
use crate::store::batch::Batch;
use crate::store::db::Conn;
use crate::store::metadata::plan::{Current, Plan, Write, plan};
use crate::store::postgres::records;
use crate::store::{Store, resources, storage};

impl Store {
    /// Checks and applies one metadata write, answering once it is committed.
    pub(in crate::store) async fn write_on_postgres(
        &self,
        write: Write,
    ) -> Result<MetadataRecord, CoreError> {
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let tenant = write.actor.tenant.as_str();
        let current = match &mut conn {
            Conn::Postgres(pg) => records::load(pg, tenant, write.id.as_str()).await?,
            Conn::Sqlite(_) => unreachable!("a PostgreSQL store's transactions are PostgreSQL's"),
        }
        .map(|(row, entries)| Current { row, entries });
        let now = crate::store::now();
        let planned = match plan(&write, current.as_ref(), now)? {
            // Nothing written: the transaction ends unused.
            Plan::Unchanged(record) => return Ok(record),
            Plan::Write(planned) => planned,
            Plan::Create(creation) => {
                let created = resources::insert(
                    conn.reborrow(),
                    &write.actor,
                    &write.id,
                    &creation.kind,
                    &creation.name,
                    now,
                )
                .await?;
                creation.planned(&write.actor, created)
            }
        };
        let mut batch = Batch::default();
        planned.stage(&mut batch, &write, current.as_ref());
        batch.run_on(conn).await.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => resources::taken_by_write(
                &ResourceType::site(),
                planned.rename.as_ref(),
                db.message(),
            ),
            _ => storage(e),
        })?;
        tx.commit().await.map_err(storage)?;
        self.cache.forget_record(tenant, write.id.as_str());
        planned.record()
    }
}
