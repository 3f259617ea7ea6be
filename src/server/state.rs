use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::api::v1::ApiSettings;
use crate::core::store::Store;

/// What every request can reach: axum handlers through `State`, server functions through
/// Leptos context (`leptos_routes_with_context` provides it to both pages and server functions).
///
/// Every handler call clones it, so each part is behind a reference count.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    #[from_ref(skip)]
    pub leptos_options: std::sync::Arc<LeptosOptions>,
    pub store: Store,
    pub api: ApiSettings,
    /// Failed sign-ins per username and address, shared by every request.
    pub login_throttle: std::sync::Arc<parking_lot::Mutex<crate::core::access::LoginThrottle>>,
}

/// Only the Leptos integration asks for the options, and it wants them by value.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}
