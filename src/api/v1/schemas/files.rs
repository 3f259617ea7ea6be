//! Site file bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::files::SiteFile;

/// A file attached to a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteFileResponse {
    #[schema(example = "file_0f6d3c0e9a1b4c2d8e7f6a5b4c3d2e1f")]
    pub id: String,
    pub site_id: String,
    #[schema(example = "rack-front.jpg")]
    pub name: String,
    /// Sniffed from the bytes when they were uploaded.
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    /// `document`, `image`, `diagram` or `note`.
    #[schema(example = "image")]
    pub kind: &'static str,
    pub description: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SiteFile> for SiteFileResponse {
    fn from(f: SiteFile) -> Self {
        Self {
            id: f.id.to_string(),
            site_id: f.site_id.to_string(),
            name: f.name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            kind: f.kind.as_str(),
            description: f.description,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
            updated_at: f.updated_at,
        }
    }
}

/// `GET /sites/{siteId}/files`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteFileList {
    pub data: Vec<SiteFileResponse>,
}

/// A multipart upload: one `file` part, and optional text parts.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documents the form; the handler streams the parts itself.
pub struct FileUploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Shown name; default: the file part's filename.
    pub name: Option<String>,
    /// `document`, `image`, `diagram` or `note`; default: from the content.
    pub kind: Option<String>,
    pub description: Option<String>,
}

/// A note written as text (`Content-Type: application/json`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteCreate {
    #[schema(example = "Access instructions")]
    pub name: String,
    #[schema(example = "Key at reception; badge 4411.")]
    pub text: String,
    #[serde(default)]
    pub description: String,
}

/// `PATCH /sites/{siteId}/files/{fileId}`: absent fields stay; `text` only for notes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FileUpdate {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub text: Option<String>,
}
