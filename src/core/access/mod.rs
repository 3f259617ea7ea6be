//! Who may do what: roles, the acting principal and the permission rules, in one place for
//! every face (REST, server functions, CLI).

mod actor;
mod csrf;
mod issued;
mod principals;
mod role;
#[cfg(feature = "ssr")]
mod throttle;
mod username;

#[cfg(feature = "ssr")]
pub mod credentials;

pub use actor::{Actor, SiteScope};
pub use csrf::csrf_matches;
pub use issued::{
    ACCESS_TOKEN_LIFETIME_SECONDS, AccessCredential, AccessPrincipal, AccessToken, UserRef,
    access_expiry,
};
pub use principals::{ApiToken, Grant, MAX_TOKEN_DAYS, TokenLifetime, User};
pub use role::{CreatorType, Role};
#[cfg(feature = "ssr")]
pub use throttle::{Attempt, SignInThrottle};
pub use username::Username;

/// How long a web sign-in lasts before the person must sign in again.
pub const SESSION_HOURS: i64 = 12;

/// How the ids of users and API tokens begin (`usr_…`, `tok_…`): their role and grant
/// changes are recorded under these ids.
pub const PRINCIPAL_ID_PREFIXES: [&str; 2] = ["usr_", "tok_"];
