//! `If-Match` as the core's precondition, for every face that takes one.

use axum::http::{HeaderMap, header};

use super::Refusal;
use crate::core::metadata::{MetaKey, Precondition};

/// What an empty `If-Match` expects. Versions and revisions count up from 0, so none is ever
/// this one.
const NO_VERSION: i64 = i64::MIN;

/// The version `If-Match` names: `None` when absent or `*` (any current version will do).
pub fn expected(headers: &HeaderMap) -> Result<Option<i64>, Refusal> {
    // An empty If-Match is a list of no entity tags, which no version matches (RFC 9110
    // 13.1.1): a stale precondition (412), never taken for "no precondition".
    if headers
        .get(header::IF_MATCH)
        .is_some_and(|v| v.as_bytes().iter().all(u8::is_ascii_whitespace))
    {
        return Ok(Some(NO_VERSION));
    }
    crate::web::etag::if_match(headers).map_err(Refusal::IfMatchMalformed)
}

/// `If-Match` on a whole resource's metadata.
pub fn resource(headers: &HeaderMap) -> Result<Precondition, Refusal> {
    Ok(expected(headers)?.map_or(Precondition::Any, Precondition::Resource))
}

/// `If-Match` on one key: the key's own ETag, so edits to other keys do not make it stale.
pub fn key(headers: &HeaderMap, key: &MetaKey) -> Result<Precondition, Refusal> {
    Ok(expected(headers)?.map_or(Precondition::Any, |v| Precondition::Key(key.clone(), v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn if_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn an_empty_if_match_names_no_version_and_star_or_none_any() {
        assert_eq!(
            resource(&if_match("")).unwrap(),
            Precondition::Resource(NO_VERSION)
        );
        assert_eq!(
            resource(&if_match("  ")).unwrap(),
            Precondition::Resource(NO_VERSION)
        );
        assert_eq!(resource(&if_match("*")).unwrap(), Precondition::Any);
        assert_eq!(resource(&HeaderMap::new()).unwrap(), Precondition::Any);
        assert_eq!(
            resource(&if_match("\"7\"")).unwrap(),
            Precondition::Resource(7)
        );
        assert!(matches!(
            resource(&if_match("W/x")),
            Err(Refusal::IfMatchMalformed(_))
        ));
    }
}
