//! Importing a file of resources (`core::import`): each row checked by the same rules as
//! one-by-one writes, the whole file applied as one transaction and one change set, per-key
//! change records included (so the import can be reverted like any other set). A preview runs
//! the very same statements but the change records and rolls them back, so what it reports is
//! what a commit would do.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::batch::Batch;
use super::metadata::stage_change;
use super::resources::{insert_in_writer, stage_touch};
use super::rows::{ResourceRow, TagRow};
use super::sqlite::batch::{failed, unique_violation};
use super::sqlite::metadata_writer::load;
use super::{Store, changes};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::error::ValidationError;
use crate::core::import::{
    Cell, ImportPhase, ImportProgress, ImportReport, ImportRow, ReadRows, RowError, typing,
};
use crate::core::metadata::{KeyChange, MetaKey, MetaValue, MetadataLimits, NAME_KEY};
use crate::core::resources::{MAX_DEPTH, Resource, ResourceId, ResourceName, ResourceType};
use crate::core::streams::STREAM_TYPE;
use crate::core::tags::{CorrelationType, TagDefinition};

/// How deep a parent chain is followed looking for a loop (resources nest at most 32 deep).
const MOST_ANCESTORS: usize = 64;

impl Store {
    /// Imports `rows` (read from one file; a row that could not be read is its error) as the
    /// actor, in one transaction: committed as the actor's change set only when `commit` and
    /// no row has an error, else rolled back. New resources without an id get one made from
    /// `id_bits` and the row's place in the file.
    pub async fn import_rows(
        &self,
        actor: &Actor,
        rows: ReadRows,
        commit: bool,
        limits: MetadataLimits,
        id_bits: u128,
        progress: Arc<ImportProgress>,
    ) -> Result<ImportReport, CoreError> {
        actor.require_writer()?;
        let actor = actor.clone();
        progress.enter(ImportPhase::Checking);
        let report = self
            .writer
            .transaction_deciding(move |db| {
                let mut importer = Importer {
                    db,
                    actor: &actor,
                    now: crate::store::now(),
                    limits,
                    id_bits,
                    commit,
                    tags: HashMap::new(),
                    seen: HashSet::new(),
                    later: None,
                    waits: false,
                };
                let mut report = ImportReport::default();
                let mut place_later = Vec::new();
                let mut waiting = Vec::new();
                for (n, row) in rows.into_iter().enumerate() {
                    let outcome = match row {
                        Ok(row) => {
                            let outcome = importer.row(&row, n as u128);
                            if importer.waits {
                                importer.waits = false;
                                waiting.push((row, n as u128));
                                progress.row_done();
                                continue;
                            }
                            if let (Ok(outcome), Some((id, parent))) =
                                (&outcome, importer.later.take())
                            {
                                place_later.push(PlaceLater {
                                    id,
                                    parent,
                                    line: row.line,
                                    outcome: *outcome,
                                });
                            }
                            outcome
                        }
                        Err(error) => Err(Refused::Row(error)),
                    };
                    report.count(outcome)?;
                    progress.row_done();
                }
                // A limited writer's rows whose parent comes later in the file: tried again
                // once a pass has made what they wait for, until a pass makes nothing. A
                // chain in reverse takes a pass a level, so the passes stop at the deepest
                // nesting there is, whatever the file holds.
                for pass in 1..=MAX_DEPTH {
                    if waiting.is_empty() {
                        break;
                    }
                    let last_try = std::mem::take(&mut waiting);
                    let before = last_try.len();
                    let mut refused = Vec::new();
                    for (row, n) in last_try {
                        let outcome = importer.row(&row, n);
                        if std::mem::take(&mut importer.waits) {
                            refused.push(outcome);
                            waiting.push((row, n));
                        } else {
                            report.count(outcome)?;
                        }
                    }
                    if waiting.len() == before || pass == MAX_DEPTH {
                        for outcome in refused {
                            report.count(outcome)?;
                        }
                        break;
                    }
                }
                for row in &place_later {
                    match importer.place(row) {
                        Ok(true) if row.outcome == Outcome::Unchanged => {
                            report.unchanged -= 1;
                            report.updates += 1;
                        }
                        Ok(_) => {}
                        Err(Refused::Row(error)) => report.errors.push(error),
                        Err(Refused::Storage(error)) => return Err(error),
                    }
                }
                report.errors.sort_by_key(|e| e.line);
                progress.enter(ImportPhase::Done);
                let write = commit && report.errors.is_empty();
                if write && report.creates + report.updates > 0 {
                    report.change_set = Some(actor.change.id.to_string());
                }
                Ok((report, write))
            })
            .await?;
        if report.change_set.is_some() {
            self.cache.forget_records();
            self.cache.forget_streams();
        }
        Ok(report)
    }
}

trait Tally {
    /// Counts a row's outcome; a storage failure fails the import.
    fn count(&mut self, outcome: Result<Outcome, Refused>) -> Result<(), CoreError>;
}

impl Tally for ImportReport {
    fn count(&mut self, outcome: Result<Outcome, Refused>) -> Result<(), CoreError> {
        match outcome {
            Ok(Outcome::Created) => self.creates += 1,
            Ok(Outcome::Updated) => self.updates += 1,
            Ok(Outcome::Unchanged) => self.unchanged += 1,
            Err(Refused::Row(error)) => self.errors.push(error),
            Err(Refused::Storage(error)) => return Err(error),
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Why a row was not imported: its own fault (reported with the others), or storage's (which
/// fails the whole import, as a 5xx, rather than passing for the row's fault).
enum Refused {
    Row(RowError),
    Storage(CoreError),
}

impl From<RowError> for Refused {
    fn from(error: RowError) -> Self {
        Self::Row(error)
    }
}

/// A core error met on a row: a refusal of the row, or a storage failure.
fn refused(line: u64, column: Option<&str>, error: CoreError) -> Refused {
    match error {
        CoreError::Storage(_) | CoreError::StorageFull(_) | CoreError::WritesHalted(_) => {
            Refused::Storage(error)
        }
        other => Refused::Row(RowError::from_core(line, column, other)),
    }
}

struct Importer<'a> {
    db: &'a rusqlite::Connection,
    actor: &'a Actor,
    now: DateTime<Utc>,
    limits: MetadataLimits,
    id_bits: u128,
    /// Whether the import may be committed; a preview's writes are rolled back, so they leave
    /// out the change records.
    commit: bool,
    /// Tag definitions by lower-cased name, as found (`None`: no such tag).
    tags: HashMap<String, Option<(i64, TagDefinition)>>,
    /// The ids the file has named so far: one row a resource.
    seen: HashSet<String>,
    /// The current row's resource and the parent it names that is not stored yet (see
    /// [`Importer::place`]).
    later: Option<(ResourceId, String)>,
    /// The current row waits for its parent, not stored yet, which decides whether a writer
    /// limited to sites may write it: tried again after the rows it may be waiting for.
    waits: bool,
}

/// A row whose parent was not found when it was read: placed once every row is in.
struct PlaceLater {
    id: ResourceId,
    parent: String,
    line: u64,
    outcome: Outcome,
}

/// A parent as a row names it, found.
struct Parent {
    pk: i64,
    id: String,
    /// The site that governs what goes under it.
    site: Option<ResourceId>,
}

impl Importer<'_> {
    fn batch(&self) -> Batch {
        if self.commit {
            Batch::default()
        } else {
            Batch::without_records()
        }
    }

    fn row(&mut self, row: &ImportRow, n: u128) -> Result<Outcome, Refused> {
        let line = row.line;
        let err = |column: &str, e: CoreError| refused(line, Some(column), e);
        let stored_error = Refused::Storage;

        // Which resource, and of which type.
        let kind = row
            .kind
            .as_deref()
            .map(ResourceType::parse)
            .transpose()
            .map_err(|e| RowError::rule(line, Some("type"), &e))?;
        let id = match &row.id {
            Some(id) => ResourceId::parse(id).map_err(|e| RowError::rule(line, Some("id"), &e))?,
            None => {
                let kind = kind.as_ref().ok_or_else(|| {
                    RowError::new(
                        line,
                        Some("type"),
                        "parameter_missing",
                        "A row without an id makes a new resource, which needs its type.",
                    )
                })?;
                ResourceId::mint(kind, self.id_bits.wrapping_add(n))
            }
        };
        if !self.seen.insert(id.as_str().to_owned()) {
            return Err(RowError::new(
                line,
                Some("id"),
                "import_id_repeated",
                format!("'{id}' is in the file more than once; give each resource one row."),
            )
            .into());
        }
        let key = (
            self.actor.tenant.as_str().to_owned(),
            id.as_str().to_owned(),
        );
        let current = load(self.db, &[&key])
            .map_err(stored_error)?
            .pop()
            .map(|(_, current)| current);
        let kind = match (&current, kind) {
            (Some(current), Some(kind)) if current.row.kind() != kind.as_str() => {
                return Err(RowError::new(
                    line,
                    Some("type"),
                    "type_mismatch",
                    format!(
                        "'{id}' is a {}, not a {}; a resource's type does not change.",
                        current.row.kind(),
                        kind.as_str()
                    ),
                )
                .into());
            }
            (Some(current), _) => ResourceType::parse(current.row.kind())
                .map_err(|e| RowError::rule(line, Some("type"), &e))?,
            (None, Some(kind)) => kind,
            (None, None) => {
                return Err(RowError::new(
                    line,
                    Some("type"),
                    "parameter_missing",
                    format!("'{id}' is new, so its row needs a type."),
                )
                .into());
            }
        };
        let name = row
            .name
            .as_deref()
            .map(|n| ResourceName::parse_for(n, kind.as_str()))
            .transpose()
            .map_err(|e| RowError::rule(line, Some("name"), &e))?;
        if current.is_none() && name.is_none() {
            return Err(RowError::new(
                line,
                Some("name"),
                "parameter_missing",
                match &row.id {
                    Some(_) => format!("'{id}' is new, so its row needs a name."),
                    None => {
                        "A row without an id makes a new resource, which needs a name.".to_owned()
                    }
                },
            )
            .into());
        }

        // Where it goes, and whether the actor may write it there.
        let parent = match &row.parent {
            None | Some(Cell::Keep) => None,
            Some(Cell::Remove) => Some(None),
            Some(Cell::Text(named)) | Some(Cell::Typed(serde_json::Value::String(named))) => {
                match self.parent(named, line) {
                    Ok(found) => Some(Some(found)),
                    // Perhaps later in the file: an export lists resources in the order they
                    // were made, and one may since have moved under a newer one. Placed once
                    // every row is in; a writer limited to sites waits for the parent, as it
                    // decides whether the row is theirs to write.
                    Err(Refused::Row(missing)) if missing.code == "resource_missing" => {
                        if self.actor.require_write(None).is_err() {
                            self.seen.remove(id.as_str());
                            self.waits = true;
                            return Err(missing.into());
                        }
                        self.later = Some((id.clone(), named.clone()));
                        None
                    }
                    Err(refused) => return Err(refused),
                }
            }
            Some(Cell::Typed(_)) => {
                return Err(RowError::new(
                    line,
                    Some("parent"),
                    "parameter_invalid",
                    "A parent is a resource id or a site's name.",
                )
                .into());
            }
        };
        let site_now = current.as_ref().and_then(|c| c.row.site());
        let site_after = match &parent {
            None => site_now.clone(),
            Some(parent) => Resource::governing_site(
                kind.as_str(),
                id.as_str(),
                parent
                    .as_ref()
                    .and_then(|p| p.site.as_ref())
                    .map(ResourceId::as_str),
            ),
        };
        let allowed = match &current {
            None => self
                .actor
                .require_write_of(kind.as_str(), site_after.as_ref()),
            Some(_) => self
                .actor
                .require_write_of(kind.as_str(), site_now.as_ref())
                .and_then(|()| match &parent {
                    Some(_) => self
                        .actor
                        .require_move(site_now.as_ref(), site_after.as_ref()),
                    None => Ok(()),
                }),
        };
        allowed.map_err(|e| refused(line, None, e))?;

        // The dictionary after the row.
        let stored: Vec<(MetaKey, MetaValue)> = current
            .as_ref()
            .map(|c| {
                c.entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let mut after: HashMap<MetaKey, MetaValue> = stored.iter().cloned().collect();
        let mut key_changes: Vec<KeyChange> = Vec::new();
        let mut change =
            |key: MetaKey, new: Option<MetaValue>, after: &mut HashMap<MetaKey, MetaValue>| {
                let old = after.get(&key).cloned();
                if old == new {
                    return;
                }
                match &new {
                    Some(value) => after.insert(key.clone(), value.clone()),
                    None => after.remove(&key),
                };
                key_changes.push(KeyChange { key, old, new });
            };
        if let Some(name) = &name {
            let key =
                MetaKey::parse(NAME_KEY).map_err(|e| RowError::rule(line, Some("name"), &e))?;
            change(
                key,
                Some(MetaValue::Text(name.as_str().to_owned())),
                &mut after,
            );
        }
        for (key, declared, cell) in &row.meta {
            let column = format!("meta.{key}");
            let key = MetaKey::parse(key).map_err(|e| RowError::rule(line, Some(&column), &e))?;
            if key.as_str() == NAME_KEY {
                return Err(RowError::new(
                    line,
                    Some(&column),
                    "parameter_invalid",
                    "A resource's name is its 'name' column.",
                )
                .into());
            }
            let new = match cell {
                Cell::Keep => continue,
                Cell::Remove => None,
                Cell::Text(text) => Some(
                    typing::typed(&key, text, *declared, after.get(&key))
                        .map_err(|e| RowError::rule(line, Some(&column), &e))?,
                ),
                Cell::Typed(value) => Some(
                    MetaValue::from_json(&key, value)
                        .map_err(|e| RowError::rule(line, Some(&column), &e))?,
                ),
            };
            change(key, new, &mut after);
        }
        if after.len() > self.limits.max_keys {
            return Err(RowError::rule(
                line,
                None,
                &ValidationError::MetaTooManyKeys {
                    max: self.limits.max_keys,
                    actual: after.len(),
                },
            )
            .into());
        }

        // The tag values after the row.
        let correlation = CorrelationType::parse(kind.as_str()).ok();
        let mut tag_changes: Vec<(i64, String, Option<String>, Option<String>)> = Vec::new();
        for (tag_name, cell) in &row.tags {
            let column = format!("tag:{tag_name}");
            let value = match cell {
                Cell::Keep => continue,
                Cell::Remove => None,
                Cell::Text(text) => Some(text.clone()),
                Cell::Typed(_) => {
                    return Err(RowError::new(
                        line,
                        Some(&column),
                        "parameter_invalid",
                        "A tag's value is text.",
                    )
                    .into());
                }
            };
            let (tag_pk, definition) =
                self.tag(tag_name).map_err(stored_error)?.ok_or_else(|| {
                    RowError::new(
                        line,
                        Some(&column),
                        "tag_unknown",
                        format!("No tag is named '{tag_name}'; an admin defines tags first."),
                    )
                })?;
            let value = match value {
                None => None,
                Some(text) => {
                    let correlation = correlation.ok_or_else(|| {
                        RowError::rule(
                            line,
                            Some(&column),
                            &ValidationError::CorrelationTypeUnknown(kind.as_str().to_owned()),
                        )
                    })?;
                    Some(
                        definition
                            .draft()
                            .check_value(correlation, &text)
                            .map_err(|e| RowError::rule(line, Some(&column), &e))?
                            .as_str()
                            .to_owned(),
                    )
                }
            };
            let old = match &current {
                Some(current) => self
                    .tag_value(tag_pk, current.row.pk)
                    .map_err(stored_error)?,
                None => None,
            };
            if old != value {
                tag_changes.push((tag_pk, definition.id.as_str().to_owned(), old, value));
            }
        }

        // Writes.
        let mut batch = self.batch();
        let (row_now, outcome) = match current {
            Some(current) => {
                let moved = match &parent {
                    Some(parent) => {
                        let to = parent.as_ref().map(|p| p.id.as_str());
                        (current.row.parent_id.as_deref() != to).then_some(parent)
                    }
                    None => None,
                };
                if key_changes.is_empty() && tag_changes.is_empty() && moved.is_none() {
                    return Ok(Outcome::Unchanged);
                }
                let rename = name.filter(|n| n.as_str() != current.row.name());
                stage_touch(&mut batch, &current.row, rename.as_ref(), self.now);
                if let Some(name) = &rename
                    && current.row.kind() == STREAM_TYPE
                {
                    batch.statement("UPDATE streams SET display_name = ? WHERE resource_pk = ?");
                    batch.arg(name.as_str().to_owned());
                    batch.arg(current.row.pk);
                }
                if let Some(parent) = moved {
                    if let Some(parent) = parent {
                        self.refuse_loop(current.row.pk, parent.pk, &id, line)?;
                    }
                    self.stage_parent(&mut batch, &current.row, parent.as_ref());
                }
                (
                    current.row.touched(rename.as_ref(), self.now),
                    Outcome::Updated,
                )
            }
            None => {
                let name = name.expect("a new resource's name was required above");
                let pk =
                    insert_in_writer(self.db, &mut batch, self.actor, &id, &kind, &name, self.now)
                        .map_err(|e| err("id", e))?;
                // As a load would read it back, without the read.
                let created = ResourceRow {
                    pk,
                    id: id.as_str().to_owned(),
                    kind: kind.as_str().to_owned(),
                    name: name.as_str().to_owned(),
                    parent_id: None,
                    site_above: None,
                    version: 1,
                    created_at: self.now,
                    updated_at: self.now,
                };
                if let Some(Some(parent)) = &parent {
                    self.stage_parent(&mut batch, &created, Some(parent));
                }
                (created, Outcome::Created)
            }
        };
        for change in &key_changes {
            stage_change(
                &mut batch,
                self.actor,
                &row_now,
                row_now.version,
                change,
                self.now,
            );
        }
        for (tag_pk, tag_id, old, new) in &tag_changes {
            match new {
                Some(value) => {
                    batch.row(super::tags::UPSERT_TAG_VALUE);
                    batch.arg(*tag_pk);
                    batch.arg(row_now.pk);
                    batch.arg(value.clone());
                    batch.arg(self.actor.id.clone());
                    batch.time(self.now);
                    batch.time(self.now);
                }
                None => {
                    batch.statement("DELETE FROM tag_values WHERE tag_pk = ? AND resource_pk = ?");
                    batch.arg(*tag_pk);
                    batch.arg(row_now.pk);
                }
            }
            let action = if new.is_some() {
                Action::TagSet
            } else {
                Action::TagRemove
            };
            changes::stage(
                &mut batch,
                self.actor,
                row_now.id(),
                action,
                tag_id,
                old.clone().map(serde_json::Value::from),
                new.clone().map(serde_json::Value::from),
                self.now,
            );
        }
        batch.run(self.db).map_err(|e| match unique_violation(&e) {
            Some(_) => Refused::Row(RowError::new(
                line,
                Some("name"),
                "name_taken",
                format!(
                    "Another site is named '{}' (site names are unique, ignoring case).",
                    row_now.name()
                ),
            )),
            None => Refused::Storage(failed(e)),
        })?;
        Ok(outcome)
    }

    /// A parent named by id, else by the name of a site (stored, or made earlier in the file:
    /// the rows before this one are written already).
    fn parent(&self, named: &str, line: u64) -> Result<Parent, Refused> {
        // (key, id, type, governing site) of each resource found.
        type Found = Vec<(i64, String, String, Option<String>)>;
        let found = |sql: &str| -> Result<Found, Refused> {
            let mut statement = self
                .db
                .prepare_cached(sql)
                .map_err(|e| Refused::Storage(failed(e)))?;
            let rows = statement
                .query_map([self.actor.tenant.as_str(), named], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| Refused::Storage(failed(e)))?;
            Ok(rows)
        };
        // The parent's own governing site: the nearest site at or above it.
        const SITE_ABOVE: &str = "(WITH RECURSIVE up(pk, id, type, parent_pk, depth) AS \
             (SELECT pk, id, type, parent_pk, 0 FROM resources WHERE pk = r.pk \
              UNION ALL SELECT p.pk, p.id, p.type, p.parent_pk, up.depth + 1 FROM resources p \
              JOIN up ON p.pk = up.parent_pk WHERE up.depth < 64) \
             SELECT id FROM up WHERE type = 'site' ORDER BY depth LIMIT 1)";
        let mut rows = found(&format!(
            "SELECT r.pk, r.id, r.type, {SITE_ABOVE} FROM resources r \
             WHERE r.tenant_id = ?1 AND r.id = ?2"
        ))?;
        if rows.is_empty() {
            rows = found(&format!(
                "SELECT r.pk, r.id, r.type, {SITE_ABOVE} FROM resources r \
                 WHERE r.tenant_id = ?1 AND r.type = 'site' AND r.name = ?2 COLLATE NOCASE"
            ))?;
        }
        match rows.as_slice() {
            [(pk, id, _, site)] => Ok(Parent {
                pk: *pk,
                id: id.clone(),
                site: site.clone().map(ResourceId::from_path),
            }),
            [] => Err(RowError::new(
                line,
                Some("parent"),
                "resource_missing",
                format!("No resource has the id '{named}', and no site the name."),
            )
            .into()),
            _ => Err(RowError::new(
                line,
                Some("parent"),
                "parent_ambiguous",
                format!("Several sites are named '{named}'; give the parent's id."),
            )
            .into()),
        }
    }

    /// Puts a row's resource under the parent it named, now that every row is in: whether it
    /// moved.
    fn place(&mut self, later: &PlaceLater) -> Result<bool, Refused> {
        let parent = self.parent(&later.parent, later.line)?;
        let key = (
            self.actor.tenant.as_str().to_owned(),
            later.id.as_str().to_owned(),
        );
        let current = load(self.db, &[&key])
            .map_err(Refused::Storage)?
            .pop()
            .map(|(_, current)| current.row)
            .ok_or_else(|| {
                Refused::Storage(CoreError::Storage("an imported resource vanished".into()))
            })?;
        if current.parent_id.as_deref() == Some(parent.id.as_str()) {
            return Ok(false);
        }
        self.refuse_loop(current.pk, parent.pk, &later.id, later.line)?;
        let mut batch = self.batch();
        stage_touch(&mut batch, &current, None, self.now);
        self.stage_parent(&mut batch, &current, Some(&parent));
        batch
            .run(self.db)
            .map_err(|e| Refused::Storage(failed(e)))?;
        Ok(true)
    }

    /// Refuses a parent that is the resource itself or under it.
    fn refuse_loop(
        &self,
        pk: i64,
        parent_pk: i64,
        id: &ResourceId,
        line: u64,
    ) -> Result<(), Refused> {
        let mut at = Some(parent_pk);
        for _ in 0..MOST_ANCESTORS {
            let Some(here) = at else {
                return Ok(());
            };
            if here == pk {
                return Err(RowError::new(
                    line,
                    Some("parent"),
                    "parent_loop",
                    format!("'{id}' cannot go under itself or under what is under it."),
                )
                .into());
            }
            at = self
                .db
                .prepare_cached("SELECT parent_pk FROM resources WHERE pk = ?")
                .and_then(|mut s| s.query_row([here], |r| r.get::<_, Option<i64>>(0)))
                .optional()
                .map_err(|e| Refused::Storage(failed(e)))?
                .flatten();
        }
        Ok(())
    }

    fn stage_parent(&self, batch: &mut Batch, row: &ResourceRow, parent: Option<&Parent>) {
        batch.statement("UPDATE resources SET parent_pk = ? WHERE pk = ?");
        batch.arg(parent.map(|p| p.pk));
        batch.arg(row.pk);
        changes::stage(
            batch,
            self.actor,
            row.id(),
            Action::ResourceParent,
            "parent",
            row.parent_id.clone().map(serde_json::Value::from),
            parent.map(|p| serde_json::Value::from(p.id.clone())),
            self.now,
        );
    }

    /// A tag by its name, ignoring case, looked up once per file.
    fn tag(&mut self, name: &str) -> Result<Option<(i64, TagDefinition)>, CoreError> {
        let folded = name.to_lowercase();
        if let Some(found) = self.tags.get(&folded) {
            return Ok(found.clone());
        }
        let row = self
            .db
            .prepare_cached(
                "SELECT pk, id, name, description, colour, applies_to, allowed_values, \
                 auto_defined_by, version, created_at, updated_at FROM tags \
                 WHERE tenant_id = ? AND name = ? COLLATE NOCASE",
            )
            .and_then(|mut s| {
                s.query_row([self.actor.tenant.as_str(), name], |r| {
                    let time = |i: usize| super::sqlite::batch::time_column(r, i);
                    Ok(TagRow {
                        pk: r.get(0)?,
                        id: r.get(1)?,
                        name: r.get(2)?,
                        description: r.get(3)?,
                        colour: r.get(4)?,
                        applies_to: r.get(5)?,
                        allowed_values: r.get(6)?,
                        auto_defined_by: r.get(7)?,
                        version: r.get(8)?,
                        created_at: time(9)?,
                        updated_at: time(10)?,
                    })
                })
                .optional()
            })
            .map_err(failed)?;
        let found = match row {
            Some(row) => {
                let pk = row.pk;
                Some((pk, row.into_definition()?))
            }
            None => None,
        };
        self.tags.insert(folded, found.clone());
        Ok(found)
    }

    fn tag_value(&self, tag_pk: i64, resource_pk: i64) -> Result<Option<String>, CoreError> {
        self.db
            .prepare_cached("SELECT value FROM tag_values WHERE tag_pk = ? AND resource_pk = ?")
            .and_then(|mut s| s.query_row([tag_pk, resource_pk], |r| r.get(0)).optional())
            .map_err(failed)
    }
}

impl RowError {
    /// A core error on a row: a rule's own code; anything else by its kind.
    pub(super) fn from_core(line: u64, column: Option<&str>, error: CoreError) -> Self {
        match &error {
            CoreError::Invalid(rule) => Self::rule(line, column, rule),
            CoreError::Conflict(clash, message) => {
                Self::new(line, column, clash.code(), message.clone())
            }
            CoreError::Forbidden(message) => Self::new(line, column, "forbidden", message.clone()),
            CoreError::NotFound { .. } => {
                Self::new(line, column, "resource_missing", error.to_string())
            }
            _ => Self::new(line, column, "refused", error.to_string()),
        }
    }
}
