//! Input a face has read, held until the store may say what is wrong with it.

use crate::core::CoreError;
use crate::core::error::ValidationError;

/// What a face parsed with the core's rules, its verdict held until the store has checked that
/// the caller may make the change at all: someone without the right learns nothing about the
/// rules (or the data behind them) from the answer, whichever face they came through. Only the
/// store can open it, so no face can report the verdict first.
#[derive(Debug, Clone)]
pub struct Unchecked<T>(Result<T, ValidationError>);

impl<T> Unchecked<T> {
    /// The value, or the rule it broke: for the store, after its role check.
    pub(super) fn check(self) -> Result<T, CoreError> {
        self.0.map_err(CoreError::from)
    }
}

impl<T> From<Result<T, ValidationError>> for Unchecked<T> {
    fn from(parsed: Result<T, ValidationError>) -> Self {
        Self(parsed)
    }
}

/// A value that is valid already (a type of the core can only be made valid).
impl<T> From<T> for Unchecked<T> {
    fn from(valid: T) -> Self {
        Self(Ok(valid))
    }
}

/// A value that is valid already (made by the core, or parsed by a caller that may report it).
impl<T: Clone> From<&T> for Unchecked<T> {
    fn from(valid: &T) -> Self {
        Self(Ok(valid.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::resources::ResourceName;

    #[test]
    fn the_verdict_comes_out_only_when_checked() {
        let held: Unchecked<ResourceName> = ResourceName::parse("  ").into();
        assert!(matches!(
            held.check(),
            Err(CoreError::Invalid(ValidationError::NameEmpty))
        ));
        let name = ResourceName::parse("HQ").unwrap();
        let held: Unchecked<ResourceName> = (&name).into();
        assert_eq!(held.check().unwrap(), name);
    }
}
