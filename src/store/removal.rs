//! A resource's deletion, recorded whole: its keys, tag values and files go with it, and what
//! was under it loses its parent. Each of those is a record of the deletion's change set, so
//! a revert of that set brings back the resource with all of it (see `change_sets::revert`).
//! Runs on the metadata writer's connection, inside its transaction: a revert of a large
//! import deletes each of its resources this way, with no trip between threads per statement.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::batch::Batch;
use super::changes;
use super::files::files_in_writer;
use super::rows::ResourceRow;
use super::sqlite::batch::failed;
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

/// Deletes `row` inside the writer's transaction, recording everything that goes with it.
/// The caller has checked the actor may.
pub(super) fn delete_in(
    db: &Connection,
    actor: &Actor,
    row: &ResourceRow,
    now: DateTime<Utc>,
) -> Result<Deleted, CoreError> {
    let mut deleted = delete_all_in(db, actor, std::slice::from_ref(row), now)?;
    Ok(deleted.pop().expect("one resource deleted, one answer"))
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
        let mut record = |resource: &str, action: Action, subject: &str, old: Value| {
            changes::stage(
                &mut batch,
                actor,
                resource,
                action,
                subject,
                Some(old),
                None,
                now,
            );
        };
        for (key, quoted) in floats.remove(&row.pk).unwrap_or_default() {
            let value: f64 = quoted
                .parse()
                .map_err(|_| CoreError::Storage(format!("damaged metadata row for key {key:?}")))?;
            record(&row.id, Action::MetadataRemove, &key, Value::from(value));
        }
        for (tag_id, value) in tag_values.remove(&row.pk).unwrap_or_default() {
            record(&row.id, Action::TagRemove, &tag_id, json!(value));
        }
        let files = files.remove(&row.pk).unwrap_or_default();
        for file in &files {
            record(&row.id, Action::FileDelete, &file.id, file.summary.clone());
        }
        let children = children.remove(&row.pk).unwrap_or_default();
        for (child, _) in children
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
        let mut blobs: Vec<String> = files.into_iter().map(|f| f.sha256).collect();
        blobs.sort_unstable();
        blobs.dedup();
        deleted.push(Deleted {
            id: row.id.clone(),
            had_children: !children.is_empty(),
            was_stream: row.kind == crate::core::streams::STREAM_TYPE,
            blobs,
        });
    }
    // The records first, then the rows: their keys, tag values and files go with them.
    batch.statement("DELETE FROM resources WHERE pk IN (SELECT value FROM json_each(?))");
    batch.arg(list);
    batch.run(db).map_err(failed)?;
    Ok(deleted)
}
