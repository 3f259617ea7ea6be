//! A resource's deletion, recorded whole: its keys, tag values and files go with it, and what
//! was under it loses its parent. Each of those is a record of the deletion's change set, so
//! a revert of that set brings back the resource with all of it (see `change_sets::revert`).
//! Runs on the metadata writer's connection, inside its transaction: a revert of a large
//! import deletes each of its resources this way, with no trip between threads per statement.

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

/// The rows `sql` finds for the key `pk`, each as two texts.
pub(super) fn text_pairs(
    db: &Connection,
    sql: &'static str,
    pk: i64,
) -> Result<Vec<(String, String)>, CoreError> {
    db.prepare_cached(sql)
        .and_then(|mut statement| {
            statement
                .query_map([pk], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(failed)
}

/// Deletes `current` inside the writer's transaction, recording everything that goes with it.
/// The caller has checked the actor may.
pub(super) fn delete_in(
    db: &Connection,
    actor: &Actor,
    current: &Current,
    now: DateTime<Utc>,
) -> Result<Deleted, CoreError> {
    let row = &current.row;
    let mut batch = Batch::default();
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
    let tag_values = text_pairs(
        db,
        "SELECT t.id, v.value FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk = ? ORDER BY t.id",
        row.pk,
    )?;
    for (tag_id, value) in tag_values {
        record(&row.id, Action::TagRemove, &tag_id, json!(value));
    }
    let files = files_in_writer(db, row.pk)?;
    for file in &files {
        record(&row.id, Action::FileDelete, &file.id, file.summary.clone());
    }
    let children = text_pairs(
        db,
        "SELECT id, type FROM resources WHERE parent_pk = ? ORDER BY pk",
        row.pk,
    )?;
    for (child, _) in &children {
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
    // The records first, then the row: its keys, tag values and files go with it.
    batch.statement("DELETE FROM resources WHERE pk = ?");
    batch.arg(row.pk);
    batch.run(db).map_err(failed)?;
    let mut blobs: Vec<String> = files.into_iter().map(|f| f.sha256).collect();
    blobs.sort_unstable();
    blobs.dedup();
    Ok(Deleted {
        id: row.id.clone(),
        had_children: !children.is_empty(),
        was_stream: row.kind == crate::core::streams::STREAM_TYPE,
        blobs,
    })
}
