//! The ground both web faces stand on: the state every request reaches, the settings they
//! share, and the session cookie. Server only.
//!
//! It sits below the REST API (`api`) and the Leptos face (`app`) and above the core, so
//! neither face imports the other or `server`; `server` only assembles these at start-up.

pub mod session_cookie;
pub mod state;

pub use state::{AppState, AppStateParts, Settings};
