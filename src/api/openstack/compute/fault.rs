//! Nova's error body: one root element named for the fault, `{"itemNotFound": {"code": 404,
//! "message": …}}`, which novaclient and openstacksdk read their exception text from.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::core::CoreError;
use crate::core::error::ValidationError;
use crate::web::edge::Refusal;

/// What every 401 says: it comes from the token middleware in front of Nova, with Keystone's
/// body rather than a Nova fault, and clients then log in again.
const NEEDS_AUTHENTICATION: &str = "The request you have made requires authentication.";

/// A refusal in Nova's terms.
#[derive(Debug)]
pub struct Fault {
    pub status: StatusCode,
    pub message: String,
    /// `Retry-After`, for a refusal for now (a busy server).
    pub retry_after: Option<HeaderValue>,
}

impl Fault {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// The root element's name (Nova's `wsgi.Fault` table; 406 and the rest are `computeFault`).
    fn name(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "badRequest",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "itemNotFound",
            405 => "badMethod",
            409 => "conflictingRequest",
            413 | 429 => "overLimit",
            415 => "badMediaType",
            501 => "notImplemented",
            503 => "serviceUnavailable",
            _ => "computeFault",
        }
    }
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let mut response = if self.status == StatusCode::UNAUTHORIZED {
            let body =
                json!({"error": {"code": 401, "title": "Unauthorized", "message": self.message}});
            let mut response = (self.status, Json(body)).into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Keystone uri=\"/openstack/identity\""),
            );
            response
        } else {
            let body =
                json!({ (self.name()): { "code": self.status.as_u16(), "message": self.message } });
            (self.status, Json(body)).into_response()
        };
        if let Some(wait) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, wait);
        }
        response
    }
}

impl From<Refusal> for Fault {
    fn from(refusal: Refusal) -> Self {
        let status = refusal.status();
        let retry_after = refusal.retry_after();
        let mut fault = match refusal {
            Refusal::Core(error) => return error.into(),
            _ if status == StatusCode::UNAUTHORIZED => Self::new(status, NEEDS_AUTHENTICATION),
            Refusal::BodyUnreadable(_) => Self::bad_request("Malformed request body"),
            other => Self::new(status, other.message()),
        };
        fault.retry_after = retry_after;
        fault
    }
}

impl From<CoreError> for Fault {
    fn from(error: CoreError) -> Self {
        let status = crate::web::status::of(&error);
        let retry_after = crate::web::status::retry_after(&error).map(|(_, value)| value);
        let mut fault = match error {
            // Nova validates bodies by JSON Schema and answers every broken rule with 400.
            CoreError::Invalid(rule) => Self::bad_request(rule.to_string()),
            CoreError::Unauthenticated(why) => {
                tracing::debug!("compute request refused: {why}");
                Self::new(status, NEEDS_AUTHENTICATION)
            }
            CoreError::Storage(detail) => {
                tracing::error!("storage failure behind the compute API: {detail}");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server; the request may be retried.",
                )
            }
            other => Self::new(status, other.to_string()),
        };
        fault.retry_after = retry_after;
        fault
    }
}

impl From<ValidationError> for Fault {
    fn from(rule: ValidationError) -> Self {
        Self::from(CoreError::Invalid(rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_named_as_nova_names_them() {
        for (status, name) in [
            (400, "badRequest"),
            (403, "forbidden"),
            (404, "itemNotFound"),
            (409, "conflictingRequest"),
            (406, "computeFault"),
            (500, "computeFault"),
        ] {
            let fault = Fault::new(StatusCode::from_u16(status).unwrap(), "x");
            assert_eq!(fault.name(), name);
        }
    }
}
