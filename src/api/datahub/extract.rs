//! What every Data Hub handler reads: the caller (a bearer token), the path parameters and a
//! JSON body, each refused with Data Hub's error body.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::Value;

use super::error::SdsError;
use crate::core::access::Actor;
use crate::core::store::Store;

/// The caller, from `Authorization: Bearer <token>`: a Sitebook API token or an access token
/// the token endpoint issued.
pub struct Caller(pub Actor);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Store: FromRef<S>,
{
    type Rejection = SdsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| {
                h.get(..7)
                    .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
                    .map(|_| h[7..].trim())
            })
            .ok_or_else(SdsError::unauthorized)?;
        let request_id = parts
            .headers
            .get(crate::api::request_id::X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Store::from_ref(state)
            .authenticate_bearer(secret, request_id)
            .await
            .map(Caller)
            .map_err(|_| SdsError::unauthorized())
    }
}

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

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = SdsError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| SdsError::bad_request(format!("The request body cannot be read: {e}")))?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| SdsError::bad_request(format!("The request body is not valid JSON: {e}")))
    }
}
