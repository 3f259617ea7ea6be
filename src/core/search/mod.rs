//! The search language: parsed here into a small tree, compiled to SQL (with every value a
//! bound parameter) by `store::search`.
//!
//! ```text
//! name:router*            name matches (case-insensitive; * is a wildcard)
//! router                  a bare word: name contains it
//! type:site               resource type
//! tag:Region=APAC         tag with a value (case-insensitive; * allowed)
//! tag:Region              has the tag, with any value
//! meta.is_critical=true   metadata key compared with = != > >= < <=
//! meta.rack_units>=2      (true/false are booleans, numbers are numbers, "quoted" is text)
//! has:meta.circuit_id     has the metadata key
//! -tag:Tier=Gold          NOT (also written NOT …)
//! a AND b, a b            both (AND is implied between terms)
//! a OR b, ( … )           either; AND binds tighter than OR
//! ```
//! Names with spaces are quoted: `tag:"Customer Tier"=Gold`, `meta."rack units">2`.

mod parser;
mod tokens;

use std::time::Duration;

pub use parser::parse;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    All(Vec<Query>),
    Any(Vec<Query>),
    Not(Box<Query>),
    Term(Term),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// `name:…` or a bare word (which becomes `*word*`).
    Name(Pattern),
    Type(String),
    /// `tag:Name` (any value) or `tag:Name=value`.
    Tag {
        name: String,
        value: Option<Pattern>,
    },
    Meta {
        key: String,
        op: Comparison,
        value: Literal,
    },
    HasMeta(String),
}

impl Query {
    /// Whether the query says which types it wants (`type:…` anywhere in it): a list that
    /// shows sites unless asked otherwise leaves such a query as it is.
    pub fn names_a_type(&self) -> bool {
        match self {
            Self::All(parts) | Self::Any(parts) => parts.iter().any(Self::names_a_type),
            Self::Not(inner) => inner.names_a_type(),
            Self::Term(term) => matches!(term, Term::Type(_)),
        }
    }
}

/// Text to match, where `*` stands for any run of characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(pub String);

impl Pattern {
    pub fn has_wildcard(&self) -> bool {
        self.0.contains('*')
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

/// Limits that keep one query cheap to parse and to run.
pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_TERMS: usize = 32;
pub const MAX_DEPTH: usize = 16;

/// The `*`s one term may hold (`name:*core*router*` has three). SQLite matches a pattern in
/// time proportional to the value's length times the pattern's, so wildcards are not what
/// makes a search slow (the deadline below bounds that); the cap keeps each pattern a plain
/// "starts with / contains / ends with" and refuses generated noise such as `*a*b*c*d*e*…`
/// with a clear message rather than a timeout.
pub const MAX_WILDCARDS_PER_TERM: usize = 4;

/// How long one search may run before it is cut off (`search_too_slow`). A search of an
/// indexed term answers in milliseconds and a full scan of 100,000 resources in tens of them;
/// two seconds is what a pathological pattern over long values gets before it is stopped.
pub const SEARCH_DEADLINE: Duration = Duration::from_secs(2);

/// How long a search waits for one of the connections searches run on when they are all
/// busy, before it is answered "try again" (`search_busy`).
pub const SEARCH_WAIT: Duration = Duration::from_secs(2);

/// How long a search may run and wait: [`SEARCH_DEADLINE`] and [`SEARCH_WAIT`] unless a test
/// (or an operator's tuning) says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLimits {
    pub deadline: Duration,
    pub wait: Duration,
}

impl Default for SearchLimits {
    fn default() -> Self {
        Self {
            deadline: SEARCH_DEADLINE,
            wait: SEARCH_WAIT,
        }
    }
}
