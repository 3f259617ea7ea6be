//! A resource's deletion, recorded whole: its keys, tag values and files go with it, and what
//! was under it loses its parent. Each of those is a record of the deletion's change set, so
//! a revert of that set brings back the resource with all of it (see `change_sets::revert`).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::SqliteConnection;

use super::files::{files_of, summary};
use super::metadata::load_record;
use super::rows::ResourceRow;
use super::{changes, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::resources::ResourceId;

/// What a committed deletion leaves for the store to tidy beside the database.
pub(super) struct Deleted {
    pub(super) id: String,
    pub(super) had_children: bool,
    pub(super) was_stream: bool,
    /// The blobs of its files, to remove once nothing else refers to them.
    pub(super) blobs: Vec<String>,
}

/// Deletes `row` inside the caller's transaction, recording everything that goes with it.
/// The caller has checked the actor may.
pub(super) async fn delete_in(
    tx: &mut SqliteConnection,
    actor: &Actor,
    row: &ResourceRow,
    now: DateTime<Utc>,
) -> Result<Deleted, CoreError> {
    let id = ResourceId::from_path(row.id.clone());
    if let Some((_, entries)) = load_record(&mut *tx, &actor.tenant, &id).await? {
        for entry in entries {
            let old = Some(entry.value.to_json());
            changes::append(
                &mut *tx,
                actor,
                &row.id,
                Action::MetadataRemove,
                entry.key.as_str(),
                old,
                None,
                now,
            )
            .await?;
        }
    }
    let tag_values: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.id, v.value FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk = ? ORDER BY t.id",
    )
    .bind(row.pk)
    .fetch_all(&mut *tx)
    .await
    .map_err(storage)?;
    for (tag_id, value) in tag_values {
        changes::append(
            &mut *tx,
            actor,
            &row.id,
            Action::TagRemove,
            &tag_id,
            Some(json!(value)),
            None,
            now,
        )
        .await?;
    }
    let files = files_of(&mut *tx, row.pk).await?;
    for file in &files {
        changes::append(
            &mut *tx,
            actor,
            &row.id,
            Action::FileDelete,
            file.id.as_str(),
            Some(summary(file)),
            None,
            now,
        )
        .await?;
    }
    let children: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM resources WHERE parent_pk = ? ORDER BY pk")
            .bind(row.pk)
            .fetch_all(&mut *tx)
            .await
            .map_err(storage)?;
    for (child,) in &children {
        changes::append(
            &mut *tx,
            actor,
            child,
            Action::ResourceParent,
            "parent",
            Some(Value::from(row.id.clone())),
            None,
            now,
        )
        .await?;
    }
    sqlx::query("DELETE FROM resources WHERE pk = ?")
        .bind(row.pk)
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
    changes::append(
        &mut *tx,
        actor,
        &row.id,
        Action::ResourceDelete,
        &row.kind,
        Some(json!({ "type": row.kind, "name": row.name, "parent": row.parent_id })),
        None,
        now,
    )
    .await?;
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
