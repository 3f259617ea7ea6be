//! Data Hub matches the fixed words of its paths ignoring case (it is an ASP.NET service:
//! `…/tenants/…/namespaces/…` and `…/Tenants/…/Namespaces/…` are the same call), and tolerates a
//! trailing or doubled `/`. The router knows one spelling, so each request's path is put in
//! that spelling first. Only the fixed positions are touched: ids keep their case.

use axum::extract::Request;
use axum::http::Uri;

/// The fixed words, by their lower-case form.
const WORDS: &[&str] = &[
    "api",
    "v1",
    "v1-preview",
    "Tenants",
    "Namespaces",
    "Types",
    "Streams",
    "Metadata",
    "Tags",
    "ChangeData",
    "Data",
    "Type",
    "ReferenceCount",
    "Resolved",
    "identity",
    "connect",
    "token",
    ".well-known",
    "openid-configuration",
];

fn canonical(word: &str) -> Option<&'static str> {
    WORDS.iter().copied().find(|w| w.eq_ignore_ascii_case(word))
}

/// Which segments are fixed words: under `api/v1`, the even positions up to the resource
/// (`api v1 Tenants {t} Namespaces {ns} Streams {id} Metadata {key}`), and the word after
/// `ChangeData`; under `identity`, all of them.
fn is_fixed(segments: &[&str], index: usize) -> bool {
    let first = segments.first().copied().unwrap_or_default();
    if first.eq_ignore_ascii_case("identity") {
        true
    } else if first.eq_ignore_ascii_case("api") {
        matches!(index, 0 | 1 | 2 | 4 | 6 | 8)
            || (index == 9 && segments[8].eq_ignore_ascii_case("ChangeData"))
    } else {
        false
    }
}

/// The path in the router's spelling.
pub fn canonical_path(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = String::with_capacity(path.len());
    for (index, segment) in segments.iter().enumerate() {
        out.push('/');
        match canonical(segment).filter(|_| is_fixed(&segments, index)) {
            Some(word) => out.push_str(word),
            None => out.push_str(segment),
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Rewrites a request's path (the query is kept) before it is routed.
pub fn canonical_request(mut request: Request) -> Request {
    let path = request.uri().path();
    let canonical = canonical_path(path);
    if canonical != path {
        let rebuilt = match request.uri().query() {
            Some(query) => format!("{canonical}?{query}"),
            None => canonical,
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_words_take_one_spelling_and_ids_keep_theirs() {
        assert_eq!(
            canonical_path(
                "/API/V1/tenants/Default/namespaces/Streams/streams/Tags/metadata/Tags/"
            ),
            "/api/v1/Tenants/Default/Namespaces/Streams/Streams/Tags/Metadata/Tags"
        );
        assert_eq!(
            canonical_path("//api/v1/Tenants/t/Namespaces/n/Streams/s/changedata/metadata"),
            "/api/v1/Tenants/t/Namespaces/n/Streams/s/ChangeData/Metadata"
        );
        assert_eq!(
            canonical_path("/Identity/.Well-Known/OpenID-Configuration"),
            "/identity/.well-known/openid-configuration"
        );
        assert_eq!(
            canonical_path("/api/v1/Tenants/a%2Fb"),
            "/api/v1/Tenants/a%2Fb"
        );
    }
}
