//! What the user and token forms send for "what may they do".

use serde::{Deserialize, Serialize};

/// A role and, for a manager, whether they are limited to the sites listed (ids separated by
/// commas, spaces or new lines). The core's `Grant::parse` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantForm {
    pub role: String,
    pub limited: bool,
    pub sites: String,
}

impl Default for GrantForm {
    fn default() -> Self {
        Self {
            role: "staff".to_owned(),
            limited: false,
            sites: String::new(),
        }
    }
}

impl GrantForm {
    /// The form filled in from what a user or token may do today.
    pub fn of(
        role: crate::core::access::Role,
        sites: Option<&[crate::core::resources::ResourceId]>,
    ) -> Self {
        Self {
            role: role.as_str().to_owned(),
            limited: sites.is_some(),
            sites: sites
                .unwrap_or_default()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    #[cfg(feature = "ssr")]
    pub fn grant(&self) -> Result<crate::core::access::Grant, crate::core::error::ValidationError> {
        crate::core::access::Grant::parse(
            &self.role,
            self.limited && self.role == "manager",
            &self.sites,
        )
    }
}
