use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;

/// The signed-in person, as pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
    pub role: String,
    /// Sent back with every state-changing form.
    pub csrf: String,
}

/// Who is signed in, or `None`.
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SignedInUser>, FnError> {
    use super::server_context::{session_secret, store};

    let Some(secret) = session_secret() else {
        return Ok(None);
    };
    Ok(store()?
        .session(&secret)
        .await
        .ok()
        .map(|session| SignedInUser {
            username: session.username,
            role: session.actor.role.as_str().to_owned(),
            csrf: session.csrf_token,
        }))
}

/// Checks a username and password, sets the session cookie and goes to the site list.
#[server(prefix = "/rpc", endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<(), FnError> {
    use super::server_context::{app_state, client_address, fail};
    use crate::core::access::SESSION_HOURS;
    use crate::core::random;
    use crate::core::tenancy::TenantId;

    let state = app_state()?;
    let (secret, _) = state
        .store
        .sign_in(
            &TenantId::default_tenant(),
            &username,
            &password,
            client_address(&state.settings).as_deref(),
            random::secret(),
            random::secret(),
        )
        .await
        .map_err(fail)?;
    let cookie =
        crate::web::session_cookie::set(&secret, SESSION_HOURS * 3600, state.settings.is_https());
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) = axum::http::HeaderValue::from_str(&cookie)
    {
        response.append_header(axum::http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// Ends the session and clears the cookie.
#[server(prefix = "/rpc", endpoint = "sign_out")]
pub async fn sign_out(csrf: String) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, session_secret, store};

    actor_for_change(&csrf).await?;
    if let Some(secret) = session_secret() {
        store()?.sign_out(&secret).await.map_err(fail)?;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(
            axum::http::header::SET_COOKIE,
            axum::http::HeaderValue::from_static(crate::web::session_cookie::CLEAR),
        );
    }
    leptos_axum::redirect("/login");
    Ok(())
}
