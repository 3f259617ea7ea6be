//! Data Hub's error body: `{OperationId, Error, Reason, Resolution, Parameters}`, with the same
//! operation id in an `Operation-Id` header. The content type is exactly `application/json`:
//! the Python library reads the body's fields only then.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::core::CoreError;
use crate::core::error::ValidationError;
use crate::web::edge::Refusal;
use crate::web::status;

/// Boxed: handlers pass it through `Result`s, where a small error keeps the happy path small.
#[derive(Debug)]
pub struct SdsError(Box<Parts>);

#[derive(Debug)]
pub struct Parts {
    pub status: StatusCode,
    pub error: String,
    pub reason: String,
    pub resolution: String,
    pub parameters: Map<String, Value>,
    retry_after: Option<HeaderValue>,
}

impl SdsError {
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self(Box::new(Parts {
            status,
            error: error.into(),
            reason: String::new(),
            resolution: String::new(),
            parameters: Map::new(),
            retry_after: None,
        }))
    }

    pub fn bad_request(error: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error)
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.0.reason = reason.into();
        self
    }

    pub fn resolution(mut self, resolution: impl Into<String>) -> Self {
        self.0.resolution = resolution.into();
        self
    }

    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        self.0.parameters.insert(name.to_owned(), value.into());
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "The request is not authorized.")
            .reason("No valid bearer token was sent.")
            .resolution(
                "Get an access token from the token endpoint (or use a Sitebook API token) and \
                 send it as 'Authorization: Bearer <token>'.",
            )
    }

    pub fn stream_missing(id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "The specified stream was not found.")
            .resolution("Check the stream id, or create the stream.")
            .parameter("StreamId", id)
    }

    pub fn not_implemented(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            format!("{what} is not supported."),
        )
        .reason("Sitebook stores stream metadata, tags and types, not data values or views.")
        .resolution("Use AVEVA Data Hub itself for stream data.")
    }
}

impl From<Refusal> for SdsError {
    fn from(refusal: Refusal) -> Self {
        let status = refusal.status();
        let retry_after = refusal.retry_after();
        let mut sds = match refusal {
            Refusal::Core(error) => return error.into(),
            _ if status == StatusCode::UNAUTHORIZED => return Self::unauthorized(),
            Refusal::BodyTooLarge => Self::new(status, "The request body is too large.")
                .reason("The body is larger than this operation accepts.")
                .resolution("Send a smaller body: fewer items, or shorter values."),
            Refusal::BodyTimeout { .. } => Self::new(status, refusal.message())
                .reason("The request body arrived too slowly.")
                .resolution("Send the request again."),
            other => Self::new(status, other.message())
                .resolution("Correct the request and send it again."),
        };
        sds.0.retry_after = retry_after;
        sds
    }
}

impl From<CoreError> for SdsError {
    fn from(error: CoreError) -> Self {
        let retry_after = status::retry_after(&error).map(|(_, value)| value);
        let status = match &error {
            // Data Hub answers every request it cannot read or accept with 400.
            CoreError::Invalid(_) => StatusCode::BAD_REQUEST,
            other => status::of(other),
        };
        let mut sds = match error {
            CoreError::Invalid(rule) => {
                let resolution = match rule {
                    ValidationError::SearchTooSlow { .. } => {
                        "The query takes too long over this namespace; narrow it (more \
                         specific terms, fewer wildcards) and send it again."
                    }
                    _ => "Correct the request and send it again.",
                };
                Self::new(status, rule.to_string())
                    .reason(format!("The request breaks the rule '{}'.", rule.code()))
                    .resolution(resolution)
            }
            CoreError::NotFound { what, id } => {
                let what = if what == "resource" { "stream" } else { what };
                Self::new(status, format!("The specified {what} was not found."))
                    .parameter(&capitalised_id(what), &id)
            }
            CoreError::Storage(detail) => {
                tracing::error!("storage failure behind the Data Hub face: {detail}");
                Self::new(status, "Something went wrong on the server.")
                    .resolution("The request may be retried.")
            }
            e @ CoreError::TryLater { .. } => Self::new(status, e.to_string())
                .reason("The server is busy.")
                .resolution("Send the request again after the time Retry-After gives."),
            other => Self::new(status, other.to_string()),
        };
        sds.0.retry_after = retry_after;
        sds
    }
}

/// `stream` → `StreamId`, `metadata key` → `MetadataKeyId`, as Data Hub names its parameters.
fn capitalised_id(what: &str) -> String {
    let mut name: String = what
        .split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect();
    name.push_str("Id");
    name
}

impl SdsError {
    /// The `Retry-After` a refusal for now carries.
    pub fn retry_after(&self) -> Option<&HeaderValue> {
        self.0.retry_after.as_ref()
    }
}

impl std::ops::Deref for SdsError {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What an error says when it was given no reason of its own: the library prints `Reason` and
/// `Resolution` in every `SdsError`, so neither is ever empty.
fn fallback(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "The request is not one this operation accepts.",
            "Correct the request and send it again.",
        ),
        401 => (
            "No valid bearer token was sent.",
            "Get an access token from the token endpoint and send it as 'Authorization: Bearer <token>'.",
        ),
        403 => (
            "The caller's role or sites do not allow this.",
            "Use a token of a Sitebook manager or admin (staff tokens read only), or ask an admin to grant the site.",
        ),
        404 => (
            "What the request names does not exist.",
            "Check the tenant, namespace and ids in the path, or create it first.",
        ),
        409 => (
            "The request conflicts with what exists.",
            "Read the current state and send a request that agrees with it.",
        ),
        412 => (
            "The If-Match header names a version that is not the current one.",
            "Read the metadata again and send the change with its ETag.",
        ),
        413 => ("The request body is too large.", "Send a smaller body."),
        501 => (
            "Sitebook does not implement this part of Data Hub.",
            "Use AVEVA Data Hub itself for it.",
        ),
        _ if status.is_server_error() => (
            "The server could not complete the request.",
            "The request may be retried.",
        ),
        _ => (
            "The request was refused.",
            "Correct the request and send it again.",
        ),
    }
}

impl IntoResponse for SdsError {
    fn into_response(self) -> Response {
        let mut parts = *self.0;
        let (reason, resolution) = fallback(parts.status);
        if parts.reason.is_empty() {
            parts.reason = reason.to_owned();
        }
        if parts.resolution.is_empty() {
            parts.resolution = resolution.to_owned();
        }
        let operation = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "OperationId": operation,
            "Error": parts.error,
            "Reason": parts.reason,
            "Resolution": parts.resolution,
            "Parameters": parts.parameters,
        });
        let mut response = (parts.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&operation) {
            headers.insert("operation-id", value);
        }
        if parts.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(wait) = parts.retry_after {
            headers.insert(header::RETRY_AFTER, wait);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_the_parameter_as_data_hub_does() {
        let error = SdsError::from(CoreError::NotFound {
            what: "stream",
            id: "Tank".into(),
        });
        assert_eq!(error.status, StatusCode::NOT_FOUND);
        assert_eq!(error.error, "The specified stream was not found.");
        assert_eq!(error.parameters["StreamId"], "Tank");
        assert_eq!(capitalised_id("metadata key"), "MetadataKeyId");
    }
}
