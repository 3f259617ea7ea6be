//! Lets pages and server functions choose the HTTP status of the response being built on the
//! server. In the browser there is no response to change, so these do nothing.

/// Marks the page being rendered as 404 Not Found.
pub fn not_found() {
    #[cfg(feature = "ssr")]
    server::set(404);
}

/// Gives a failed server-function call an error status (400, 409, 422, ...) so scripts and the
/// hydrated client see plain HTTP semantics. A browser's plain form post (no JavaScript) is left
/// alone: Leptos answers it with a redirect back to the form carrying the error, and a status
/// set here would replace that redirect.
pub fn server_fn_failed(_code: u16) {
    #[cfg(feature = "ssr")]
    if !server::is_plain_form_post() {
        server::set(_code);
    }
}

#[cfg(feature = "ssr")]
mod server {
    use axum::http::{StatusCode, header, request::Parts};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    pub fn set(code: u16) {
        if let (Some(response), Ok(status)) =
            (use_context::<ResponseOptions>(), StatusCode::from_u16(code))
        {
            response.set_status(status);
        }
    }

    pub fn is_plain_form_post() -> bool {
        use_context::<Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(header::ACCEPT)?
                    .to_str()
                    .ok()
                    .map(str::to_owned)
            })
            .is_some_and(|accept| accept.contains("text/html"))
    }
}
