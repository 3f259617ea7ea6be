//! Reading change sets back: a tenant's sets, newest first, and one set with its records.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::changes::{ChangeRow, SELECT_RECORDS};
use super::db::{Conn, Sql, sql};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::change_sets::{ChangeSetId, ChangeSetSummary, Via};
use crate::core::changes::ChangeRecord;
use crate::core::resources::ResourceId;

/// Which sets a listing shows.
#[derive(Debug, Clone, Default)]
pub struct ChangeSetFilter {
    /// Sets with a record on this resource.
    pub resource: Option<ResourceId>,
    /// Sets made by this principal (`usr_…`, `tok_…`, `operator`).
    pub actor: Option<String>,
    /// Sets made at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// A page of change sets, and the cursor of the next page when there is one.
#[derive(Debug, Clone)]
pub struct ChangeSetPage {
    pub sets: Vec<ChangeSetSummary>,
    pub next: Option<i64>,
}

#[derive(FromRow)]
struct SummaryRow {
    pk: i64,
    id: String,
    actor_id: String,
    actor_type: String,
    via: String,
    comment: Option<String>,
    reverts: Option<String>,
    source: Option<String>,
    at: DateTime<Utc>,
    records: i64,
    resources: i64,
}

impl SummaryRow {
    fn into_summary(self) -> Result<ChangeSetSummary, CoreError> {
        Ok(ChangeSetSummary {
            via: Via::parse(&self.via).ok_or_else(|| {
                CoreError::Storage(format!("damaged change set: door '{}'", self.via))
            })?,
            id: ChangeSetId::stored(self.id),
            actor_id: self.actor_id,
            actor_type: self.actor_type,
            comment: self.comment,
            reverts: self.reverts.map(ChangeSetId::stored),
            source: self.source,
            at: self.at,
            records: self.records,
            resources: self.resources,
        })
    }
}

/// Whether record `c` is one the reader may see: records on users and tokens (role and grant
/// changes) are admins' to read, and `?2` is 1 for an admin.
macro_rules! readable_record {
    () => {
        "(?2 OR NOT (c.resource_id LIKE 'usr!_%' ESCAPE '!' OR c.resource_id LIKE 'tok!_%' ESCAPE '!'))"
    };
}

/// A set's header with its counts, counted for the sets shown only; `?1` the tenant, `?2` 1
/// for an admin (see [`readable_record`]): a set of nothing a reader may see is not listed.
macro_rules! select_sets {
    ($tail:literal) => {
        concat!(
            "SELECT cs.pk, cs.id, cs.actor_id, cs.actor_type, cs.via, cs.comment, cs.reverts, \
             cs.source, cs.at, \
             (SELECT COUNT(*) FROM changes c WHERE c.set_pk = cs.pk AND ",
            readable_record!(),
            ") AS records, \
             (SELECT COUNT(DISTINCT c.resource_id) FROM changes c WHERE c.set_pk = cs.pk AND ",
            readable_record!(),
            ") AS resources FROM change_sets cs \
             WHERE cs.tenant_id = ?1 AND EXISTS (SELECT 1 FROM changes c \
             WHERE c.set_pk = cs.pk AND ",
            readable_record!(),
            ") ",
            $tail
        )
    };
}

pub(super) async fn summary_of<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    id: &ChangeSetId,
) -> Result<ChangeSetSummary, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(select_sets!("AND cs.id = ?3")))
        .bind(actor.tenant.as_str())
        .bind(actor.is_admin())
        .bind(id.as_str())
        .fetch_optional::<SummaryRow>(&mut conn)
        .await
        .map_err(storage)?
        .ok_or_else(|| not_found(id))?
        .into_summary()
}

pub(super) fn not_found(id: &ChangeSetId) -> CoreError {
    CoreError::NotFound {
        what: "change set",
        id: id.to_string(),
    }
}

/// A set's records in the order they were written, those on users and tokens for admins only.
pub(super) async fn records_of<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    id: &ChangeSetId,
) -> Result<Vec<ChangeRecord>, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(SELECT_RECORDS))
        .bind(actor.tenant.as_str())
        .bind(id.as_str())
        .fetch_all::<ChangeRow>(&mut conn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(ChangeRow::into_record)
        .filter(|record| {
            actor.is_admin()
                || record.as_ref().map_or(true, |r| {
                    !ResourceId::from_path(r.resource_id.clone()).names_principal()
                })
        })
        .collect()
}

impl Store {
    /// The tenant's change sets matching `filter`, newest first, before the cursor `before`
    /// (from an earlier page), at most `limit`.
    pub async fn list_change_sets(
        &self,
        actor: &Actor,
        filter: &ChangeSetFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<ChangeSetPage, CoreError> {
        actor.require_read()?;
        let rows = self
            .db
            .query(sql!(select_sets!(
                "AND cs.pk < ?3 AND (?4 IS NULL OR cs.actor_id = ?4) AND (?5 IS NULL OR cs.at >= ?5) \
                 AND (?6 IS NULL OR cs.pk IN (SELECT r.set_pk FROM changes r \
                      WHERE r.tenant_id = ?1 AND r.resource_id = ?6)) \
                 ORDER BY cs.pk DESC LIMIT ?7"
            )))
            .bind(actor.tenant.as_str())
            .bind(actor.is_admin())
            .bind(before.unwrap_or(i64::MAX))
            .bind(filter.actor.as_deref())
            .bind(filter.since)
            .bind(filter.resource.as_ref().map(ResourceId::as_str))
            .bind(i64::from(limit) + 1)
            .fetch_all::<SummaryRow>(&self.db)
        .await
        .map_err(storage)?;
        let more = rows.len() > limit as usize;
        let mut sets = Vec::with_capacity(rows.len().min(limit as usize));
        let mut last = None;
        for row in rows.into_iter().take(limit as usize) {
            last = Some(row.pk);
            sets.push(row.into_summary()?);
        }
        Ok(ChangeSetPage {
            sets,
            next: last.filter(|_| more),
        })
    }

    /// The headers of the sets `ids` (those the tenant has), for a history that groups its
    /// records by set.
    pub async fn change_set_summaries(
        &self,
        actor: &Actor,
        ids: &[ChangeSetId],
    ) -> Result<Vec<ChangeSetSummary>, CoreError> {
        actor.require_read()?;
        let ids: Vec<&str> = ids.iter().map(ChangeSetId::as_str).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| CoreError::Storage(e.to_string()))?;
        self.db
            .query(Sql::each(
                select_sets!("AND cs.id IN (SELECT value FROM json_each(?3)) ORDER BY cs.pk DESC"),
                sql!(select_sets!(
                    "AND cs.id IN (SELECT jsonb_array_elements_text(CAST(?3 AS jsonb))) \
                     ORDER BY cs.pk DESC"
                ))
                .postgres(),
            ))
            .bind(actor.tenant.as_str())
            .bind(actor.is_admin())
            .bind(ids)
            .fetch_all::<SummaryRow>(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(SummaryRow::into_summary)
            .collect()
    }

    /// One change set and its records, in the order they were written.
    pub async fn change_set(
        &self,
        actor: &Actor,
        id: &ChangeSetId,
    ) -> Result<(ChangeSetSummary, Vec<ChangeRecord>), CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let summary = summary_of(&mut pooled, actor, id).await?;
        let records = records_of(&mut pooled, actor, id).await?;
        Ok((summary, records))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::core::access::Role;
    use crate::core::change_sets::Via;
    use crate::core::changes::Action;
    use crate::core::metadata::{MetaKey, MetaValue, Precondition};
    use crate::store::testing::{actor_of, each_engine, site, staff};

    #[tokio::test]
    async fn each_request_is_a_change_set_with_its_door_and_records() {
        for (_dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            let second = actor_of("default", Role::Admin).in_new_change_set(Via::Web);
            let entry = (MetaKey::parse("rack").unwrap(), MetaValue::Integer(4));
            store
                .put_metadata_key(
                    &second,
                    &hq,
                    entry.into(),
                    &Precondition::Any,
                    Default::default(),
                )
                .await
                .unwrap();

            let page = store
                .list_change_sets(&staff(), &ChangeSetFilter::default(), None, 10)
                .await
                .unwrap();
            assert_eq!(page.sets.len(), 2);
            assert!(page.next.is_none());
            let newest = &page.sets[0];
            assert_eq!(newest.id, second.change.id);
            assert_eq!(newest.via, Via::Web);
            assert_eq!((newest.records, newest.resources), (1, 1));
            assert_eq!(page.sets[1].actor_id, "usr_manager");

            let (summary, records) = store.change_set(&staff(), &second.change.id).await.unwrap();
            assert_eq!(summary.actor_id, "usr_admin");
            assert_eq!(summary.via, Via::Web);
            assert_eq!(records.len(), 1);
            assert_eq!(records[0].action, Action::MetadataSet);
            assert_eq!(records[0].new, Some(json!(4)));
            assert_eq!(
                records[0].change_set.as_deref(),
                Some(second.change.id.as_str())
            );

            // Filters, and pages of one.
            let on_hq = ChangeSetFilter {
                resource: Some(hq.clone()),
                ..Default::default()
            };
            let first = store
                .list_change_sets(&staff(), &on_hq, None, 1)
                .await
                .unwrap();
            assert_eq!(first.sets.len(), 1);
            let rest = store
                .list_change_sets(&staff(), &on_hq, first.next, 1)
                .await
                .unwrap();
            assert_eq!(rest.sets[0].actor_id, "usr_manager");
            let by_nobody = ChangeSetFilter {
                actor: Some("usr_nobody".into()),
                ..Default::default()
            };
            assert!(
                store
                    .list_change_sets(&staff(), &by_nobody, None, 10)
                    .await
                    .unwrap()
                    .sets
                    .is_empty()
            );
            let missing = ChangeSetId::parse("chg_missing").unwrap();
            assert!(matches!(
                store.change_set(&staff(), &missing).await,
                Err(CoreError::NotFound { .. })
            ));
        }
    }
}
