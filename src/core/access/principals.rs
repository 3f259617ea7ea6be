//! The people and scripts that act in a tenant, as admins see them: users, API tokens and what
//! each may do. Plain data shared by the server and the browser; the SQL is in `store::access`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;
use crate::core::error::ValidationError;
use crate::core::resources::ResourceId;

/// A user as listed (never with the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub role: Role,
    /// `Some` for a manager limited to these sites.
    pub sites: Option<Vec<ResourceId>>,
    pub created_at: DateTime<Utc>,
    /// A disabled user cannot sign in, and their sessions end when they are disabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// An API token as listed; the secret itself is shown once, when the token is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub sites: Option<Vec<ResourceId>>,
    /// The id of the user (or `operator`) who made it.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Refreshed at most once a minute (see `store::access`).
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Whether the token still authenticates at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

/// The longest lifetime a token can be given in days: ten years. Without one it never expires.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// How long a new token works: whole days from 1 to [`MAX_TOKEN_DAYS`], or without end. The
/// store takes only this, so no face can make a token outside the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime(Option<u32>);

impl TokenLifetime {
    /// A token that never expires.
    pub const UNLIMITED: Self = Self(None);

    /// `days` whole days, or without end for `None` (the command line's optional number).
    pub fn days(days: Option<u32>) -> Result<Self, ValidationError> {
        match days {
            None => Ok(Self::UNLIMITED),
            Some(days @ 1..=MAX_TOKEN_DAYS) => Ok(Self(Some(days))),
            Some(_) => Err(ValidationError::TokenLifetimeInvalid {
                max_days: MAX_TOKEN_DAYS,
            }),
        }
    }

    /// A form's text: empty for a token without end, or whole days.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::UNLIMITED);
        }
        let days = text
            .parse::<u32>()
            .map_err(|_| ValidationError::TokenLifetimeInvalid {
                max_days: MAX_TOKEN_DAYS,
            })?;
        Self::days(Some(days))
    }

    /// When a token made at `created_at` stops working.
    pub fn expiry(self, created_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.0
            .map(|days| created_at + chrono::Duration::days(days.into()))
    }
}

/// What a user or token may do.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub role: Role,
    /// `Some` limits a manager to these sites; an empty list allows none.
    pub sites: Option<Vec<ResourceId>>,
}

impl Grant {
    /// Only managers write, so only they can be limited to sites.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.sites.is_some() && self.role != Role::Manager {
            Err(ValidationError::SitesOnlyForManagers)
        } else {
            Ok(())
        }
    }

    /// Reads a role and a list of site ids separated by commas, spaces or new lines, as forms
    /// send them; `limited` says whether the list applies (an empty limited list allows none).
    pub fn parse(role: &str, limited: bool, sites: &str) -> Result<Self, ValidationError> {
        let grant = Self {
            role: Role::parse(role)?,
            sites: limited.then(|| {
                sites
                    .split([',', ' ', '\n', '\r', '\t'])
                    .filter(|s| !s.is_empty())
                    .map(ResourceId::from_path)
                    .collect()
            }),
        };
        grant.check()?;
        Ok(grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_grant_reads_its_sites_and_keeps_them_to_managers() {
        let grant = Grant::parse("manager", true, "site_a, site_b\nsite_c").unwrap();
        assert_eq!(
            grant.sites.unwrap(),
            ["site_a", "site_b", "site_c"].map(ResourceId::from_path)
        );
        assert_eq!(
            Grant::parse("manager", false, "site_a").unwrap().sites,
            None
        );
        assert_eq!(
            Grant::parse("manager", true, " ").unwrap().sites,
            Some(vec![])
        );
        assert_eq!(
            Grant::parse("staff", true, "site_a").unwrap_err(),
            ValidationError::SitesOnlyForManagers
        );
        assert!(matches!(
            Grant::parse("root", false, ""),
            Err(ValidationError::RoleUnknown(_))
        ));
    }

    #[test]
    fn a_token_lifetime_is_empty_or_whole_days_in_range() {
        let now = Utc::now();
        assert_eq!(TokenLifetime::parse(" "), Ok(TokenLifetime::UNLIMITED));
        assert_eq!(TokenLifetime::UNLIMITED.expiry(now), None);
        assert_eq!(
            TokenLifetime::parse("30").unwrap().expiry(now),
            Some(now + chrono::Duration::days(30))
        );
        for bad in ["0", "-1", "1.5", "3651", "soon"] {
            assert_eq!(
                TokenLifetime::parse(bad),
                Err(ValidationError::TokenLifetimeInvalid { max_days: 3650 }),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_lifetime_given_as_a_number_keeps_the_same_range_as_a_form() {
        assert_eq!(TokenLifetime::days(None), Ok(TokenLifetime::UNLIMITED));
        assert!(TokenLifetime::days(Some(1)).is_ok());
        assert!(TokenLifetime::days(Some(MAX_TOKEN_DAYS)).is_ok());
        for bad in [0, MAX_TOKEN_DAYS + 1, u32::MAX] {
            assert!(TokenLifetime::days(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_token_is_active_until_revoked_or_expired() {
        let now = Utc::now();
        let mut token = ApiToken {
            id: "tok_1".into(),
            name: "t".into(),
            role: Role::Staff,
            sites: None,
            created_by: "operator".into(),
            created_at: now,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
        };
        assert!(token.is_active(now));
        token.expires_at = Some(now);
        assert!(!token.is_active(now));
        token.expires_at = None;
        token.revoked_at = Some(now);
        assert!(!token.is_active(now));
    }
}
