//! Resources are the things Sitebook catalogues: sites first, later devices, users, WANs, ...

use crate::core::error::Clash;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::{CoreError, ValidationError};
use super::validated_string::validated_string;

/// A resource type such as `site` or `mikrotik.device`: lowercase words joined by dots.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResourceType(String);

impl ResourceType {
    pub const MAX_LEN: usize = 64;

    /// The type of a site, the resource that grants, files and the site list revolve around.
    pub const SITE: &'static str = "site";

    pub fn site() -> Self {
        Self(Self::SITE.to_owned())
    }

    pub fn is_site(&self) -> bool {
        self.0 == Self::SITE
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let word_ok = |w: &str| {
            let mut chars = w.chars();
            matches!(chars.next(), Some('a'..='z'))
                && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        };
        if input.len() <= Self::MAX_LEN && input.split('.').all(word_ok) {
            Ok(Self(input.to_owned()))
        } else {
            Err(ValidationError::ResourceTypeInvalid(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(ResourceType);

/// A resource's display name: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceName(String);

impl ResourceName {
    pub const MAX_CHARS: usize = 200;

    /// The longest name of an OpenStack type (`openstack.server`, `openstack.aggregate`): Nova
    /// takes 255 characters for both, and a name it takes must not be refused here.
    pub const MAX_OPENSTACK_CHARS: usize = 255;

    /// The longest name a resource of `kind` may have.
    pub fn max_chars_for(kind: &str) -> usize {
        if kind.starts_with("openstack.") {
            Self::MAX_OPENSTACK_CHARS
        } else {
            Self::MAX_CHARS
        }
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::parse_at_most(input, Self::MAX_CHARS)
    }

    /// A name for a resource of `kind` (see [`Self::max_chars_for`]).
    pub fn parse_for(input: &str, kind: &str) -> Result<Self, ValidationError> {
        Self::parse_at_most(input, Self::max_chars_for(kind))
    }

    fn parse_at_most(input: &str, max: usize) -> Result<Self, ValidationError> {
        let trimmed = input.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            return Err(ValidationError::NameEmpty);
        }
        if chars > max {
            return Err(ValidationError::NameTooLong { max, actual: chars });
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ValidationError::NameHasControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A resource id. New ones are the type's first word, an underscore and 32 hex digits
/// (`site_9b52d930f4324c0abac04c12dff85544`), the form the Altostrat seeds use for sites.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceId(String);

impl ResourceId {
    /// Mints an id from 128 random bits; the caller supplies them so the core stays free of
    /// any random-number source and is deterministic under test.
    pub fn mint(kind: &ResourceType, random: u128) -> Self {
        let prefix = kind.as_str().split('.').next().unwrap_or("res");
        Self(format!("{prefix}_{random:032x}"))
    }

    pub const MAX_LEN: usize = 128;

    /// Ids arrive from URLs; any string is a lookup key, and an unknown one is simply not found.
    pub fn from_path(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// An id a client chooses for a new resource (a UUID as in the Altostrat seeds, or a
    /// prefixed id): 1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:`, so it is safe in
    /// URLs and logs without escaping.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':');
        if !(1..=Self::MAX_LEN).contains(&input.len()) || !input.bytes().all(ok) {
            return Err(ValidationError::ResourceIdInvalid(input.to_owned()));
        }
        let id = Self(input.to_owned());
        if id.names_principal() {
            return Err(ValidationError::ResourceIdReserved(input.to_owned()));
        }
        Ok(id)
    }

    /// Whether the id is in the form of a user's or API token's: their change records live
    /// under these ids, so no resource may take one (its history would mix with theirs), and
    /// only admins read what is recorded under them.
    pub fn names_principal(&self) -> bool {
        crate::core::access::PRINCIPAL_ID_PREFIXES
            .iter()
            .any(|prefix| self.0.starts_with(prefix))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A catalogued resource as every face sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub id: ResourceId,
    #[serde(rename = "type")]
    pub kind: ResourceType,
    pub name: String,
    /// The resource this one belongs to, such as a device's site.
    pub parent: Option<ResourceId>,
    /// Bumped by every change to the resource or its metadata: the ETag of both.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource {
    /// The site whose grants cover a resource: the resource itself when it is a site, else the
    /// nearest site above it (`site_above`: a device's site, or the site of the device a port
    /// is under), so a manager limited to a site manages everything under it, however deep.
    /// A resource under no site is open only to writers limited to no sites. Types and ids
    /// come as the store holds them, so that asking costs a write no parsing.
    pub fn governing_site(kind: &str, id: &str, site_above: Option<&str>) -> Option<ResourceId> {
        if kind == ResourceType::SITE {
            Some(ResourceId::from_path(id))
        } else {
            site_above.map(ResourceId::from_path)
        }
    }
}

/// How deep resources nest: a resource has at most `MAX_DEPTH - 1` ancestors. Chains are
/// short (site, device, port); the bound lets the loop check read the whole chain of a new
/// parent in one bounded query and so never accept a loop it did not look for.
pub const MAX_DEPTH: usize = 32;

/// How many of a new parent's chain (the parent, then its ancestors) the store reads: one
/// more than a parent may have, so that a chain longer than allowed is seen to be.
pub const ANCESTRY_READ: usize = MAX_DEPTH;

/// Refuses putting `id` under `parent` when that would make the resource its own ancestor,
/// or nest it deeper than [`MAX_DEPTH`]. `ancestry` is the new parent and then its ancestors,
/// nearest first (at most [`ANCESTRY_READ`] of them, by whatever key the caller loaded them),
/// and `own` is the resource's key.
pub fn refuse_loop<K: PartialEq>(
    id: &ResourceId,
    parent: &ResourceId,
    own: &K,
    ancestry: &[K],
) -> Result<(), CoreError> {
    if ancestry.iter().any(|key| key == own) {
        return Err(CoreError::Conflict(
            Clash::ParentLoop,
            format!("'{parent}' is '{id}' itself or under it, so it cannot be its parent."),
        ));
    }
    // The parent and its ancestors become the resource's ancestors.
    if ancestry.len() >= MAX_DEPTH {
        return Err(CoreError::Conflict(
            Clash::TooDeep,
            format!(
                "'{parent}' is nested too deep to take '{id}' under it: resources nest at most \
                 {MAX_DEPTH} deep."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(
            ResourceName::parse("  Main Office \n").unwrap().as_str(),
            "Main Office"
        );
    }

    #[test]
    fn an_empty_or_blank_name_is_rejected() {
        assert_eq!(ResourceName::parse(""), Err(ValidationError::NameEmpty));
        assert_eq!(
            ResourceName::parse(" \t\n "),
            Err(ValidationError::NameEmpty)
        );
    }

    #[test]
    fn openstack_types_take_novas_255_characters_and_others_200() {
        let long = "x".repeat(255);
        assert!(ResourceName::parse_for(&long, "openstack.aggregate").is_ok());
        assert!(ResourceName::parse_for(&long, "openstack.server").is_ok());
        assert!(ResourceName::parse_for(&"x".repeat(256), "openstack.server").is_err());
        assert!(ResourceName::parse_for(&long, "site").is_err());
    }

    #[test]
    fn a_name_of_200_characters_is_accepted_and_201_rejected() {
        assert!(ResourceName::parse(&"x".repeat(200)).is_ok());
        assert_eq!(
            ResourceName::parse(&"x".repeat(201)),
            Err(ValidationError::NameTooLong {
                max: 200,
                actual: 201
            })
        );
    }

    #[test]
    fn name_length_counts_characters_not_bytes() {
        // 200 two-byte characters are 400 bytes but still a valid name.
        assert!(ResourceName::parse(&"é".repeat(200)).is_ok());
        assert!(ResourceName::parse(&"é".repeat(201)).is_err());
    }

    #[test]
    fn surrounding_whitespace_does_not_count_towards_the_limit() {
        let padded = format!("   {}   ", "x".repeat(200));
        assert!(ResourceName::parse(&padded).is_ok());
    }

    #[test]
    fn a_name_with_an_inner_control_character_is_rejected() {
        assert_eq!(
            ResourceName::parse("Main\tOffice"),
            Err(ValidationError::NameHasControlCharacter)
        );
        assert_eq!(
            ResourceName::parse("Main\u{7}Office"),
            Err(ValidationError::NameHasControlCharacter)
        );
    }

    #[test]
    fn resource_types_are_lowercase_dotted_words() {
        for ok in ["site", "mikrotik.device", "wan", "user_group", "a1.b2"] {
            assert!(ResourceType::parse(ok).is_ok(), "{ok} should parse");
        }
        for bad in [
            "", "Site", "site.", ".site", "1site", "si te", "site..x", "site-x",
        ] {
            assert!(
                ResourceType::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!(ResourceType::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn a_minted_id_is_the_type_prefix_and_32_hex_digits() {
        let id = ResourceId::mint(&ResourceType::site(), 0x9b52d930f4324c0abac04c12dff85544);
        assert_eq!(id.as_str(), "site_9b52d930f4324c0abac04c12dff85544");
        let device = ResourceType::parse("mikrotik.device").unwrap();
        assert_eq!(
            ResourceId::mint(&device, 1).as_str(),
            "mikrotik_00000000000000000000000000000001"
        );
    }

    #[test]
    fn client_chosen_ids_are_url_safe_and_bounded() {
        for ok in [
            "9b52d930-f432-4c0a-bac0-4c12dff85544",
            "site_9b52",
            "a:b.c",
            &"x".repeat(128),
        ] {
            assert!(ResourceId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a/b", "é", &"x".repeat(129)] {
            assert_eq!(
                ResourceId::parse(bad),
                Err(ValidationError::ResourceIdInvalid(bad.to_owned()))
            );
        }
    }

    #[test]
    fn a_resource_serialises_its_kind_as_type() {
        let at = DateTime::parse_from_rfc3339("2025-10-29T13:00:00Z")
            .unwrap()
            .to_utc();
        let site = Resource {
            id: ResourceId::from_path("site_1"),
            kind: ResourceType::site(),
            name: "HQ".into(),
            parent: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let json = serde_json::to_value(&site).unwrap();
        assert_eq!(json["type"], "site");
        assert_eq!(json["id"], "site_1");
    }

    #[test]
    fn a_site_governs_itself_and_every_resource_under_it() {
        let site = |id: &str| Some(ResourceId::from_path(id));
        assert_eq!(Resource::governing_site("site", "s1", None), site("s1"));
        assert_eq!(
            Resource::governing_site("site", "s1", Some("s0")),
            site("s1")
        );
        // A device under s1, and a port under that device: the nearest site above both.
        assert_eq!(
            Resource::governing_site("mikrotik.device", "d1", Some("s1")),
            site("s1")
        );
        assert_eq!(
            Resource::governing_site("port", "p1", Some("s1")),
            site("s1")
        );
    }

    #[test]
    fn a_resource_under_no_site_is_governed_by_none() {
        assert_eq!(
            Resource::governing_site("mikrotik.device", "d1", None),
            None
        );
    }

    #[test]
    fn a_resource_cannot_go_under_itself_or_its_descendants() {
        let (id, parent) = (ResourceId::from_path("r"), ResourceId::from_path("p"));
        assert!(refuse_loop(&id, &parent, &1, &[2, 3]).is_ok());
        assert!(refuse_loop(&id, &parent, &1, &[]).is_ok());
        for ancestry in [&[1][..], &[2, 1], &[2, 3, 1]] {
            assert!(matches!(
                refuse_loop(&id, &parent, &1, ancestry),
                Err(CoreError::Conflict(_, m)) if m.contains("'p' is 'r' itself or under it")
            ));
        }
    }

    #[test]
    fn a_chain_as_long_as_the_check_reads_is_refused_whatever_is_beyond_it() {
        let (id, parent) = (ResourceId::from_path("r"), ResourceId::from_path("p"));
        // A loop just past what was read, or no loop at all: refused as too deep either way.
        let mut ancestry: Vec<usize> = (100..100 + ANCESTRY_READ).collect();
        assert!(matches!(
            refuse_loop(&id, &parent, &1, &ancestry),
            Err(CoreError::Conflict(Clash::TooDeep, _))
        ));
        ancestry.pop();
        assert!(refuse_loop(&id, &parent, &1, &ancestry).is_ok());
        ancestry.push(1);
        assert!(matches!(
            refuse_loop(&id, &parent, &1, &ancestry),
            Err(CoreError::Conflict(Clash::ParentLoop, _))
        ));
    }
}
