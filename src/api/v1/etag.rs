//! ETags and `If-Match`. A version number is the whole ETag: strong, opaque to clients.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};

use super::error::ApiError;
use crate::core::metadata::{MetaKey, Precondition};

pub fn format(version: i64) -> String {
    format!("\"{version}\"")
}

pub fn header_value(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format(version)).expect("a quoted integer is a valid header value")
}

/// The version `If-Match` names: `None` when absent or `*` (any current version will do).
pub fn expected(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "precondition_header_invalid",
                format!(
                    "If-Match must be one ETag from an earlier response, such as \"7\"; got {text}."
                ),
            )
        })
}

/// `If-Match` on a whole resource's metadata.
pub fn resource_precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    Ok(expected(headers)?.map_or(Precondition::Any, Precondition::Resource))
}

/// `If-Match` on one key: the key's own ETag, so edits to other keys do not make it stale.
pub fn key_precondition(headers: &HeaderMap, key: &MetaKey) -> Result<Precondition, ApiError> {
    Ok(expected(headers)?.map_or(Precondition::Any, |v| Precondition::Key(key.clone(), v)))
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
    fn a_malformed_if_match_is_a_bad_request() {
        for bad in ["7", "W/\"7\"", "\"x\"", "\"1\", \"2\""] {
            let err = resource_precondition(&headers(bad)).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
