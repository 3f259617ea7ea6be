//! The headers that tell a browser what a response may do: which scripts a page may run, that
//! no other site may frame it, what the `Referer` leaks, and never to guess a content type.
//!
//! Pages get a policy of their own with the nonce Leptos put on its hydration scripts
//! ([`page_policy`]); every other response (JSON, downloads, static files) gets
//! [`LOCKED_DOWN`], which lets nothing run should a browser ever be talked into rendering it.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

/// The policy of everything but pages.
pub const LOCKED_DOWN: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
                               form-action 'none'";

/// A page's policy. Scripts run only when they carry the response's `nonce` (Leptos's
/// hydration script) or were loaded by one that does (`'strict-dynamic'`: the client module
/// it imports), and the client's WebAssembly may compile. Style sheets come from Sitebook
/// only; `style` attributes are allowed because tag chips set their colour in one (a CSS
/// custom property: attributes cannot run script). Nothing may frame a page, and forms post
/// only back to Sitebook.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// A page carries its reader's data and the session's CSRF token: kept by the browser only,
/// and checked again before reuse.
pub const PAGE_CACHE: &str = "private, no-cache";

/// Adds the headers every response carries, where the response did not choose its own.
pub fn add_defaults(headers: &mut HeaderMap) {
    let defaults: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, LOCKED_DOWN),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Links to other sites must not carry a site page's path (its id) with them.
        (header::REFERRER_POLICY, "same-origin"),
        // For browsers older than `frame-ancestors`.
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_keeps_its_own_policy_and_gains_the_rest() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
        add_defaults(&mut headers);
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "sandbox");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn a_page_runs_only_scripts_with_its_nonce() {
        let policy = page_policy("abc");
        assert!(policy.contains("script-src 'nonce-abc' 'strict-dynamic'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        let scripts = policy
            .split(';')
            .find(|directive| directive.trim_start().starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"));
    }
}
