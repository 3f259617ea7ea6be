//! What the edge refuses, in no face's words: each face turns a [`Refusal`] into its own error
//! body (`From<Refusal>`), taking the status and `Retry-After` from here so that the same
//! refusal answers alike whichever face it came through.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};

use crate::core::CoreError;
use crate::web::status;

#[derive(Debug)]
pub enum Refusal {
    /// No token where the route needs one.
    CredentialsMissing,
    /// An `Authorization` header that is not `Bearer <secret>`.
    CredentialsMalformed,
    /// The core's verdict: an unknown token, a role that may not, a turn not had in time
    /// (`TryLater`), a storage failure.
    Core(CoreError),
    /// The body is over the route's limit; it was not read further.
    BodyTooLarge,
    /// The body did not arrive whole within the deadline.
    BodyTimeout { after: Duration },
    /// The connection broke or the body could not be read as sent.
    BodyUnreadable(String),
    /// `If-Match` that names none of this server's ETags.
    IfMatchMalformed(String),
}

impl From<CoreError> for Refusal {
    fn from(error: CoreError) -> Self {
        Self::Core(error)
    }
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::CredentialsMissing | Self::CredentialsMalformed => StatusCode::UNAUTHORIZED,
            Self::Core(error) => status::of(error),
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::BodyUnreadable(_) | Self::IfMatchMalformed(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// `Retry-After` for a refusal for now (a busy edge, a throttled sign-in).
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            Self::Core(error) => status::retry_after(error).map(|(_, value)| value),
            _ => None,
        }
    }

    /// What went wrong, for a person; never a storage failure's detail, which goes to the log.
    pub fn message(&self) -> String {
        match self {
            Self::CredentialsMissing => {
                "The request needs a token: send 'Authorization: Bearer <token>'.".to_owned()
            }
            Self::CredentialsMalformed => {
                "The Authorization header must be 'Bearer <token>'.".to_owned()
            }
            Self::Core(CoreError::Storage(detail)) => {
                tracing::error!("storage failure at the request edge: {detail}");
                "Something went wrong on the server; the request may be retried.".to_owned()
            }
            Self::Core(error) => error.to_string(),
            Self::BodyTooLarge => "The body is larger than this endpoint accepts.".to_owned(),
            Self::BodyTimeout { after } => format!(
                "The body did not arrive within the {} seconds the server allows; send it again.",
                after.as_secs()
            ),
            Self::BodyUnreadable(detail) => format!("The body cannot be read: {detail}"),
            Self::IfMatchMalformed(text) => format!(
                "If-Match must be one ETag from an earlier response, such as \"7\"; got {text}."
            ),
        }
    }
}
