use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MetaKey, MetaValue, Metadata};
use crate::core::CoreError;
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

impl Precondition {
    /// Refuses a write whose expectation no longer holds: `version` is the resource's now (0
    /// when it has no metadata record yet) and `entries` its keys.
    pub fn check(&self, version: i64, entries: &[MetadataEntry]) -> Result<(), CoreError> {
        let (what, current, expected) = match self {
            Self::Any => return Ok(()),
            Self::Resource(expected) => ("metadata", version, *expected),
            Self::Key(key, expected) => {
                let revision = entries
                    .iter()
                    .find(|e| &e.key == key)
                    .map_or(0, |e| e.revision);
                ("metadata key", revision, *expected)
            }
        };
        if current == expected {
            Ok(())
        } else {
            Err(CoreError::PreconditionFailed { what, current })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, revision: i64) -> MetadataEntry {
        MetadataEntry {
            key: MetaKey::parse(key).unwrap(),
            value: MetaValue::Integer(1),
            revision,
            changed_at: DateTime::<Utc>::UNIX_EPOCH,
            changed_by: "usr_1".to_owned(),
            creator_type: CreatorType::User,
        }
    }

    #[test]
    fn a_resource_precondition_must_name_the_current_version() {
        assert!(Precondition::Resource(3).check(3, &[]).is_ok());
        assert!(matches!(
            Precondition::Resource(2).check(3, &[]),
            Err(CoreError::PreconditionFailed {
                what: "metadata",
                current: 3
            })
        ));
        assert!(Precondition::Any.check(3, &[]).is_ok());
    }

    #[test]
    fn a_key_precondition_looks_only_at_its_key_and_a_missing_key_is_at_zero() {
        let entries = [entry("a", 2), entry("b", 5)];
        let a = MetaKey::parse("a").unwrap();
        assert!(Precondition::Key(a.clone(), 2).check(5, &entries).is_ok());
        assert!(matches!(
            Precondition::Key(a, 5).check(5, &entries),
            Err(CoreError::PreconditionFailed {
                what: "metadata key",
                current: 2
            })
        ));
        let c = MetaKey::parse("c").unwrap();
        assert!(Precondition::Key(c, 0).check(5, &entries).is_ok());
    }
}
