//! Short-lived access tokens, issued in exchange for a credential (a username and password, or
//! an API token's secret) and acting for that principal as it stands at each use. One
//! mechanism for every face that logs clients in: Keystone's `POST /v3/auth/tokens` now, an
//! OAuth client-credentials grant later.
//!
//! An issued token never outlives what it was issued for: it ends after
//! [`ACCESS_TOKEN_LIFETIME_SECONDS`] or when its API token expires, whichever comes first, and
//! it stops working at once when its API token is revoked or its user disabled (the store
//! checks the principal on every use).

use chrono::{DateTime, Duration, Utc};

use super::{Actor, Role};
use crate::core::CoreError;

/// How long an issued token works: an hour, as Keystone's default. Clients log in again when
/// it ends (keystoneauth does so by itself on the 401), so a leaked one is of little use.
pub const ACCESS_TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// When a token issued at `issued_at` ends: its lifetime later, or earlier if the principal's
/// own credential (an API token) expires first.
pub fn access_expiry(
    issued_at: DateTime<Utc>,
    principal_expires_at: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let end = issued_at + Duration::seconds(ACCESS_TOKEN_LIFETIME_SECONDS);
    principal_expires_at.map_or(end, |at| at.min(end))
}

/// Which user a password belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// A sign-in name, matched as the web sign-in matches it (trimmed, ignoring case).
    Name(String),
    /// A user's id (`usr_…`).
    Id(String),
}

/// What a client offers in exchange for an issued token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCredential {
    Password {
        user: UserRef,
        password: String,
    },
    /// An API token's secret (`sbk_…`), and optionally its id (`tok_…`), which must then be
    /// the secret's token.
    ApiToken {
        id: Option<String>,
        secret: String,
    },
    /// A token the client already holds, exchanged for another (Keystone's `token` method,
    /// which CI jobs use to re-scope rather than sign in per command): an issued token
    /// (`sba_…`), whose principal and expiry the new one keeps, or an API token's secret
    /// (`sbk_…`), which is then a login with that API token.
    Held {
        secret: String,
    },
}

/// Why an API token's token is not re-scoped to another project, in Keystone's words: an
/// application credential is bound to its own project.
pub const APPLICATION_CREDENTIAL_SCOPE: &str =
    "Using an application credential token to create a scoped token is not allowed.";

/// The principal an issued token acts for, with the name people know it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessPrincipal {
    User { id: String, username: String },
    ApiToken { id: String, name: String },
}

impl AccessPrincipal {
    pub fn id(&self) -> &str {
        match self {
            Self::User { id, .. } | Self::ApiToken { id, .. } => id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::User { username, .. } => username,
            Self::ApiToken { name, .. } => name,
        }
    }
}

/// An issued token as it stands now (never with its secret, which only the client holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// Who it acts as: the principal's current role and sites, in its tenant.
    pub actor: Actor,
    pub principal: AccessPrincipal,
    pub tenant_name: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Names the token in logs and audit trails without revealing it (derived from the digest).
    pub audit_id: String,
}

impl AccessToken {
    /// Looking at a token or revoking it is for its own principal and the tenant's admins.
    pub fn require_inspector(&self, actor: &Actor) -> Result<(), CoreError> {
        let same_tenant = actor.tenant == self.actor.tenant;
        if same_tenant && (actor.role == Role::Admin || actor.id == self.actor.id) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(
                "Only the token's own user or an admin may look at or revoke it.".to_owned(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{CreatorType, SiteScope};
    use crate::core::tenancy::TenantId;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn actor(id: &str, role: Role, tenant: &str) -> Actor {
        Actor {
            tenant: TenantId::new(tenant),
            id: id.to_owned(),
            creator_type: CreatorType::User,
            role,
            sites: SiteScope::All,
            request_id: None,
            change: crate::core::change_sets::ChangeOrigin::fresh(
                crate::core::change_sets::Via::Api,
            ),
        }
    }

    fn token_of(owner: Actor) -> AccessToken {
        AccessToken {
            principal: AccessPrincipal::User {
                id: owner.id.clone(),
                username: "alice".into(),
            },
            actor: owner,
            tenant_name: "Default".into(),
            issued_at: at(0),
            expires_at: at(3600),
            audit_id: "a".into(),
        }
    }

    #[test]
    fn an_issued_token_lasts_an_hour() {
        assert_eq!(access_expiry(at(0), None), at(3600));
        assert_eq!(access_expiry(at(0), Some(at(86_400))), at(3600));
    }

    #[test]
    fn an_issued_token_ends_no_later_than_the_api_token_it_came_from() {
        assert_eq!(access_expiry(at(0), Some(at(60))), at(60));
    }

    #[test]
    fn only_the_owner_and_admins_of_its_tenant_may_inspect_a_token() {
        let token = token_of(actor("usr_a", Role::Staff, "default"));
        assert!(
            token
                .require_inspector(&actor("usr_a", Role::Staff, "default"))
                .is_ok()
        );
        assert!(
            token
                .require_inspector(&actor("usr_admin", Role::Admin, "default"))
                .is_ok()
        );
        for stranger in [
            actor("usr_b", Role::Manager, "default"),
            actor("usr_admin", Role::Admin, "other"),
        ] {
            assert!(matches!(
                token.require_inspector(&stranger),
                Err(CoreError::Forbidden(_))
            ));
        }
    }
}
