//! Who may make a metadata write, and whether it creates its resource: decided from what the
//! write found, before the operation runs, so the group-commit writer and every face share it.

use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::access::type_policy::{Writers, writers_of};
use crate::core::error::Clash;
use crate::core::resources::{ResourceId, ResourceType};

/// The resource a metadata write found: its stored type and the site governing it (see
/// [`crate::core::resources::Resource::governing_site`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    pub kind: &'a str,
    pub site: Option<ResourceId>,
}

/// Admits a metadata write by `actor` to the resource `id`, which the tenant has as `current`
/// (`None` when it has none). `create_as` is the type an Altostrat create-or-overwrite gives:
/// a missing resource is created as that (`Ok(Some(kind))`), and an existing one must be of
/// it. Without it, a missing resource is not found.
///
/// A new resource belongs to no site yet, so only writers limited to no sites may create one.
/// A type only admins write (see `access::type_policy`) is written by admins alone, whichever
/// face the write came through.
pub fn admit<'k>(
    actor: &Actor,
    id: &ResourceId,
    current: Option<Found<'_>>,
    create_as: Option<&'k ResourceType>,
) -> Result<Option<&'k ResourceType>, CoreError> {
    let kind = current
        .as_ref()
        .map(|found| found.kind)
        .or(create_as.map(ResourceType::as_str));
    if kind.is_some_and(|kind| writers_of(kind) == Writers::Admins) {
        actor.require_admin()?;
    }
    match (current, create_as) {
        (None, None) => Err(CoreError::NotFound {
            what: "resource",
            id: id.to_string(),
        }),
        (None, Some(kind)) => actor.require_write(None).map(|()| Some(kind)),
        (Some(found), Some(kind)) if found.kind != kind.as_str() => Err(CoreError::Conflict(
            Clash::TypeMismatch,
            format!("The resource '{id}' is a {}, not a {kind}.", found.kind),
        )),
        (Some(found), _) => actor.require_write(found.site.as_ref()).map(|()| None),
    }
}

/// A write that names the one type it serves (Nova's servers, Data Hub's streams) takes a
/// resource of any other type, or none, for one that is not there. The writer decides it from
/// the same load as the write, so a face needs no read before it.
pub fn expect_kind(
    id: &ResourceId,
    current: Option<&Found<'_>>,
    kind: Option<&ResourceType>,
) -> Result<(), CoreError> {
    match (kind, current) {
        (Some(kind), Some(found)) if found.kind == kind.as_str() => Ok(()),
        (Some(_), _) => Err(CoreError::NotFound {
            what: "resource",
            id: id.to_string(),
        }),
        (None, _) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{CreatorType, Role, SiteScope};
    use crate::core::tenancy::TenantId;

    fn actor(role: Role, sites: SiteScope) -> Actor {
        Actor {
            tenant: TenantId::new("default"),
            id: "usr_1".to_owned(),
            creator_type: CreatorType::User,
            role,
            sites,
            request_id: None,
            change: crate::core::change_sets::ChangeOrigin::fresh(
                crate::core::change_sets::Via::Api,
            ),
        }
    }

    fn id(s: &str) -> ResourceId {
        ResourceId::from_path(s)
    }

    fn site(s: &str) -> Found<'static> {
        Found {
            kind: "site",
            site: Some(id(s)),
        }
    }

    fn device() -> ResourceType {
        ResourceType::parse("mikrotik.device").unwrap()
    }

    #[test]
    fn a_missing_resource_is_not_found_unless_the_write_creates_it() {
        let manager = actor(Role::Manager, SiteScope::All);
        assert!(matches!(
            admit(&manager, &id("r"), None, None),
            Err(CoreError::NotFound {
                what: "resource",
                ..
            })
        ));
        let kind = device();
        assert_eq!(
            admit(&manager, &id("r"), None, Some(&kind)).unwrap(),
            Some(&kind)
        );
    }

    #[test]
    fn only_writers_limited_to_no_sites_create_resources() {
        let limited = actor(Role::Manager, SiteScope::Only(vec![id("s1")]));
        let staff = actor(Role::Staff, SiteScope::All);
        for who in [limited, staff] {
            assert!(matches!(
                admit(&who, &id("r"), None, Some(&device())),
                Err(CoreError::Forbidden(_))
            ));
        }
    }

    #[test]
    fn an_existing_resource_must_be_of_the_type_the_write_names() {
        let admin = actor(Role::Admin, SiteScope::All);
        assert!(matches!(
            admit(&admin, &id("s1"), Some(site("s1")), Some(&device())),
            Err(CoreError::Conflict(_, m)) if m == "The resource 's1' is a site, not a mikrotik.device."
        ));
        assert_eq!(
            admit(
                &admin,
                &id("s1"),
                Some(site("s1")),
                Some(&ResourceType::site())
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn only_admins_write_host_aggregates() {
        let manager = actor(Role::Manager, SiteScope::All);
        let admin = actor(Role::Admin, SiteScope::All);
        let aggregate = ResourceType::parse("openstack.aggregate").unwrap();
        let found = || Found {
            kind: "openstack.aggregate",
            site: None,
        };
        assert!(matches!(
            admit(&manager, &id("a"), None, Some(&aggregate)),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            admit(&manager, &id("a"), Some(found()), None),
            Err(CoreError::Forbidden(_))
        ));
        assert!(admit(&admin, &id("a"), Some(found()), None).is_ok());
    }

    #[test]
    fn an_existing_resource_is_written_by_those_granted_its_site() {
        let limited = actor(Role::Manager, SiteScope::Only(vec![id("s1")]));
        assert_eq!(
            admit(&limited, &id("s1"), Some(site("s1")), None).unwrap(),
            None
        );
        assert!(matches!(
            admit(&limited, &id("s2"), Some(site("s2")), None),
            Err(CoreError::Forbidden(_))
        ));
        let unsited = Found {
            kind: "mikrotik.device",
            site: None,
        };
        assert!(matches!(
            admit(&limited, &id("d1"), Some(unsited), None),
            Err(CoreError::Forbidden(_))
        ));
        let staff = actor(Role::Staff, SiteScope::All);
        assert!(matches!(
            admit(&staff, &id("s1"), Some(site("s1")), None),
            Err(CoreError::Forbidden(_))
        ));
    }

    #[test]
    fn a_write_for_one_type_finds_no_other() {
        let server = ResourceType::parse("openstack.server").unwrap();
        let found = |kind| Found { kind, site: None };
        assert!(expect_kind(&id("r"), Some(&found("openstack.server")), Some(&server)).is_ok());
        assert!(expect_kind(&id("r"), Some(&found("site")), None).is_ok());
        for current in [Some(found("site")), None] {
            assert!(matches!(
                expect_kind(&id("r"), current.as_ref(), Some(&server)),
                Err(CoreError::NotFound { .. })
            ));
        }
    }
}
