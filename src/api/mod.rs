//! The REST faces. Each dialect parses its requests into core calls and maps core errors to
//! its own error body; none of them holds a rule of its own.
//!
//! - [`v1`]: the native API under `/api/v1`, which speaks the Altostrat Metadata API.
//! - [`openstack`]: Nova's compute API under `/openstack/compute` (server metadata) and
//!   Keystone's identity API under `/openstack/identity` (login).
//! - [`datahub`]: AVEVA Data Hub's SDS API under `/datahub` (streams, their metadata and tags).

pub mod datahub;
pub mod openstack;
pub mod v1;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::any;
use tower::ServiceBuilder;

use crate::store::Store;
use crate::web::Settings;
use v1::ApiState;
use v1::error::ApiError;

/// Everything under `/api`, at full paths and with its state attached, for the app to merge. Unknown paths and methods get
/// the JSON error body too, never the web UI's HTML, and every response carries an
/// `x-request-id` (the client's, or a new one) that the change records keep.
///
/// Each version's routes carry their full paths rather than being nested, and the layers are
/// one layer of three; both measured, see `docs/performance.md`.
pub fn router<S>(store: Store, settings: Settings) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let state = ApiState::new(store, settings);
    let errors = state.clone();
    Router::new()
        .merge(v1::router())
        .route("/api", any(route_missing))
        .route("/api/", any(route_missing))
        .route("/api/{*rest}", any(route_missing))
        .layer(
            ServiceBuilder::new()
                .layer(crate::web::edge::request_id::RequestIdLayer)
                .map_response(move |response| v1::error::render(&errors.settings, response))
                .layer(DefaultBodyLimit::max(v1::SMALL_JSON_BODY)),
        )
        .with_state(state)
}

async fn route_missing() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_missing",
        "No API endpoint has this path; see /api/v1/openapi.json for the list.",
    )
}
