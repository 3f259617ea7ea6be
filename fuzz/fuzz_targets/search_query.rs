//! The search language's parser on any text: it answers a query within the limits or a
//! refusal that points into the text, and never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sitebook::core::error::ValidationError;
use sitebook::core::search::{
    Comparison, Literal, MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS, MAX_WILDCARDS_PER_TERM, Query,
    Term, parse,
};

fuzz_target!(|input: &str| {
    let chars = input.chars().count();
    let parsed = parse(input);
    if input.trim().is_empty() && chars <= MAX_QUERY_CHARS {
        assert_eq!(parsed, Ok(None), "a blank query means everything");
    }
    match parsed {
        Ok(None) => assert!(
            input.trim().is_empty(),
            "only a blank query means everything"
        ),
        Ok(Some(query)) => {
            assert!(chars <= MAX_QUERY_CHARS);
            assert!(terms(&query) <= MAX_TERMS, "{query:?}");
            // Each level the parser allows adds at most two nodes (a group's OR and AND, or a
            // NOT); the bound is what keeps compiling and dropping the tree off the stack's edge.
            assert!(depth(&query) <= 2 * (MAX_DEPTH + 1) + 1, "{query:?}");
            check(&query);
        }
        Err(
            ValidationError::SearchInvalid { position, .. }
            | ValidationError::SearchTooManyWildcards { position, .. },
        ) => assert!(
            position <= chars,
            "the position {position} is outside the query"
        ),
        Err(other) => panic!("a search is refused only as invalid: {other:?}"),
    }
});

fn terms(query: &Query) -> usize {
    match query {
        Query::All(parts) | Query::Any(parts) => parts.iter().map(terms).sum(),
        Query::Not(inner) => terms(inner),
        Query::Term(_) => 1,
    }
}

fn depth(query: &Query) -> usize {
    1 + match query {
        Query::All(parts) | Query::Any(parts) => parts.iter().map(depth).max().unwrap_or(0),
        Query::Not(inner) => depth(inner),
        Query::Term(_) => 0,
    }
}

fn wildcards(text: &str) -> usize {
    text.matches('*').count()
}

fn check(query: &Query) {
    match query {
        Query::All(parts) | Query::Any(parts) => {
            // A one-part group is flattened into its part.
            assert!(parts.len() >= 2, "{query:?}");
            parts.iter().for_each(check);
        }
        Query::Not(inner) => check(inner),
        Query::Term(term) => match term {
            // A bare word gains the two `*`s that make it "contains"; those are not counted.
            Term::Name(pattern) => assert!(wildcards(&pattern.0) <= MAX_WILDCARDS_PER_TERM + 2),
            Term::Type(kind) => assert!(wildcards(kind) <= MAX_WILDCARDS_PER_TERM),
            Term::Tag { name, value } => {
                assert!(!name.is_empty());
                if let Some(value) = value {
                    assert!(wildcards(&value.0) <= MAX_WILDCARDS_PER_TERM);
                }
            }
            Term::Meta { key, op, value } => {
                assert!(!key.is_empty());
                match value {
                    Literal::Text(text) if matches!(op, Comparison::Eq | Comparison::Ne) => {
                        assert!(wildcards(text) <= MAX_WILDCARDS_PER_TERM)
                    }
                    Literal::Float(f) => assert!(f.is_finite()),
                    Literal::Bool(_) => assert!(matches!(op, Comparison::Eq | Comparison::Ne)),
                    _ => {}
                }
            }
            Term::HasMeta(key) => assert!(!key.is_empty()),
        },
    }
}
