//! Data Hub's search syntax (`GET Streams?query=`, `GET Types?query=`; docs/compat/datahub.md
//! §4), parsed into a small tree and matched against one stream or type at a time.
//!
//! - Terms match whole *tokens* of a value, ignoring case: a stored value is split on
//!   whitespace and each token loses its trailing punctuation, so `log*` matches "logger" but
//!   not "analog", and `temperature` matches "Temperature from DeviceA".
//! - `*` is a wildcard within one token: `*`, `*log`, `l*g`, `log*`, `*log*`. Other placements
//!   (`*l*g*`, `l*g*`, `"my"*"log"`) are refused, as Data Hub does.
//! - `"…"` matches a whole value exactly (`*` inside is literal); `"…"*`, `*"…"` and `*"…"*`
//!   match its start, end or any part.
//! - `Field:value`: `Id`, `Name`, `Description`, `TypeId` (any case) match that property *or*
//!   a metadata key of that name; any other plain name is a metadata key; a field name with `*`
//!   matches metadata keys only. `Tags:` / `Tag:` (a Sitebook extension) match the tags, or a
//!   metadata key of that name. Unscoped terms match the properties, metadata values and tags.
//! - Whitespace between terms is OR; `AND`, `OR`, `NOT` (upper case only) and parentheses
//!   combine them, NOT binding tightest and OR loosest: `cat NOT dog` is `cat OR (NOT dog)`.
//! - `\` makes the next character literal (`1\:100`, `Austin\\Dallas`).
//!
//! The work is bounded: at most [`MAX_QUERY_CHARS`] characters, [`MAX_TERMS`] terms,
//! [`MAX_WILDCARDS`] wildcards and [`MAX_DEPTH`] nested parentheses, and a token pattern has
//! at most two wildcards, so matching one value is linear in its length.

use crate::core::error::ValidationError;

pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_TERMS: usize = 32;
pub const MAX_WILDCARDS: usize = 16;
pub const MAX_DEPTH: usize = 16;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamQuery {
    All(Vec<StreamQuery>),
    Any(Vec<StreamQuery>),
    Not(Box<StreamQuery>),
    Term(Term),
}

/// `field:value`, or a value alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub field: Field,
    pub value: ValueMatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// No field: the properties, metadata values and tags.
    Any,
    /// A plain field name: the property of that name, else a metadata key (ignoring case).
    Named(String),
    /// A field name with `*`: metadata keys matching it, only.
    Keys(Pattern),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueMatch {
    /// Unquoted: some token of the value matches the pattern.
    Token(Pattern),
    /// Quoted: the whole value, or its start (`"…"*`), end (`*"…"`) or any part (`*"…"*`).
    Whole {
        text: String,
        any_before: bool,
        any_after: bool,
    },
}

/// Text where `Star` stands for any run of characters; kept lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Star,
}

impl Pattern {
    fn stars(&self) -> usize {
        self.0.iter().filter(|p| **p == Piece::Star).count()
    }

    /// Whether the whole of `text` matches, ignoring case.
    pub fn matches(&self, text: &str) -> bool {
        glob(&self.0, &text.to_lowercase())
    }
}

/// Whether the whole of `text` matches `pieces`. With `*` as the only wildcard, a greedy walk
/// is exact: the text before the first star must start `text`, the text after the last must
/// end it, and each literal between them is taken at its first place after the one before
/// (taking an earlier place never closes off a match a later one would allow). Each step is a
/// substring search (`str::find`, linear), so the whole is linear in `text`.
fn glob(pieces: &[Piece], text: &str) -> bool {
    let mut literals: Vec<String> = vec![String::new()];
    for piece in pieces {
        match piece {
            Piece::Text(lit) => literals.last_mut().expect("never empty").push_str(lit),
            Piece::Star => literals.push(String::new()),
        }
    }
    let [middle @ .., last] = &literals[1..] else {
        return text == literals[0];
    };
    let Some(rest) = text.strip_prefix(literals[0].as_str()) else {
        return false;
    };
    let Some(mut rest) = rest.strip_suffix(last.as_str()) else {
        return false;
    };
    for literal in middle {
        match rest.find(literal.as_str()) {
            Some(at) => rest = &rest[at + literal.len()..],
            None => return false,
        }
    }
    true
}

/// What a query is matched against: one stream (or type) with its named properties,
/// metadata items (untyped text) and tags.
pub struct Searched<'a> {
    /// Property name (as Data Hub spells it) and value, if it has one.
    pub properties: &'a [(&'static str, Option<&'a str>)],
    pub metadata: &'a [(String, String)],
    pub tags: &'a [String],
}

/// A value's tokens: split on whitespace, each without its trailing punctuation.
fn tokens(value: &str) -> impl Iterator<Item = &str> {
    value
        .split_whitespace()
        .map(|t| t.trim_end_matches(|c: char| c.is_ascii_punctuation()))
        .filter(|t| !t.is_empty())
}

impl ValueMatch {
    fn matches(&self, value: &str) -> bool {
        match self {
            Self::Token(pattern) if pattern.0 == [Piece::Star] => true,
            Self::Token(pattern) => tokens(value).any(|t| pattern.matches(t)),
            Self::Whole {
                text,
                any_before,
                any_after,
            } => {
                let value = value.to_lowercase();
                match (any_before, any_after) {
                    (false, false) => value == *text,
                    (false, true) => value.starts_with(text.as_str()),
                    (true, false) => value.ends_with(text.as_str()),
                    (true, true) => value.contains(text.as_str()),
                }
            }
        }
    }
}

const TAG_FIELDS: [&str; 2] = ["tags", "tag"];

impl Term {
    fn matches(&self, doc: &Searched) -> bool {
        let value = |v: &str| self.value.matches(v);
        match &self.field {
            Field::Any => {
                doc.properties.iter().any(|(_, v)| v.is_some_and(value))
                    || doc.metadata.iter().any(|(_, v)| value(v))
                    || doc.tags.iter().any(|t| value(t))
            }
            Field::Named(name) => {
                doc.properties
                    .iter()
                    .any(|(p, v)| p.eq_ignore_ascii_case(name) && v.is_some_and(value))
                    || (TAG_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
                        && doc.tags.iter().any(|t| value(t)))
                    || doc
                        .metadata
                        .iter()
                        .any(|(k, v)| k.to_lowercase() == *name && value(v))
            }
            Field::Keys(keys) => doc
                .metadata
                .iter()
                .any(|(k, v)| keys.matches(k) && value(v)),
        }
    }
}

impl StreamQuery {
    pub fn matches(&self, doc: &Searched) -> bool {
        match self {
            Self::All(parts) => parts.iter().all(|q| q.matches(doc)),
            Self::Any(parts) => parts.iter().any(|q| q.matches(doc)),
            Self::Not(inner) => !inner.matches(doc),
            Self::Term(term) => term.matches(doc),
        }
    }
}

// ---- parsing ----

/// One character of a word and how it was written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Plain,
    Escaped,
    Quoted,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open(usize),
    Close(usize),
    And,
    Or,
    Not(usize),
    Word(usize, Vec<(char, Kind)>),
}

fn invalid(position: usize, message: impl Into<String>) -> ValidationError {
    ValidationError::SearchInvalid {
        position,
        message: message.into(),
    }
}

fn lex(query: &str) -> Result<Vec<Token>, ValidationError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' {
            out.push(Token::Open(i));
            i += 1;
            continue;
        }
        if c == ')' {
            out.push(Token::Close(i));
            i += 1;
            continue;
        }
        let start = i;
        let mut word = Vec::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() || c == '(' || c == ')' {
                break;
            }
            match c {
                '\\' => {
                    let next = chars
                        .get(i + 1)
                        .ok_or_else(|| invalid(i, "a backslash must be followed by a character"))?;
                    word.push((*next, Kind::Escaped));
                    i += 2;
                }
                '"' => {
                    let close = chars[i + 1..]
                        .iter()
                        .position(|&c| c == '"')
                        .ok_or_else(|| invalid(i, "the quote is not closed"))?;
                    word.extend(
                        chars[i + 1..i + 1 + close]
                            .iter()
                            .map(|&c| (c, Kind::Quoted)),
                    );
                    if close == 0 {
                        return Err(invalid(i, "a quoted value cannot be empty"));
                    }
                    i += close + 2;
                }
                c => {
                    word.push((c, Kind::Plain));
                    i += 1;
                }
            }
        }
        let plain: String = word.iter().map(|(c, _)| c).collect();
        let all_plain = word.iter().all(|(_, k)| *k == Kind::Plain);
        out.push(match plain.as_str() {
            "AND" if all_plain => Token::And,
            "OR" if all_plain => Token::Or,
            "NOT" if all_plain => Token::Not(start),
            _ => Token::Word(start, word),
        });
    }
    Ok(out)
}

/// A field name or value as written: quoted (exact, with `*` outside the quotes only at the
/// ends) or a token pattern.
fn value_part(position: usize, part: &[(char, Kind)]) -> Result<ValueMatch, ValidationError> {
    if part.iter().any(|(_, k)| *k == Kind::Quoted) {
        let any_before = part.first() == Some(&('*', Kind::Plain));
        let any_after = part.len() > 1 && part.last() == Some(&('*', Kind::Plain));
        let inner = &part[usize::from(any_before)..part.len() - usize::from(any_after)];
        if inner.iter().any(|(_, k)| *k == Kind::Plain) {
            return Err(invalid(
                position,
                "a quoted value takes a wildcard only right before or after its quotes",
            ));
        }
        let text: String = inner.iter().map(|(c, _)| c).collect();
        return Ok(ValueMatch::Whole {
            text: text.to_lowercase(),
            any_before,
            any_after,
        });
    }
    pattern(position, part).map(ValueMatch::Token)
}

/// An unquoted token pattern: its trailing punctuation dropped (`Device!*` is `Device`), and
/// its wildcards where Data Hub allows them.
fn pattern(position: usize, part: &[(char, Kind)]) -> Result<Pattern, ValidationError> {
    let mut part = part.to_vec();
    let run = part
        .iter()
        .rev()
        .take_while(|(c, k)| *k == Kind::Plain && c.is_ascii_punctuation())
        .count();
    // A run of wildcards alone stays (`log*`, `*`); any other trailing punctuation goes, with
    // a wildcard after it.
    if !part[part.len() - run..].iter().all(|(c, _)| *c == '*') {
        part.truncate(part.len() - run);
    }
    if part.is_empty() {
        return Err(invalid(position, "a term needs a letter or digit"));
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for (c, kind) in &part {
        if *c == '*' && *kind == Kind::Plain {
            pieces.push(Piece::Star);
        } else {
            let lower: String = c.to_lowercase().collect();
            match pieces.last_mut() {
                Some(Piece::Text(text)) => text.push_str(&lower),
                _ => pieces.push(Piece::Text(lower)),
            }
        }
    }
    let pattern = Pattern(pieces);
    let stars = pattern.stars();
    let ends = pattern.0.first() == Some(&Piece::Star) && pattern.0.last() == Some(&Piece::Star);
    if stars > 2 || (stars == 2 && (!ends || pattern.0.len() < 3)) {
        return Err(invalid(
            position,
            "Data Hub allows one wildcard in a term, or one at each end (*log*)",
        ));
    }
    Ok(pattern)
}

fn term(position: usize, word: &[(char, Kind)]) -> Result<Term, ValidationError> {
    match word.iter().position(|&w| w == (':', Kind::Plain)) {
        None => Ok(Term {
            field: Field::Any,
            value: value_part(position, word)?,
        }),
        Some(colon) => {
            let (name, value) = (&word[..colon], &word[colon + 1..]);
            if name.is_empty() || value.is_empty() {
                return Err(invalid(position, "a field term is written field:value"));
            }
            let field = if name.contains(&('*', Kind::Plain)) {
                Field::Keys(pattern(position, name)?)
            } else {
                Field::Named(
                    name.iter()
                        .map(|(c, _)| c)
                        .collect::<String>()
                        .to_lowercase(),
                )
            };
            Ok(Term {
                field,
                value: value_part(position + colon + 1, value)?,
            })
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    end: usize,
    terms: usize,
    wildcards: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// or := and ((OR | juxtaposition) and)*
    fn or(&mut self, depth: usize) -> Result<StreamQuery, ValidationError> {
        let mut parts = vec![self.and(depth)?];
        loop {
            match self.peek() {
                None | Some(Token::Close(_)) => break,
                Some(Token::Or) => {
                    self.at += 1;
                }
                _ => {}
            }
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            StreamQuery::Any(parts)
        })
    }

    /// and := unary (AND unary)*
    fn and(&mut self, depth: usize) -> Result<StreamQuery, ValidationError> {
        let mut parts = vec![self.unary(depth)?];
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            StreamQuery::All(parts)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<StreamQuery, ValidationError> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Not(_)) => Ok(StreamQuery::Not(Box::new(self.unary(depth)?))),
            Some(Token::Open(position)) => {
                if depth >= MAX_DEPTH {
                    return Err(invalid(position, "the parentheses are nested too deeply"));
                }
                let inner = self.or(depth + 1)?;
                match self.tokens.get(self.at) {
                    Some(Token::Close(_)) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err(invalid(position, "the parenthesis is not closed")),
                }
            }
            Some(Token::Word(position, word)) => {
                self.terms += 1;
                self.wildcards += word.iter().filter(|w| **w == ('*', Kind::Plain)).count();
                if self.terms > MAX_TERMS {
                    return Err(invalid(
                        position,
                        format!("a search has at most {MAX_TERMS} terms"),
                    ));
                }
                if self.wildcards > MAX_WILDCARDS {
                    return Err(invalid(
                        position,
                        format!("a search has at most {MAX_WILDCARDS} wildcards"),
                    ));
                }
                term(position, &word).map(StreamQuery::Term)
            }
            Some(Token::Close(position)) => Err(invalid(position, "a term is missing before ')'")),
            Some(Token::And | Token::Or) | None => Err(invalid(
                self.end,
                "AND, OR and NOT need a term on each side",
            )),
        }
    }
}

/// Parses a `query`; `None` for an empty one (everything matches).
pub fn parse(query: &str) -> Result<Option<StreamQuery>, ValidationError> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(invalid(
            MAX_QUERY_CHARS,
            format!("a search has at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let tokens = lex(query)?;
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        end: chars,
        terms: 0,
        wildcards: 0,
    };
    let parsed = parser.or(0)?;
    match parser.tokens.get(parser.at) {
        None => Ok(Some(parsed)),
        Some(Token::Close(position)) => Err(invalid(*position, "')' has no '(' before it")),
        Some(_) => Err(invalid(parser.end, "the search cannot be read to its end")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Doc {
        id: &'static str,
        name: Option<&'static str>,
        description: Option<&'static str>,
        metadata: Vec<(String, String)>,
        tags: Vec<String>,
    }

    fn doc(id: &'static str, metadata: &[(&str, &str)]) -> Doc {
        Doc {
            id,
            name: None,
            description: None,
            metadata: metadata
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            tags: vec![],
        }
    }

    fn found(query: &str, docs: &[Doc]) -> Vec<&'static str> {
        let parsed = parse(query).unwrap();
        docs.iter()
            .filter(|d| {
                let properties = [
                    ("Id", Some(d.id)),
                    ("Name", d.name),
                    ("Description", d.description),
                    ("TypeId", Some("Simple")),
                ];
                let searched = Searched {
                    properties: &properties,
                    metadata: &d.metadata,
                    tags: &d.tags,
                };
                parsed.as_ref().is_none_or(|q| q.matches(&searched))
            })
            .map(|d| d.id)
            .collect()
    }

    /// §4.6's example data.
    fn three() -> Vec<Doc> {
        vec![
            doc("stream1", &[("manufacturer", "company"), ("serial", "abc")]),
            doc("stream2", &[("serial", "a1")]),
            doc(
                "stream3",
                &[("status", "active"), ("second key", "second value")],
            ),
        ]
    }

    #[test]
    fn the_documented_metadata_examples_find_what_data_hub_finds() {
        let docs = three();
        let all = ["stream1", "stream2", "stream3"];
        for (query, want) in [
            ("manufacturer:company", &["stream1"][..]),
            ("company", &["stream1"]),
            ("a*", &all),
            ("manufa*turer:compan*", &["stream1"]),
            ("ser*al:a*", &["stream1", "stream2"]),
            ("s*:a*", &all),
            ("Id:stream*", &all),
            ("id:STREAM2", &["stream2"]),
            ("Id*:stream*", &[]),
            ("\"second key\":\"second value\"", &["stream3"]),
            ("status:*", &["stream3"]),
            ("", &all),
            ("   ", &all),
        ] {
            assert_eq!(found(query, &docs), want, "{query}");
        }
    }

    fn described(items: &[(&'static str, &'static str)]) -> Vec<Doc> {
        items
            .iter()
            .map(|(id, description)| Doc {
                description: Some(description),
                ..doc(id, &[])
            })
            .collect()
    }

    #[test]
    fn terms_match_whole_tokens_ignoring_case_and_trailing_punctuation() {
        let docs = described(&[
            ("a", "Temperature from DeviceA"),
            ("b", "the analog logger."),
            ("c", "log, mud"),
        ]);
        assert_eq!(found("temperature", &docs), ["a"]);
        assert_eq!(found("log*", &docs), ["b", "c"]);
        assert_eq!(found("*log", &docs), ["b", "c"]);
        assert_eq!(found("l*g", &docs), ["c"]);
        assert_eq!(found("*alo*", &docs), ["b"]);
        assert_eq!(found("logger.", &docs), ["b"]);
        assert_eq!(found("Device!*", &[]), Vec::<&str>::new());
    }

    #[test]
    fn operators_are_upper_case_with_not_over_and_over_or() {
        let docs = described(&[
            ("log mud", "mud log"),
            ("pumps", "mud pumps"),
            ("bath", "mud bath"),
            ("cat", "cat dog"),
            ("none", "bird"),
        ]);
        assert_eq!(found("mud AND (log OR pump*)", &docs), ["log mud", "pumps"]);
        assert_eq!(found("mud AND log", &docs), ["log mud"]);
        assert_eq!(found("mud log", &docs), ["log mud", "pumps", "bath"]);
        assert_eq!(found("mud OR log", &docs), ["log mud", "pumps", "bath"]);
        // `cat NOT dog` is documented as cat OR (NOT dog).
        assert_eq!(
            found("cat NOT dog", &docs),
            ["log mud", "pumps", "bath", "cat", "none"]
        );
        assert_eq!(found("mud AND (NOT log)", &docs), ["pumps", "bath"]);
        assert_eq!(found("mud AND NOT log", &docs), ["pumps", "bath"]);
        // Lower-case operators are plain terms.
        assert_eq!(found("bird and", &docs), ["none"]);
        assert_eq!(
            parse("a b AND c").unwrap(),
            parse("a OR (b AND c)").unwrap()
        );
    }

    #[test]
    fn quotes_match_the_whole_value_and_wildcards_beside_them_its_ends() {
        let docs = described(&[
            ("exact", "pump pressure"),
            ("gauge", "pump pressure gauge"),
            ("the", "the pump pressure"),
            ("star", "pump*pressure"),
        ]);
        assert_eq!(found("\"pump pressure\"", &docs), ["exact"]);
        assert_eq!(found("\"pump pressure\"*", &docs), ["exact", "gauge"]);
        assert_eq!(found("*\"pump pressure\"", &docs), ["exact", "the"]);
        assert_eq!(
            found("*\"pump pressure\"*", &docs),
            ["exact", "gauge", "the"]
        );
        assert_eq!(found("\"pump*pressure\"", &docs), ["star"]);
        assert_eq!(found("\"PUMP PRESSURE\"", &docs), ["exact"]);
    }

    #[test]
    fn escapes_make_special_characters_literal() {
        let docs = vec![
            doc("ratio", &[("range", "1:100")]),
            doc("city", &[("route", "Austin\\Dallas\\Fort Worth")]),
        ];
        assert_eq!(found("1\\:100", &docs), ["ratio"]);
        assert_eq!(found("range:1\\:100", &docs), ["ratio"]);
        assert_eq!(found("Austin\\\\Dallas\\\\Fort", &docs), ["city"]);
    }

    #[test]
    fn tags_match_unscoped_terms_and_the_tags_field() {
        let mut docs = three();
        docs[1].tags = vec!["temperature".into()];
        assert_eq!(found("temp*", &docs), ["stream2"]);
        assert_eq!(found("Tags:temperature", &docs), ["stream2"]);
        assert_eq!(found("tag:temp*", &docs), ["stream2"]);
        assert_eq!(found("serial:temperature", &docs), Vec::<&str>::new());
    }

    #[test]
    fn unsupported_wildcards_and_broken_syntax_are_refused() {
        for bad in [
            "*l*g*",
            "*l*g",
            "l*g*",
            "\"my\"*\"log\"",
            "**",
            "(a OR b",
            "a)",
            "AND a",
            "a OR",
            "NOT",
            "\"open",
            "trailing\\",
            ":value",
            "key:",
            "!!",
        ] {
            assert!(
                matches!(parse(bad), Err(ValidationError::SearchInvalid { .. })),
                "{bad}: {:?}",
                parse(bad)
            );
        }
    }

    #[test]
    fn the_work_is_bounded() {
        let many_terms = (0..=MAX_TERMS)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(parse(&many_terms).is_err());
        let many_wildcards = (0..=MAX_WILDCARDS / 2)
            .map(|i| format!("*t{i}*"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(parse(&many_wildcards).is_err());
        let deep = format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).is_err());
        assert!(parse(&"a".repeat(MAX_QUERY_CHARS + 1)).is_err());
        assert!(parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
    }

    /// The backtracking matcher the greedy walk replaced, as the reference it must agree with.
    fn backtracking(pieces: &[Piece], text: &str) -> bool {
        match pieces.split_first() {
            None => text.is_empty(),
            Some((Piece::Text(lit), rest)) => text
                .strip_prefix(lit.as_str())
                .is_some_and(|tail| backtracking(rest, tail)),
            Some((Piece::Star, rest)) => text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .any(|i| backtracking(rest, &text[i..])),
        }
    }

    #[test]
    fn the_linear_glob_agrees_with_backtracking_on_every_small_case() {
        let text = |t: &str| Piece::Text(t.to_owned());
        let patterns = [
            vec![text("ab")],
            vec![Piece::Star],
            vec![Piece::Star, text("a")],
            vec![text("a"), Piece::Star],
            vec![Piece::Star, text("ab"), Piece::Star],
            vec![text("ab"), Piece::Star, text("ba")],
            vec![text("a"), Piece::Star, text("a"), Piece::Star, text("a")],
            vec![
                Piece::Star,
                text("aa"),
                Piece::Star,
                text("ab"),
                Piece::Star,
            ],
            vec![Piece::Star, Piece::Star, text("b")],
            vec![text("b"), Piece::Star, text("ab"), Piece::Star, text("b")],
        ];
        // Every text of up to 7 letters from {a, b}.
        let mut texts = vec![String::new()];
        for length in 1..=7 {
            for bits in 0u32..(1 << length) {
                texts.push(
                    (0..length)
                        .map(|i| if bits >> i & 1 == 1 { 'b' } else { 'a' })
                        .collect(),
                );
            }
        }
        for pattern in &patterns {
            for t in &texts {
                assert_eq!(
                    glob(pattern, t),
                    backtracking(pattern, t),
                    "{pattern:?} on {t}"
                );
            }
        }
    }

    #[test]
    fn a_long_value_is_matched_without_backtracking() {
        // Against backtracking this pattern on this text is quadratic; here it is one pass.
        let value = "a".repeat(200_000);
        let pattern = vec![
            Piece::Star,
            Piece::Text("a".into()),
            Piece::Star,
            Piece::Text("b".into()),
        ];
        assert!(!glob(&pattern, &value));
    }
}
