//! Resource lists with what a list row shows: chips, file count and the latest change, fetched
//! for a whole page in three queries rather than three per row.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::Sql;
use super::{Store, storage, tags};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::listing::ListedResource;
use crate::core::search::Query;

#[derive(FromRow)]
struct RowFacts {
    pk: i64,
    files: i64,
    last_at: Option<DateTime<Utc>>,
    last_by: Option<String>,
}

/// Each listed resource's file count and latest change, for the resources the tail picks.
macro_rules! row_facts {
    () => {
        "SELECT r.pk, \
         (SELECT count(*) FROM site_files f WHERE f.site_pk = r.pk) AS files, \
         (SELECT c.at FROM changes c WHERE c.tenant_id = r.tenant_id AND c.resource_id = r.id \
          ORDER BY c.seq DESC LIMIT 1) AS last_at, \
         (SELECT cs.actor_id FROM changes c JOIN change_sets cs ON cs.pk = c.set_pk \
          WHERE c.tenant_id = r.tenant_id AND c.resource_id = r.id \
          ORDER BY c.seq DESC LIMIT 1) AS last_by \
         FROM resources r WHERE "
    };
}

impl Store {
    /// [`Store::search`] with each row's chips, file count and latest change.
    pub async fn list_with_summaries(
        &self,
        actor: &Actor,
        query: Option<&Query>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ListedResource>, CoreError> {
        let found = self.search(actor, query, after, limit).await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let pks: Vec<i64> = found.iter().map(|(pk, _)| *pk).collect();
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let mut chips = tags::chips_of(conn.reborrow(), &pks)
            .await?
            .into_iter()
            .peekable();
        let facts = conn
            .query(Sql::each(
                concat!(
                    row_facts!(),
                    "r.pk IN (SELECT value FROM json_each(?)) ORDER BY r.pk"
                ),
                concat!(
                    row_facts!(),
                    "r.pk IN (SELECT jsonb_array_elements_text(CAST($1 AS jsonb))::bigint) \
                     ORDER BY r.pk"
                ),
            ))
            .bind(serde_json::to_string(&pks).map_err(|e| CoreError::Storage(e.to_string()))?)
            .fetch_all::<RowFacts>(&mut conn)
            .await
            .map_err(storage)?;
        // Search results, chips and facts all come in ascending pk order: merge them in one pass.
        let mut facts = facts.into_iter().peekable();
        Ok(found
            .into_iter()
            .map(|(pk, resource)| {
                let tags = match chips.peek() {
                    Some((chip_pk, _)) if *chip_pk == pk => {
                        chips.next().map(|(_, c)| c).unwrap_or_default()
                    }
                    _ => Vec::new(),
                };
                let row = match facts.peek() {
                    Some(f) if f.pk == pk => facts.next(),
                    _ => None,
                };
                ListedResource {
                    cursor: pk,
                    resource,
                    tags,
                    files: row.as_ref().map_or(0, |f| f.files),
                    last_change: row.and_then(|f| f.last_at.zip(f.last_by)),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::core::resources::{ResourceName, ResourceType};
    use crate::core::search::parse;
    use crate::core::tags::{CorrelationType, TagDraft};
    use crate::store::testing::{admin, each_engine};

    #[tokio::test]
    async fn rows_carry_their_own_chips_and_changes_and_the_query_filters_them() {
        for (_dir, store) in each_engine().await {
            let mut sites = Vec::new();
            for (n, name) in ["Alpha", "Bravo", "Charlie"].into_iter().enumerate() {
                let site = store
                    .create_resource(
                        &admin(),
                        &ResourceType::site(),
                        &ResourceName::parse(name).unwrap(),
                        n as u128 + 1,
                    )
                    .await
                    .unwrap();
                sites.push(site);
            }
            let draft = TagDraft::new("Region", "", "#112233", &["site".to_owned()], None).unwrap();
            let tag = store.create_tag(&admin(), &draft, 5).await.unwrap();
            store
                .set_tag_value(
                    &admin(),
                    &tag.id,
                    &sites[1].id,
                    CorrelationType::Site,
                    "APAC",
                    None,
                )
                .await
                .unwrap();

            let all = store
                .list_with_summaries(&admin(), None, 0, 10)
                .await
                .unwrap();
            assert_eq!(all.len(), 3);
            assert!(all[0].tags.is_empty() && all[2].tags.is_empty());
            assert_eq!(all[1].tags[0].value.value, "APAC");
            assert_eq!(
                all[1].last_change.as_ref().unwrap().1,
                admin().id,
                "the tag change is the latest"
            );
            assert!(all.iter().all(|row| row.files == 0));

            let query = parse("tag:Region=APAC").unwrap();
            let found = store
                .list_with_summaries(&admin(), query.as_ref(), 0, 10)
                .await
                .unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].resource.name, "Bravo");

            let second_page = store
                .list_with_summaries(&admin(), None, all[0].cursor, 10)
                .await
                .unwrap();
            assert_eq!(
                second_page.len(),
                2,
                "the cursor skips the rows already read"
            );
        }
    }
}
