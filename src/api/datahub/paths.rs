//! Data Hub matches the fixed words of its paths ignoring case (it is an ASP.NET service:
//! `…/tenants/…/namespaces/…` and `…/Tenants/…/Namespaces/…` are the same call), and tolerates a
//! trailing or doubled `/`. The router knows one spelling, so each request's path is put in
//! that spelling first. Only the fixed positions are touched: ids keep their case.
//!
//! This runs before routing, over every request of the app (the app's router cannot match
//! words ignoring case), and leaves any path outside `/datahub/` at once, but for Data Hub's
//! own paths at the host's root (`/identity/…`, `/api/v1/Tenants/…`): real Data Hub has its
//! resource at the root, and a script written for it keeps that setting, so such a path is
//! served as the same path under `/datahub`. No native route starts that way (the native API
//! has no `Tenants`).

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
    "Bulk",
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

/// Whether a path at the host's root is one of Data Hub's: its identity server, or its API
/// under a tenant (any case, as Data Hub reads them).
fn is_data_hub_at_root(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or_default();
    if first.eq_ignore_ascii_case("identity") {
        return true;
    }
    let version = segments.next().unwrap_or_default();
    first.eq_ignore_ascii_case("api")
        && (version.eq_ignore_ascii_case("v1") || version.eq_ignore_ascii_case("v1-preview"))
        && segments
            .next()
            .is_some_and(|tenants| tenants.eq_ignore_ascii_case("Tenants"))
}

/// Whether [`canonical_path`] would leave `path` as it is: what clients nearly always send,
/// found without building a new path.
fn is_canonical(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    // Cut at each `/` byte by hand: `str::split` with a `char` searches through memchr and
    // memcmp, which measured as a good part of this function on every Data Hub request.
    let mut segments = [""; 10];
    let mut count = 0;
    let mut start = 0;
    for end in (0..=rest.len()).filter(|&i| i == rest.len() || rest.as_bytes()[i] == b'/') {
        let segment = &rest[start..end];
        if segment.is_empty() {
            return false;
        }
        if let Some(slot) = segments.get_mut(count) {
            *slot = segment;
        }
        count += 1;
        start = end + 1;
    }
    let segments = &segments[..count.min(segments.len())];
    (0..segments.len()).all(|index| {
        !is_fixed(segments, index)
            || canonical(segments[index]).is_none_or(|word| word == segments[index])
    })
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
    // Every request of the app comes through here: any other is left at once.
    let (rest, at_root) = match path
        .strip_prefix(super::PREFIX)
        .filter(|rest| rest.starts_with('/'))
    {
        Some(rest) => (rest, false),
        None if is_data_hub_at_root(path) => (path, true),
        None => return request,
    };
    if !at_root && is_canonical(rest) {
        return request;
    }
    let rest = if is_canonical(rest) {
        rest.to_owned()
    } else {
        canonical_path(rest)
    };
    let mut rebuilt = format!("{}{rest}", super::PREFIX);
    if let Some(query) = request.uri().query() {
        rebuilt.push('?');
        rebuilt.push_str(query);
    }
    if let Ok(uri) = rebuilt.parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    request
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    fn routed(path: &str) -> String {
        let request = Request::get(path).body(Body::empty()).unwrap();
        canonical_request(request).uri().to_string()
    }

    #[test]
    fn data_hubs_own_paths_at_the_root_are_served_under_the_prefix_and_nothing_else() {
        assert_eq!(
            routed("/identity/.well-known/openid-configuration"),
            "/datahub/identity/.well-known/openid-configuration"
        );
        assert_eq!(
            routed("/api/v1/tenants/default/namespaces/default/streams?count=2"),
            "/datahub/api/v1/Tenants/default/Namespaces/default/Streams?count=2"
        );
        for native in [
            "/api/v1/metadata",
            "/api/v1/sites/x",
            "/",
            "/sites/hq",
            "/api/v1",
        ] {
            assert_eq!(routed(native), native);
        }
    }

    use super::*;

    #[test]
    fn a_path_is_left_alone_exactly_when_it_is_already_canonical() {
        for path in [
            "/",
            "/api/v1/Tenants/Default/Namespaces/Streams/Streams/Tags/Metadata/Tags",
            "/API/V1/tenants/Default/namespaces/Streams/streams/Tags/metadata/Tags/",
            "//api/v1/Tenants/t/Namespaces/n/Streams/s/changedata/metadata",
            "/api/v1/Tenants/t/Namespaces/n/Streams/s/ChangeData/Metadata",
            "/api/v1/Tenants/t/Namespaces/n/Streams/s/Data/a/b/c/d/e/f",
            "/Identity/.Well-Known/OpenID-Configuration",
            "/identity/connect/token",
            "/api/v1/Tenants/a%2Fb",
            "/other/Path/",
            "",
        ] {
            assert_eq!(is_canonical(path), canonical_path(path) == path, "{path}");
        }
    }

    fn path_after(uri: &str) -> String {
        let request = Request::builder()
            .uri(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        canonical_request(request).uri().to_string()
    }

    #[test]
    fn only_data_hub_paths_are_respelled_and_queries_kept() {
        assert_eq!(
            path_after("/datahub/API/v1/tenants/t/namespaces/n/streams?Query=Id:a%20b&skip=0"),
            "/datahub/api/v1/Tenants/t/Namespaces/n/Streams?Query=Id:a%20b&skip=0"
        );
        assert_eq!(
            path_after("/datahub/api/v1/Tenants/t/Namespaces/n/Streams/s/Metadata"),
            "/datahub/api/v1/Tenants/t/Namespaces/n/Streams/s/Metadata"
        );
        assert_eq!(path_after("/API/v1/metadata/x"), "/API/v1/metadata/x");
        assert_eq!(path_after("/datahubs/API/v1"), "/datahubs/API/v1");
        assert_eq!(path_after("/sites/Streams/"), "/sites/Streams/");
    }

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
