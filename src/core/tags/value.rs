use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::definition::{Colour, CorrelationType, TagId};
use crate::core::error::ValidationError;
use crate::core::resources::ResourceId;

/// A tag's value on one resource: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagValueText(String);

impl TagValueText {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let trimmed = input.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            Err(ValidationError::TagValueEmpty)
        } else if chars > Self::MAX_CHARS {
            Err(ValidationError::TagValueTooLong {
                max: Self::MAX_CHARS,
                actual: chars,
            })
        } else if trimmed.chars().any(char::is_control) {
            Err(ValidationError::TagValueHasControlCharacter)
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag applied to a resource (the seed's `TagValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagValue {
    pub tag_id: TagId,
    pub correlation_id: ResourceId,
    pub correlation_type: CorrelationType,
    pub value: String,
    /// Bumped by every change of this value: its ETag.
    pub version: i64,
    pub changed_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A resource's tag with what a chip needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedTag {
    pub tag_name: String,
    pub colour: Colour,
    pub value: TagValue,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_and_bounded() {
        assert_eq!(TagValueText::parse(" APAC ").unwrap().as_str(), "APAC");
        assert_eq!(
            TagValueText::parse("  "),
            Err(ValidationError::TagValueEmpty)
        );
        assert_eq!(
            TagValueText::parse(&"v".repeat(201)),
            Err(ValidationError::TagValueTooLong {
                max: 200,
                actual: 201
            })
        );
        assert_eq!(
            TagValueText::parse("a\nb"),
            Err(ValidationError::TagValueHasControlCharacter)
        );
    }
}
