//! Server-side helpers shared by the server functions.

use leptos::prelude::use_context;

use super::FnError;
use crate::app::response_status;
use crate::core::CoreError;
use crate::core::access::{Actor, csrf_matches};
use crate::store::{Session, Store};
use crate::web::{AppState, session_cookie, status};

/// The whole server state.
pub fn app_state() -> Result<AppState, FnError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        FnError::Internal
    })
}

/// The client's IP address, when the server knows it (for the sign-in throttle).
pub fn client_address(settings: &crate::web::Settings) -> Option<String> {
    settings.client_address(&use_context::<axum::http::request::Parts>()?)
}

/// The store, from the state `leptos_routes_with_context` provides to every server function.
pub fn store() -> Result<Store, FnError> {
    use_context::<AppState>()
        .map(|state| state.store.clone())
        .ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            FnError::Internal
        })
}

/// The secret in the request's session cookie, if any.
pub fn session_secret() -> Option<String> {
    let parts = use_context::<axum::http::request::Parts>()?;
    let secure = use_context::<AppState>()?.settings.is_https();
    session_cookie::secret(&parts.headers, secure).map(str::to_owned)
}

/// The signed-in person's session; a 401 "please sign in" when there is none.
pub async fn session() -> Result<Session, FnError> {
    let secret = session_secret()
        .ok_or(CoreError::Unauthenticated("Please sign in first."))
        .map_err(fail)?;
    store()?.session(&secret).await.map_err(fail)
}

/// Who the web UI acts as: the signed-in person.
pub async fn actor() -> Result<Actor, FnError> {
    Ok(session()
        .await?
        .actor
        .in_new_change_set(crate::core::change_sets::Via::Web))
}

/// Who the web UI acts as for a state-changing call, which must carry the session's CSRF token
/// (`core::access::csrf_matches`).
pub async fn actor_for_change(csrf: &str) -> Result<Actor, FnError> {
    let session = session().await?;
    if !csrf_matches(&session.csrf_token, Some(csrf)) {
        return Err(fail(CoreError::Forbidden(
            "This form is out of date; reload the page and try again.".to_owned(),
        )));
    }
    Ok(session
        .actor
        .in_new_change_set(crate::core::change_sets::Via::Web))
}

/// Maps a core error to the server function's error and sets its HTTP status (the REST API's,
/// from `web::status`), so the endpoint also speaks plain HTTP to scripts and tests.
pub fn fail(error: CoreError) -> FnError {
    response_status::server_fn_failed(status::of(&error).as_u16());
    match error {
        CoreError::Invalid(e) => FnError::Invalid(e.to_string()),
        e @ CoreError::NotFound { .. } => FnError::NotFound(e.to_string()),
        CoreError::Conflict(_, m) => FnError::Conflict(m),
        e @ CoreError::PreconditionFailed { .. } => FnError::Conflict(e.to_string()),
        CoreError::Unauthenticated(m) => FnError::Denied(m.to_owned()),
        CoreError::Forbidden(m) => FnError::Denied(m),
        e @ CoreError::TryLater { .. } => {
            if let Some((name, value)) = status::retry_after(&e)
                && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            {
                response.insert_header(name, value);
            }
            FnError::Denied(e.to_string())
        }
        CoreError::Storage(m) => {
            tracing::error!("storage failure in a server function: {m}");
            FnError::Internal
        }
        e @ (CoreError::StorageFull(_) | CoreError::WritesHalted(_)) => {
            tracing::error!("out of storage space in a server function: {e:?}");
            FnError::Unavailable(e.to_string())
        }
    }
}
