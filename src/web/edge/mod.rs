//! The request edge every face stands on: how a request's credentials, id, body and
//! preconditions are read, bounded and refused, once for the native API, Nova, Keystone, Data
//! Hub and whatever face comes next. A face adds only its wording: it names its error body
//! ([`Face::Refused`], built from a neutral [`Refusal`]) and where its clients put their token
//! ([`Face::secret`]); everything that bounds what a request may cost lives here.
//!
//! - [`bearer`]: the secret from `Authorization: Bearer` (the scheme in any case, RFC 9110
//!   11.1) or OpenStack's `X-Auth-Token`.
//! - [`caller`]: the caller, with the role a route needs known before its body is read.
//! - [`body`]: a body read in one of a few turns shared by every face, under the route's size
//!   limit and an arrival deadline.
//! - [`precondition`]: `If-Match` as a precondition (an empty one matches nothing).
//! - [`request_id`]: the request's id, kept by the change records it makes.
//! - [`refusal`]: what the edge refuses, before any face words it.

pub mod bearer;
pub mod body;
pub mod caller;
pub mod precondition;
pub mod refusal;
pub mod request_id;

pub use body::{Body, BodyTurns};
pub use caller::{Admins, Anyone, Authenticated, Requirement, Writers};
pub use refusal::Refusal;

use axum::http::HeaderMap;
use axum::response::IntoResponse;

/// A dialect the server speaks: the error body its refusals take and where its clients send
/// their token. The marker types implementing it carry no data.
pub trait Face: Send + Sync + 'static {
    /// The face's error body; every refusal of the edge becomes one.
    type Refused: From<Refusal> + IntoResponse + Send + 'static;

    /// The door its requests' change sets are recorded as coming through.
    const VIA: crate::core::change_sets::Via;

    /// The token this face's clients send, if any: `Ok(None)` when they sent none,
    /// `Err` when they sent something that is not a token.
    fn secret(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
        bearer::bearer(headers)
    }
}
