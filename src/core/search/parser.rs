//! Recursive descent over the tokens: OR of ANDs of (possibly negated) terms.

use super::tokens::{Token, invalid, tokenize};
use super::{
    Comparison, Literal, MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS, MAX_WILDCARDS_PER_TERM, Pattern,
    Query, Term,
};
use crate::core::error::ValidationError;

/// Parses a query; an empty (or all-blank) one is `None`, meaning "everything".
pub fn parse(input: &str) -> Result<Option<Query>, ValidationError> {
    let chars = input.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(invalid(
            MAX_QUERY_CHARS,
            &format!("a query can be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        terms: 0,
        end: chars,
    };
    let query = parser.any(0)?;
    if let Some((at, _)) = parser.peek_full() {
        return Err(invalid(at, "unexpected ')'"));
    }
    Ok(Some(query))
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    terms: usize,
    /// The input's length, the position reported for "ended too early".
    end: usize,
}

fn is_keyword(token: Option<&Token>, keyword: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w == keyword)
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn peek_full(&self) -> Option<(usize, &Token)> {
        self.tokens.get(self.next).map(|(at, t)| (*at, t))
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(at, _)| *at)
    }

    fn take(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.next).cloned();
        self.next += 1;
        token
    }

    fn any(&mut self, depth: usize) -> Result<Query, ValidationError> {
        let mut alternatives = vec![self.all(depth)?];
        while is_keyword(self.peek(), "OR") {
            self.next += 1;
            alternatives.push(self.all(depth)?);
        }
        Ok(flatten(alternatives, Query::Any))
    }

    fn all(&mut self, depth: usize) -> Result<Query, ValidationError> {
        let mut parts = vec![self.unary(depth)?];
        loop {
            match self.peek() {
                None | Some(Token::Close) => break,
                t if is_keyword(t, "OR") => break,
                t if is_keyword(t, "AND") => {
                    self.next += 1;
                    parts.push(self.unary(depth)?);
                }
                _ => parts.push(self.unary(depth)?),
            }
        }
        Ok(flatten(parts, Query::All))
    }

    fn unary(&mut self, depth: usize) -> Result<Query, ValidationError> {
        if depth > MAX_DEPTH {
            return Err(invalid(
                self.position(),
                &format!("a query can nest at most {MAX_DEPTH} levels"),
            ));
        }
        match self.peek() {
            Some(Token::Minus) => {
                self.next += 1;
                Ok(Query::Not(Box::new(self.unary(depth + 1)?)))
            }
            t if is_keyword(t, "NOT") => {
                self.next += 1;
                Ok(Query::Not(Box::new(self.unary(depth + 1)?)))
            }
            Some(Token::Open) => {
                let open = self.position();
                self.next += 1;
                let inner = self.any(depth + 1)?;
                match self.take() {
                    Some((_, Token::Close)) => Ok(inner),
                    _ => Err(invalid(open, "this '(' is not closed")),
                }
            }
            _ => {
                self.terms += 1;
                if self.terms > MAX_TERMS {
                    return Err(invalid(
                        self.position(),
                        &format!("a query can have at most {MAX_TERMS} terms"),
                    ));
                }
                self.term().map(Query::Term)
            }
        }
    }

    /// The text after a `field:` prefix: the rest of the word, or the next quoted string.
    fn operand(&mut self, rest: &str, at: usize, what: &str) -> Result<String, ValidationError> {
        if !rest.is_empty() {
            return Ok(rest.to_owned());
        }
        match self.take() {
            Some((_, Token::Quoted(text))) if !text.is_empty() => Ok(text),
            _ => Err(invalid(at, &format!("{what} is missing"))),
        }
    }

    fn value(&mut self, at: usize) -> Result<(bool, String), ValidationError> {
        match self.take() {
            Some((_, Token::Quoted(text))) => Ok((true, text)),
            Some((_, Token::Word(word))) if !word.is_empty() => Ok((false, word)),
            _ => Err(invalid(at, "a value is missing after the comparison")),
        }
    }

    fn term(&mut self) -> Result<Term, ValidationError> {
        let (at, token) = self
            .take()
            .ok_or_else(|| invalid(self.end, "the query ends where a term was expected"))?;
        let word = match token {
            Token::Word(word) => word,
            Token::Quoted(text) => {
                wildcards(at, &text)?;
                return Ok(Term::Name(contains(&text)));
            }
            Token::Close => return Err(invalid(at, "unexpected ')'")),
            Token::Op(op) => return Err(invalid(at, &format!("'{op}' must follow a field"))),
            Token::Open | Token::Minus => unreachable!("handled by unary"),
        };
        if let Some(rest) = word.strip_prefix("name:") {
            let name = self.operand(rest, at, "the name")?;
            wildcards(at, &name)?;
            return Ok(Term::Name(Pattern(name)));
        }
        if let Some(rest) = word.strip_prefix("type:") {
            let kind = self.operand(rest, at, "the type")?;
            wildcards(at, &kind)?;
            return Ok(Term::Type(kind));
        }
        if let Some(rest) = word.strip_prefix("tag:") {
            let name = self.operand(rest, at, "the tag's name")?;
            return self.tag(name, at);
        }
        if let Some(rest) = word.strip_prefix("has:") {
            if let Some(key) = rest.strip_prefix("meta.") {
                return Ok(Term::HasMeta(self.operand(key, at, "the metadata key")?));
            }
            if let Some(tag) = rest.strip_prefix("tag.") {
                let name = self.operand(tag, at, "the tag's name")?;
                return Ok(Term::Tag { name, value: None });
            }
            return Err(invalid(at, "use has:meta.<key> or has:tag.<name>"));
        }
        if let Some(rest) = word.strip_prefix("meta.") {
            let key = self.operand(rest, at, "the metadata key")?;
            let op = match self.take() {
                Some((_, Token::Op(op))) => comparison(op),
                _ => {
                    return Err(invalid(
                        at,
                        "a metadata term needs a comparison, such as meta.rack_units>=2 \
                         (or use has:meta.<key>)",
                    ));
                }
            };
            let (quoted, text) = self.value(at)?;
            let value = literal(quoted, text);
            if let (Literal::Text(text), Comparison::Eq | Comparison::Ne) = (&value, op) {
                wildcards(at, text)?;
            }
            if matches!(value, Literal::Bool(_)) && !matches!(op, Comparison::Eq | Comparison::Ne) {
                return Err(invalid(at, "booleans compare only with '=' or '!='"));
            }
            return Ok(Term::Meta { key, op, value });
        }
        if let Some((field, _)) = word.split_once(':') {
            return Err(invalid(
                at,
                &format!("'{field}:' is not a search field; use name:, type:, tag:, has: or meta."),
            ));
        }
        if let Some(Token::Op(_)) = self.peek() {
            return Err(invalid(
                at,
                "only meta.<key> and tag:<name> take a comparison",
            ));
        }
        wildcards(at, &word)?;
        Ok(Term::Name(contains(&word)))
    }

    fn tag(&mut self, name: String, at: usize) -> Result<Term, ValidationError> {
        match self.peek() {
            Some(Token::Op("=")) => {
                self.next += 1;
                let (_, value) = self.value(at)?;
                wildcards(at, &value)?;
                Ok(Term::Tag {
                    name,
                    value: Some(Pattern(value)),
                })
            }
            Some(Token::Op(op)) => Err(invalid(
                at,
                &format!("tags are compared only with '=', not '{op}'"),
            )),
            _ => Ok(Term::Tag { name, value: None }),
        }
    }
}

/// A bare word or quoted text: names containing it.
fn contains(text: &str) -> Pattern {
    Pattern(format!("*{text}*"))
}

/// Refuses a pattern, as written in the term at `at`, with more `*` than a term may hold.
/// A bare word's own `*`s count, not the two that make it "contains".
fn wildcards(at: usize, written: &str) -> Result<(), ValidationError> {
    if written.matches('*').count() > MAX_WILDCARDS_PER_TERM {
        return Err(ValidationError::SearchTooManyWildcards {
            position: at,
            max: MAX_WILDCARDS_PER_TERM,
        });
    }
    Ok(())
}

fn flatten(mut parts: Vec<Query>, wrap: fn(Vec<Query>) -> Query) -> Query {
    if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        wrap(parts)
    }
}

fn comparison(op: &str) -> Comparison {
    match op {
        "=" => Comparison::Eq,
        "!=" => Comparison::Ne,
        ">" => Comparison::Gt,
        ">=" => Comparison::Ge,
        "<" => Comparison::Lt,
        _ => Comparison::Le,
    }
}

/// An unquoted `true`/`false` is a boolean and a number is a number; anything else, and
/// anything quoted, is text.
fn literal(quoted: bool, text: String) -> Literal {
    if quoted {
        return Literal::Text(text);
    }
    match text.as_str() {
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                Literal::Integer(i)
            } else if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                Literal::Float(f)
            } else {
                Literal::Text(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(t: Term) -> Query {
        Query::Term(t)
    }

    fn tag(name: &str, value: &str) -> Query {
        term(Term::Tag {
            name: name.into(),
            value: Some(Pattern(value.into())),
        })
    }

    fn meta(key: &str, op: Comparison, value: Literal) -> Query {
        term(Term::Meta {
            key: key.into(),
            op,
            value,
        })
    }

    #[test]
    fn a_type_named_anywhere_is_found() {
        let names = |q: &str| parse(q).unwrap().unwrap().names_a_type();
        assert!(names("type:device"));
        assert!(names("router AND (tag:Region=APAC OR type:device)"));
        assert!(names("-type:site"));
        assert!(!names("router tag:Region=APAC meta.rack_units>2"));
    }

    #[test]
    fn every_documented_term_parses() {
        let cases = [
            ("name:router*", term(Term::Name(Pattern("router*".into())))),
            ("router", term(Term::Name(Pattern("*router*".into())))),
            ("type:site", term(Term::Type("site".into()))),
            ("tag:Region=APAC", tag("Region", "APAC")),
            (
                "tag:Region",
                term(Term::Tag {
                    name: "Region".into(),
                    value: None,
                }),
            ),
            (
                "meta.is_critical=true",
                meta("is_critical", Comparison::Eq, Literal::Bool(true)),
            ),
            (
                "meta.rack_units>=2",
                meta("rack_units", Comparison::Ge, Literal::Integer(2)),
            ),
            (
                "meta.ratio<0.5",
                meta("ratio", Comparison::Lt, Literal::Float(0.5)),
            ),
            (
                "meta.asn!=\"64512\"",
                meta("asn", Comparison::Ne, Literal::Text("64512".into())),
            ),
            (
                "has:meta.circuit_id",
                term(Term::HasMeta("circuit_id".into())),
            ),
            ("-tag:Tier=Gold", Query::Not(Box::new(tag("Tier", "Gold")))),
            (
                "NOT tag:Tier=Gold",
                Query::Not(Box::new(tag("Tier", "Gold"))),
            ),
            (
                "tag:\"Customer Tier\"=\"Gold Plus\"",
                tag("Customer Tier", "Gold Plus"),
            ),
            (
                "meta.\"rack units\">2",
                meta("rack units", Comparison::Gt, Literal::Integer(2)),
            ),
            (
                "meta.delta>-5",
                meta("delta", Comparison::Gt, Literal::Integer(-5)),
            ),
            ("rack-1", term(Term::Name(Pattern("*rack-1*".into())))),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).unwrap(), Some(expected), "{input}");
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_group() {
        let a = || tag("Region", "APAC");
        let b = || meta("is_critical", Comparison::Eq, Literal::Bool(true));
        let c = || term(Term::Type("site".into()));
        assert_eq!(
            parse("tag:Region=APAC AND meta.is_critical=true").unwrap(),
            Some(Query::All(vec![a(), b()]))
        );
        assert_eq!(
            parse("tag:Region=APAC meta.is_critical=true OR type:site").unwrap(),
            Some(Query::Any(vec![Query::All(vec![a(), b()]), c()]))
        );
        assert_eq!(
            parse("tag:Region=APAC (meta.is_critical=true OR type:site)").unwrap(),
            Some(Query::All(vec![a(), Query::Any(vec![b(), c()])]))
        );
        assert_eq!(parse("   ").unwrap(), None);
    }

    #[test]
    fn mistakes_are_reported_with_their_position() {
        let cases = [
            ("(type:site", 0, "not closed"),
            ("type:site)", 9, "unexpected ')'"),
            ("colour:red", 0, "not a search field"),
            ("meta.rack_units", 0, "needs a comparison"),
            ("meta.rack_units>=", 0, "value is missing"),
            ("tag:Region>APAC", 0, "only with '='"),
            ("name:\"open", 5, "not closed"),
            ("type:site AND", 13, "ends where a term"),
            ("router=1", 0, "only meta"),
            ("has:circuit", 0, "has:meta"),
            ("meta.up>true", 0, "booleans compare only"),
        ];
        for (input, position, fragment) in cases {
            match parse(input) {
                Err(ValidationError::SearchInvalid {
                    position: p,
                    message,
                }) => {
                    assert_eq!(p, position, "{input}: {message}");
                    assert!(message.contains(fragment), "{input}: {message}");
                }
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn queries_are_bounded() {
        assert!(parse(&"a ".repeat(33)).is_err(), "too many terms");
        assert!(parse(&"x".repeat(1001)).is_err(), "too long");
        let deep = format!("{}a{}", "(".repeat(20), ")".repeat(20));
        assert!(parse(&deep).is_err(), "too deep");
    }

    #[test]
    fn a_term_holds_at_most_four_wildcards() {
        for fine in [
            "name:*core*router*",
            "name:****",
            "a*b*c*d",
            "\"*a*b*c\"",
            "type:*.*.*.*",
            "tag:Region=*a*b*c*d",
            "meta.owner=*a*b*c*d",
            "name:*a*b*c*d OR name:*e*f*g*h",
            // Only = and != match patterns; other comparisons take the text as it is.
            "meta.owner>*****",
        ] {
            assert!(parse(fine).is_ok(), "{fine}");
        }
        for (input, position) in [
            ("name:*a*b*c*d*", 0),
            ("name:*****", 0),
            ("type:site x*y*z*w*v*", 10),
            ("\"*a*b*c*d*\"", 0),
            ("type:*.*.*.*.*", 0),
            ("tag:Region=*a*b*c*d*", 0),
            ("type:site -meta.owner=\"*a*b*c*d*\"", 11),
        ] {
            let error = parse(input).unwrap_err();
            assert_eq!(error.code(), "too_many_wildcards", "{input}: {error}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("character {position}")),
                "{input}: {message}"
            );
            assert!(message.contains("at most 4"), "{input}: {message}");
        }
    }
}
