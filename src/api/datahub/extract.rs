//! What every Data Hub handler reads, through the request edge (`web::edge`): the caller (a
//! bearer token), the path parameters and a JSON body, each refused with Data Hub's error body.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use serde_json::Value;

use super::error::SdsError;
use crate::web::{Settings, edge};

/// Data Hub's SDS API at the edge: `Authorization: Bearer`, refusals in its error body.
pub struct Sds;

impl edge::Face for Sds {
    type Refused = SdsError;
    const VIA: crate::core::change_sets::Via = crate::core::change_sets::Via::DataHub;
}

/// Any caller: a Sitebook API token or an access token the token endpoint issued.
pub type Caller = edge::Authenticated<Sds>;
/// A caller who may write (managers and admins), known before the body is read.
pub type Writer = edge::Authenticated<Sds, edge::Writers>;

/// Path parameters, percent-decoded, with Data Hub's error body when they cannot be read.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(SdsError))]
pub struct DhPath<T>(pub T);

impl From<PathRejection> for SdsError {
    fn from(rejection: PathRejection) -> Self {
        SdsError::bad_request(format!("The request path cannot be read: {rejection}"))
    }
}

/// A JSON body, whatever the `Content-Type` says: the Python library sends
/// `application/json` on every call, and its JSON Patch too.
pub struct JsonBody(pub Value);

impl<S> FromRequest<S> for JsonBody
where
    S: Send + Sync,
    Settings: FromRef<S>,
{
    type Rejection = SdsError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = edge::Body::<Sds>::from_request(request, state).await?;
        serde_json::from_slice(&body.bytes)
            .map(JsonBody)
            .map_err(|e| SdsError::bad_request(format!("The request body is not valid JSON: {e}")))
    }
}
