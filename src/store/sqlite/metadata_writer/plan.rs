//! What each metadata write checks and stages, against the state the writes of its group
//! before it left. The rules that need no database are the core's; this applies them to what
//! the group loaded and turns the outcome into statements.

use chrono::{DateTime, Utc};

use super::Write;
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::metadata::{
    Found, Metadata, MetadataEntry, MetadataRecord, Outcome, admit, expect_kind,
};
use crate::core::resources::ResourceName;
use crate::core::streams::STREAM_TYPE;
use crate::store::metadata::stage_change;
use crate::store::resources;
use crate::store::rows::{LoadedRecord, ResourceRow, from_json, resource_with_keys_json};
use crate::store::sqlite::batch::{Batch, failed};

/// The state of one resource as the writes of the group so far leave it.
pub(in crate::store) struct Current {
    pub(in crate::store) row: ResourceRow,
    pub(in crate::store) entries: Vec<MetadataEntry>,
}

/// A written resource as (tenant, id): a tuple so that the group's keys go to SQLite as one
/// JSON array of pairs (see `LOAD`).
pub(in crate::store) type WriteKey = (String, String);

pub(super) fn key_of(write: &Write) -> WriteKey {
    (
        write.actor.tenant.as_str().to_owned(),
        write.id.as_str().to_owned(),
    )
}

/// Reads resources, each with its keys, as one JSON array (see [`resource_with_keys_json`]
/// for why not rows). The array is joined as text by `group_concat`, for the reason the
/// resources are: `json_group_array` would parse each resource's JSON again to nest it.
const LOAD: &str = concat!(
    "SELECT '[' || coalesce(group_concat(",
    resource_with_keys_json!(),
    ", ','), '') || ']' FROM json_each(?) w \
     JOIN resources r ON r.tenant_id = w.value ->> 0 AND r.id = w.value ->> 1 \
     LEFT JOIN resources p ON p.pk = r.parent_pk"
);

/// The `wanted` resources the tenants have, with their metadata.
pub(in crate::store) fn load(
    db: &rusqlite::Connection,
    wanted: &[&WriteKey],
) -> Result<Vec<(WriteKey, Current)>, CoreError> {
    let wanted = serde_json::to_string(wanted)
        .map_err(|e| CoreError::Storage(format!("cannot list the resources to load: {e}")))?;
    let loaded: String = db
        .prepare_cached(LOAD)
        .and_then(|mut statement| statement.query_row([wanted], |row| row.get(0)))
        .map_err(failed)?;
    from_json::<Vec<LoadedRecord>>(&loaded)?
        .into_iter()
        .map(|loaded| {
            let (tenant, row, entries) = loaded.into_parts()?;
            Ok(((tenant, row.id().to_owned()), Current { row, entries }))
        })
        .collect()
}

pub(super) enum Plan {
    /// The operation changes nothing: nothing is written and the version stays.
    Unchanged(MetadataRecord),
    Write(Planned),
}

/// A write that passed every rule, ready to stage.
pub(super) struct Planned {
    /// The resource and its metadata after this write.
    pub(super) next: Current,
    outcome: Outcome,
    pub(super) rename: Option<ResourceName>,
    now: DateTime<Utc>,
}

/// Checks one write against the resource as it stands and works out its effect. Nothing is
/// staged but the record of a resource's creation, whose row is inserted at once (the group's
/// transaction keeps or drops it with the rest), so the rest of the group sees it.
pub(super) fn plan(
    db: &rusqlite::Connection,
    batch: &mut Batch,
    write: &Write,
    current: Option<&Current>,
    now: DateTime<Utc>,
) -> Result<Plan, CoreError> {
    let actor = &write.actor;
    let found = current.map(|c| Found {
        kind: c.row.kind(),
        site: c.row.site(),
    });
    expect_kind(&write.id, found.as_ref(), write.kind.of_type())?;
    let create_as = admit(actor, &write.id, found, write.kind.create_as())?;
    let entries = current.map_or(&[][..], |c| &c.entries);
    write
        .precondition
        .check(current.map_or(0, |c| c.row.version), entries)?;
    let dictionary =
        Metadata::from_entries(entries.iter().map(|e| (e.key.clone(), e.value.clone())));
    let outcome = (write.operation)((!dictionary.is_empty()).then_some(&dictionary))?;
    let kind = match (current, create_as) {
        (Some(current), _) => current.row.kind().to_owned(),
        (None, Some(kind)) => kind.as_str().to_owned(),
        (None, None) => String::new(),
    };
    let name = outcome.metadata.resource_name_for(&kind)?;
    let (row, rename) = match current {
        Some(current) if outcome.changes.is_empty() => {
            return Ok(Plan::Unchanged(MetadataRecord {
                resource: current.row.clone_resource()?,
                entries: current.entries.clone(),
            }));
        }
        Some(current) => {
            let rename = name.filter(|n| n.as_str() != current.row.name());
            (current.row.touched(rename.as_ref(), now), rename)
        }
        None => {
            let kind = create_as.expect("a missing resource is admitted only to be created");
            let name = name.ok_or(ValidationError::MetaNameRequired)?;
            resources::insert_in_writer(db, batch, actor, &write.id, kind, &name, now)?;
            let (_, created) = load(db, &[&key_of(write)])?.pop().ok_or_else(|| {
                CoreError::Storage("a resource vanished inside its transaction".to_owned())
            })?;
            (created.row, None)
        }
    };
    let entries = next_entries(actor, entries, &outcome, row.version, now);
    Ok(Plan::Write(Planned {
        next: Current { row, entries },
        outcome,
        rename,
        now,
    }))
}

/// The dictionary's entries after a write, known without reading them back: unchanged keys
/// keep their entries, changed ones carry this write's revision, time and actor.
fn next_entries(
    actor: &Actor,
    before: &[MetadataEntry],
    outcome: &Outcome,
    revision: i64,
    now: DateTime<Utc>,
) -> Vec<MetadataEntry> {
    outcome
        .metadata
        .iter()
        .map(|(key, value)| match before.iter().find(|e| &e.key == key) {
            Some(old) if !outcome.changes.iter().any(|c| &c.key == key) => old.clone(),
            _ => MetadataEntry {
                key: key.clone(),
                value: value.clone(),
                revision,
                changed_at: now,
                changed_by: actor.id.clone(),
                creator_type: actor.creator_type,
            },
        })
        .collect()
}

impl Planned {
    /// Adds the write's statements to the group's batch: the version bump (and rename), each
    /// key's new value or removal, and a change record per key. `before` is the resource as
    /// it stood (`None` when this write created it, whose row is inserted already).
    pub(super) fn stage(&self, batch: &mut Batch, write: &Write, before: Option<&Current>) {
        if let Some(before) = before {
            resources::stage_touch(batch, &before.row, self.rename.as_ref(), self.now);
        }
        // A stream's Data Hub `Name` is its name too, so a native rename shows there.
        if let Some(name) = &self.rename
            && self.next.row.kind() == STREAM_TYPE
        {
            batch.statement("UPDATE streams SET display_name = ? WHERE resource_pk = ?");
            batch.arg(name.as_str().to_owned());
            batch.arg(self.next.row.pk);
        }
        for change in &self.outcome.changes {
            stage_change(
                batch,
                &write.actor,
                &self.next.row,
                self.next.row.version,
                change,
                self.now,
            );
        }
    }

    pub(super) fn record(&self) -> Result<MetadataRecord, CoreError> {
        Ok(MetadataRecord {
            resource: self.next.row.clone_resource()?,
            entries: self.next.entries.clone(),
        })
    }
}
