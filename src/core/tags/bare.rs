//! Tags as the untyped faces send them (Data Hub's stream tags, Nova's server tags): a list of
//! bare names. Each name is a Sitebook tag definition of that name (names compare ignoring
//! case, as definitions do) attached without a value; see `TagDraft::check_presence` and
//! `Store::set_bare_tags`.

use super::tag_name;
use crate::core::error::ValidationError;

/// A list of bare tag names, in the order given, each a valid tag name, without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BareTags(Vec<String>);

impl BareTags {
    /// Keeps the order and drops repeats: exact ones, and those differing only in case, which
    /// name the same definition (the first spelling is the one kept). Names are trimmed and
    /// checked by the rule every tag name follows (1 to 64 characters, no control characters).
    ///
    /// Linear in the list: repeats are found by a set of the names' folded forms, not by
    /// comparing each name with every one kept (a list of 40,000 names once held a core for a
    /// minute that way).
    pub fn parse(names: &[String], max: usize) -> Result<Self, ValidationError> {
        let mut kept: Vec<String> = Vec::with_capacity(names.len().min(max));
        let mut seen = std::collections::HashSet::with_capacity(names.len().min(1024));
        for raw in names {
            let name = tag_name(raw)?;
            if seen.insert(name.to_lowercase()) {
                kept.push(name);
            }
        }
        if kept.len() > max {
            return Err(ValidationError::TooManyTags {
                max,
                actual: kept.len(),
            });
        }
        Ok(Self(kept))
    }

    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_order_is_kept_and_repeats_are_dropped() {
        let tags = BareTags::parse(&list(&["b", "a", "b", " a ", "A", "c"]), 10).unwrap();
        assert_eq!(tags.names(), ["b", "a", "c"]);
        assert_eq!(BareTags::parse(&[], 10).unwrap(), BareTags::none());
    }

    #[test]
    fn each_name_follows_the_tag_name_rule_and_the_list_is_bounded() {
        assert_eq!(
            BareTags::parse(&list(&["ok", " "]), 10),
            Err(ValidationError::NameEmpty)
        );
        assert!(BareTags::parse(&list(&[&"x".repeat(65)]), 10).is_err());
        let many: Vec<String> = (0..=10).map(|i| format!("t{i}")).collect();
        assert_eq!(
            BareTags::parse(&many, 10),
            Err(ValidationError::TooManyTags {
                max: 10,
                actual: 11
            })
        );
    }
}
