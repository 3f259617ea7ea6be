//! ETags and `If-Match`. A version number is the whole ETag: strong, opaque to clients.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

use super::error::ApiError;
use crate::core::metadata::{MetaKey, Precondition};
use crate::web::edge;

pub use crate::web::etag::{format, header_value};

/// A request's `If-None-Match`, taken alone rather than with a copy of every header.
pub struct IfNoneMatch(Option<HeaderValue>);

impl IfNoneMatch {
    /// Whether the client already has `version` (RFC 9110 13.1.2: `*`, or any tag in the
    /// list, compared weakly), so a read can answer 304 Not Modified.
    pub fn has(&self, version: i64) -> bool {
        let Some(text) = self.0.as_ref().and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let ours = format(version);
        text.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.headers.get(header::IF_NONE_MATCH).cloned()))
    }
}

/// The version `If-Match` names: `None` when absent or `*` (any current version will do).
pub fn expected(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    Ok(edge::precondition::expected(headers)?)
}

/// `If-Match` on a whole resource's metadata.
pub fn resource_precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    Ok(edge::precondition::resource(headers)?)
}

/// `If-Match` on one key: the key's own ETag, so edits to other keys do not make it stale.
pub fn key_precondition(headers: &HeaderMap, key: &MetaKey) -> Result<Precondition, ApiError> {
    Ok(edge::precondition::key(headers, key)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(if_match: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(if_match).unwrap());
        h
    }

    #[test]
    fn the_header_is_the_quoted_version_for_every_version() {
        for version in [0, 7, 42, -3, i64::MAX, i64::MIN] {
            assert_eq!(header_value(version), format(version).as_str());
        }
    }

    #[test]
    fn if_none_match_is_met_by_star_or_any_listed_tag_weak_or_strong() {
        let header = |v: &str| IfNoneMatch(Some(HeaderValue::from_str(v).unwrap()));
        assert!(header("\"7\"").has(7));
        assert!(header("W/\"7\"").has(7));
        assert!(header("\"3\", \"7\"").has(7));
        assert!(header("*").has(7));
        assert!(!header("\"3\", \"8\"").has(7));
        assert!(!header("\"77\"").has(7));
        assert!(!IfNoneMatch(None).has(7));
    }

    #[test]
    fn a_quoted_version_is_expected_and_star_or_absence_is_any() {
        assert_eq!(
            resource_precondition(&headers("\"7\"")).unwrap(),
            Precondition::Resource(7)
        );
        assert_eq!(
            resource_precondition(&headers("*")).unwrap(),
            Precondition::Any
        );
        assert_eq!(
            resource_precondition(&HeaderMap::new()).unwrap(),
            Precondition::Any
        );
    }

    #[test]
    fn an_empty_if_match_expects_a_version_nothing_has() {
        assert_eq!(
            resource_precondition(&headers("")).unwrap(),
            Precondition::Resource(i64::MIN)
        );
        assert!(Precondition::Resource(i64::MIN).check(0, &[]).is_err());
    }

    #[test]
    fn a_malformed_if_match_is_a_bad_request() {
        for bad in ["7", "W/\"7\"", "\"x\"", "\"1\", \"2\""] {
            let err = resource_precondition(&headers(bad)).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
