//! A row of a resource list, as list pages show it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::resources::Resource;
use crate::core::tags::AppliedTag;

/// One row of a resource list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedResource {
    /// Pass as `after` to read the rows that follow this one.
    pub cursor: i64,
    pub resource: Resource,
    pub tags: Vec<AppliedTag>,
    pub files: i64,
    /// When and by whom (an actor id) the resource last changed, from its change records.
    pub last_change: Option<(DateTime<Utc>, String)>,
}
