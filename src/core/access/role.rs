use serde::{Deserialize, Serialize};

use crate::core::error::ValidationError;

/// Roles are ordered: each one may do everything the one below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything in the tenant.
    Staff,
    /// Also writes metadata, tags and files (optionally only on chosen sites).
    Manager,
    /// Also defines tags and manages users and tokens.
    Admin,
}

impl Role {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input {
            "staff" => Ok(Self::Staff),
            "manager" => Ok(Self::Manager),
            "admin" => Ok(Self::Admin),
            other => Err(ValidationError::RoleUnknown(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }
}

/// What kind of principal made a change, as AVEVA Data Hub's ChangeData records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CreatorType {
    /// A person signed in to the web UI.
    User,
    /// A script or system using an API token.
    Client,
    /// An automatic rule inside Sitebook.
    Rule,
}

impl CreatorType {
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "user" => Some(Self::User),
            "client" => Some(Self::Client),
            "rule" => Some(Self::Rule),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Client => "client",
            Self::Rule => "rule",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_are_ordered() {
        for role in [Role::Staff, Role::Manager, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::Admin > Role::Manager && Role::Manager > Role::Staff);
    }

    #[test]
    fn an_unknown_role_is_refused_by_name() {
        assert_eq!(
            Role::parse("root").unwrap_err(),
            ValidationError::RoleUnknown("root".into())
        );
    }

    #[test]
    fn creator_types_round_trip() {
        for t in [CreatorType::User, CreatorType::Client, CreatorType::Rule] {
            assert_eq!(CreatorType::parse(t.as_str()), Some(t));
        }
        assert_eq!(CreatorType::parse("robot"), None);
    }
}
