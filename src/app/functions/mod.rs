//! Server functions: the browser's calls into the core. Each one parses its arguments into core
//! types, calls the core and maps its errors; no rule lives here.

mod error;
pub mod session;
pub mod sites;

#[cfg(feature = "ssr")]
mod server_context;

pub use error::FnError;
