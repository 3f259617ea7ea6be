//! A resource with its metadata, read on PostgreSQL: the resource's row, then its keys' rows.
//! SQLite reads both as one JSON value it builds (`rows::resource_with_keys_json`), because
//! sqlx copies each value of each row out of SQLite; PostgreSQL's rows come over the wire
//! either way, and its `JSONB` value decodes as it is.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;

use crate::core::CoreError;
use crate::core::access::CreatorType;
use crate::core::metadata::{MetaKey, MetaValue, MetadataEntry};
use crate::store::db::sql;
use crate::store::rows::{ResourceRow, select_resources};
use crate::store::storage;

/// The resource `id` of `tenant` with its metadata in key order; `None` when it has none.
pub(in crate::store) async fn load(
    conn: &mut PgConnection,
    tenant: &str,
    id: &str,
) -> Result<Option<(ResourceRow, Vec<MetadataEntry>)>, CoreError> {
    const ROW: &str = sql!(select_resources!("WHERE r.tenant_id = ? AND r.id = ?")).postgres();
    let row: Option<ResourceRow> = sqlx::query_as(ROW)
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let entries = entries(conn, row.pk).await?;
    Ok(Some((row, entries)))
}

type EntryColumns = (
    String,
    String,
    Json<serde_json::Value>,
    i64,
    DateTime<Utc>,
    String,
    String,
);

/// The keys of the resource `pk`, in key order (byte order, as SQLite's: not the database's
/// collation, which may sort otherwise).
pub(in crate::store) async fn entries(
    conn: &mut PgConnection,
    pk: i64,
) -> Result<Vec<MetadataEntry>, CoreError> {
    let rows: Vec<EntryColumns> = sqlx::query_as(
        "SELECT key, value_type, value, revision, changed_at, changed_by, creator_type \
         FROM metadata WHERE resource_pk = $1",
    )
    .bind(pk)
    .fetch_all(conn)
    .await
    .map_err(storage)?;
    let mut entries = rows.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
    entries.sort_unstable_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    Ok(entries)
}

fn entry(
    (key, value_type, Json(value), revision, changed_at, changed_by, creator_type): EntryColumns,
) -> Result<MetadataEntry, CoreError> {
    let damaged = || CoreError::Storage(format!("damaged metadata row for key {key:?}"));
    let value = match (value_type.as_str(), &value) {
        ("string", serde_json::Value::String(s)) => MetaValue::Text(s.clone()),
        ("integer", v) => MetaValue::Integer(v.as_i64().ok_or_else(damaged)?),
        ("float", v) => MetaValue::Float(v.as_f64().ok_or_else(damaged)?),
        ("boolean", serde_json::Value::Bool(b)) => MetaValue::Bool(*b),
        _ => return Err(damaged()),
    };
    Ok(MetadataEntry {
        key: MetaKey::parse(&key).map_err(|_| damaged())?,
        value,
        revision,
        changed_at,
        changed_by,
        creator_type: CreatorType::parse(&creator_type).ok_or_else(damaged)?,
    })
}
