//! Who may write a resource of each type. Most types are the catalogue's own, written by
//! managers (within their sites) and admins. A few belong to a dialect whose rules keep them
//! for admins, and that holds however a write arrives: metadata, tag values, a new parent, a
//! deletion, through any face. The table names them; the generic rules read only the table.

/// Who writes resources of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writers {
    /// Managers (within their sites) and admins.
    Managers,
    /// Admins alone.
    Admins,
}

/// The types only admins write: Nova's host aggregates (`openstack.aggregate`), which Nova's
/// policy keeps for admins, so their zone and hosts cannot be changed around it.
const ADMINS_ONLY: &[&str] = &["openstack.aggregate"];

/// Who writes resources of type `kind`.
pub fn writers_of(kind: &str) -> Writers {
    if ADMINS_ONLY.contains(&kind) {
        Writers::Admins
    } else {
        Writers::Managers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_aggregates_are_written_by_admins_and_everything_else_by_managers() {
        assert_eq!(
            writers_of(crate::core::openstack::AGGREGATE_TYPE),
            Writers::Admins
        );
        for kind in [
            "site",
            "device",
            crate::core::openstack::SERVER_TYPE,
            "datahub.stream",
        ] {
            assert_eq!(writers_of(kind), Writers::Managers, "{kind}");
        }
    }
}
