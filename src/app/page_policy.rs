//! Gives the page being rendered its Content-Security-Policy, naming the nonce Leptos put on
//! its hydration scripts, and keeps it out of shared caches. In the browser there is no
//! response to change, so this does nothing.

pub fn apply() {
    #[cfg(feature = "ssr")]
    server::apply();
}

#[cfg(feature = "ssr")]
mod server {
    use axum::http::{HeaderValue, header};
    use leptos::nonce::use_nonce;
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use crate::web::security_headers::{PAGE_CACHE, page_policy};

    /// Without a nonce (never expected) the page keeps the locked-down policy every response
    /// gets: it would show without scripts rather than run unchecked ones.
    pub fn apply() {
        let Some(response) = use_context::<ResponseOptions>() else {
            return;
        };
        if let Some(policy) =
            use_nonce().and_then(|nonce| HeaderValue::from_str(&page_policy(&nonce)).ok())
        {
            response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
        }
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static(PAGE_CACHE));
    }
}
