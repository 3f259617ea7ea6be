use super::{CreatorType, Role};
use crate::core::CoreError;
use crate::core::change_sets::ChangeOrigin;
#[cfg(feature = "ssr")]
use crate::core::change_sets::Via;
use crate::core::resources::{ResourceId, ResourceType};
use crate::core::tenancy::TenantId;

/// The sites a principal may write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteScope {
    /// Every site in the tenant, and every resource.
    All,
    /// Only these sites and the resources whose parent is one of them.
    Only(Vec<ResourceId>),
}

/// Why a writer limited to several sites creates no resource that names no site (see
/// [`Actor::site_for_unplaced`]).
pub const UNPLACED_AMONG_SITES: &str = "You may change only the sites you were granted, and \
     you were granted several: a new resource that names no site could go under none of them.";

/// Who is acting, for which tenant, and in which request: every core mutation takes one, checks
/// it, and writes it into the change records.
#[derive(Debug, Clone, Eq)]
pub struct Actor {
    pub tenant: TenantId,
    /// The principal's id (`usr_…` or `tok_…`), as written to `changed_by`.
    pub id: String,
    pub creator_type: CreatorType,
    pub role: Role,
    pub sites: SiteScope,
    /// Correlates the change records of one request with the server's logs.
    pub request_id: Option<String>,
    /// The change set this request's records go in: each request that reaches the core gets
    /// a fresh one from the door it came through (see `change_sets`).
    pub change: ChangeOrigin,
}

/// The same principal with the same powers in the same request; which change set each copy
/// would open is not part of who it is.
impl PartialEq for Actor {
    fn eq(&self, other: &Self) -> bool {
        self.tenant == other.tenant
            && self.id == other.id
            && self.creator_type == other.creator_type
            && self.role == other.role
            && self.sites == other.sites
            && self.request_id == other.request_id
    }
}

impl Actor {
    /// The operator running the `sitebook` command on the server. Whoever can run it against
    /// the data directory already holds every record, so it acts as an admin of the tenant.
    #[cfg(feature = "ssr")]
    pub fn operator(tenant: TenantId) -> Self {
        Self {
            tenant,
            id: "operator".to_owned(),
            creator_type: CreatorType::User,
            role: Role::Admin,
            sites: SiteScope::All,
            request_id: None,
            change: ChangeOrigin::fresh(Via::Cli),
        }
    }

    /// The same actor in a new change set through `via`: what a door does with each request.
    #[cfg(feature = "ssr")]
    pub fn in_new_change_set(mut self, via: Via) -> Self {
        self.change = ChangeOrigin::fresh(via);
        self
    }

    /// Reading is open to every role, within the actor's own tenant.
    pub fn require_read(&self) -> Result<(), CoreError> {
        Ok(())
    }

    /// Writing catalogue data anywhere at all: the check that needs no lookup, made before a
    /// request's input is judged so that a reader learns nothing from validation messages.
    pub fn require_writer(&self) -> Result<(), CoreError> {
        if self.role < Role::Manager {
            return Err(CoreError::Forbidden(
                "Your role (staff) may read but not change the catalogue.".to_owned(),
            ));
        }
        Ok(())
    }

    /// Writing catalogue data (metadata, tag values, files) on a resource whose site is `site`
    /// (the resource itself when it is a site, else its parent site, if any).
    pub fn require_write(&self, site: Option<&ResourceId>) -> Result<(), CoreError> {
        self.require_writer()?;
        match (&self.sites, site) {
            (SiteScope::All, _) => Ok(()),
            (SiteScope::Only(allowed), Some(site)) if allowed.contains(site) => Ok(()),
            (SiteScope::Only(_), Some(site)) => Err(CoreError::Forbidden(format!(
                "You may change only the sites you were granted, and '{site}' is not one of them."
            ))),
            (SiteScope::Only(_), None) => Err(CoreError::Forbidden(
                "You may change only resources of the sites you were granted, and this one \
                 belongs to no site."
                    .to_owned(),
            )),
        }
    }

    /// Writing a resource of type `kind` governed by `site`: the type's policy
    /// ([`type_policy`](super::type_policy)), then the site.
    pub fn require_write_of(&self, kind: &str, site: Option<&ResourceId>) -> Result<(), CoreError> {
        if super::type_policy::writers_of(kind) == super::type_policy::Writers::Admins {
            self.require_admin()?;
        }
        self.require_write(site)
    }

    /// Moving a resource from where site `from` governs it to where `to` would. Both must be
    /// the actor's to change, so a manager limited to sites can neither take a resource in from
    /// elsewhere nor take one out of their sites: not to another's, and not to no site at all,
    /// where they could no longer reach it and only unlimited writers could.
    pub fn require_move(
        &self,
        from: Option<&ResourceId>,
        to: Option<&ResourceId>,
    ) -> Result<(), CoreError> {
        self.require_write(from)?;
        match (&self.sites, to) {
            (SiteScope::Only(_), None) => Err(CoreError::Forbidden(
                "You may not take a resource out of the sites you were granted: under no site, \
                 it would belong to none of them."
                    .to_owned(),
            )),
            _ => self.require_write(to),
        }
    }

    /// The site a new resource goes under when its client names none (a Data Hub stream: the
    /// SDS API has no parent to give). Writers not limited to sites create it under no site;
    /// a writer limited to one site creates it under that site, the only place they could
    /// reach it again; a writer limited to several cannot say which, and is refused with
    /// [`UNPLACED_AMONG_SITES`] (a face tells that refusal apart by it, to say what to do).
    pub fn site_for_unplaced(&self) -> Result<Option<&ResourceId>, CoreError> {
        self.require_writer()?;
        match &self.sites {
            SiteScope::All => Ok(None),
            SiteScope::Only(sites) => match sites.as_slice() {
                [site] => Ok(Some(site)),
                _ => Err(CoreError::Forbidden(UNPLACED_AMONG_SITES.to_owned())),
            },
        }
    }

    /// Deleting a resource of type `kind` governed by `site`. A site itself (its files, and
    /// the parent of everything under it) is deleted only by writers not limited to sites, as
    /// only they create one: a grant is to manage what is in a site, not to remove it.
    pub fn require_delete(&self, kind: &str, site: Option<&ResourceId>) -> Result<(), CoreError> {
        self.require_write_of(kind, site)?;
        match &self.sites {
            SiteScope::Only(_) if kind == ResourceType::SITE => Err(CoreError::Forbidden(
                "You were granted this site to manage what is in it; deleting the site itself \
                 is for managers not limited to sites, and admins."
                    .to_owned(),
            )),
            _ => Ok(()),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Defining tags and managing users and tokens.
    pub fn require_admin(&self) -> Result<(), CoreError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!(
                "Only an admin may do this; your role is {}.",
                self.role.as_str()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, sites: SiteScope) -> Actor {
        Actor {
            tenant: TenantId::default_tenant(),
            id: "tok_test".into(),
            creator_type: CreatorType::Client,
            role,
            sites,
            request_id: None,
            change: crate::core::change_sets::ChangeOrigin::fresh(
                crate::core::change_sets::Via::Api,
            ),
        }
    }

    fn site(id: &str) -> ResourceId {
        ResourceId::from_path(id)
    }

    #[test]
    fn staff_read_but_never_write() {
        let staff = actor(Role::Staff, SiteScope::All);
        assert!(staff.require_read().is_ok());
        assert!(matches!(
            staff.require_write(Some(&site("site_a"))),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            staff.require_admin(),
            Err(CoreError::Forbidden(_))
        ));
    }

    #[test]
    fn an_unlimited_manager_writes_anywhere_but_does_not_administer() {
        let manager = actor(Role::Manager, SiteScope::All);
        assert!(manager.require_write(Some(&site("site_a"))).is_ok());
        assert!(manager.require_write(None).is_ok());
        assert!(manager.require_admin().is_err());
    }

    #[test]
    fn a_limited_manager_writes_only_to_granted_sites() {
        let manager = actor(Role::Manager, SiteScope::Only(vec![site("site_a")]));
        assert!(manager.require_write(Some(&site("site_a"))).is_ok());
        assert!(matches!(
            manager.require_write(Some(&site("site_b"))),
            Err(CoreError::Forbidden(m)) if m.contains("site_b")
        ));
        assert!(manager.require_write(None).is_err());
    }

    #[test]
    fn a_limited_manager_moves_only_within_granted_sites() {
        let (a, b) = (site("site_a"), site("site_b"));
        let manager = actor(Role::Manager, SiteScope::Only(vec![a.clone()]));
        assert!(manager.require_move(Some(&a), Some(&a)).is_ok());
        for (from, to) in [(Some(&a), None), (Some(&a), Some(&b)), (Some(&b), Some(&a))] {
            assert!(matches!(
                manager.require_move(from, to),
                Err(CoreError::Forbidden(_))
            ));
        }
        let unlimited = actor(Role::Manager, SiteScope::All);
        assert!(unlimited.require_move(Some(&a), None).is_ok());
    }

    #[test]
    fn a_limited_manager_deletes_what_is_in_a_granted_site_but_not_the_site() {
        let a = site("site_a");
        let manager = actor(Role::Manager, SiteScope::Only(vec![a.clone()]));
        assert!(manager.require_delete("mikrotik.device", Some(&a)).is_ok());
        assert!(matches!(
            manager.require_delete(ResourceType::SITE, Some(&a)),
            Err(CoreError::Forbidden(m)) if m.contains("deleting the site itself")
        ));
        let unlimited = actor(Role::Manager, SiteScope::All);
        assert!(
            unlimited
                .require_delete(ResourceType::SITE, Some(&a))
                .is_ok()
        );
    }

    #[test]
    fn a_new_resource_naming_no_site_goes_under_the_one_site_a_writer_was_granted() {
        let (a, b) = (site("site_a"), site("site_b"));
        let unlimited = actor(Role::Manager, SiteScope::All);
        assert_eq!(unlimited.site_for_unplaced().unwrap(), None);
        let one = actor(Role::Manager, SiteScope::Only(vec![a.clone()]));
        assert_eq!(one.site_for_unplaced().unwrap(), Some(&a));
        let several = actor(Role::Manager, SiteScope::Only(vec![a, b]));
        assert!(matches!(
            several.site_for_unplaced(),
            Err(CoreError::Forbidden(m)) if m == UNPLACED_AMONG_SITES
        ));
        let staff = actor(Role::Staff, SiteScope::All);
        assert!(staff.site_for_unplaced().is_err());
    }

    #[test]
    fn an_admin_does_everything() {
        let admin = actor(Role::Admin, SiteScope::All);
        assert!(admin.require_write(None).is_ok());
        assert!(admin.require_admin().is_ok());
    }
}
