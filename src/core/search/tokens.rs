//! Splits a query into words, quoted strings, parentheses and comparison operators.

use crate::core::error::ValidationError;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// An unquoted run of characters (may contain `:`, `.`, `*`).
    Word(String),
    /// A "quoted string", with `\"` and `\\` unescaped.
    Quoted(String),
    Open,
    Close,
    Minus,
    Op(&'static str),
}

/// Where each token starts (a character offset), for error messages.
pub fn tokenize(input: &str) -> Result<Vec<(usize, Token)>, ValidationError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            '-' if tokens_end_term(&tokens) => {
                tokens.push((start, Token::Minus));
                i += 1;
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(invalid(start, "a quoted string is not closed"));
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                            text.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&ch) => {
                            text.push(ch);
                            i += 1;
                        }
                    }
                }
                tokens.push((start, Token::Quoted(text)));
            }
            '=' | '!' | '<' | '>' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = match two.as_str() {
                    ">=" => ">=",
                    "<=" => "<=",
                    "!=" => "!=",
                    _ => match c {
                        '=' => "=",
                        '<' => "<",
                        '>' => ">",
                        _ => return Err(invalid(start, "'!' must be followed by '='")),
                    },
                };
                tokens.push((start, Token::Op(op)));
                i += op.len();
            }
            _ => {
                let mut word = String::new();
                while let Some(&ch) = chars.get(i) {
                    if ch.is_whitespace() || matches!(ch, '(' | ')' | '"' | '=' | '!' | '<' | '>') {
                        break;
                    }
                    word.push(ch);
                    i += 1;
                }
                tokens.push((start, Token::Word(word)));
            }
        }
    }
    Ok(tokens)
}

/// A `-` is a negation only where a new term starts (so `rack-1` stays one word).
fn tokens_end_term(tokens: &[(usize, Token)]) -> bool {
    !matches!(tokens.last(), Some((_, Token::Op(_))))
}

pub fn invalid(position: usize, message: &str) -> ValidationError {
    ValidationError::SearchInvalid {
        position,
        message: message.to_owned(),
    }
}
