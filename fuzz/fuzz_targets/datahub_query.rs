//! Data Hub's search syntax on any text: the parser answers a query within its bounds or a
//! refusal, never a panic; and a parsed query is matched against a stream made of the same
//! text (every property, key, value and tag), which must not panic either: the matching is
//! what a search runs per stream, on values of any shape.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sitebook::core::streams::query::{MAX_QUERY_CHARS, Searched, parse};

fuzz_target!(|input: &str| {
    let (query, value) = input.split_once('\u{0}').unwrap_or((input, input));
    let parsed = parse(query);
    if query.chars().count() > MAX_QUERY_CHARS {
        assert!(parsed.is_err(), "an over-long query is refused");
    }
    let Ok(Some(query)) = parsed else { return };
    let properties = [
        ("Id", Some(value)),
        ("Name", Some(value)),
        ("Description", None),
        ("TypeId", Some("Level")),
    ];
    let metadata = [
        (value.to_owned(), value.to_owned()),
        ("city".to_owned(), value.to_owned()),
    ];
    let tags = [value.to_owned()];
    let searched = Searched {
        properties: &properties,
        metadata: &metadata,
        tags: &tags,
    };
    let _ = query.matches(&searched);
});
