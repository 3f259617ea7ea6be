//! Who is calling, for every OpenStack face: `X-Auth-Token` (as every OpenStack client sends
//! it) or `Authorization: Bearer`, holding a token issued by the identity face's login or a
//! Sitebook API token.

use axum::Json;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::core::access::Actor;
use crate::core::store::Store;

pub struct Caller(pub Actor);

/// A missing or unknown token. In OpenStack this answer comes from the token middleware in
/// front of Nova, with its own body, not a Nova fault; clients then log in again.
pub struct Unauthorized(&'static str);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": 401, "title": "Unauthorized", "message": self.0}});
        let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Keystone uri=\"/openstack/identity\""),
        );
        response
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Store: FromRef<S>,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let secret = header("x-auth-token")
            .or_else(|| {
                header(header::AUTHORIZATION.as_str()).and_then(|h| {
                    h.strip_prefix("Bearer ")
                        .or_else(|| h.strip_prefix("bearer "))
                })
            })
            .map(str::trim)
            .ok_or(Unauthorized(
                "The request you have made requires authentication.",
            ))?;
        let request_id = header(crate::api::request_id::X_REQUEST_ID.as_str()).map(str::to_owned);
        Store::from_ref(state)
            .authenticate_bearer(secret, request_id)
            .await
            .map(Caller)
            .map_err(|_| Unauthorized("The request you have made requires authentication."))
    }
}
