use crate::core::error::ValidationError;
use crate::core::validated_string::validated_string;

/// A sign-in name: 1 to 64 of letters, digits, `.`, `_`, `-`, `@` (so e-mail addresses fit).
/// Unique per tenant ignoring case; kept as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let ok_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
        let chars = input.chars().count();
        if (1..=Self::MAX_CHARS).contains(&chars) && input.chars().all(ok_char) {
            Ok(Self(input.to_owned()))
        } else {
            Err(ValidationError::UsernameInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(Username);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_and_email_addresses_are_usernames() {
        for ok in ["alice", "j.doe@example.com", "ops-bot_2", &"x".repeat(64)] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn empty_long_spaced_or_punctuated_names_are_refused() {
        for bad in ["", "a b", "x/y", "tab\t", &"x".repeat(65)] {
            assert_eq!(
                Username::parse(bad).unwrap_err(),
                ValidationError::UsernameInvalid,
                "{bad:?}"
            );
        }
    }
}
