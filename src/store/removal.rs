//! A resource's deletion, recorded whole: its keys, tag values and files go with it, and what
//! was under it loses its parent. Each of those is a record of the deletion's change set, so
//! a revert of that set brings back the resource with all of it (see `change_sets::revert`).
//! Runs on the metadata writer's connection, inside its transaction: a revert of a large
//! import deletes each of its resources this way, with no trip between threads per statement.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::batch::{Batch, failed};
use super::changes;
use super::files::files_in_writer;
use super::metadata_writer::Current;
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

/// Deletes `current` inside the writer's transaction, recording everything that goes with it.
/// The caller has checked the actor may.
pub(super) fn delete_in(
    db: &Connection,
    actor: &Actor,
    current: &Current,
    now: DateTime<Utc>,
) -> Result<Deleted, CoreError> {
    let mut deleted = delete_all_in(db, actor, std::slice::from_ref(current), now)?;
    Ok(deleted.pop().expect("one resource deleted, one answer"))
}

/// Deletes each of `currents` as [`delete_in`] would, in a few statements for all of them
/// rather than a few for each (a revert of an import deletes 100,000). A resource under one
/// of them that is itself among them goes with them rather than losing its parent first.
/// The caller has checked the actor may.
pub(super) fn delete_all_in(
    db: &Connection,
    actor: &Actor,
    currents: &[Current],
    now: DateTime<Utc>,
) -> Result<Vec<Deleted>, CoreError> {
    let pks: Vec<i64> = currents.iter().map(|c| c.row.pk).collect();
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
    let mut files = files_in_writer(db, &list)?;
    let going: HashSet<&str> = currents.iter().map(|c| c.row.id.as_str()).collect();

    let mut batch = Batch::default();
    let mut deleted = Vec::with_capacity(currents.len());
    for current in currents {
        let row = &current.row;
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
        for entry in &current.entries {
            record(
                &row.id,
                Action::MetadataRemove,
                entry.key.as_str(),
                entry.value.to_json(),
            );
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
