//! Slows down password guessing: after a few sign-in attempts that did not succeed for one
//! username (or from one address) within a window, further attempts are refused until the
//! window has passed.
//!
//! An attempt is counted when it starts, before the password is checked, under the same lock as
//! the check: concurrent guesses cannot all pass a check that none of them has counted yet.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Attempts allowed per account within the window.
pub const MAX_ACCOUNT_ATTEMPTS: u32 = 5;

/// Attempts allowed per client address within the window: far more than per account, since
/// one address is often many people (an office behind NAT, a bastion, a CI runner) and one
/// stale password must not lock all of them out; still few enough that one address cannot
/// try a password list against many accounts.
pub const MAX_ADDRESS_ATTEMPTS: u32 = 50;

/// The attempts a key allows.
fn allowed(key: &str) -> u32 {
    if key.starts_with("addr:") {
        MAX_ADDRESS_ATTEMPTS
    } else {
        MAX_ACCOUNT_ATTEMPTS
    }
}

/// The most keys remembered. A flood of made-up usernames from many addresses must not grow
/// the table without bound; when it is full, counts below the limit are forgotten before locks.
const MAX_KEYS: usize = 65_536;

/// The key a username is counted under: what the account lookup matches (surrounding spaces
/// ignored, ASCII case folded, as SQLite's `NOCASE` does), so `"Admin "` counts for `admin`.
pub fn username_key(username: &str) -> String {
    format!("user:{}", username.trim().to_ascii_lowercase())
}

fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

#[derive(Debug)]
pub struct SignInThrottle {
    window: Duration,
    max_keys: usize,
    /// Per key: attempts not yet forgiven, and when the first of them was made.
    attempts: HashMap<String, (u32, Instant)>,
}

/// One counted attempt, to hand back when it succeeds.
#[derive(Debug)]
#[must_use = "a successful attempt must be reported with `succeeded`"]
pub struct Attempt {
    user: String,
    address: Option<String>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), MAX_KEYS)
    }
}

impl SignInThrottle {
    pub fn new(window: Duration, max_keys: usize) -> Self {
        Self {
            window,
            max_keys,
            attempts: HashMap::new(),
        }
    }

    /// Counts an attempt for `username` from `address`, or `Err(wait)` while either has used up
    /// its attempts (and then nothing is counted).
    pub fn attempt(
        &mut self,
        username: &str,
        address: Option<&str>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let attempt = Attempt {
            user: username_key(username),
            address: address.filter(|a| !a.is_empty()).map(address_key),
        };
        let keys = || std::iter::once(&attempt.user).chain(&attempt.address);
        let window = self.window;
        let wait = keys()
            .filter_map(|key| Some((key, self.attempts.get(key)?)))
            .filter(|(key, (count, since))| {
                *count >= allowed(key) && now.duration_since(*since) < window
            })
            .map(|(_, (_, since))| window.saturating_sub(now.duration_since(*since)))
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in keys() {
            if !self.attempts.contains_key(key) {
                self.make_room(now);
            }
            let entry = self.attempts.entry(key.clone()).or_insert((0, now));
            if now.duration_since(entry.1) >= window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(attempt)
    }

    /// The password was right: the account's count is cleared, and the address gets back only
    /// this attempt, so others' failed guesses from it still count (a person cannot guess four
    /// times, sign in to their own account, and start again).
    pub fn succeeded(&mut self, attempt: Attempt) {
        self.attempts.remove(&attempt.user);
        self.withdraw(Attempt {
            user: String::new(),
            address: attempt.address,
        });
    }

    /// The attempt was never judged (the server was too busy to check it): it does not count.
    pub fn withdraw(&mut self, attempt: Attempt) {
        for key in std::iter::once(attempt.user).chain(attempt.address) {
            if let Some(entry) = self.attempts.get_mut(&key) {
                entry.0 = entry.0.saturating_sub(1);
                if entry.0 == 0 {
                    self.attempts.remove(&key);
                }
            }
        }
    }

    fn make_room(&mut self, now: Instant) {
        if self.attempts.len() < self.max_keys {
            return;
        }
        let window = self.window;
        self.attempts
            .retain(|_, (_, since)| now.duration_since(*since) < window);
        if self.attempts.len() >= self.max_keys {
            self.attempts
                .retain(|key, (count, _)| *count >= allowed(key));
        }
        if self.attempts.len() >= self.max_keys {
            // Every key is locked: the oldest lock is the nearest to ending anyway.
            if let Some(oldest) = self
                .attempts
                .iter()
                .min_by_key(|(_, (_, since))| *since)
                .map(|(key, _)| key.clone())
            {
                self.attempts.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> SignInThrottle {
        SignInThrottle::new(Duration::from_secs(60), 1000)
    }

    #[test]
    fn five_attempts_lock_the_account_until_the_window_passes() {
        let mut throttle = throttle();
        let start = Instant::now();
        for _ in 0..5 {
            let _ = throttle
                .attempt("alice", Some("10.0.0.1"), start)
                .expect("allowed");
        }
        let wait = throttle
            .attempt("alice", None, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            throttle
                .attempt("alice", None, start + Duration::from_secs(61))
                .is_ok()
        );
    }

    /// Used to: five failed logins from one address (one stale password on a bastion, an
    /// office NAT, a CI runner) locked every account's logins from it.
    #[test]
    fn one_accounts_guesses_leave_the_address_to_everyone_else_until_its_own_ceiling() {
        let mut throttle = throttle();
        let now = Instant::now();
        for _ in 0..5 {
            let _ = throttle.attempt("stale", Some("10.0.0.1"), now).unwrap();
        }
        assert!(throttle.attempt("stale", Some("10.0.0.1"), now).is_err());
        assert!(
            throttle.attempt("colleague", Some("10.0.0.1"), now).is_ok(),
            "the address is not locked by one account's guesses"
        );
        // A password list tried across accounts from one address stops at its ceiling.
        for n in 0..(MAX_ADDRESS_ATTEMPTS - 6) {
            let _ = throttle
                .attempt(&format!("user{n}"), Some("10.0.0.1"), now)
                .expect("under the address's ceiling");
        }
        assert!(throttle.attempt("another", Some("10.0.0.1"), now).is_err());
        assert!(throttle.attempt("another", Some("10.0.0.2"), now).is_ok());
    }

    #[test]
    fn spaces_and_case_do_not_make_a_fresh_key_for_the_same_account() {
        let mut throttle = throttle();
        let now = Instant::now();
        for name in ["admin", "Admin", "admin ", " ADMIN", "aDmIn\t"] {
            let _ = throttle.attempt(name, None, now).expect("allowed");
        }
        assert!(throttle.attempt("admin  ", None, now).is_err());
    }

    #[test]
    fn signing_in_to_ones_own_account_does_not_forgive_the_addresss_guesses() {
        let mut throttle = throttle();
        let now = Instant::now();
        for n in 0..(MAX_ADDRESS_ATTEMPTS - 1) {
            let _ = throttle
                .attempt(&format!("victim{n}"), Some("10.0.0.9"), now)
                .unwrap();
        }
        let own = throttle.attempt("mallory", Some("10.0.0.9"), now).unwrap();
        throttle.succeeded(own);
        let _ = throttle
            .attempt("victim", Some("10.0.0.9"), now)
            .expect("the last guess the address has");
        assert!(throttle.attempt("victim2", Some("10.0.0.9"), now).is_err());
    }

    #[test]
    fn a_success_clears_the_accounts_count() {
        let mut throttle = throttle();
        let now = Instant::now();
        for _ in 0..4 {
            let _ = throttle.attempt("alice", None, now).unwrap();
        }
        let ok = throttle.attempt("alice", None, now).unwrap();
        throttle.succeeded(ok);
        for _ in 0..5 {
            let _ = throttle.attempt("alice", None, now).expect("a fresh count");
        }
    }

    #[test]
    fn the_table_stays_bounded_and_keeps_its_locks_longest() {
        let mut throttle = SignInThrottle::new(Duration::from_secs(60), 100);
        let now = Instant::now();
        for _ in 0..5 {
            let _ = throttle.attempt("locked", None, now).unwrap();
        }
        for i in 0..10_000 {
            let _ = throttle.attempt(&format!("user{i}"), None, now).unwrap();
            assert!(throttle.attempts.len() <= 100);
        }
        assert!(throttle.attempt("locked", None, now).is_err());
    }
}
