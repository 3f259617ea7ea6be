use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::api::v1::ApiSettings;
use crate::core::store::Store;

/// What every request can reach: axum handlers through `State`, server functions through
/// Leptos context (`leptos_routes_with_context` provides it to both pages and server functions).
///
/// Every handler call clones it, on both cores at once under load, so it is one reference
/// count rather than one per part: each count is a cache line the cores take from each other
/// on every clone and drop.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppStateParts>);

#[derive(Debug)]
pub struct AppStateParts {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub api: ApiSettings,
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

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for ApiSettings {
    fn from_ref(state: &AppState) -> Self {
        state.api.clone()
    }
}

/// Only the Leptos integration asks for the options, and it wants them by value.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
