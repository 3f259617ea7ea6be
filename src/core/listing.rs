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

/// What a page of one type's resources is ordered by. Ties (two servers of one name) go by
/// creation, in the same direction, so a page boundary never splits or repeats them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKey {
    Created,
    Name,
    Updated,
    Id,
}

/// A page's order: a key and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOrder {
    pub key: PageKey,
    pub descending: bool,
}

impl PageOrder {
    /// Nova's default: the newest first.
    pub const NEWEST_FIRST: Self = Self {
        key: PageKey::Created,
        descending: true,
    };
}
