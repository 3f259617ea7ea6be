//! Reading what an export writes: the resources a search finds, a page at a time, each with
//! its parent, metadata and tag values, in one statement a page (the search itself selects
//! them) rather than a few a resource.

use sqlx::AssertSqlSafe;

use super::Store;
use super::rows::{LoadedRecord, from_json, resource_with_keys_json};
use super::search::search_sql_selecting;
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

/// An export page's head (see [`search_sql_selecting`]): each resource found with its keys
/// (as the loads render them) and its tag values (`[[name, value], …]`, by name), so a page is
/// one statement whatever it holds.
const EXPORT_HEAD: &str = concat!(
    "SELECT r.pk, ",
    resource_with_keys_json!(),
    ", (SELECT json_group_array(json_array(name, value)) FROM \
       (SELECT t.name, v.value FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
        WHERE v.resource_pk = r.pk ORDER BY t.name COLLATE NOCASE)) \
     FROM resources r LEFT JOIN resources p ON p.pk = r.parent_pk WHERE r.tenant_id = "
);

/// The columns pass's head: only which resources a page finds.
const FOUND_HEAD: &str =
    "SELECT r.pk FROM resources r LEFT JOIN resources p ON p.pk = r.parent_pk WHERE r.tenant_id = ";

/// What the columns pass reads of a page found by the search in `found`: its last resource,
/// how many it holds, its keys with their stored types, and its tags' names, as one row.
const COLUMNS_OF_FOUND: &str = "SELECT (SELECT max(pk) FROM found), (SELECT count(*) FROM found), \
     (SELECT json_group_array(json_array(key, value_type)) FROM \
       (SELECT DISTINCT m.key, m.value_type FROM found f JOIN metadata m ON m.resource_pk = f.pk)), \
     (SELECT json_group_array(name) FROM \
       (SELECT DISTINCT t.name FROM found f JOIN tag_values v ON v.resource_pk = f.pk \
        JOIN tags t ON t.pk = v.tag_pk))";

/// What one page of an export holds, for the CSV's header: each key with its stored type
/// (`string`, `integer`, `float`, `boolean`), and each tag's name.
#[derive(Debug, Default)]
pub struct ExportColumns {
    pub keys: Vec<(String, String)>,
    pub tags: Vec<String>,
}

/// The cursor after a page of `limit` that found `found` resources, the last of them `last`.
fn next_cursor(found: usize, limit: u32, last: Option<i64>) -> Option<i64> {
    if found == limit as usize { last } else { None }
}

impl Store {
    /// The columns of the next page of what `query` finds after `after`, and the cursor of
    /// the page after it: the header's pass over an export reads only these, in one statement
    /// a page, not every value.
    pub async fn export_columns_page(
        &self,
        actor: &Actor,
        query: Option<&Query>,
        after: i64,
        limit: u32,
    ) -> Result<(ExportColumns, Option<i64>), CoreError> {
        actor.require_read()?;
        let (found, arguments) =
            search_sql_selecting(FOUND_HEAD, actor.tenant.as_str(), query, after, limit)?;
        let text = format!("WITH found AS ({found}) {COLUMNS_OF_FOUND}");
        let (mut conn, deadline) = self.search_connection().await?;
        // The text holds only fixed SQL and `?` placeholders, as `search_sql_selecting` builds.
        let (last, count, keys, tags): (Option<i64>, i64, String, String) =
            sqlx::query_as_with(AssertSqlSafe(text), arguments)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| deadline.error(e))?;
        let columns = ExportColumns {
            keys: from_json(&keys)?,
            tags: from_json(&tags)?,
        };
        Ok((columns, next_cursor(count as usize, limit, last)))
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
        actor.require_read()?;
        let (text, arguments) =
            search_sql_selecting(EXPORT_HEAD, actor.tenant.as_str(), query, after, limit)?;
        let (mut conn, deadline) = self.search_connection().await?;
        // The text holds only fixed SQL and `?` placeholders, as `search_sql_selecting` builds.
        let loaded: Vec<(i64, String, String)> =
            sqlx::query_as_with(AssertSqlSafe(text), arguments)
                .fetch_all(&mut *conn)
                .await
                .map_err(|e| deadline.error(e))?;
        drop(conn);
        let next = next_cursor(loaded.len(), limit, loaded.last().map(|(pk, ..)| *pk));
        let mut page = Vec::with_capacity(loaded.len());
        for (_, resource, tags) in loaded {
            let (_, row, entries) = from_json::<LoadedRecord>(&resource)?.into_parts()?;
            page.push(Exported {
                resource: row.into_resource()?,
                entries,
                tags: from_json(&tags)?,
            });
        }
        Ok((page, next))
    }
}
