//! The rule both web faces apply to a state-changing call made with a session cookie: it must
//! carry that session's CSRF token. Only this site's pages can read the token, so a form or
//! fetch forged on another site, which the browser sends with the cookie all the same, cannot.

/// Whether `sent` is the session's CSRF token; nothing sent never matches.
pub fn csrf_matches(session_token: &str, sent: Option<&str>) -> bool {
    sent.is_some_and(|sent| constant_time_eq(session_token.as_bytes(), sent.as_bytes()))
}

/// Compares every byte whatever it finds, so the time taken does not tell a guesser how many
/// leading characters of a guess were right, as `==` stopping at the first difference would.
/// The length is no secret: every token is 64 hex digits.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Kept opaque so the optimiser cannot turn the fold back into an early exit.
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_session_token_itself_matches() {
        let token = "a".repeat(64);
        assert!(csrf_matches(&token, Some(&token)));
        assert!(!csrf_matches(&token, None));
        assert!(!csrf_matches(&token, Some("")));
        assert!(!csrf_matches(&token, Some(&"a".repeat(63))));
        assert!(!csrf_matches(&token, Some(&format!("{}b", "a".repeat(63)))));
        assert!(!csrf_matches(&token, Some(&format!("b{}", "a".repeat(63)))));
    }
}
