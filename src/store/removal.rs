//! A resource's deletion, recorded whole: its keys, tag values and files go with it, and what
//! was under it loses its parent. Each of those is a record of the deletion's change set, so
//! a revert of that set brings back the resource with all of it (see `change_sets::revert`).
//! One deletion runs inside a write transaction of either engine ([`delete_on`]); many at once
//! run on SQLite's metadata writer (`delete_all_in`): a revert of a large import deletes each
//! of its resources this way, with no trip between threads per statement. Both stage the
//! same records ([`stage_deletion`]).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::batch::Batch;
use super::db::{Conn, sql};
use super::files::{WriterFile, files_in_writer, summary_of_fields};
use super::rows::ResourceRow;
use super::sqlite::batch::failed;
use super::{changes, metadata, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;

/// What a committed deletion leaves for the store to tidy beside the database.
pub(super) struct Deleted {
    pub(super) id: String,
    pub(super) had_children: bool,
    pub(super) was_stream: bool,
    /// The blobs of its files, to remove once nothing else refers to them.
    pub(super) blobs: Vec<String>,
}

/// The rows `sql` finds for the keys in `list` (a JSON array, the query's `?`), each as its
/// key (the first column) and two texts, grouped by key.
fn grouped_pairs(
    db: &Connection,
    sql: &'static str,
    list: &str,
) -> Result<HashMap<i64, Vec<(String, String)>>, CoreError> {
    let mut grouped: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    let mut statement = db.prepare_cached(sql).map_err(failed)?;
    let mut rows = statement.query([list]).map_err(failed)?;
    while let Some(row) = rows.next().map_err(failed)? {
        let pair = (row.get(1).map_err(failed)?, row.get(2).map_err(failed)?);
        grouped
            .entry(row.get(0).map_err(failed)?)
            .or_default()
            .push(pair);
    }
    Ok(grouped)
}

/// What a deleted resource held, to record: the records of its keys (on SQLite's bulk path,
/// only the floats: `KEY_REMOVALS` records the rest in SQL), its tag values (tag id, value),
/// its files, and what was under it (id, type).
struct Held {
    key_records: Vec<(String, Value)>,
    tag_values: Vec<(String, String)>,
    files: Vec<WriterFile>,
    children: Vec<(String, String)>,
}

/// Stages the records of `row`'s deletion and of all it held; what was under it and is not
/// `going` too loses its parent. The caller stages the deletion of the row itself.
fn stage_deletion(
    batch: &mut Batch,
    actor: &Actor,
    row: &ResourceRow,
    held: Held,
    going: &HashSet<&str>,
    now: DateTime<Utc>,
) -> Deleted {
    let mut record = |resource: &str, action: Action, subject: &str, old: Value| {
        changes::stage(
            batch,
            actor,
            resource,
            action,
            subject,
            Some(old),
            None,
            now,
        );
    };
    for (key, value) in held.key_records {
        record(&row.id, Action::MetadataRemove, &key, value);
    }
    for (tag_id, value) in held.tag_values {
        record(&row.id, Action::TagRemove, &tag_id, json!(value));
    }
    for file in &held.files {
        record(&row.id, Action::FileDelete, &file.id, file.summary.clone());
    }
    for (child, _) in held
        .children
        .iter()
        .filter(|(id, _)| !going.contains(id.as_str()))
    {
        record(
            child,
            Action::ResourceParent,
            "parent",
            Value::from(row.id.clone()),
        );
    }
    record(
        &row.id,
        Action::ResourceDelete,
        &row.kind,
        json!({ "type": row.kind, "name": row.name, "parent": row.parent_id }),
    );
    let mut blobs: Vec<String> = held.files.into_iter().map(|f| f.sha256).collect();
    blobs.sort_unstable();
    blobs.dedup();
    Deleted {
        id: row.id.clone(),
        had_children: !held.children.is_empty(),
        was_stream: row.kind == crate::core::streams::STREAM_TYPE,
        blobs,
    }
}

/// Deletes `row` inside a write transaction of either engine, recording everything that goes
/// with it. The caller has checked the actor may.
pub(super) async fn delete_on(
    mut conn: Conn<'_>,
    actor: &Actor,
    row: &ResourceRow,
    now: DateTime<Utc>,
) -> Result<Deleted, CoreError> {
    let id = crate::core::resources::ResourceId::from_path(row.id.clone());
    let entries = metadata::load_record(conn.reborrow(), &actor.tenant, &id)
        .await?
        .map(|(_, entries)| entries)
        .unwrap_or_default();
    let tag_values: Vec<(String, String)> = conn
        .query(sql!(
            "SELECT t.id, v.value FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
             WHERE v.resource_pk = ? ORDER BY t.id"
        ))
        .bind(row.pk)
        .fetch_all(&mut conn)
        .await
        .map_err(storage)?;
    let children: Vec<(String, String)> = conn
        .query(sql!(
            "SELECT id, type FROM resources WHERE parent_pk = ? ORDER BY pk"
        ))
        .bind(row.pk)
        .fetch_all(&mut conn)
        .await
        .map_err(storage)?;
    type FileColumns = (String, String, String, String, String, i64, String);
    let files: Vec<FileColumns> = conn
        .query(sql!(
            "SELECT id, name, kind, description, content_type, size, sha256 \
             FROM site_files WHERE site_pk = ? ORDER BY pk"
        ))
        .bind(row.pk)
        .fetch_all(&mut conn)
        .await
        .map_err(storage)?;
    let files = files
        .into_iter()
        .map(
            |(id, name, kind, description, content_type, size, sha256)| WriterFile {
                summary: summary_of_fields(
                    &name,
                    &kind,
                    &description,
                    &content_type,
                    u64::try_from(size).unwrap_or_default(),
                    &sha256,
                ),
                id,
                sha256,
            },
        )
        .collect();
    let held = Held {
        key_records: entries
            .iter()
            .map(|e| (e.key.as_str().to_owned(), e.value.to_json()))
            .collect(),
        tag_values,
        files,
        children,
    };
    let mut batch = Batch::default();
    let deleted = stage_deletion(&mut batch, actor, row, held, &HashSet::new(), now);
    // The records first, then the row: its keys, tag values and files go with it.
    batch.statement("DELETE FROM resources WHERE pk = ?");
    batch.arg(row.pk);
    batch.run_on(conn).await.map_err(storage)?;
    Ok(deleted)
}

/// The record of each key of the resources in `?1` (a JSON array of keys) but floats, in
/// their order and then the keys': written by SQLite itself, they are most of a deletion's
/// records (ten for each imported row). A boolean is stored as 0 or 1; `json_quote` renders
/// texts and integers as JSON does. A float it would render with 15 digits only, so floats
/// are recorded from Rust (see [`FLOAT_KEYS`]). `?2` the action, `?3` the time, `?4` and `?5`
/// the tenant and the change set.
const KEY_REMOVALS: &str = "INSERT INTO changes (tenant_id, resource_id, action, subject, \
     old_value, new_value, at, set_pk) \
     SELECT r.tenant_id, r.id, ?2, m.key, \
     CASE m.value_type WHEN 'boolean' THEN iif(m.value, 'true', 'false') \
     ELSE json_quote(m.value) END, NULL, ?3, \
     (SELECT pk FROM change_sets WHERE tenant_id = ?4 AND id = ?5) \
     FROM json_each(?1) j JOIN resources r ON r.pk = j.value \
     JOIN metadata m ON m.resource_pk = r.pk \
     WHERE m.value_type != 'float' ORDER BY j.key, m.key";

/// The float keys of the resources in `?` as SQLite's `quote()`, which keeps every digit.
const FLOAT_KEYS: &str = "SELECT m.resource_pk, m.key, quote(m.value) FROM metadata m \
     WHERE m.resource_pk IN (SELECT value FROM json_each(?)) AND m.value_type = 'float' \
     ORDER BY m.resource_pk, m.key";

/// Deletes each of `rows` as [`delete_in`] would, in a few statements for all of them rather
/// than a few for each (a revert of an import deletes 100,000). A resource under one of them
/// that is itself among them goes with them rather than losing its parent first. The caller
/// has checked the actor may.
pub(super) fn delete_all_in(
    db: &Connection,
    actor: &Actor,
    rows: &[ResourceRow],
    now: DateTime<Utc>,
) -> Result<Vec<Deleted>, CoreError> {
    let pks: Vec<i64> = rows.iter().map(|row| row.pk).collect();
    let list = serde_json::to_string(&pks)
        .map_err(|e| CoreError::Storage(format!("cannot list the resources to delete: {e}")))?;
    let mut tag_values = grouped_pairs(
        db,
        "SELECT v.resource_pk, t.id, v.value FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk IN (SELECT value FROM json_each(?)) ORDER BY v.resource_pk, t.id",
        &list,
    )?;
    let mut children = grouped_pairs(
        db,
        "SELECT parent_pk, id, type FROM resources \
         WHERE parent_pk IN (SELECT value FROM json_each(?)) ORDER BY pk",
        &list,
    )?;
    let mut floats = grouped_pairs(db, FLOAT_KEYS, &list)?;
    let mut files = files_in_writer(db, &list)?;
    let going: HashSet<&str> = rows.iter().map(|row| row.id.as_str()).collect();

    let mut batch = Batch::default();
    if batch.records() {
        changes::stage_open_set(&mut batch, actor, now);
        batch.statement(KEY_REMOVALS);
        batch.arg(list.clone());
        batch.arg(Action::MetadataRemove.as_str().to_owned());
        batch.time(now);
        batch.arg(actor.tenant.as_str().to_owned());
        batch.arg(actor.change.id.as_str().to_owned());
    }
    let mut deleted = Vec::with_capacity(rows.len());
    for row in rows {
        let mut key_records = Vec::new();
        for (key, quoted) in floats.remove(&row.pk).unwrap_or_default() {
            let value: f64 = quoted
                .parse()
                .map_err(|_| CoreError::Storage(format!("damaged metadata row for key {key:?}")))?;
            key_records.push((key, Value::from(value)));
        }
        let held = Held {
            key_records,
            tag_values: tag_values.remove(&row.pk).unwrap_or_default(),
            files: files.remove(&row.pk).unwrap_or_default(),
            children: children.remove(&row.pk).unwrap_or_default(),
        };
        deleted.push(stage_deletion(&mut batch, actor, row, held, &going, now));
    }
    // The records first, then the rows: their keys, tag values and files go with them.
    batch.statement("DELETE FROM resources WHERE pk IN (SELECT value FROM json_each(?))");
    batch.arg(list);
    batch.run(db).map_err(failed)?;
    Ok(deleted)
}
