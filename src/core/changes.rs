//! The change log: every mutation appends one record per thing it changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One appended record. `old` is absent for a creation and `new` for a removal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// Increases with every record in the installation; the cursor for reading history.
    pub seq: i64,
    pub resource_id: String,
    pub actor_id: String,
    pub actor_type: String,
    /// What was done, as `<thing>.<verb>`: `resource.create`, `metadata.set`, `metadata.remove`.
    pub action: Action,
    /// What inside the resource changed, such as the metadata key.
    pub subject: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub request_id: Option<String>,
    /// The change set the record belongs to (see [`change_sets`](super::change_sets)).
    pub change_set: Option<String>,
    pub at: DateTime<Utc>,
}

/// What a change record says was done, as `<thing>.<verb>` on the wire and in the database.
/// Named once so the store that writes them, the views that describe them and the API that
/// serves them agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Action {
    ResourceCreate,
    ResourceImport,
    ResourceDelete,
    ResourceParent,
    MetadataSet,
    MetadataRemove,
    TagCreate,
    TagUpdate,
    TagDelete,
    TagSet,
    TagRemove,
    FileAdd,
    FileUpdate,
    FileDelete,
    UserCreate,
    UserDisable,
    UserEnable,
    UserGrant,
    TokenCreate,
    TokenRevoke,
    TokenGrant,
    /// A host added to an OpenStack host aggregate (the subject is the host).
    HostAdd,
    HostRemove,
}

impl Action {
    pub const ALL: [Self; 23] = [
        Self::ResourceCreate,
        Self::ResourceImport,
        Self::ResourceDelete,
        Self::ResourceParent,
        Self::MetadataSet,
        Self::MetadataRemove,
        Self::TagCreate,
        Self::TagUpdate,
        Self::TagDelete,
        Self::TagSet,
        Self::TagRemove,
        Self::FileAdd,
        Self::FileUpdate,
        Self::FileDelete,
        Self::UserCreate,
        Self::UserDisable,
        Self::UserEnable,
        Self::UserGrant,
        Self::TokenCreate,
        Self::TokenRevoke,
        Self::TokenGrant,
        Self::HostAdd,
        Self::HostRemove,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ResourceCreate => "resource.create",
            Self::ResourceImport => "resource.import",
            Self::ResourceDelete => "resource.delete",
            Self::ResourceParent => "resource.parent",
            Self::MetadataSet => "metadata.set",
            Self::MetadataRemove => "metadata.remove",
            Self::TagCreate => "tag.create",
            Self::TagUpdate => "tag.update",
            Self::TagDelete => "tag.delete",
            Self::TagSet => "tag.set",
            Self::TagRemove => "tag.remove",
            Self::FileAdd => "file.add",
            Self::FileUpdate => "file.update",
            Self::FileDelete => "file.delete",
            Self::UserCreate => "user.create",
            Self::UserDisable => "user.disable",
            Self::UserEnable => "user.enable",
            Self::UserGrant => "user.grant",
            Self::TokenCreate => "token.create",
            Self::TokenRevoke => "token.revoke",
            Self::TokenGrant => "token.grant",
            Self::HostAdd => "host.add",
            Self::HostRemove => "host.remove",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Action> for &'static str {
    fn from(action: Action) -> Self {
        action.as_str()
    }
}

impl TryFrom<String> for Action {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text).ok_or_else(|| format!("'{text}' is not a change action"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_text() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(Action::parse("resource.explode"), None);
    }

    #[test]
    fn actions_travel_as_their_text() {
        let json = serde_json::to_value(Action::MetadataSet).unwrap();
        assert_eq!(json, "metadata.set");
        assert_eq!(
            serde_json::from_value::<Action>(json).unwrap(),
            Action::MetadataSet
        );
    }
}
