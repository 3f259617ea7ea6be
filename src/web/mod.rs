//! The ground both web faces stand on: the state every request reaches, the settings they
//! share, the session cookie, ETags, the HTTP status of a core error, and the headers that
//! tell browsers what a response may do. Server only.
//!
//! It sits below the REST API (`api`) and the Leptos face (`app`) and above the core, so
//! neither face imports the other or `server`; `server` only assembles these at start-up.

pub mod body_cache;
pub mod edge;
pub mod etag;
pub mod health;
pub mod security_headers;
pub mod session_cookie;
pub mod state;
pub mod status;

pub use state::{AppState, AppStateParts, Settings};
