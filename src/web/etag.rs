//! ETags, as every face writes and reads them: a resource's version number is the whole ETag,
//! strong and opaque to clients.

use axum::http::{HeaderMap, HeaderValue, header};

pub fn format(version: i64) -> String {
    format!("\"{version}\"")
}

/// The `ETag` header for `version`, written with itoa into a stack buffer rather than through
/// `format!`: every read answers with one (see `docs/performance.md`).
pub fn header_value(version: i64) -> HeaderValue {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(version).as_bytes();
    let mut quoted = [b'"'; 22];
    quoted[1..=digits.len()].copy_from_slice(digits);
    HeaderValue::from_bytes(&quoted[..digits.len() + 2])
        .expect("a quoted integer is a valid header value")
}

/// The version `If-Match` names: `None` when absent or `*` (any current version will do);
/// `Err` with the header's text when it is not one of our ETags.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, String> {
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
        .ok_or_else(|| text.to_owned())
}
