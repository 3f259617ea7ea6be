use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::core::resources::ResourceType;

/// What may not appear raw in one path segment (an id may hold `/`, `?` or `#`).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The page of a resource: `/sites/{id}` for a site (the address people have bookmarked),
/// `/resources/{id}` for every other type.
pub fn resource_href(kind: &str, id: &str) -> String {
    let id = utf8_percent_encode(id, SEGMENT);
    if kind == ResourceType::SITE {
        format!("/sites/{id}")
    } else {
        format!("/resources/{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_keep_their_address_and_ids_stay_one_segment() {
        assert_eq!(resource_href("site", "site_1"), "/sites/site_1");
        assert_eq!(
            resource_href("device", "dev/a b?#"),
            "/resources/dev%2Fa%20b%3F%23"
        );
    }
}
