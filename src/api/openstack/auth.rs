//! The OpenStack faces at the request edge (`web::edge`): their clients send the token in
//! `X-Auth-Token` (or `Authorization: Bearer`), holding a token the identity face issued or a
//! Sitebook API token; Nova refuses in its faults, Keystone in its error body.

use axum::http::HeaderMap;

use super::compute::Fault;
use super::identity::IdentityError;
use crate::core::change_sets::Via;
use crate::web::edge::{self, Face, Refusal};

/// Nova's compute API.
pub struct Nova;

impl Face for Nova {
    type Refused = Fault;
    const VIA: Via = Via::Nova;

    fn secret(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
        edge::bearer::auth_token(headers)
    }
}

/// Keystone's identity API.
pub struct Keystone;

impl Face for Keystone {
    type Refused = IdentityError;
    const VIA: Via = Via::Nova;

    fn secret(headers: &HeaderMap) -> Result<Option<&str>, Refusal> {
        edge::bearer::auth_token(headers)
    }
}

/// Any caller of the compute API.
pub type Caller = edge::Authenticated<Nova>;
/// A caller who may write (managers and admins), known before the body is read.
pub type Writer = edge::Authenticated<Nova, edge::Writers>;
/// A caller of the identity API.
pub type IdentityCaller = edge::Authenticated<Keystone>;
