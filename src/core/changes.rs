//! The change log: every mutation appends one record per thing it changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One appended record. `old` is absent for a creation and `new` for a removal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// Increases with every record in the installation; the cursor for reading history.
    pub seq: i64,
    pub resource_id: String,
    pub actor_id: String,
    pub actor_type: String,
    /// What was done, as `<thing>.<verb>`: `resource.create`, `metadata.set`, `metadata.remove`.
    pub action: String,
    /// What inside the resource changed, such as the metadata key.
    pub subject: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub request_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// The actions the core records, named once so faces and tests agree on them.
pub mod action {
    pub const RESOURCE_CREATE: &str = "resource.create";
    pub const RESOURCE_DELETE: &str = "resource.delete";
    pub const RESOURCE_PARENT: &str = "resource.parent";
    pub const METADATA_SET: &str = "metadata.set";
    pub const METADATA_REMOVE: &str = "metadata.remove";
}
