use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MetaKey, MetaValue, Metadata};
use crate::core::access::CreatorType;
use crate::core::resources::Resource;

/// One stored key with who changed it last and when (AVEVA Data Hub's ChangeData).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataEntry {
    pub key: MetaKey,
    pub value: MetaValue,
    /// The resource version at which this key last changed: the key's own ETag.
    pub revision: i64,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub creator_type: CreatorType,
}

/// A resource with its whole metadata, entries sorted by key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataRecord {
    pub resource: Resource,
    pub entries: Vec<MetadataEntry>,
}

impl MetadataRecord {
    /// The plain dictionary, the input of every metadata operation.
    pub fn metadata(&self) -> Metadata {
        Metadata::from_entries(
            self.entries
                .iter()
                .map(|e| (e.key.clone(), e.value.clone())),
        )
    }

    pub fn entry(&self, key: &str) -> Option<&MetadataEntry> {
        self.entries
            .binary_search_by(|e| e.key.as_str().cmp(key))
            .ok()
            .map(|i| &self.entries[i])
    }
}

/// Which version a write expects to replace; a mismatch is refused with 412, never merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: last writer wins.
    Any,
    /// The whole resource (and its metadata) must still be at this version.
    Resource(i64),
    /// This key must still be at this revision (other keys may have changed meanwhile).
    Key(MetaKey, i64),
}
