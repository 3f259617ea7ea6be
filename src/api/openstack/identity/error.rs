//! Keystone's error body, `{"error": {"code": 401, "title": "Unauthorized", "message": …}}`,
//! which keystoneauth reads its exception text from.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::core::CoreError;
use crate::web::edge::Refusal;

/// What Keystone answers to every failed login, whatever failed.
pub const NEEDS_AUTHENTICATION: &str = "The request you have made requires authentication.";

/// A refusal in Keystone's terms.
#[derive(Debug)]
pub struct IdentityError {
    pub status: StatusCode,
    pub message: String,
    /// `Retry-After`, for a refusal for now (a locked-out account, a busy server).
    pub retry_after: Option<HeaderValue>,
}

impl IdentityError {
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

    /// A login refused with a reason the client should see (an unsupported form, a lockout).
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// Keystone's 404 for a lookup: `Could not find user: usr_1.`
    pub fn missing(what: &str, id: &str) -> Self {
        Self::not_found(format!("Could not find {what}: {id}."))
    }

    /// Keystone's 403, naming the policy rule that refused (`identity:list_users`).
    pub fn forbidden(rule: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("You are not authorized to perform the requested action: {rule}."),
        )
    }
}

impl IntoResponse for IdentityError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let body = json!({"error": {
            "code": self.status.as_u16(), "title": title, "message": self.message,
        }});
        let mut response = (self.status, Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, wait);
        }
        response
    }
}

impl From<Refusal> for IdentityError {
    fn from(refusal: Refusal) -> Self {
        let status = refusal.status();
        match refusal {
            Refusal::Core(error) => error.into(),
            _ if status == StatusCode::UNAUTHORIZED => Self::unauthorized(NEEDS_AUTHENTICATION),
            other => Self::new(status, other.message()),
        }
    }
}

impl From<CoreError> for IdentityError {
    fn from(error: CoreError) -> Self {
        let retry_after = crate::web::status::retry_after(&error).map(|(_, value)| value);
        let mut refused = match error {
            // Keystone tells a failed login nothing about why; the core's reason goes to the
            // log only.
            CoreError::Unauthenticated(why) => {
                tracing::debug!("identity login refused: {why}");
                Self::unauthorized(NEEDS_AUTHENTICATION)
            }
            CoreError::Forbidden(message) => Self::new(StatusCode::FORBIDDEN, message),
            CoreError::NotFound { what, id } if id.is_empty() => {
                Self::not_found(format!("Could not find {what}."))
            }
            CoreError::NotFound { what, id } => Self::missing(what, &id),
            CoreError::Invalid(rule) => Self::bad_request(rule.to_string()),
            CoreError::Storage(detail) => {
                tracing::error!("storage failure behind the identity API: {detail}");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "An unexpected error prevented the server from fulfilling your request.",
                )
            }
            other => Self::new(crate::web::status::of(&other), other.to_string()),
        };
        refused.retry_after = retry_after;
        refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_login_says_only_that_authentication_is_needed() {
        let error = IdentityError::from(CoreError::Unauthenticated("wrong password"));
        assert_eq!(error.status, StatusCode::UNAUTHORIZED);
        assert_eq!(error.message, NEEDS_AUTHENTICATION);
    }
}
