//! Server functions: the browser's calls into the core. Each one parses its arguments into core
//! types, calls the core and maps its errors; no rule lives here.

pub mod change_sets;
mod error;
pub mod grants;
pub mod metadata;
pub mod session;
pub mod site_overview;
pub mod sites;
pub mod tags;
pub mod tokens;
pub mod users;

#[cfg(feature = "ssr")]
mod server_context;

pub use error::FnError;
