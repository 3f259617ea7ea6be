use crate::core::error::Clash;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::value::TagValueText;
use crate::core::error::{CoreError, ValidationError};
use crate::core::resources::ResourceType;
use crate::core::validated_string::validated_string;

/// `tag_` and a ULID, so ids sort by creation time (the Altostrat seeds' form).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagId(String);

impl TagId {
    /// Mints an id from the creation time and 80 random bits supplied by the caller.
    pub fn mint(timestamp_ms: u64, random: u128) -> Self {
        Self(format!(
            "tag_{}",
            ulid::Ulid::from_parts(timestamp_ms, random)
        ))
    }

    /// An id from a URL; an unknown one is simply not found.
    pub fn from_path(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TagId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of resource a tag can be applied to (the seed's `CorrelationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CorrelationType {
    Site,
    User,
    Wan,
    Account,
    /// Data Hub's streams (`core::streams::STREAM_TYPE`).
    #[serde(rename = "datahub.stream")]
    Stream,
    /// Nova's servers (`core::openstack::SERVER_TYPE`), whose tags are bare names.
    #[serde(rename = "openstack.server")]
    Server,
}

impl CorrelationType {
    pub const ALL: [Self; 6] = [
        Self::Site,
        Self::User,
        Self::Wan,
        Self::Account,
        Self::Stream,
        Self::Server,
    ];

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == input)
            .ok_or_else(|| ValidationError::CorrelationTypeUnknown(input.to_owned()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::User => "user",
            Self::Wan => "wan",
            Self::Account => "account",
            Self::Stream => crate::core::streams::STREAM_TYPE,
            Self::Server => crate::core::openstack::SERVER_TYPE,
        }
    }

    /// The resource type a correlated resource has.
    pub fn resource_type(self) -> ResourceType {
        ResourceType::parse(self.as_str()).expect("correlation types are valid resource types")
    }
}

/// A colour as `#rrggbb`, stored in lowercase whatever case it was given in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour(String);

impl Colour {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let hex = input.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err(ValidationError::ColourInvalid(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(Colour);

/// A tag's name: trimmed, 1 to 64 characters, no control characters.
pub fn tag_name(input: &str) -> Result<String, ValidationError> {
    const MAX: usize = MAX_TAG_NAME_CHARS;
    let trimmed = input.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        Err(ValidationError::NameEmpty)
    } else if chars > MAX {
        Err(ValidationError::NameTooLong {
            max: MAX,
            actual: chars,
        })
    } else if trimmed.chars().any(char::is_control) {
        Err(ValidationError::NameHasControlCharacter)
    } else {
        Ok(trimmed.to_owned())
    }
}

pub const MAX_TAG_NAME_CHARS: usize = 64;
/// A tag attached without a value (the only form Data Hub's tags take). Values people set are
/// never empty (`TagValueText`), so the two cannot be confused.
pub const NO_VALUE: &str = "";
/// The grey of a definition made by a Data Hub client until an admin colours it.
pub const AUTO_DEFINED_COLOUR: &str = "#6b7280";
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
pub const MAX_ALLOWED_VALUES: usize = 200;

/// A complete, valid tag definition before it is stored (or after a patch is applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDraft {
    pub name: String,
    pub description: String,
    pub colour: Colour,
    /// Sorted and without repeats.
    pub applies_to: Vec<CorrelationType>,
    /// `None`: any value. `Some`: only these, in the order the admin gave them.
    pub allowed_values: Option<Vec<TagValueText>>,
}

impl TagDraft {
    pub fn new(
        name: &str,
        description: &str,
        colour: &str,
        applies_to: &[String],
        allowed_values: Option<&[String]>,
    ) -> Result<Self, ValidationError> {
        let description = description.trim();
        let description_chars = description.chars().count();
        if description_chars > MAX_DESCRIPTION_CHARS {
            return Err(ValidationError::DescriptionTooLong {
                max: MAX_DESCRIPTION_CHARS,
                actual: description_chars,
            });
        }
        let mut types = applies_to
            .iter()
            .map(|t| CorrelationType::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        types.sort();
        types.dedup();
        if types.is_empty() {
            return Err(ValidationError::AppliesToEmpty);
        }
        Ok(Self {
            name: tag_name(name)?,
            description: description.to_owned(),
            colour: Colour::parse(colour)?,
            applies_to: types,
            allowed_values: allowed_values.map(allowed_list).transpose()?,
        })
    }

    /// Checks a value for a resource of `correlation_type` against this definition.
    pub fn check_value(
        &self,
        correlation_type: CorrelationType,
        value: &str,
    ) -> Result<TagValueText, ValidationError> {
        if !self.applies_to.contains(&correlation_type) {
            return Err(ValidationError::TagNotApplicable {
                tag: self.name.clone(),
                correlation_type: correlation_type.as_str(),
                applies_to: self.applies_to.iter().map(|t| t.as_str()).collect(),
            });
        }
        let value = TagValueText::parse(value)?;
        match &self.allowed_values {
            Some(allowed) if !allowed.contains(&value) => {
                Err(ValidationError::TagValueNotAllowed {
                    tag: self.name.clone(),
                    value: value.as_str().to_owned(),
                    allowed: allowed.iter().map(|v| v.as_str().to_owned()).collect(),
                })
            }
            _ => Ok(value),
        }
    }

    /// A definition made on first use of `name` by a client of an untyped face (Data Hub's
    /// stream tags, Nova's server tags): it applies to that face's type only and allows any
    /// value, so the tag can be attached without one (see [`TagDraft::check_presence`]).
    /// Admins describe, colour or restrict it afterwards.
    pub fn for_client(name: &str, applies_to: CorrelationType) -> Result<Self, ValidationError> {
        let description = match applies_to {
            CorrelationType::Stream => "Defined by a Data Hub client on first use.",
            CorrelationType::Server => "Defined by an OpenStack client on first use.",
            _ => "Defined by an API client on first use.",
        };
        Self::new(
            name,
            description,
            AUTO_DEFINED_COLOUR,
            &[applies_to.as_str().to_owned()],
            None,
        )
    }

    /// Checks attaching this tag *without a value* (Data Hub's tags are bare names) to a
    /// resource of `correlation_type`. Such a tag is stored with the empty value
    /// [`NO_VALUE`]: allowed only when the definition takes any value, since a list of
    /// allowed values says a value is required (and the empty one is never on a list).
    pub fn check_presence(&self, correlation_type: CorrelationType) -> Result<(), ValidationError> {
        if !self.applies_to.contains(&correlation_type) {
            return Err(ValidationError::TagNotApplicable {
                tag: self.name.clone(),
                correlation_type: correlation_type.as_str(),
                applies_to: self.applies_to.iter().map(|t| t.as_str()).collect(),
            });
        }
        match &self.allowed_values {
            Some(allowed) => Err(ValidationError::TagValueRequired {
                tag: self.name.clone(),
                allowed: allowed.iter().map(|v| v.as_str().to_owned()).collect(),
            }),
            None => Ok(()),
        }
    }

    /// The definition with a partial update applied; the result is checked whole.
    pub fn patched(&self, patch: &TagPatch) -> Result<Self, ValidationError> {
        let applies_to: Vec<String> = match &patch.applies_to {
            Some(types) => types.clone(),
            None => self
                .applies_to
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
        };
        let current_allowed: Option<Vec<String>> = self
            .allowed_values
            .as_ref()
            .map(|v| v.iter().map(|v| v.as_str().to_owned()).collect());
        let allowed = match &patch.allowed_values {
            Some(new) => new.clone(),
            None => current_allowed,
        };
        Self::new(
            patch.name.as_deref().unwrap_or(&self.name),
            patch.description.as_deref().unwrap_or(&self.description),
            patch.colour.as_deref().unwrap_or(self.colour.as_str()),
            &applies_to,
            allowed.as_deref(),
        )
    }
}

fn allowed_list(values: &[String]) -> Result<Vec<TagValueText>, ValidationError> {
    if values.is_empty() {
        return Err(ValidationError::AllowedValuesEmpty);
    }
    if values.len() > MAX_ALLOWED_VALUES {
        return Err(ValidationError::TooManyAllowedValues {
            max: MAX_ALLOWED_VALUES,
            actual: values.len(),
        });
    }
    let mut seen: Vec<TagValueText> = Vec::with_capacity(values.len());
    for raw in values {
        let value = TagValueText::parse(raw)?;
        if seen.contains(&value) {
            return Err(ValidationError::AllowedValueRepeated(
                value.as_str().to_owned(),
            ));
        }
        seen.push(value);
    }
    Ok(seen)
}

/// A partial update of a definition: absent fields stay. `allowed_values: Some(None)` makes the
/// tag free-text again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub colour: Option<String>,
    pub applies_to: Option<Vec<String>>,
    pub allowed_values: Option<Option<Vec<String>>>,
}

/// A stored tag definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagDefinition {
    pub id: TagId,
    pub name: String,
    pub description: String,
    pub colour: Colour,
    pub applies_to: Vec<CorrelationType>,
    pub allowed_values: Option<Vec<String>>,
    /// Who defined it on first use through Data Hub's tags (a user or token id); `None` for a
    /// definition an admin made.
    #[serde(default)]
    pub auto_defined_by: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TagDefinition {
    /// The rules view of a stored definition.
    pub fn draft(&self) -> TagDraft {
        TagDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            colour: self.colour.clone(),
            applies_to: self.applies_to.clone(),
            allowed_values: self.allowed_values.as_ref().map(|values| {
                values
                    .iter()
                    .map(|v| TagValueText::parse(v).expect("stored allowed values were checked"))
                    .collect()
            }),
        }
    }
}

impl TagDefinition {
    /// Refuses changing this definition when `stranded` stored values (counted by the store
    /// against the new definition's types and allowed values) would no longer be allowed:
    /// nothing is ever dropped silently.
    pub fn refuse_stranding(&self, stranded: i64) -> Result<(), CoreError> {
        if stranded > 0 {
            return Err(CoreError::Conflict(
                Clash::TagInUse,
                format!(
                    "{stranded} resource(s) carry values of '{}' that the new definition would not \
                 allow; change or remove those values first.",
                    self.name
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn region() -> TagDraft {
        TagDraft::new(
            " Region ",
            "Where the site is",
            "#1E90FF",
            &strings(&["wan", "site", "site"]),
            Some(&strings(&["APAC", "EMEA", "AMER"])),
        )
        .unwrap()
    }

    #[test]
    fn a_draft_is_normalised() {
        let tag = region();
        assert_eq!(tag.name, "Region");
        assert_eq!(tag.colour.as_str(), "#1e90ff");
        assert_eq!(
            tag.applies_to,
            [CorrelationType::Site, CorrelationType::Wan]
        );
    }

    #[test]
    fn ids_are_tag_and_a_ulid() {
        let id = TagId::mint(1_600_000_000_000, 42);
        assert!(id.as_str().starts_with("tag_"));
        assert_eq!(id.as_str().len(), 4 + 26);
        assert!(
            TagId::mint(1_600_000_000_001, 0).as_str() > id.as_str(),
            "ids sort by time"
        );
    }

    #[test]
    fn every_field_has_its_rule() {
        let types = strings(&["site"]);
        let cases: Vec<(Result<TagDraft, ValidationError>, ValidationError)> = vec![
            (
                TagDraft::new("", "", "#000000", &types, None),
                ValidationError::NameEmpty,
            ),
            (
                TagDraft::new(&"x".repeat(65), "", "#000000", &types, None),
                ValidationError::NameTooLong {
                    max: 64,
                    actual: 65,
                },
            ),
            (
                TagDraft::new("R", "", "blue", &types, None),
                ValidationError::ColourInvalid("blue".into()),
            ),
            (
                TagDraft::new("R", "", "#12345g", &types, None),
                ValidationError::ColourInvalid("#12345g".into()),
            ),
            (
                TagDraft::new("R", &"d".repeat(1001), "#000000", &types, None),
                ValidationError::DescriptionTooLong {
                    max: 1000,
                    actual: 1001,
                },
            ),
            (
                TagDraft::new("R", "", "#000000", &[], None),
                ValidationError::AppliesToEmpty,
            ),
            (
                TagDraft::new("R", "", "#000000", &strings(&["device"]), None),
                ValidationError::CorrelationTypeUnknown("device".into()),
            ),
            (
                TagDraft::new("R", "", "#000000", &types, Some(&[])),
                ValidationError::AllowedValuesEmpty,
            ),
            (
                TagDraft::new("R", "", "#000000", &types, Some(&strings(&["A", "A"]))),
                ValidationError::AllowedValueRepeated("A".into()),
            ),
            (
                TagDraft::new("R", "", "#000000", &types, Some(&strings(&[""]))),
                ValidationError::TagValueEmpty,
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got.unwrap_err(), want);
        }
    }

    #[test]
    fn a_value_must_be_allowed_and_the_type_applicable() {
        let tag = region();
        assert_eq!(
            tag.check_value(CorrelationType::Site, "APAC")
                .unwrap()
                .as_str(),
            "APAC"
        );
        assert!(matches!(
            tag.check_value(CorrelationType::Site, "Mars"),
            Err(ValidationError::TagValueNotAllowed { allowed, .. }) if allowed.len() == 3
        ));
        assert!(matches!(
            tag.check_value(CorrelationType::User, "APAC"),
            Err(ValidationError::TagNotApplicable {
                correlation_type: "user",
                ..
            })
        ));
        let free = TagDraft::new("Owner", "", "#000000", &strings(&["site"]), None).unwrap();
        assert!(
            free.check_value(CorrelationType::Site, "anything at all")
                .is_ok()
        );
    }

    #[test]
    fn a_tag_without_a_value_needs_a_free_definition_that_applies() {
        let made = TagDraft::for_client(" pump ", CorrelationType::Stream).unwrap();
        assert_eq!(made.name, "pump");
        assert_eq!(made.applies_to, [CorrelationType::Stream]);
        assert_eq!(made.check_presence(CorrelationType::Stream), Ok(()));
        assert!(matches!(
            made.check_presence(CorrelationType::Site),
            Err(ValidationError::TagNotApplicable { .. })
        ));
        let restricted = TagDraft::new(
            "Region",
            "",
            "#000000",
            &strings(&["datahub.stream"]),
            Some(&strings(&["APAC"])),
        )
        .unwrap();
        assert!(matches!(
            restricted.check_presence(CorrelationType::Stream),
            Err(ValidationError::TagValueRequired { allowed, .. }) if allowed == ["APAC"]
        ));
        assert!(TagDraft::for_client(&"x".repeat(65), CorrelationType::Server).is_err());
    }

    #[test]
    fn streams_are_a_correlation_type_named_as_their_resource_type() {
        assert_eq!(
            CorrelationType::parse("datahub.stream"),
            Ok(CorrelationType::Stream)
        );
        assert_eq!(
            serde_json::to_string(&[CorrelationType::Stream]).unwrap(),
            r#"["datahub.stream"]"#
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_can_free_the_values() {
        let tag = region();
        let renamed = tag
            .patched(&TagPatch {
                name: Some("Area".into()),
                ..TagPatch::default()
            })
            .unwrap();
        assert_eq!(renamed.name, "Area");
        assert_eq!(renamed.allowed_values, tag.allowed_values);
        let freed = tag
            .patched(&TagPatch {
                allowed_values: Some(None),
                ..TagPatch::default()
            })
            .unwrap();
        assert_eq!(freed.allowed_values, None);
        assert!(
            tag.patched(&TagPatch {
                colour: Some("red".into()),
                ..TagPatch::default()
            })
            .is_err()
        );
    }

    #[test]
    fn a_change_that_would_strand_stored_values_is_refused_and_says_how_many() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let stored = TagDefinition {
            id: TagId::from_path("tag_1"),
            name: "Region".to_owned(),
            description: String::new(),
            colour: Colour::parse("#1E90FF").unwrap(),
            applies_to: vec![CorrelationType::Site],
            allowed_values: None,
            auto_defined_by: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        assert!(stored.refuse_stranding(0).is_ok());
        assert!(matches!(
            stored.refuse_stranding(3),
            Err(CoreError::Conflict(_, m)) if m.starts_with("3 resource(s) carry values of 'Region'")
        ));
    }
}
