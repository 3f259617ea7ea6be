//! Who may do what: roles, the acting principal and the permission rules, in one place for
//! every face (REST, server functions, CLI).

mod actor;
mod role;
mod username;

#[cfg(feature = "ssr")]
pub mod credentials;

pub use actor::{Actor, SiteScope};
pub use role::{CreatorType, Role};
pub use username::Username;
