use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::core::metadata::MetadataLimits;
use crate::core::store::Store;

/// The settings both faces read, taken from the configuration at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The address clients reach this server at, without a trailing slash.
    pub public_url: Arc<str>,
    pub limits: MetadataLimits,
    /// The largest file an upload may be.
    pub max_file_bytes: u64,
    /// Nova's `metadata_items` quota: the most items a server's metadata may hold through the
    /// compute API.
    pub nova_metadata_items: usize,
}

impl Settings {
    pub fn new(public_url: &str, limits: MetadataLimits, max_file_bytes: u64) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').into(),
            limits,
            max_file_bytes,
            nova_metadata_items: crate::core::openstack::DEFAULT_METADATA_ITEMS,
        }
    }

    /// Whether browsers reach the server over https, where a cookie without `Secure` would
    /// also be sent over plain http.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// What every request of the web UI can reach: pages and server functions through Leptos
/// context (`leptos_routes_with_context` provides it to both). The REST API keeps a state of
/// its own (`api::ApiState`), built from the same store and [`Settings`].
///
/// One reference count rather than one per part; see `docs/performance.md`.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppStateParts>);

#[derive(Debug)]
pub struct AppStateParts {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub settings: Settings,
    /// Failed sign-ins per username and address, shared by every request.
    pub login_throttle: parking_lot::Mutex<crate::core::access::LoginThrottle>,
}

impl AppState {
    pub fn new(parts: AppStateParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateParts;

    fn deref(&self) -> &AppStateParts {
        &self.0
    }
}

/// Only the Leptos integration asks for the options, and it wants them by value.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_loses_its_trailing_slash_and_says_whether_it_is_https() {
        let limits = MetadataLimits { max_keys: 1 };
        let settings = Settings::new("https://sitebook.example/", limits, 1);
        assert_eq!(&*settings.public_url, "https://sitebook.example");
        assert!(settings.is_https());
        assert!(!Settings::new("http://127.0.0.1:3000", limits, 1).is_https());
    }
}
