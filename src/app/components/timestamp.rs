use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use leptos::prelude::*;

/// A point in time, in UTC so server and browser render the same text (hydration needs that).
#[component]
pub fn Timestamp(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339_opts(SecondsFormat::Secs, true)>{shown(at)}</time> }
}

/// "2026-11-22 09:05 UTC". Formatted field by field: chrono's `format` parses its pattern on
/// every call, which showed in profiles of pages with hundreds of timestamps.
fn shown(at: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_the_same_as_chrono_formats_them() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:59.9Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(shown(at), at.format("%Y-%m-%d %H:%M UTC").to_string());
        assert_eq!(shown(at), "2026-01-02 03:04 UTC");
    }
}
