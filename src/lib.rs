//! Sitebook: a self-hosted metadata catalogue for network and IT resources.
//!
//! - [`core`]: the domain, plain Rust (types and rules); no HTTP, no Leptos, no SQL.
//! - [`store`]: the use cases over storage: permissions, rules and change records applied to
//!   SQLite through sqlx and, on the metadata writer's thread, rusqlite (server only).
//! - [`api`]: the REST faces (server only).
//! - [`app`]: the Leptos face: pages, components and the server functions they call.
//! - [`web`]: what both web faces share below them: state, settings, the session cookie
//!   (server only).
//! - [`server`]: assembly: axum start-up, configuration and the CLI commands (server only).

// Leptos views are deeply nested types; the site page goes past the default limit of 128.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod api;
pub mod app;
pub mod core;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod web;

/// The browser entry point: attaches the WASM client to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
