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
    refuse_sign_in_from_elsewhere(&state.settings)?;
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

/// Refuses a sign-in another site's page sent (login CSRF; see
/// `core::access::sign_in_from_elsewhere`).
#[cfg(feature = "ssr")]
fn refuse_sign_in_from_elsewhere(settings: &crate::web::Settings) -> Result<(), FnError> {
    use crate::core::access::sign_in_from_elsewhere;
    use axum::http::header;

    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return Ok(());
    };
    let text = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if sign_in_from_elsewhere(
        text("sec-fetch-site"),
        text(header::ORIGIN.as_str()),
        text(header::HOST.as_str()),
        &settings.public_url,
    ) {
        return Err(super::server_context::fail(
            crate::core::CoreError::Forbidden(
                "Sign in from Sitebook's own sign-in page: this request came from another site."
                    .to_owned(),
            ),
        ));
    }
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
    let secure = super::server_context::app_state()?.settings.is_https();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(value) =
            axum::http::HeaderValue::from_str(&crate::web::session_cookie::clear(secure))
    {
        response.append_header(axum::http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect("/login");
    Ok(())
}
