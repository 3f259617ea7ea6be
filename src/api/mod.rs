//! The REST faces. Each dialect parses its requests into core calls and maps core errors to
//! its own error body; none of them holds a rule of its own.
//!
//! - [`v1`]: the native API under `/api/v1`, which speaks the Altostrat Metadata API.

pub mod v1;

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use crate::core::store::Store;
use v1::ApiSettings;
use v1::error::ApiError;

/// Everything under `/api`. Unknown paths and methods get the JSON error body too, never the
/// web UI's HTML, and every response carries an `x-request-id` (the client's, or a new one)
/// that the change records keep.
pub fn router<S>(settings: ApiSettings) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Store: FromRef<S>,
    ApiSettings: FromRef<S>,
{
    Router::new()
        .nest("/v1", v1::router())
        .fallback(route_missing)
        .layer(from_fn_with_state(settings, v1::error::render))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

async fn route_missing() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_missing",
        "No API endpoint has this path; see /api/v1/openapi.json for the list.",
    )
}
