//! The domain: what Sitebook knows and the rules it keeps.
//!
//! Nothing in here knows about HTTP or Leptos. The faces (server functions, the REST dialects
//! and the CLI) parse their input into these types, call the core and map its errors.

pub mod access;
pub mod change_sets;
pub mod changes;
pub mod error;
pub mod files;
pub mod import;
pub mod listing;
pub mod metadata;
pub mod openstack;
pub mod resources;
pub mod search;
pub mod streams;
pub mod tags;
pub mod tenancy;
mod validated_string;

#[cfg(feature = "ssr")]
pub mod random;

pub use error::CoreError;
