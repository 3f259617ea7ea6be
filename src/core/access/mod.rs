//! Who may do what: roles, the acting principal and the permission rules, in one place for
//! every face (REST, server functions, CLI).

mod actor;
#[cfg(feature = "ssr")]
mod csrf;
mod issued;
mod members;
mod principals;
mod role;
mod session_life;
#[cfg(feature = "ssr")]
mod throttle;
pub mod type_policy;
mod username;

#[cfg(feature = "ssr")]
pub mod credentials;

pub use actor::{Actor, SiteScope, UNPLACED_AMONG_SITES};
#[cfg(feature = "ssr")]
pub use csrf::{csrf_matches, sign_in_from_elsewhere};
pub use issued::{
    ACCESS_TOKEN_LIFETIME_SECONDS, APPLICATION_CREDENTIAL_SCOPE, AccessCredential, AccessPrincipal,
    AccessToken, UserRef, access_expiry,
};
pub use members::{Member, require_member_viewer};
pub use principals::{ApiToken, Grant, MAX_TOKEN_DAYS, TokenLifetime, User};
pub use role::{CreatorType, Role};
pub use session_life::{
    SESSION_HOURS, SESSION_IDLE_MINUTES, idle_deadline, session_open, worth_noting,
};
#[cfg(feature = "ssr")]
pub use throttle::{Attempt, SignInThrottle};
pub use username::Username;

/// How the ids of users and API tokens begin (`usr_…`, `tok_…`): their role and grant
/// changes are recorded under these ids.
pub const PRINCIPAL_ID_PREFIXES: [&str; 2] = ["usr_", "tok_"];
