//! Tenants: every record belongs to exactly one, and nothing crosses between them.

use super::error::ValidationError;
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

    /// An id no tenant has (tenant ids are never empty): what a login naming a project that
    /// does not exist is checked against, finding no user and no token.
    pub fn nobody() -> Self {
        Self(String::new())
    }

    /// A tenant id as stored; unknown ids simply match no records.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tenant as an OpenStack project id: its id's bytes in lower-case hex (`default` is
    /// `64656661756c74`). Nova routes a project id in a URL only when it matches `[0-9a-f-]+`,
    /// which a tenant id such as `default` does not; hex keeps it reversible.
    pub fn project_id(&self) -> String {
        self.0.bytes().map(|b| format!("{b:02x}")).collect()
    }

    /// The tenant a project id names, if it is one (see [`TenantId::project_id`]).
    pub fn from_project_id(project_id: &str) -> Option<Self> {
        let digits = project_id.as_bytes();
        if digits.is_empty()
            || !digits.len().is_multiple_of(2)
            || !digits
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return None;
        }
        let bytes = digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        String::from_utf8(bytes).ok().map(Self)
    }

    /// Whether a URL's project id names this tenant, by its project id or (as before project
    /// ids existed) by its own id.
    pub fn is_named_by(&self, project: &str) -> bool {
        project == self.0 || project == self.project_id()
    }
}

/// What an admin can set per tenant. A tenant that never changed one has the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// Whether a Data Hub client's tag name that no definition has yet is defined on first
    /// use (on by default, so Data Hub clients' free tags keep working); off, such a name is
    /// refused until an admin defines it.
    pub datahub_auto_define_tags: bool,
    /// Nova's `metadata_items` quota: the most items a server's metadata may hold through the
    /// compute API (the metadata key limit holds as well).
    pub nova_metadata_items: u32,
}

/// The largest `metadata_items` quota a tenant may set: far above any key limit a server
/// runs with, so the key limit is what binds there, while the number stays one Nova's
/// clients read as an integer.
pub const MAX_NOVA_METADATA_ITEMS: u32 = 100_000;

impl TenantSettings {
    /// Refuses a setting outside the range it takes, before anything is stored.
    pub fn check(&self) -> Result<(), ValidationError> {
        if !(1..=MAX_NOVA_METADATA_ITEMS).contains(&self.nova_metadata_items) {
            return Err(ValidationError::SettingOutOfRange {
                setting: "nova_metadata_items",
                min: 1,
                max: MAX_NOVA_METADATA_ITEMS,
                actual: self.nova_metadata_items,
            });
        }
        Ok(())
    }
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            datahub_auto_define_tags: true,
            nova_metadata_items: super::openstack::DEFAULT_METADATA_ITEMS,
        }
    }
}

impl Default for TenantId {
    fn default() -> Self {
        Self::default_tenant()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_s_project_id_is_lower_case_hex_and_reads_back() {
        let tenant = TenantId::default_tenant();
        assert_eq!(tenant.project_id(), "64656661756c74");
        assert_eq!(TenantId::from_project_id("64656661756c74"), Some(tenant));
    }

    #[test]
    fn what_is_not_a_project_id_names_no_tenant() {
        for bad in ["", "6", "default", "64656661756C74", "ff"] {
            assert_eq!(TenantId::from_project_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_url_may_name_the_tenant_by_project_id_or_by_id() {
        let tenant = TenantId::default_tenant();
        assert!(tenant.is_named_by("default") && tenant.is_named_by("64656661756c74"));
        assert!(!tenant.is_named_by("other"));
    }
}
