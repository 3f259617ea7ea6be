use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::api::v1::ApiSettings;
use crate::core::store::Store;

/// What every request can reach: axum handlers through `State`, server functions through
/// Leptos context (`leptos_routes_with_context` provides it to both pages and server functions).
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub api: ApiSettings,
    /// Failed sign-ins per username and address, shared by every request.
    pub login_throttle: std::sync::Arc<parking_lot::Mutex<crate::core::access::LoginThrottle>>,
}
