//! Slows down password guessing: after a few failed sign-ins for one username (or from one
//! address) within a window, further attempts are refused until the window has passed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Failures allowed per key within [`LoginThrottle::window`].
const MAX_FAILURES: u32 = 5;

#[derive(Debug)]
pub struct LoginThrottle {
    window: Duration,
    failures: HashMap<String, (u32, Instant)>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60))
    }
}

impl LoginThrottle {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            failures: HashMap::new(),
        }
    }

    /// `Err(wait)` while any of the keys (username, address) has used up its attempts.
    pub fn check(&mut self, keys: &[&str], now: Instant) -> Result<(), Duration> {
        self.forget_old(now);
        let wait = keys
            .iter()
            .filter_map(|key| self.failures.get(*key))
            .filter(|(count, _)| *count >= MAX_FAILURES)
            .map(|(_, since)| self.window.saturating_sub(now.duration_since(*since)))
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn failed(&mut self, keys: &[&str], now: Instant) {
        for key in keys {
            let entry = self.failures.entry((*key).to_owned()).or_insert((0, now));
            entry.0 += 1;
        }
    }

    pub fn succeeded(&mut self, keys: &[&str]) {
        for key in keys {
            self.failures.remove(*key);
        }
    }

    fn forget_old(&mut self, now: Instant) {
        let window = self.window;
        self.failures
            .retain(|_, (_, since)| now.duration_since(*since) < window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_key_until_the_window_passes() {
        let mut throttle = LoginThrottle::new(Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..5 {
            assert!(throttle.check(&["alice", "10.0.0.1"], start).is_ok());
            throttle.failed(&["alice", "10.0.0.1"], start);
        }
        let wait = throttle
            .check(&["alice"], start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            throttle.check(&["10.0.0.1"], start).is_err(),
            "the address is locked too"
        );
        assert!(
            throttle.check(&["bob", "10.0.0.2"], start).is_ok(),
            "others are not"
        );
        assert!(
            throttle
                .check(&["alice"], start + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn a_success_clears_the_count() {
        let mut throttle = LoginThrottle::new(Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..4 {
            throttle.failed(&["alice"], now);
        }
        throttle.succeeded(&["alice"]);
        throttle.failed(&["alice"], now);
        assert!(throttle.check(&["alice"], now).is_ok());
    }
}
