//! Reading what an export writes: the resources a search finds, a page at a time, each with
//! its parent, metadata and tag values, in a few queries a page rather than a few a resource.

use super::rows::{LoadedRecord, from_json, resource_with_keys_json};
use super::tags::chips_of;
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::metadata::MetadataEntry;
use crate::core::resources::Resource;
use crate::core::search::Query;

/// One exported resource.
#[derive(Debug, Clone)]
pub struct Exported {
    pub resource: Resource,
    pub entries: Vec<MetadataEntry>,
    /// (tag name, value), by tag name.
    pub tags: Vec<(String, String)>,
}

/// The resources with the keys `?` (a JSON array), each with its keys, in key order.
const LOAD_PAGE: &str = concat!(
    "SELECT r.pk, ",
    resource_with_keys_json!(),
    " FROM resources r LEFT JOIN resources p ON p.pk = r.parent_pk \
     WHERE r.pk IN (SELECT value FROM json_each(?)) ORDER BY r.pk"
);

/// What one page of an export holds, for the CSV's header: each key with its stored type
/// (`string`, `integer`, `float`, `boolean`), and each tag's name.
#[derive(Debug, Default)]
pub struct ExportColumns {
    pub keys: Vec<(String, String)>,
    pub tags: Vec<String>,
}

impl Store {
    /// A page of what `query` finds after `after`: the resources, their keys as the JSON array
    /// the loads take, and the cursor of the page after it; `None` when the page is empty.
    async fn found_page(
        &self,
        actor: &Actor,
        query: Option<&Query>,
        after: i64,
        limit: u32,
    ) -> Result<Option<(Vec<(i64, Resource)>, String, Option<i64>)>, CoreError> {
        let found = self.search(actor, query, after, limit).await?;
        if found.is_empty() {
            return Ok(None);
        }
        let next = (found.len() == limit as usize)
            .then(|| found.last().map(|(pk, _)| *pk))
            .flatten();
        let pks: Vec<i64> = found.iter().map(|(pk, _)| *pk).collect();
        let keys = serde_json::to_string(&pks).map_err(|e| CoreError::Storage(e.to_string()))?;
        Ok(Some((found, keys, next)))
    }

    /// The columns the next page of what `query` finds after `after` needs, and the cursor of
    /// the page after it: the header's pass over an export reads only these (two `DISTINCT`
    /// queries a page), not every value.
    pub async fn export_columns_page(
        &self,
        actor: &Actor,
        query: Option<&Query>,
        after: i64,
        limit: u32,
    ) -> Result<(ExportColumns, Option<i64>), CoreError> {
        let Some((_, pks, next)) = self.found_page(actor, query, after, limit).await? else {
            return Ok((ExportColumns::default(), None));
        };
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT key, value_type FROM metadata \
             WHERE resource_pk IN (SELECT value FROM json_each(?))",
        )
        .bind(&pks)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
        let tags: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
             WHERE v.resource_pk IN (SELECT value FROM json_each(?))",
        )
        .bind(&pks)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
        Ok((
            ExportColumns {
                keys,
                tags: tags.into_iter().map(|(name,)| name).collect(),
            },
            next,
        ))
    }

    /// The next page of what `query` finds after the cursor `after` (0 at the start), at most
    /// `limit`, loaded for an export; the cursor of the page after it, when there may be one.
    pub async fn export_page(
        &self,
        actor: &Actor,
        query: Option<&Query>,
        after: i64,
        limit: u32,
    ) -> Result<(Vec<Exported>, Option<i64>), CoreError> {
        let Some((found, keys, next)) = self.found_page(actor, query, after, limit).await? else {
            return Ok((Vec::new(), None));
        };
        let pks: Vec<i64> = found.iter().map(|(pk, _)| *pk).collect();
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let loaded: Vec<(i64, String)> = sqlx::query_as(LOAD_PAGE)
            .bind(&keys)
            .fetch_all(&mut *conn)
            .await
            .map_err(storage)?;
        let mut chips = chips_of(&mut conn, &pks).await?.into_iter().peekable();
        let mut page = Vec::with_capacity(loaded.len());
        for (pk, json) in loaded {
            let (_, row, entries) = from_json::<LoadedRecord>(&json)?.into_parts()?;
            let tags = match chips.peek() {
                Some((chip_pk, _)) if *chip_pk == pk => chips
                    .next()
                    .map(|(_, tags)| {
                        tags.into_iter()
                            .map(|t| (t.tag_name, t.value.value))
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            page.push(Exported {
                resource: row.into_resource()?,
                entries,
                tags,
            });
        }
        Ok((page, next))
    }
}
