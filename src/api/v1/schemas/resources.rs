//! Search result bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::resources::Resource;

/// A resource found by a search.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceSummary {
    pub id: String,
    #[serde(rename = "type")]
    #[schema(example = "site")]
    pub kind: String,
    pub name: String,
    /// The resource this one belongs to, such as a device's site.
    pub parent_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Resource> for ResourceSummary {
    fn from(r: Resource) -> Self {
        Self {
            id: r.id.to_string(),
            kind: r.kind.to_string(),
            name: r.name,
            parent_id: r.parent.map(|p| p.to_string()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `GET /resources` parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The search, e.g. `tag:Region=APAC AND meta.is_critical=true`; absent: everything.
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// At most this many (1 to 1000; default 100).
    pub limit: Option<u32>,
}

/// `PUT /resources/{id}/parent`: the new parent's id, or null for none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentWrite {
    #[schema(example = "site_9b52d930f4324c0abac04c12dff85544")]
    pub parent_id: Option<String>,
}
