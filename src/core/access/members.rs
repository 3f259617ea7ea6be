//! The tenant's members as a directory lists them: its users and its API tokens, both of which
//! act in it and hold a role (Keystone's clients see both as users). Who may look whom up is
//! decided here, so every face that lists members asks the same question.

use super::{Actor, Role};
use crate::core::CoreError;

/// A user or an API token, as a directory shows it (never a secret or a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `usr_…` or `tok_…`.
    pub id: String,
    /// A user's sign-in name, or an API token's name.
    pub name: String,
    pub role: Role,
    /// False for a disabled user, or a revoked or expired API token.
    pub enabled: bool,
}

/// Looking a member up is for the member itself and the tenant's admins. The rule is checked
/// before the member is looked for, so a non-admin learns nothing of which ids exist.
pub fn require_member_viewer(actor: &Actor, id: &str) -> Result<(), CoreError> {
    if actor.id == id {
        Ok(())
    } else {
        actor.require_admin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{CreatorType, SiteScope};
    use crate::core::tenancy::TenantId;

    fn actor(id: &str, role: Role) -> Actor {
        Actor {
            tenant: TenantId::default_tenant(),
            id: id.into(),
            creator_type: CreatorType::User,
            role,
            sites: SiteScope::All,
            request_id: None,
            change: crate::core::change_sets::ChangeOrigin::fresh(
                crate::core::change_sets::Via::Api,
            ),
        }
    }

    #[test]
    fn a_member_sees_itself_and_an_admin_sees_everyone() {
        assert!(require_member_viewer(&actor("usr_a", Role::Staff), "usr_a").is_ok());
        assert!(require_member_viewer(&actor("usr_x", Role::Admin), "usr_a").is_ok());
        assert!(matches!(
            require_member_viewer(&actor("usr_b", Role::Manager), "usr_a"),
            Err(CoreError::Forbidden(_))
        ));
    }
}
