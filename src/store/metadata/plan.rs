//! A metadata write, and what it checks and stages against the resource as it stands (on
//! SQLite, as the writes of its group before it left it). The rules that need no database
//! are the core's; this applies them to what was loaded and turns the outcome into staged
//! statements, the same on both engines. Each engine loads, creates and runs the batch its
//! own way (`sqlite::metadata_writer`, `postgres::metadata_write`).

use chrono::{DateTime, Utc};

use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::metadata::Precondition;
use crate::core::metadata::{
    Found, Metadata, MetadataEntry, MetadataRecord, Outcome, admit, expect_kind,
};
use crate::core::resources::{ResourceId, ResourceName, ResourceType};
use crate::core::streams::STREAM_TYPE;
use crate::store::batch::Batch;
use crate::store::metadata::stage_change;
use crate::store::resources;
use crate::store::rows::ResourceRow;

/// A metadata operation: the dictionary now (`None` when the resource has none) to what it
/// becomes. It may run twice (a group SQLite cannot commit is replayed one write at a time), so it must be a function of its input.
pub(crate) type Operation =
    Box<dyn Fn(Option<&Metadata>) -> Result<Outcome, CoreError> + Send + Sync>;

/// One metadata write, owning all it needs to run on the writer thread.
/// What a write expects of its resource's type (one field, so a queued write stays small).
#[derive(Debug, Clone)]
pub(crate) enum KindRule {
    /// Any type; the resource must exist.
    Any,
    /// The Altostrat create-or-overwrite: the type to create the resource as when the tenant
    /// has none with this id, and that an existing one must have.
    CreateAs(ResourceType),
    /// A face that serves one type: a resource of another, or none, is not found.
    OfType(ResourceType),
}

impl KindRule {
    pub(crate) fn create_as(&self) -> Option<&ResourceType> {
        match self {
            Self::CreateAs(kind) => Some(kind),
            _ => None,
        }
    }

    pub(crate) fn of_type(&self) -> Option<&ResourceType> {
        match self {
            Self::OfType(kind) => Some(kind),
            _ => None,
        }
    }
}

pub(crate) struct Write {
    pub(crate) actor: Actor,
    pub(crate) id: ResourceId,
    /// What the write expects of the resource's type.
    pub(crate) kind: KindRule,
    pub(crate) precondition: Precondition,
    pub(crate) operation: Operation,
}

/// The state of one resource as the writes of the group so far leave it.
pub(in crate::store) struct Current {
    pub(in crate::store) row: ResourceRow,
    pub(in crate::store) entries: Vec<MetadataEntry>,
}

/// A written resource as (tenant, id): a tuple so that a group's keys go to SQLite as one
/// JSON array of pairs (see `sqlite::metadata_writer::load`).
pub(in crate::store) type WriteKey = (String, String);

pub(in crate::store) fn key_of(write: &Write) -> WriteKey {
    (
        write.actor.tenant.as_str().to_owned(),
        write.id.as_str().to_owned(),
    )
}

pub(in crate::store) enum Plan {
    /// The operation changes nothing: nothing is written and the version stays.
    Unchanged(MetadataRecord),
    Write(Planned),
    /// The write creates its resource: the engine inserts the row (with the record of its
    /// creation) and finishes the plan with it ([`Creation::planned`]).
    Create(Creation),
}

/// A write that passed every rule, ready to stage.
pub(in crate::store) struct Planned {
    /// The resource and its metadata after this write.
    pub(in crate::store) next: Current,
    outcome: Outcome,
    pub(in crate::store) rename: Option<ResourceName>,
    now: DateTime<Utc>,
}

/// A write that passed every rule and creates its resource.
pub(in crate::store) struct Creation {
    pub(in crate::store) kind: ResourceType,
    pub(in crate::store) name: ResourceName,
    outcome: Outcome,
    now: DateTime<Utc>,
}

/// Checks one write against the resource as it stands and works out its effect. Nothing is
/// read or written here: a resource to create is left to the engine ([`Plan::Create`]).
pub(in crate::store) fn plan(
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
    let Some(current) = current else {
        let kind = create_as.expect("a missing resource is admitted only to be created");
        let name = name.ok_or(ValidationError::MetaNameRequired)?;
        return Ok(Plan::Create(Creation {
            kind: kind.clone(),
            name,
            outcome,
            now,
        }));
    };
    if outcome.changes.is_empty() {
        return Ok(Plan::Unchanged(MetadataRecord {
            resource: current.row.clone_resource()?,
            entries: current.entries.clone(),
        }));
    }
    let rename = name.filter(|n| n.as_str() != current.row.name());
    let row = current.row.touched(rename.as_ref(), now);
    let entries = next_entries(actor, entries, &outcome, row.version, now);
    Ok(Plan::Write(Planned {
        next: Current { row, entries },
        outcome,
        rename,
        now,
    }))
}

impl Creation {
    /// The plan, once the engine has inserted the resource as `created`.
    pub(in crate::store) fn planned(self, actor: &Actor, created: ResourceRow) -> Planned {
        let entries = next_entries(actor, &[], &self.outcome, created.version, self.now);
        Planned {
            next: Current {
                row: created,
                entries,
            },
            outcome: self.outcome,
            rename: None,
            now: self.now,
        }
    }
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
    pub(in crate::store) fn stage(
        &self,
        batch: &mut Batch,
        write: &Write,
        before: Option<&Current>,
    ) {
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

    pub(in crate::store) fn record(&self) -> Result<MetadataRecord, CoreError> {
        Ok(MetadataRecord {
            resource: self.next.row.clone_resource()?,
            entries: self.next.entries.clone(),
        })
    }
}
