use serde::{Deserialize, Serialize};
use std::borrow::Borrow;

use crate::core::error::ValidationError;
use crate::core::validated_string::validated_string;

/// A metadata key: 1 to 255 characters (as OpenStack allows), no control characters.
/// Kept exactly as given: keys are identifiers, so no trimming or case folding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MetaKey(String);

impl MetaKey {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let chars = input.chars().count();
        if chars == 0 {
            return Err(ValidationError::MetaKeyEmpty);
        }
        if chars > Self::MAX_CHARS {
            return Err(ValidationError::MetaKeyTooLong {
                max: Self::MAX_CHARS,
                actual: chars,
            });
        }
        if input.chars().any(char::is_control) {
            return Err(ValidationError::MetaKeyHasControlCharacter);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for MetaKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

validated_string!(MetaKey);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_of_1_to_255_characters_is_accepted() {
        assert!(MetaKey::parse("a").is_ok());
        assert!(MetaKey::parse(&"k".repeat(255)).is_ok());
        assert!(
            MetaKey::parse(&"é".repeat(255)).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn an_empty_key_is_rejected() {
        assert_eq!(MetaKey::parse(""), Err(ValidationError::MetaKeyEmpty));
    }

    #[test]
    fn a_key_of_256_characters_is_rejected() {
        assert_eq!(
            MetaKey::parse(&"k".repeat(256)),
            Err(ValidationError::MetaKeyTooLong {
                max: 255,
                actual: 256
            })
        );
    }

    #[test]
    fn a_key_with_a_control_character_is_rejected() {
        for bad in ["a\nb", "tab\there", "nul\0", "del\u{7f}"] {
            assert_eq!(
                MetaKey::parse(bad),
                Err(ValidationError::MetaKeyHasControlCharacter)
            );
        }
    }

    #[test]
    fn a_key_keeps_its_spaces_and_case() {
        assert_eq!(
            MetaKey::parse(" Circuit ID ").unwrap().as_str(),
            " Circuit ID "
        );
    }
}
