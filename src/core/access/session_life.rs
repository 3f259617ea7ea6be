//! How long a web sign-in lives: at most [`SESSION_HOURS`] from signing in, and no longer
//! than [`SESSION_IDLE_MINUTES`] after its last use, so a browser left signed in on a shared
//! desk does not stay a way in for the rest of the day.

use chrono::{DateTime, Duration, Utc};

/// How long a web sign-in lasts before the person must sign in again.
pub const SESSION_HOURS: i64 = 12;

/// How long a session lasts unused.
pub const SESSION_IDLE_MINUTES: i64 = 120;

/// How stale the noted last use may get before a request notes it again: noting every use
/// would make each page view a write.
pub const SEEN_RESOLUTION: Duration = Duration::seconds(60);

/// Whether a session that expires at `expires_at` and was last used at `last_seen` is still
/// open at `now`.
pub fn session_open(
    expires_at: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    now < expires_at && now < idle_deadline(last_seen)
}

/// When a session last used at `last_seen` ends if it stays unused.
pub fn idle_deadline(last_seen: DateTime<Utc>) -> DateTime<Utc> {
    last_seen + Duration::minutes(SESSION_IDLE_MINUTES)
}

/// Whether a use at `now` is worth noting, the last one noted being `last_seen`.
pub fn worth_noting(last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last_seen >= SEEN_RESOLUTION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_at_its_expiry_or_after_two_idle_hours_whichever_is_first() {
        let start = DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let expires = start + Duration::hours(SESSION_HOURS);
        assert!(session_open(expires, start, start + Duration::minutes(119)));
        assert!(!session_open(
            expires,
            start,
            start + Duration::minutes(120)
        ));
        // Used all day, it still ends at its expiry.
        let just_used = expires - Duration::minutes(1);
        assert!(!session_open(expires, just_used, expires));
    }

    #[test]
    fn a_use_is_noted_at_most_once_a_minute() {
        let at = Utc::now();
        assert!(!worth_noting(at, at + Duration::seconds(59)));
        assert!(worth_noting(at, at + Duration::seconds(60)));
    }
}
