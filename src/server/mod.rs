//! The axum server: configuration, shared state and start-up. Compiled only with `ssr`.

pub mod commands;
pub mod compressible;
pub mod config;
pub mod random;
pub mod session_cookie;
pub mod startup;
pub mod state;

pub use config::Config;
pub use state::AppState;
