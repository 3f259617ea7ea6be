use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FileKind;
use crate::core::resources::ResourceId;

/// `file_` and 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(String);

impl FileId {
    pub fn mint(random: u128) -> Self {
        Self(format!("file_{random:032x}"))
    }

    pub fn from_path(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file attached to a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFile {
    pub id: FileId,
    pub site_id: ResourceId,
    pub name: String,
    /// Sniffed from the bytes.
    pub content_type: String,
    pub size: u64,
    /// Lowercase hex; also the blob's address.
    pub sha256: String,
    pub kind: FileKind,
    pub description: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}
