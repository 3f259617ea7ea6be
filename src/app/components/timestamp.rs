use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A point in time, in UTC so server and browser render the same text (hydration needs that).
#[component]
pub fn Timestamp(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339()>{at.format("%Y-%m-%d %H:%M UTC").to_string()}</time> }
}
