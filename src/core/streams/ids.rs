use crate::core::error::ValidationError;

/// A stream's or a type's id, as Data Hub allows it: not blank, no surrounding whitespace, no
/// `/`, at most 250 characters. Kept as first given; compared ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdsId(String);

impl SdsId {
    pub const MAX_CHARS: usize = 250;

    pub fn parse(what: &'static str, input: &str) -> Result<Self, ValidationError> {
        let invalid = |why: &str| ValidationError::SdsIdInvalid {
            what,
            why: why.to_owned(),
        };
        if input.trim().is_empty() {
            return Err(invalid("it is empty or only whitespace"));
        }
        if input.trim() != input {
            return Err(invalid("it starts or ends with whitespace"));
        }
        if input.contains('/') {
            return Err(invalid("it contains '/'"));
        }
        if input.chars().count() > Self::MAX_CHARS {
            return Err(invalid("it is longer than 250 characters"));
        }
        if input.chars().any(char::is_control) {
            return Err(invalid("it contains a control character"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two ids name the same thing: Data Hub's ids ignore case.
    pub fn same_as(&self, other: &str) -> bool {
        self.0.to_lowercase() == other.to_lowercase()
    }
}

/// A namespace's id, as Data Hub allows it: at most 100 of letters, digits, `_`, `-`, `.` and
/// spaces; no `..`, no leading or trailing `.` or whitespace, no leading `__`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceId(String);

impl NamespaceId {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let ok = !input.is_empty()
            && input.chars().count() <= 100
            && input
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
            && !input.contains("..")
            && !input.starts_with('.')
            && !input.ends_with('.')
            && !input.starts_with("__")
            && input.trim() == input;
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(ValidationError::SdsIdInvalid {
                what: "namespace",
                why: "namespace ids are 1 to 100 letters, digits, '_', '-', '.' or spaces, \
                      without '..', a leading '__' or '.', or surrounding whitespace"
                    .to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_data_hubs_rules() {
        for ok in ["Tank1", "a b:c", "Pump.Pressure", &"x".repeat(250)] {
            assert!(SdsId::parse("stream", ok).is_ok(), "{ok}");
        }
        for bad in ["", "  ", " x", "x ", "a/b", &"x".repeat(251)] {
            assert!(SdsId::parse("stream", bad).is_err(), "{bad:?}");
        }
        assert!(SdsId::parse("stream", "Tank").unwrap().same_as("tANK"));
    }

    #[test]
    fn namespace_ids_follow_data_hubs_rules() {
        for ok in ["default", "Plant 1", "a.b_c-d"] {
            assert!(NamespaceId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a..b", ".a", "a.", "__a", " a", "a/b", &"x".repeat(101)] {
            assert!(NamespaceId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
