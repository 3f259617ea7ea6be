//! Reverting a change set: the core plans it from the records (`change_sets::revert`); this
//! loads them, checks who may, and applies the steps in one transaction on the metadata
//! writer's connection, as a change set of its own: a revert of an import of 100,000
//! resources runs its statements with no trip between threads per statement.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};

use super::batch::Batch;
use super::change_sets::{not_found, summary_of};
use super::changes::{self, ChangeRow, each_record_in_writer, records_in_writer, select_records};
use super::files::files_in_writer;
use super::metadata::plan::Current;
use super::metadata::stage_change;
use super::removal::{Deleted, delete_all_in};
use super::resources::{
    current_in_writer, insert_in_writer, reparent, rows_in_writer, stage_touch,
};
use super::rows::ResourceRow;
use super::sqlite::batch::{failed, unique_violation};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::change_sets::revert::{Conflict, Plan, Planner, Step};
use crate::core::change_sets::{ChangeNote, ChangeSetId, ChangeSetSummary, Via};
use crate::core::changes::Action;
use crate::core::error::{Clash, ValidationError};
use crate::core::metadata::{KeyChange, MetaKey, MetaValue};
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

/// Records written after `?2` by other sets, on the resources set `?3` (its key) touched.
const LATER_RECORDS: &str = select_records!(
    "WHERE c.tenant_id = ?1 AND c.seq > ?2 AND c.set_pk != ?3 \
     AND c.resource_id IN (SELECT resource_id FROM changes WHERE set_pk = ?3) ORDER BY c.seq"
);

/// A set's records in order (`?1` the set's key).
const SET_RECORDS: &str = select_records!("WHERE c.set_pk = ?1 ORDER BY c.seq");

/// Set `?2`'s key (`?1` the tenant) and its first record, last record and count of records.
const SET_BOUNDS: &str = "SELECT cs.pk, min(c.seq), max(c.seq), count(c.seq) FROM change_sets cs \
     JOIN changes c ON c.set_pk = cs.pk WHERE cs.tenant_id = ?1 AND cs.id = ?2";

/// Where in the log a set is: its key, and the record after which later changes may be found.
#[derive(Clone, Copy)]
struct Bounds {
    set_pk: i64,
    later_than: i64,
}

impl Bounds {
    /// A set written in one transaction holds every record between its first and its last, so
    /// later changes come after its last: no need to read the set's own records again to find
    /// them (an import's are millions). Otherwise they come after its first.
    fn of(
        id: &ChangeSetId,
        found: (Option<i64>, Option<i64>, Option<i64>, i64),
    ) -> Result<Self, CoreError> {
        let (Some(set_pk), Some(first), Some(last)) = (found.0, found.1, found.2) else {
            return Err(not_found(id));
        };
        let contiguous = last - first + 1 == found.3;
        Ok(Self {
            set_pk,
            later_than: if contiguous { last } else { first },
        })
    }
}

/// Gives the planner the set's next record, read whole only when it wants it.
fn feed(planner: &mut Planner, row: ChangeRow) -> Result<(), CoreError> {
    let passed_over = row
        .action()
        .is_some_and(|action| planner.passes_over(row.resource_id(), action));
    if !passed_over {
        planner.feed(row.into_record()?);
    }
    Ok(())
}

/// What the writer's transaction answers: conflicts (rolled back), or what was done.
enum Outcome {
    Conflicts(Vec<Conflict>),
    Done {
        gone: Vec<Deleted>,
        freed: Vec<String>,
        files_missing: Vec<String>,
    },
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
        let now = crate::store::now();
        let mut reverter = actor.clone();
        reverter.change.via = Via::Revert;
        reverter.change.note = Some(Box::new(ChangeNote {
            comment,
            reverts: Some(id.clone()),
            source: None,
        }));
        // Which deleted files' bytes are still stored is the blob store's to say, outside the
        // writer's thread: asked before, for every file the set's records name.
        let present = self.blobs_present(actor, id).await?;
        let (writer, set_id) = (reverter.clone(), id.clone());
        let outcome = self
            .writer
            .transaction_deciding(move |db| {
                let tenant = writer.tenant.as_str();
                let found = db
                    .prepare_cached(SET_BOUNDS)
                    .and_then(|mut s| {
                        s.query_row((tenant, set_id.as_str()), |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                        })
                    })
                    .map_err(failed)?;
                let bounds = Bounds::of(&set_id, found)?;
                let later = records_in_writer(
                    db,
                    LATER_RECORDS,
                    (tenant, bounds.later_than, bounds.set_pk),
                )?;
                let mut planner = Planner::new(later);
                each_record_in_writer(db, SET_RECORDS, [bounds.set_pk], |row| {
                    feed(&mut planner, row)
                })?;
                let plan = planner
                    .finish()
                    .map_err(|why| ValidationError::ChangeSetNotRevertible(why.message()))?;
                if !plan.conflicts.is_empty() && !force {
                    return Ok((Outcome::Conflicts(plan.conflicts), false));
                }
                let mut gone = Vec::new();
                let mut freed = Vec::new();
                let mut files_missing = Vec::new();
                let mut steps = plan.steps.as_slice();
                while let Some(step) = steps.first() {
                    // Resources the set made go last, a chunk at a time (see `delete_all_in`).
                    if let Step::Delete { .. } = step {
                        let deletes = steps
                            .iter()
                            .take(DELETES_AT_ONCE)
                            .take_while(|s| matches!(s, Step::Delete { .. }))
                            .count();
                        let (chunk, rest) = steps.split_at(deletes);
                        gone.extend(delete_chunk(db, &writer, chunk, now)?);
                        steps = rest;
                        continue;
                    }
                    match apply(db, &present, &writer, step, now)? {
                        Applied::Done | Applied::Skipped => {}
                        Applied::FileDeleted(sha256) => freed.push(sha256),
                        Applied::FileMissing(file) => files_missing.push(file),
                    }
                    steps = &steps[1..];
                }
                // A revert that found everything as the set left it still is a set of its own.
                let mut batch = Batch::default();
                changes::stage_open_set(&mut batch, &writer, now);
                batch.run(db).map_err(failed)?;
                let done = Outcome::Done {
                    gone,
                    freed,
                    files_missing,
                };
                Ok((done, true))
            })
            .await?;
        let (gone, freed, files_missing) = match outcome {
            Outcome::Conflicts(conflicts) => return Ok(Reverted::Conflicts(conflicts)),
            Outcome::Done {
                gone,
                freed,
                files_missing,
            } => (gone, freed, files_missing),
        };
        self.cache.forget_records();
        self.cache.forget_streams();
        self.after_deletes(actor, &gone).await;
        for sha256 in freed {
            self.collect_blob_after_commit(&sha256).await;
        }
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let change_set = match summary_of(&mut conn, &reverter, &reverter.change.id).await {
            Ok(summary) => summary,
            // Everything was already as the set found it: answered as an empty set of its own.
            Err(CoreError::NotFound { .. }) => summary_of_empty(&reverter, now),
            Err(e) => return Err(e),
        };
        Ok(Reverted::Done {
            change_set,
            files_missing,
        })
    }

    /// The hashes, among those of the files set `id` records, whose bytes are still stored.
    async fn blobs_present(
        &self,
        actor: &Actor,
        id: &ChangeSetId,
    ) -> Result<HashSet<String>, CoreError> {
        let hashes: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT json_extract(COALESCE(c.old_value, c.new_value), '$.sha256') \
             FROM changes c JOIN change_sets cs ON cs.pk = c.set_pk \
             WHERE cs.tenant_id = ? AND cs.id = ? AND c.action LIKE 'file.%' \
             AND json_extract(COALESCE(c.old_value, c.new_value), '$.sha256') IS NOT NULL",
        )
        .bind(actor.tenant.as_str())
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(storage)?;
        let mut present = HashSet::new();
        for (sha256,) in hashes {
            if self.blobs.holds(&sha256).await? {
                present.insert(sha256);
            }
        }
        Ok(present)
    }
}

impl Store {
    /// What reverting change set `id` would do now, without doing it: the steps and the
    /// conflicts (the web page's "Revert…" shows them before the person confirms).
    pub async fn plan_revert(&self, actor: &Actor, id: &ChangeSetId) -> Result<Plan, CoreError> {
        actor.require_writer()?;
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let tenant = actor.tenant.as_str();
        let found: (Option<i64>, Option<i64>, Option<i64>, i64) = sqlx::query_as(SET_BOUNDS)
            .bind(tenant)
            .bind(id.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(storage)?;
        let bounds = Bounds::of(id, found)?;
        let later: Vec<ChangeRow> = sqlx::query_as(LATER_RECORDS)
            .bind(tenant)
            .bind(bounds.later_than)
            .bind(bounds.set_pk)
            .fetch_all(&mut *conn)
            .await
            .map_err(storage)?;
        let mut planner = Planner::new(
            later
                .into_iter()
                .map(ChangeRow::into_record)
                .collect::<Result<Vec<_>, _>>()?,
        );
        // Read as a stream: a set of an import holds millions of records.
        let mut set = sqlx::query_as::<_, ChangeRow>(SET_RECORDS)
            .bind(bounds.set_pk)
            .fetch(&mut *conn);
        while let Some(row) = set.try_next().await.map_err(storage)? {
            feed(&mut planner, row)?;
        }
        Ok(planner
            .finish()
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

/// Resources a revert deletes in one go: a few statements for each chunk (see
/// [`delete_all_in`]), the records of a chunk of imported rows a few thousand.
const DELETES_AT_ONCE: usize = 256;

/// Deletes the resources of `steps` (all [`Step::Delete`]) that are still there, once the
/// actor is known to may delete each.
fn delete_chunk(
    db: &Connection,
    actor: &Actor,
    steps: &[Step],
    now: DateTime<Utc>,
) -> Result<Vec<Deleted>, CoreError> {
    let ids: Vec<&str> = steps.iter().map(Step::resource_id).collect();
    // Those gone since (forced past that conflict) are not found, and left out.
    let mut found: HashMap<String, ResourceRow> = rows_in_writer(db, &actor.tenant, &ids)?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    let rows: Vec<ResourceRow> = ids.iter().filter_map(|id| found.remove(*id)).collect();
    for row in &rows {
        actor.require_delete(&row.kind, row.site().as_ref())?;
    }
    delete_all_in(db, actor, &rows, now)
}

enum Applied {
    Done,
    /// Nothing to do: already so, or (forced) no longer possible.
    Skipped,
    /// A file removed; its blob goes once nothing refers to it.
    FileDeleted(String),
    /// A file not brought back: its bytes are no longer stored.
    FileMissing(String),
}

fn apply(
    db: &Connection,
    present: &HashSet<String>,
    actor: &Actor,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let current = current_in_writer(db, &actor.tenant, step.resource_id())?;
    match (step, current) {
        (
            Step::Recreate {
                resource_id,
                kind,
                name,
                parent,
            },
            None,
        ) => recreate(db, actor, resource_id, kind, name, parent.as_deref(), now),
        (Step::Parent { parent, .. }, Some(current)) => {
            let row = &current.row;
            if row.parent_id.as_deref() == parent.as_deref() {
                return Ok(Applied::Skipped);
            }
            if let Some(parent) = parent
                && current_in_writer(db, &actor.tenant, parent)?.is_none()
            {
                // The earlier parent is gone (forced past that conflict): left where it is.
                return Ok(Applied::Skipped);
            }
            let parent = parent.clone().map(ResourceId::from_path);
            reparent(db, actor, row, parent.as_ref(), now)?;
            Ok(Applied::Done)
        }
        (Step::Key { key, value, .. }, Some(current)) => {
            actor.require_write_of(&current.row.kind, current.row.site().as_ref())?;
            set_key(db, actor, &current, key, value.as_ref(), now)
        }
        (Step::Tag { tag_id, value, .. }, Some(current)) => {
            actor.require_write_of(&current.row.kind, current.row.site().as_ref())?;
            set_tag(db, actor, &current, tag_id, value.as_deref(), now)
        }
        (
            Step::File {
                file_id, summary, ..
            },
            Some(current),
        ) => {
            actor.require_write(current.row.site().as_ref())?;
            set_file(db, present, actor, &current, file_id, summary.as_ref(), now)
        }
        // The resource is already there (recreated since) or already gone, or gone since
        // (forced): nothing to put back on it.
        _ => Ok(Applied::Skipped),
    }
}

fn recreate(
    db: &Connection,
    actor: &Actor,
    id: &str,
    kind: &str,
    name: &str,
    parent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let id = ResourceId::from_path(id.to_owned());
    let kind = ResourceType::parse(kind)?;
    let name = ResourceName::parse_for(name, kind.as_str())?;
    let parent_row = match parent {
        Some(parent) => current_in_writer(db, &actor.tenant, parent)?.map(|c| c.row),
        None => None,
    };
    let site = Resource::governing_site(
        kind.as_str(),
        id.as_str(),
        parent_row
            .as_ref()
            .and_then(|p| p.site())
            .as_ref()
            .map(ResourceId::as_str),
    );
    actor.require_write_of(kind.as_str(), site.as_ref())?;
    let mut batch = Batch::default();
    insert_in_writer(db, &mut batch, actor, &id, &kind, &name, now)?;
    batch.run(db).map_err(failed)?;
    if let Some(parent) = parent_row {
        let row = current_in_writer(db, &actor.tenant, id.as_str())?
            .ok_or_else(|| CoreError::Storage("a resource vanished inside its transaction".into()))?
            .row;
        reparent(
            db,
            actor,
            &row,
            Some(&ResourceId::from_path(parent.id)),
            now,
        )?;
    }
    Ok(Applied::Done)
}

fn set_key(
    db: &Connection,
    actor: &Actor,
    current: &Current,
    key: &str,
    value: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let key = MetaKey::parse(key)?;
    let row = &current.row;
    let old = current
        .entries
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.value.clone());
    let new = value.map(|v| MetaValue::from_json(&key, v)).transpose()?;
    if old == new {
        return Ok(Applied::Skipped);
    }
    // The resource's name follows its `name` key, as every metadata write keeps it.
    let rename = match &new {
        Some(MetaValue::Text(name)) if key.as_str() == crate::core::metadata::NAME_KEY => {
            Some(ResourceName::parse_for(name, &row.kind)?)
        }
        _ => None,
    };
    let mut batch = Batch::default();
    stage_touch(&mut batch, row, rename.as_ref(), now);
    if let Some(name) = &rename
        && row.kind == crate::core::streams::STREAM_TYPE
    {
        batch.statement("UPDATE streams SET display_name = ? WHERE resource_pk = ?");
        batch.arg(name.as_str().to_owned());
        batch.arg(row.pk);
    }
    let change = KeyChange { key, old, new };
    stage_change(&mut batch, actor, row, row.version + 1, &change, now);
    batch
        .run(db)
        .map_err(|e| match (unique_violation(&e), &rename) {
            (Some(_), Some(name)) => CoreError::Conflict(
                Clash::NameTaken,
                format!(
                    "Another site is now named '{}', so this one cannot take that name back.",
                    name.as_str()
                ),
            ),
            _ => failed(e),
        })?;
    Ok(Applied::Done)
}

fn set_tag(
    db: &Connection,
    actor: &Actor,
    current: &Current,
    tag_id: &str,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let row = &current.row;
    let tag_pk: Option<i64> = db
        .prepare_cached("SELECT pk FROM tags WHERE tenant_id = ? AND id = ?")
        .and_then(|mut s| {
            s.query_row([actor.tenant.as_str(), tag_id], |r| r.get(0))
                .optional()
        })
        .map_err(failed)?;
    // The tag's definition was deleted since (forced past that conflict).
    let Some(tag_pk) = tag_pk else {
        return Ok(Applied::Skipped);
    };
    let old: Option<String> = db
        .prepare_cached("SELECT value FROM tag_values WHERE tag_pk = ? AND resource_pk = ?")
        .and_then(|mut s| s.query_row([tag_pk, row.pk], |r| r.get(0)).optional())
        .map_err(failed)?;
    if old.as_deref() == value {
        return Ok(Applied::Skipped);
    }
    let mut batch = Batch::default();
    match value {
        Some(value) => {
            batch.row(super::tags::UPSERT_TAG_VALUE);
            batch.arg(tag_pk);
            batch.arg(row.pk);
            batch.arg(value.to_owned());
            batch.arg(actor.id.clone());
            batch.time(now);
            batch.time(now);
        }
        None => {
            batch.statement("DELETE FROM tag_values WHERE tag_pk = ? AND resource_pk = ?");
            batch.arg(tag_pk);
            batch.arg(row.pk);
        }
    }
    let action = if value.is_some() {
        Action::TagSet
    } else {
        Action::TagRemove
    };
    changes::stage(
        &mut batch,
        actor,
        &row.id,
        action,
        tag_id,
        old.map(Value::from),
        value.map(Value::from),
        now,
    );
    batch.run(db).map_err(failed)?;
    Ok(Applied::Done)
}

fn set_file(
    db: &Connection,
    present: &HashSet<String>,
    actor: &Actor,
    site: &Current,
    file_id: &str,
    wanted: Option<&Value>,
    now: DateTime<Utc>,
) -> Result<Applied, CoreError> {
    let site = &site.row;
    let current = files_in_writer(db, &format!("[{}]", site.pk))?
        .remove(&site.pk)
        .unwrap_or_default()
        .into_iter()
        .find(|f| f.id == file_id);
    let text = |summary: &Value, field: &str| {
        summary
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut batch = Batch::default();
    let applied = match (current, wanted) {
        (None, None) => return Ok(Applied::Skipped),
        (Some(file), None) => {
            batch.statement("DELETE FROM site_files WHERE tenant_id = ? AND id = ?");
            batch.arg(actor.tenant.as_str().to_owned());
            batch.arg(file_id.to_owned());
            changes::stage(
                &mut batch,
                actor,
                &site.id,
                Action::FileDelete,
                file_id,
                Some(file.summary),
                None,
                now,
            );
            Applied::FileDeleted(file.sha256)
        }
        (Some(file), Some(wanted)) => {
            let before = file.summary;
            if ["name", "kind", "description"]
                .iter()
                .all(|field| before.get(field) == wanted.get(field))
            {
                return Ok(Applied::Skipped);
            }
            let (name, kind, description) = (
                text(wanted, "name"),
                text(wanted, "kind"),
                text(wanted, "description"),
            );
            batch.statement(
                "UPDATE site_files SET name = ?, kind = ?, description = ?, updated_at = ?, \
                 version = version + 1 WHERE tenant_id = ? AND id = ?",
            );
            batch.arg(name.clone());
            batch.arg(kind.clone());
            batch.arg(description.clone());
            batch.time(now);
            batch.arg(actor.tenant.as_str().to_owned());
            batch.arg(file_id.to_owned());
            let mut after = before.clone();
            after["name"] = json!(name);
            after["kind"] = json!(kind);
            after["description"] = json!(description);
            changes::stage(
                &mut batch,
                actor,
                &site.id,
                Action::FileUpdate,
                file_id,
                Some(before),
                Some(after),
                now,
            );
            Applied::Done
        }
        (None, Some(wanted)) => {
            let sha256 = text(wanted, "sha256");
            if !present.contains(&sha256) {
                return Ok(Applied::FileMissing(file_id.to_owned()));
            }
            batch.statement(
                "INSERT INTO site_files (tenant_id, id, site_pk, name, content_type, size, \
                 sha256, kind, description, uploaded_by, uploaded_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            );
            batch.arg(actor.tenant.as_str().to_owned());
            batch.arg(file_id.to_owned());
            batch.arg(site.pk);
            batch.arg(text(wanted, "name"));
            batch.arg(text(wanted, "content_type"));
            batch.arg(
                wanted
                    .get("size")
                    .and_then(Value::as_i64)
                    .unwrap_or_default(),
            );
            batch.arg(sha256);
            batch.arg(text(wanted, "kind"));
            batch.arg(text(wanted, "description"));
            batch.arg(actor.id.clone());
            batch.time(now);
            batch.time(now);
            changes::stage(
                &mut batch,
                actor,
                &site.id,
                Action::FileAdd,
                file_id,
                None,
                Some(wanted.clone()),
                now,
            );
            Applied::Done
        }
    };
    batch.run(db).map_err(failed)?;
    Ok(applied)
}
