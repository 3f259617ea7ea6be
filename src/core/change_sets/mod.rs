//! Change sets: the unit a request's writes are recorded, read back and reverted in.
//!
//! Every write appends change records (see [`changes`](super::changes)); each record belongs to
//! exactly one change set, which says who made it, when, through which door (the web pages,
//! the API, a face, an import, a revert, the command line) and why (an optional comment). One
//! request is one change set however many records and transactions it takes; an import is one
//! change set however many resources it touches.

pub mod revert;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A change set's id: `chg_` and 32 hexadecimal digits (older records, written before change
/// sets existed, carry `chg_legacy_<n>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeSetId(String);

impl ChangeSetId {
    pub const PREFIX: &'static str = "chg_";
    const MAX_CHARS: usize = 64;

    /// A new id from 128 random bits.
    pub fn from_bits(bits: u128) -> Self {
        Self(format!("{}{bits:032x}", Self::PREFIX))
    }

    /// A new id. Every request that reaches the core gets one, reads included, so it comes
    /// from the thread-local generator the request ids use (uuid's `fast-rng`) rather than a
    /// system call each (see `docs/performance.md`); a set's id is a name, not a secret.
    #[cfg(feature = "ssr")]
    pub fn fresh() -> Self {
        Self::from_bits(uuid::Uuid::new_v4().as_u128())
    }

    /// An id as a client sent it: `chg_` and up to 60 letters, digits or `_`. Anything else
    /// names no change set (a lookup of it is simply not found, so this is not a refusal).
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(Self::PREFIX)?;
        (!rest.is_empty()
            && text.len() <= Self::MAX_CHARS
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| Self(text.to_owned()))
    }

    /// An id read back from storage, trusted as written.
    pub fn stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChangeSetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Through which door a change set came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The web pages (a signed-in person).
    Web,
    /// The native REST API (a script with a token).
    Api,
    /// The OpenStack faces (Nova, Keystone).
    Nova,
    /// The AVEVA Data Hub face.
    #[serde(rename = "datahub")]
    DataHub,
    /// A bulk import.
    Import,
    /// A revert of another change set.
    Revert,
    /// The `sitebook` command on the server.
    Cli,
}

impl Via {
    pub const ALL: [Self; 7] = [
        Self::Web,
        Self::Api,
        Self::Nova,
        Self::DataHub,
        Self::Import,
        Self::Revert,
        Self::Cli,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Nova => "nova",
            Self::DataHub => "datahub",
            Self::Import => "import",
            Self::Revert => "revert",
            Self::Cli => "cli",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|via| via.as_str() == text)
    }

    /// How a person reads it in a history ("Imported by alice").
    pub const fn verb(self) -> &'static str {
        match self {
            Self::Web => "Changed",
            Self::Api => "Changed through the API",
            Self::Nova => "Changed through OpenStack",
            Self::DataHub => "Changed through Data Hub",
            Self::Import => "Imported",
            Self::Revert => "Reverted",
            Self::Cli => "Changed on the command line",
        }
    }
}

/// What every record a request writes is filed under: its change set, and the set's header.
/// An [`Actor`](super::access::Actor) carries one; the doors that take a request give each
/// request a fresh one, so two requests never share a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeOrigin {
    pub id: ChangeSetId,
    pub via: Via,
    /// Boxed: every actor carries an origin, and few sets have a note.
    pub note: Option<Box<ChangeNote>>,
}

/// What a few change sets say of themselves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeNote {
    pub comment: Option<String>,
    /// The change set this one reverts.
    pub reverts: Option<ChangeSetId>,
    /// The file its changes came from (an import's file name).
    pub source: Option<String>,
}

/// The longest comment kept on a change set, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

impl ChangeOrigin {
    pub fn new(id: ChangeSetId, via: Via) -> Self {
        Self {
            id,
            via,
            note: None,
        }
    }

    pub fn comment(&self) -> Option<&str> {
        self.note.as_ref().and_then(|n| n.comment.as_deref())
    }

    pub fn reverts(&self) -> Option<&ChangeSetId> {
        self.note.as_ref().and_then(|n| n.reverts.as_ref())
    }

    pub fn source(&self) -> Option<&str> {
        self.note.as_ref().and_then(|n| n.source.as_deref())
    }

    /// A new change set through `via`.
    #[cfg(feature = "ssr")]
    pub fn fresh(via: Via) -> Self {
        Self::new(ChangeSetId::fresh(), via)
    }
}

/// The longest file name kept as a change set's source, in characters.
pub const MAX_SOURCE_CHARS: usize = 255;

/// A file name as a change set's source: its last path part (a browser may send a whole
/// path), without control characters, at most [`MAX_SOURCE_CHARS`] (longer names are cut, not
/// refused: it only labels the set).
pub fn source(name: Option<&str>) -> Option<String> {
    let name = name?.rsplit(['/', '\\']).next()?;
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_SOURCE_CHARS)
        .collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_owned())
}

/// A comment as a person gave it: trimmed, empty is none, at most [`MAX_COMMENT_CHARS`].
pub fn comment(text: Option<&str>) -> Result<Option<String>, crate::core::error::ValidationError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let chars = text.chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(crate::core::error::ValidationError::CommentTooLong {
            max: MAX_COMMENT_CHARS,
            actual: chars,
        });
    }
    Ok(Some(text.to_owned()))
}

/// A change set as listed: its header and how much it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSetSummary {
    pub id: ChangeSetId,
    pub actor_id: String,
    pub actor_type: String,
    pub via: Via,
    pub comment: Option<String>,
    pub reverts: Option<ChangeSetId>,
    /// The file its changes came from (an import's file name).
    pub source: Option<String>,
    pub at: DateTime<Utc>,
    /// How many change records it holds.
    pub records: i64,
    /// How many resources (or tags, users, tokens) those records are on.
    pub resources: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_the_prefix_and_thirty_two_hex_digits_and_reads_back() {
        let id = ChangeSetId::from_bits(0xabc);
        assert_eq!(id.as_str(), "chg_00000000000000000000000000000abc");
        assert_eq!(ChangeSetId::parse(id.as_str()), Some(id));
        assert!(ChangeSetId::parse("chg_legacy_12").is_some());
        for bad in [
            "",
            "chg_",
            "abc",
            "chg_a-b",
            "chg_ä",
            &format!("chg_{}", "a".repeat(61)),
        ] {
            assert_eq!(ChangeSetId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_door_reads_back_from_its_text() {
        for via in Via::ALL {
            assert_eq!(Via::parse(via.as_str()), Some(via));
            assert_eq!(
                serde_json::to_value(via).unwrap(),
                serde_json::json!(via.as_str())
            );
        }
        assert_eq!(Via::parse("carrier pigeon"), None);
    }

    #[test]
    fn a_source_is_the_file_name_alone_clean_and_bounded() {
        assert_eq!(source(None), None);
        assert_eq!(source(Some("  ")), None);
        assert_eq!(
            source(Some("C:\\Users\\al\\sites.csv")).as_deref(),
            Some("sites.csv")
        );
        assert_eq!(
            source(Some("exports/q4\nsites.csv")).as_deref(),
            Some("q4sites.csv")
        );
        assert_eq!(
            source(Some(&"a".repeat(300))).map(|s| s.len()),
            Some(MAX_SOURCE_CHARS)
        );
    }

    #[test]
    fn a_comment_is_trimmed_and_bounded() {
        assert_eq!(comment(None).unwrap(), None);
        assert_eq!(comment(Some("  ")).unwrap(), None);
        assert_eq!(
            comment(Some(" fix typo ")).unwrap().as_deref(),
            Some("fix typo")
        );
        assert!(comment(Some(&"é".repeat(MAX_COMMENT_CHARS))).is_ok());
        assert!(comment(Some(&"é".repeat(MAX_COMMENT_CHARS + 1))).is_err());
    }
}
