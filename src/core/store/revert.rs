//! Reverting a change set: the core plans it from the records (`change_sets::revert`); this
//! loads them, checks who may, and applies the steps in one transaction as a change set of
//! its own, through the same transaction-level writes the other use cases use.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::SqliteConnection;

use super::change_sets::{not_found, summary_of};
use super::changes::{self, ChangeRow, SELECT_RECORDS};
use super::files::{files_of, summary};
use super::metadata::load_record;
use super::removal::{Deleted, delete_in};
use super::resources::{find_row, insert, reparent};
use super::rows::ResourceRow;
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::blobs::LocalDisk;
use crate::core::change_sets::revert::{self, Conflict, Plan, Step};
use crate::core::change_sets::{ChangeNote, ChangeSetId, ChangeSetSummary, Via};
use crate::core::changes::{Action, ChangeRecord};
use crate::core::error::{Clash, ValidationError};
use crate::core::metadata::{MetaKey, MetaValue};
use crate::core::resources::{Resource, ResourceId, ResourceName, ResourceType};

/// What a revert did.
#[derive(Debug)]
pub enum Reverted {
    /// The new change set (its summary) and the files it could not bring back because their
    /// bytes are no longer stored (their ids).
    Done {
        change_set: ChangeSetSummary,
        files_missing: Vec<String>,
    },
    /// Nothing was written: someone changed these since (revert with `force` to go on).
    Conflicts(Vec<Conflict>),
}

/// Records written after the set's first one by other sets, on the resources the set touched.
const LATER_RECORDS: &str = "SELECT seq, resource_id, actor_id, actor_type, action, subject, \
     old_value, new_value, request_id, at, change_set FROM changes \
     WHERE tenant_id = ?1 AND seq > ?2 AND change_set IS NOT ?3 \
     AND resource_id IN (SELECT resource_id FROM changes WHERE tenant_id = ?1 AND change_set = ?3) \
     ORDER BY seq";

async fn records(
    conn: &mut SqliteConnection,
    sql: &'static str,
    tenant: &str,
    since: Option<i64>,
    set: &ChangeSetId,
) -> Result<Vec<ChangeRecord>, CoreError> {
    let query = sqlx::query_as::<_, ChangeRow>(sql).bind(tenant);
    let query = match since {
        Some(seq) => query.bind(seq),
        None => query,
    };
    query
        .bind(set.as_str())
        .fetch_all(conn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(ChangeRow::into_record)
        .collect()
}

impl Store {
    /// Reverts change set `id`: every value it changed goes back to what it was before it, in
    /// one transaction, as a new change set of the actor's (through [`Via::Revert`], with
    /// `comment`). All or nothing: when someone changed any of it since, nothing is written
    /// and the conflicts are the answer, unless `force`. Admins may revert any set; managers
    /// only sets wholly inside what they may write.
    pub async fn revert_change_set(
        &self,
        actor: &Actor,
        id: &ChangeSetId,
        force: bool,
        comment: Option<String>,
    ) -> Result<Reverted, CoreError> {
        actor.require_writer()?;
        let now = Utc::now();
        let mut reverter = actor.clone();
        reverter.change.via = Via::Revert;
        reverter.change.note = Some(Box::new(ChangeNote {
            comment,
            reverts: Some(id.clone()),
            source: None,
        }));

        let mut tx = self.write_tx().await?;
        let tenant = actor.tenant.as_str();
        let set = records(&mut tx, SELECT_RECORDS, tenant, None, id).await?;
        let Some(first) = set.first().map(|r| r.seq) else {
            return Err(not_found(id));
        };
        let later = records(&mut tx, LATER_RECORDS, tenant, Some(first), id).await?;
        let plan = revert::plan(&set, &later)
            .map_err(|why| ValidationError::ChangeSetNotRevertible(why.message()))?;
        if !plan.conflicts.is_empty() && !force {
            return Ok(Reverted::Conflicts(plan.conflicts));
        }
        let mut gone: Vec<Deleted> = Vec::new();
        let mut freed = Vec::new();
        let mut files_missing = Vec::new();
        for step in &plan.steps {
            match apply(&mut tx, &self.blobs, &reverter, step, now).await? {
                Applied::Done | Applied::Skipped => {}
                Applied::Deleted(deleted) => gone.push(deleted),
                Applied::FileDeleted(sha256) => freed.push(sha256),
                Applied::FileMissing(file) => files_missing.push(file),
            }
        }
        let change_set = match summary_of(&mut tx, &reverter, &reverter.change.id).await {
            Ok(summary) => summary,
            // Everything was already as the set found it: the revert changed nothing, and is
            // answered as an empty set of its own rather than a set that does not exist.
            Err(CoreError::NotFound { .. }) => {
                changes::open_set(&mut tx, &reverter, now).await?;
                summary_of_empty(&reverter, now)
            }
            Err(e) => return Err(e),
        };
        tx.commit().await.map_err(storage)?;
        self.cache.forget_records();
        self.cache.forget_streams();
        self.after_deletes(actor, &gone).await;
        for sha256 in freed {
            self.collect_blob_after_commit(&sha256).await;
        }
        Ok(Reverted::Done {
            change_set,
            files_missing,
        })
    }
}

impl Store {
    /// What reverting change set `id` would do now, without doing it: the steps and the
    /// conflicts (the web page's "Revert…" shows them before the person confirms).
    pub async fn plan_revert(&self, actor: &Actor, id: &ChangeSetId) -> Result<Plan, CoreError> {
        actor.require_writer()?;
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let tenant = actor.tenant.as_str();
        let set = records(&mut conn, SELECT_RECORDS, tenant, None, id).await?;
        let Some(first) = set.first().map(|r| r.seq) else {
            return Err(not_found(id));
        };
        let later = records(&mut conn, LATER_RECORDS, tenant, Some(first), id).await?;
        Ok(revert::plan(&set, &later)
            .map_err(|why| ValidationError::ChangeSetNotRevertible(why.message()))?)
    }
}

fn summary_of_empty(reverter: &Actor, at: DateTime<Utc>) -> ChangeSetSummary {
    ChangeSetSummary {
        id: reverter.change.id.clone(),
        actor_id: reverter.id.clone(),
        actor_type: reverter.creator_type.as_str().to_owned(),
        via: reverter.change.via,
        comment: reverter.change.comment().map(str::to_owned),
        reverts: reverter.change.reverts().cloned(),
        source: None,
        at,
        records: 0,
        resources: 0,
    }
}

enum Applied {
    Done,
    /// Nothing to do: already so, or (forced) no longer possible.
    Skipped,
    Deleted(Deleted),
    /// A file removed; its blob goes once nothing refers to it.
    FileDeleted(String),
    /// A file not brought back: its bytes are no longer stored.
    FileMissing(String),
}

async fn apply(
    tx: &mut SqliteConnection,
    blobs: &LocalDisk,
    actor: &Actor,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let resource_id = ResourceId::from_path(step.resource_id().to_owned());
    let row = find_row(&mut *tx, &actor.tenant, &resource_id).await?;
    match (step, row) {
        (
            Step::Recreate {
                kind, name, parent, ..
            },
            None,
        ) => recreate(tx, actor, &resource_id, kind, name, parent.as_deref(), now).await,
        (Step::Delete { .. }, Some(row)) => {
            actor.require_delete(&row.kind, row.site().as_ref())?;
            Ok(Applied::Deleted(delete_in(tx, actor, &row, now).await?))
        }
        (Step::Parent { parent, .. }, Some(row)) => {
            if row.parent_id.as_deref() == parent.as_deref() {
                return Ok(Applied::Skipped);
            }
            let parent = parent.clone().map(ResourceId::from_path);
            if let Some(parent) = &parent
                && find_row(&mut *tx, &actor.tenant, parent).await?.is_none()
            {
                // The earlier parent is gone (forced past that conflict): left where it is.
                return Ok(Applied::Skipped);
            }
            reparent(tx, actor, &row, parent.as_ref(), now).await?;
            Ok(Applied::Done)
        }
        (Step::Key { key, value, .. }, Some(row)) => {
            actor.require_write_of(&row.kind, row.site().as_ref())?;
            set_key(tx, actor, &row, key, value.as_ref(), now).await
        }
        (Step::Tag { tag_id, value, .. }, Some(row)) => {
            actor.require_write_of(&row.kind, row.site().as_ref())?;
            set_tag(tx, actor, &row, tag_id, value.as_deref(), now).await
        }
        (
            Step::File {
                file_id, summary, ..
            },
            Some(row),
        ) => {
            actor.require_write(row.site().as_ref())?;
            set_file(tx, blobs, actor, &row, file_id, summary.as_ref(), now).await
        }
        // The resource is already there (recreated since) or already gone, or gone since
        // (forced): nothing to put back on it.
        _ => Ok(Applied::Skipped),
    }
}

async fn recreate(
    tx: &mut SqliteConnection,
    actor: &Actor,
    id: &ResourceId,
    kind: &str,
    name: &str,
    parent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let kind = ResourceType::parse(kind)?;
    let name = ResourceName::parse_for(name, kind.as_str())?;
    let parent_row = match parent {
        Some(parent) => {
            find_row(
                &mut *tx,
                &actor.tenant,
                &ResourceId::from_path(parent.to_owned()),
            )
            .await?
        }
        None => None,
    };
    let site = Resource::governing_site(
        kind.as_str(),
        id.as_str(),
        parent_row
            .as_ref()
            .and_then(ResourceRow::site)
            .as_ref()
            .map(ResourceId::as_str),
    );
    actor.require_write_of(kind.as_str(), site.as_ref())?;
    let row = insert(&mut *tx, actor, id, &kind, &name, now).await?;
    if let Some(parent) = parent_row {
        reparent(
            tx,
            actor,
            &row,
            Some(&ResourceId::from_path(parent.id)),
            now,
        )
        .await?;
    }
    Ok(Applied::Done)
}

async fn set_key(
    tx: &mut SqliteConnection,
    actor: &Actor,
    row: &ResourceRow,
    key: &str,
    value: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let key = MetaKey::parse(key)?;
    let id = ResourceId::from_path(row.id.clone());
    let current = load_record(&mut *tx, &actor.tenant, &id)
        .await?
        .and_then(|(_, entries)| entries.into_iter().find(|e| e.key == key))
        .map(|e| e.value);
    let value = value.map(|v| MetaValue::from_json(&key, v)).transpose()?;
    if current == value {
        return Ok(Applied::Skipped);
    }
    let (version,): (i64,) = sqlx::query_as(
        "UPDATE resources SET version = version + 1, updated_at = ? WHERE pk = ? RETURNING version",
    )
    .bind(now)
    .bind(row.pk)
    .fetch_one(&mut *tx)
    .await
    .map_err(storage)?;
    match &value {
        Some(value) => {
            let query = sqlx::query(super::metadata::UPSERT_ENTRY)
                .bind(row.pk)
                .bind(key.as_str())
                .bind(super::metadata::value_type(value));
            let query = match value {
                MetaValue::Text(s) => query.bind(s.clone()),
                MetaValue::Integer(i) => query.bind(*i),
                MetaValue::Float(f) => query.bind(*f),
                MetaValue::Bool(b) => query.bind(i64::from(*b)),
            };
            query
                .bind(version)
                .bind(now)
                .bind(&actor.id)
                .bind(actor.creator_type.as_str())
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
            if key.as_str() == crate::core::metadata::NAME_KEY
                && let MetaValue::Text(name) = value
            {
                rename(tx, row, name).await?;
            }
        }
        None => {
            sqlx::query("DELETE FROM metadata WHERE resource_pk = ? AND key = ?")
                .bind(row.pk)
                .bind(key.as_str())
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
        }
    }
    let action = if value.is_some() {
        Action::MetadataSet
    } else {
        Action::MetadataRemove
    };
    changes::append(
        tx,
        actor,
        &row.id,
        action,
        key.as_str(),
        current.as_ref().map(MetaValue::to_json),
        value.as_ref().map(MetaValue::to_json),
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// The resource's name follows its `name` key, as every metadata write keeps it.
async fn rename(tx: &mut SqliteConnection, row: &ResourceRow, name: &str) -> Result<(), CoreError> {
    let name = ResourceName::parse_for(name, &row.kind)?;
    sqlx::query("UPDATE resources SET name = ? WHERE pk = ?")
        .bind(name.as_str())
        .bind(row.pk)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => CoreError::Conflict(
                Clash::NameTaken,
                format!(
                    "Another site is now named '{}', so this one cannot take that name back.",
                    name.as_str()
                ),
            ),
            _ => storage(e),
        })?;
    if row.kind == crate::core::streams::STREAM_TYPE {
        sqlx::query("UPDATE streams SET display_name = ? WHERE resource_pk = ?")
            .bind(name.as_str())
            .bind(row.pk)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
    }
    Ok(())
}

async fn set_tag(
    tx: &mut SqliteConnection,
    actor: &Actor,
    row: &ResourceRow,
    tag_id: &str,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let tag: Option<(i64,)> = sqlx::query_as("SELECT pk FROM tags WHERE tenant_id = ? AND id = ?")
        .bind(actor.tenant.as_str())
        .bind(tag_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(storage)?;
    // The tag's definition was deleted since (forced past that conflict).
    let Some((tag_pk,)) = tag else {
        return Ok(Applied::Skipped);
    };
    let current: Option<(String,)> =
        sqlx::query_as("SELECT value FROM tag_values WHERE tag_pk = ? AND resource_pk = ?")
            .bind(tag_pk)
            .bind(row.pk)
            .fetch_optional(&mut *tx)
            .await
            .map_err(storage)?;
    let current = current.map(|(v,)| v);
    if current.as_deref() == value {
        return Ok(Applied::Skipped);
    }
    match value {
        Some(value) => {
            sqlx::query(super::tags::UPSERT_TAG_VALUE)
                .bind(tag_pk)
                .bind(row.pk)
                .bind(value)
                .bind(&actor.id)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
        }
        None => {
            sqlx::query("DELETE FROM tag_values WHERE tag_pk = ? AND resource_pk = ?")
                .bind(tag_pk)
                .bind(row.pk)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
        }
    }
    let action = if value.is_some() {
        Action::TagSet
    } else {
        Action::TagRemove
    };
    changes::append(
        tx,
        actor,
        &row.id,
        action,
        tag_id,
        current.map(Value::from),
        value.map(Value::from),
        now,
    )
    .await?;
    Ok(Applied::Done)
}

async fn set_file(
    tx: &mut SqliteConnection,
    blobs: &LocalDisk,
    actor: &Actor,
    site: &ResourceRow,
    file_id: &str,
    wanted: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let current = files_of(&mut *tx, site.pk)
        .await?
        .into_iter()
        .find(|f| f.id.as_str() == file_id);
    let text = |summary: &Value, field: &str| {
        summary
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match (current, wanted) {
        (None, None) => Ok(Applied::Skipped),
        (Some(file), None) => {
            sqlx::query("DELETE FROM site_files WHERE tenant_id = ? AND id = ?")
                .bind(actor.tenant.as_str())
                .bind(file_id)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
            changes::append(
                tx,
                actor,
                &site.id,
                Action::FileDelete,
                file_id,
                Some(summary(&file)),
                None,
                now,
            )
            .await?;
            Ok(Applied::FileDeleted(file.sha256))
        }
        (Some(file), Some(wanted)) => {
            let before = summary(&file);
            let (name, kind, description) = (
                text(wanted, "name"),
                text(wanted, "kind"),
                text(wanted, "description"),
            );
            if before.get("name") == wanted.get("name")
                && before.get("kind") == wanted.get("kind")
                && before.get("description") == wanted.get("description")
            {
                return Ok(Applied::Skipped);
            }
            sqlx::query(
                "UPDATE site_files SET name = ?, kind = ?, description = ?, updated_at = ?, \
                 version = version + 1 WHERE tenant_id = ? AND id = ?",
            )
            .bind(&name)
            .bind(&kind)
            .bind(&description)
            .bind(now)
            .bind(actor.tenant.as_str())
            .bind(file_id)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
            let mut after = before.clone();
            after["name"] = json!(name);
            after["kind"] = json!(kind);
            after["description"] = json!(description);
            changes::append(
                tx,
                actor,
                &site.id,
                Action::FileUpdate,
                file_id,
                Some(before),
                Some(after),
                now,
            )
            .await?;
            Ok(Applied::Done)
        }
        (None, Some(wanted)) => {
            let sha256 = text(wanted, "sha256");
            if !blobs.holds(&sha256).await? {
                return Ok(Applied::FileMissing(file_id.to_owned()));
            }
            sqlx::query(
                "INSERT INTO site_files (tenant_id, id, site_pk, name, content_type, size, \
                 sha256, kind, description, uploaded_by, uploaded_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(actor.tenant.as_str())
            .bind(file_id)
            .bind(site.pk)
            .bind(text(wanted, "name"))
            .bind(text(wanted, "content_type"))
            .bind(
                wanted
                    .get("size")
                    .and_then(Value::as_i64)
                    .unwrap_or_default(),
            )
            .bind(&sha256)
            .bind(text(wanted, "kind"))
            .bind(text(wanted, "description"))
            .bind(&actor.id)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
            changes::append(
                tx,
                actor,
                &site.id,
                Action::FileAdd,
                file_id,
                None,
                Some(wanted.clone()),
                now,
            )
            .await?;
            Ok(Applied::Done)
        }
    }
}
