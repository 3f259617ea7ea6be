use crate::core::error::ValidationError;
use crate::core::resources::ResourceId;

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

    /// The native (`/api/v1`) id a new stream of this id in `namespace` takes, so a script
    /// holding a stream's Data Hub id can find it natively: in `default`, the id itself when
    /// it is made of letters, digits, `-`, `_` and `.`; any other character is escaped as
    /// `:XX` per UTF-8 byte (`:` itself as `:3A`), because a native id allows only those and
    /// `:`. A stream of another namespace is `{namespace}::{id}`, both escaped: an escape is
    /// always `:` and two hex digits, so `::` appears in no escaped id and the two never
    /// meet. `None` when the result is no native id (over 128 characters, or in the form of
    /// a user's or token's id): such a stream takes a minted id, as every stream did before.
    pub fn native_id(&self, namespace: &str) -> Option<ResourceId> {
        let id = if namespace.eq_ignore_ascii_case(super::DEFAULT_NAMESPACE) {
            escape(&self.0)
        } else {
            format!("{}::{}", escape(namespace), escape(&self.0))
        };
        ResourceId::parse(&id).ok()
    }
}

/// `text` in the characters a native id allows, `:` being the escape (see
/// [`SdsId::native_id`]).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!(":{byte:02X}"));
        }
    }
    out
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
    fn a_plain_id_in_the_default_namespace_is_its_own_native_id() {
        let native = |raw: &str, ns: &str| {
            SdsId::parse("stream", raw)
                .unwrap()
                .native_id(ns)
                .map(|id| id.as_str().to_owned())
        };
        assert_eq!(native("Tank1", "default").as_deref(), Some("Tank1"));
        assert_eq!(
            native("Pump.Pressure_2-a", "Default").as_deref(),
            Some("Pump.Pressure_2-a")
        );
        assert_eq!(native("a b:c", "default").as_deref(), Some("a:20b:3Ac"));
        assert_eq!(native("Å", "default").as_deref(), Some(":C3:85"));
        assert_eq!(
            native("Tank1", "Plant 2").as_deref(),
            Some("Plant:202::Tank1")
        );
    }

    #[test]
    fn escaped_ids_of_different_streams_never_meet() {
        let native = |raw: &str, ns: &str| SdsId::parse("stream", raw).unwrap().native_id(ns);
        // A default stream whose id looks like another namespace's stream.
        assert_ne!(native("Plant::Tank1", "default"), native("Tank1", "Plant"));
        assert_ne!(native("a:20b", "default"), native("a b", "default"));
    }

    #[test]
    fn an_id_no_native_id_can_hold_takes_a_minted_one() {
        let native = |raw: &str| SdsId::parse("stream", raw).unwrap().native_id("default");
        assert!(native(&"x".repeat(128)).is_some());
        assert!(native(&"x".repeat(129)).is_none());
        assert!(native(&"é".repeat(30)).is_none());
        // The forms of users' and tokens' ids, whose histories a stream's must not join.
        assert!(native("usr_a").is_none());
        assert!(native("tok_a").is_none());
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
