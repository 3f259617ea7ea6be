//! Site bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::resources::Resource;

/// A site.
#[derive(Debug, Serialize, ToSchema)]
pub struct Site {
    #[schema(example = "site_9b52d930f4324c0abac04c12dff85544")]
    pub id: String,
    #[schema(example = "Main Office")]
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Resource> for Site {
    fn from(r: Resource) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `POST /sites` and `PATCH /sites/{siteId}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SiteWrite {
    #[schema(example = "Main Office")]
    pub name: String,
}
