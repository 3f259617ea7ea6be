//! Change sets: who changed what, when, through which door; and their revert.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::ChangeResponse;
use crate::core::change_sets::ChangeSetSummary;
use crate::core::change_sets::revert::Conflict;
use crate::core::changes::ChangeRecord;

/// A change set: one request's changes (or one import's, or one revert's).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeSetResponse {
    #[schema(example = "chg_6f1c0a4e9b2d4c17a3e5f0b8d1c2e3f4")]
    pub id: String,
    /// Who made it: a user (`usr_…`), an API token (`tok_…`) or `operator` (the command line).
    pub actor_id: String,
    /// `user` or `client`.
    pub actor_type: String,
    /// Through which door: `web`, `api`, `nova`, `datahub`, `import`, `revert` or `cli`.
    #[schema(example = "api")]
    pub via: String,
    pub comment: Option<String>,
    /// The change set this one reverts.
    pub reverts: Option<String>,
    /// The file its changes came from: an import's `file_name`.
    #[schema(example = "sites.csv")]
    pub source: Option<String>,
    pub at: DateTime<Utc>,
    /// How many change records it holds.
    pub records: i64,
    /// How many resources those records are on.
    pub resources: i64,
}

impl From<ChangeSetSummary> for ChangeSetResponse {
    fn from(set: ChangeSetSummary) -> Self {
        Self {
            id: set.id.to_string(),
            actor_id: set.actor_id,
            actor_type: set.actor_type,
            via: set.via.as_str().to_owned(),
            comment: set.comment,
            reverts: set.reverts.map(|id| id.to_string()),
            source: set.source,
            at: set.at,
            records: set.records,
            resources: set.resources,
        }
    }
}

/// A change set with its records, in the order they were written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeSetDetail {
    #[serde(flatten)]
    pub set: ChangeSetResponse,
    /// Each record: the resource, the action (`metadata.set`, `tag.remove`, `file.add`, …),
    /// the key, tag id or file id (`subject`), and the value before and after.
    pub changes: Vec<ChangeResponse>,
}

impl ChangeSetDetail {
    pub fn new(set: ChangeSetSummary, records: Vec<ChangeRecord>) -> Self {
        Self {
            set: set.into(),
            changes: records.into_iter().map(Into::into).collect(),
        }
    }
}

/// `?resource=…&actor=…&since=…&after=…&limit=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeSetQuery {
    /// Only change sets with a change on this resource.
    pub resource: Option<String>,
    /// Only change sets made by this user or token id (or `operator`).
    pub actor: Option<String>,
    /// Only change sets made at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// At most this many (1 to 1000; default 100).
    pub limit: Option<u32>,
}

/// `?force=true` reverts past conflicts.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevertQuery {
    /// Revert even when someone changed the same things since (their changes are undone too).
    #[serde(default)]
    pub force: bool,
}

/// The optional body of a revert.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevertRequest {
    /// Kept on the revert's change set (at most 1000 characters).
    pub comment: Option<String>,
}

/// A revert done: the change set it wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevertResponse {
    /// The new change set's id (revert it to re-apply what was reverted).
    pub change_set: String,
    /// The change set that was reverted.
    pub reverted: String,
    /// The new change set.
    pub set: ChangeSetResponse,
    /// Files that could not come back because their bytes are no longer stored (the file's
    /// id); everything else was reverted.
    pub files_not_restored: Vec<String>,
}

/// One thing the change set changed that someone changed again since.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictResponse {
    pub resource_id: String,
    /// `resource`, `parent`, `key:<key>`, `tag:<tag id>` or `file:<file id>`.
    #[schema(example = "key:rack_units")]
    pub what: String,
    /// The value the change set left it at (null: removed).
    #[schema(value_type = Object)]
    pub set_wrote: Option<Value>,
    /// The value it has now (null: removed).
    #[schema(value_type = Object)]
    pub now: Option<Value>,
    /// Who changed it since.
    pub changed_by: String,
    /// In which change set.
    pub change_set: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<Conflict> for ConflictResponse {
    fn from(c: Conflict) -> Self {
        Self {
            resource_id: c.resource_id,
            what: c.what,
            set_wrote: c.set_wrote,
            now: c.now,
            changed_by: c.changed_by,
            change_set: c.change_set,
            at: c.at,
        }
    }
}
