//! Server-side helpers shared by the server functions.

use axum::http::StatusCode;
use leptos::prelude::use_context;

use super::FnError;
use crate::app::response_status;
use crate::core::CoreError;
use crate::core::access::{Actor, CreatorType, Role, SiteScope};
use crate::core::store::Store;
use crate::core::tenancy::TenantId;
use crate::server::AppState;

/// The store, from the state `leptos_routes_with_context` provides to every server function.
pub fn store() -> Result<Store, FnError> {
    use_context::<AppState>()
        .map(|state| state.store)
        .ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            FnError::Internal
        })
}

/// Who the web UI acts as. Sign-in is not built yet (it is the web UI issue's first item), so
/// until then every browser acts as one built-in manager of the default tenant, recorded as
/// `web` in the change log. The REST API already authenticates every request.
pub fn actor() -> Actor {
    Actor {
        tenant: TenantId::default_tenant(),
        id: "web".to_owned(),
        creator_type: CreatorType::User,
        role: Role::Manager,
        sites: SiteScope::All,
        request_id: None,
    }
}

/// Maps a core error to the server function's error and sets the matching HTTP status, so the
/// endpoint also speaks plain HTTP to scripts and tests.
pub fn fail(error: CoreError) -> FnError {
    let (status, mapped) = match error {
        CoreError::Invalid(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FnError::Invalid(e.to_string()),
        ),
        e @ CoreError::NotFound { .. } => (StatusCode::NOT_FOUND, FnError::NotFound(e.to_string())),
        CoreError::Conflict(m) => (StatusCode::CONFLICT, FnError::Conflict(m)),
        e @ CoreError::PreconditionFailed { .. } => (
            StatusCode::PRECONDITION_FAILED,
            FnError::Conflict(e.to_string()),
        ),
        CoreError::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, FnError::Denied(m.to_owned())),
        CoreError::Forbidden(m) => (StatusCode::FORBIDDEN, FnError::Denied(m)),
        CoreError::Storage(m) => {
            tracing::error!("storage failure in a server function: {m}");
            (StatusCode::INTERNAL_SERVER_ERROR, FnError::Internal)
        }
    };
    response_status::server_fn_failed(status.as_u16());
    mapped
}

/// 128 random bits for a new id.
pub fn random_id_bits() -> u128 {
    crate::server::random::id_bits()
}
