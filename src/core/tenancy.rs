//! Tenants: every record belongs to exactly one, and nothing crosses between them.

use serde::{Deserialize, Serialize};

/// A tenant's id. Single-team installations only ever use [`TenantId::default_tenant`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// The tenant every installation has (created by the first tenants migration).
    pub fn default_tenant() -> Self {
        Self("default".to_owned())
    }

    /// A tenant id as stored; unknown ids simply match no records.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TenantId {
    fn default() -> Self {
        Self::default_tenant()
    }
}
