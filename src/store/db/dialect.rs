//! One statement's text for each engine, made from one source at compile time.
//!
//! The statements are written once, in SQLite's dialect with `?` placeholders, and PostgreSQL
//! wants `$1`, `$2`, … (and `$3` for SQLite's `?3`): [`sql!`](crate::store::db::sql) derives that text in a constant, so
//! the two cannot drift apart and no statement is rewritten while it runs. Statements whose
//! dialects differ beyond that give both texts ([`Sql::each`](super::Sql::each)).
//!
//! Hand-written rather than taken from a crate: it is the one rewrite needed, a scan for `?`
//! outside quotes, and it must run in a `const` context.

/// The length of `sql` with each `?` outside quotes numbered as PostgreSQL's `$n`.
pub const fn postgres_len(sql: &str) -> usize {
    rewrite(sql, &mut [])
}

/// `sql` with each `?` outside quotes numbered as PostgreSQL's `$n`; `N` is
/// [`postgres_len`] of it.
pub const fn postgres_bytes<const N: usize>(sql: &str) -> [u8; N] {
    let mut out = [0u8; N];
    rewrite(sql, &mut out);
    out
}

/// [`postgres_bytes`] for a statement known only while running (a batch's, see
/// `store::batch`).
pub fn postgres_text(sql: &str) -> String {
    let mut out = vec![0u8; postgres_len(sql)];
    rewrite(sql, &mut out);
    String::from_utf8(out).expect("the rewrite keeps UTF-8: it swaps ASCII for ASCII")
}

/// [`postgres_text`] of a static statement, made once and kept for the life of the process:
/// the statements are the code's own, a few hundred at most, so what is kept is bounded.
pub fn postgres_static(sql: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static MADE: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    made.entry(sql)
        .or_insert_with(|| Box::leak(postgres_text(sql).into_boxed_str()))
}

/// Writes the PostgreSQL text of `sql` into `out` (nothing when `out` is empty, to measure
/// it first) and answers its length: one scan for both, so they cannot disagree.
const fn rewrite(sql: &str, out: &mut [u8]) -> usize {
    let bytes = sql.as_bytes();
    let writing = !out.is_empty();
    let (mut at, mut to, mut params, mut quote) = (0, 0, 0, 0u8);
    while at < bytes.len() {
        let b = bytes[at];
        if quote == 0 && b == b'?' && !numbered(bytes, at) {
            params += 1;
            let width = digits(params);
            if writing {
                out[to] = b'$';
                let (mut left, mut place) = (params, width);
                while place > 0 {
                    out[to + place] = b'0' + (left % 10) as u8;
                    left /= 10;
                    place -= 1;
                }
            }
            to += 1 + width;
        } else {
            if quote != 0 && b == quote {
                quote = 0;
            } else if quote == 0 && (b == b'\'' || b == b'"') {
                quote = b;
            }
            // `?NNN` names its argument already: `$NNN`.
            let b = if quote == 0 && b == b'?' { b'$' } else { b };
            if writing {
                out[to] = b;
            }
            to += 1;
        }
        at += 1;
    }
    to
}

/// Whether the `?` at `at` is followed by a number (SQLite's `?NNN`).
const fn numbered(bytes: &[u8], at: usize) -> bool {
    at + 1 < bytes.len() && bytes[at + 1].is_ascii_digit()
}

const fn digits(mut n: usize) -> usize {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use crate::store::db::sql;

    #[test]
    fn placeholders_are_numbered_outside_quotes_only() {
        let both =
            sql!("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        assert_eq!(
            both.postgres(),
            "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        assert_eq!(
            both.sqlite(),
            "SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        );
        assert_eq!(
            super::postgres_text("UPDATE t SET a = ? WHERE b = '?' AND c = ?"),
            "UPDATE t SET a = $1 WHERE b = '?' AND c = $2"
        );
        const CONCATENATED: &str = concat!("SELECT ", "? + ?");
        assert_eq!(sql!(CONCATENATED).postgres(), "SELECT $1 + $2");
        assert_eq!(
            sql!("SELECT a FROM t WHERE b = ?1 UNION SELECT a FROM u WHERE c = ?1").postgres(),
            "SELECT a FROM t WHERE b = $1 UNION SELECT a FROM u WHERE c = $1"
        );
    }
}
