//! Reading what an export writes: the resources a search finds, a page at a time, each with
//! its parent, metadata and tag values, in one statement a page (the search itself selects
//! them) rather than a few a resource.

use sqlx::AssertSqlSafe;

use super::Store;
use super::rows::{from_json, stored_value};
use super::search::search_sql_selecting;
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::metadata::MetaValue;
use crate::core::resources::{ResourceId, ResourceType};
use crate::core::search::Query;

/// One exported resource: what an import reads back, and no more.
#[derive(Debug, Clone)]
pub struct Exported {
    pub id: ResourceId,
    pub kind: ResourceType,
    pub name: String,
    pub parent: Option<ResourceId>,
    /// Its keys, by key.
    pub metadata: Vec<(String, MetaValue)>,
    /// (tag name, value), by tag name.
    pub tags: Vec<(String, String)>,
}

/// An export page's head (see [`search_sql_selecting`]): each resource found as one JSON
/// array, `[[id, type, name, parent], keys, tags]`, its keys as `[key, type, text, integer]`
/// (a float as SQLite's `quote()` text, which keeps every digit) by key, its tag values as
/// `[name, value]` by name: a page is one statement whatever it holds, and what it renders is
/// only what an export writes. The parts are joined as text, for the reason the loads' are
/// (see `metadata_writer::plan`).
const EXPORT_HEAD: &str = "SELECT r.pk, '[' || json_array(r.id, r.type, r.name, p.id) || ',' || \
     (SELECT json_group_array(json_array(m.key, m.value_type, \
        CASE WHEN m.value_type = 'string' THEN m.value \
             WHEN m.value_type = 'float' THEN quote(m.value) END, \
        CASE WHEN m.value_type = 'integer' OR m.value_type = 'boolean' THEN m.value END)) \
      FROM metadata m WHERE m.resource_pk = r.pk) || ',' || \
     (SELECT json_group_array(json_array(name, value)) FROM \
       (SELECT t.name, v.value FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
        WHERE v.resource_pk = r.pk ORDER BY t.name COLLATE NOCASE)) || ']' \
     FROM resources r LEFT JOIN resources p ON p.pk = r.parent_pk WHERE r.tenant_id = ";

/// One resource as [`EXPORT_HEAD`] renders it.
type ExportRow = (
    (String, String, String, Option<String>),
    Vec<(String, String, Option<String>, Option<i64>)>,
    Vec<(String, String)>,
);

fn exported(row: ExportRow) -> Result<Exported, CoreError> {
    let ((id, kind, name, parent), keys, tags) = row;
    let damaged = |what: &str| CoreError::Storage(format!("damaged {what} in an export of {id}"));
    let metadata = keys
        .into_iter()
        .map(|(key, value_type, text, int)| {
            let real = match value_type.as_str() {
                "float" => text.as_deref().and_then(|t| t.parse().ok()),
                _ => None,
            };
            let value = stored_value(&value_type, text, int, real)
                .ok_or_else(|| damaged(&format!("key {key:?}")))?;
            Ok((key, value))
        })
        .collect::<Result<_, CoreError>>()?;
    Ok(Exported {
        kind: ResourceType::parse(&kind).map_err(|_| damaged("type"))?,
        id: ResourceId::from_path(id),
        name,
        parent: parent.map(ResourceId::from_path),
        metadata,
        tags,
    })
}

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
        let loaded: Vec<(i64, String)> = sqlx::query_as_with(AssertSqlSafe(text), arguments)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| deadline.error(e))?;
        drop(conn);
        let next = next_cursor(loaded.len(), limit, loaded.last().map(|(pk, _)| *pk));
        let page = loaded
            .into_iter()
            .map(|(_, json)| exported(from_json(&json)?))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((page, next))
    }
}
