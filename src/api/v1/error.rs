//! The Altostrat error body, `{type, code, message, doc_url}`, for every failure under `/api`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::catalogue::{self, ErrorKind};
use super::schemas::ConflictResponse;
use crate::core::CoreError;
use crate::web::edge::Refusal;
use crate::web::{Settings, status};

/// A failed API request. Handlers return it; [`render`] writes the body, because the body's
/// `doc_url` needs the server's public address, which only the state knows.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The current ETag, sent with a 412 so the client can re-read or retry knowingly.
    pub current_etag: Option<String>,
    /// How long to wait, sent as `Retry-After` with a refusal for now (429, 503).
    pub retry_after: Option<HeaderValue>,
    /// What a refused revert conflicts with (`revert_conflict`); boxed, as every handler's
    /// error carries the field and almost none fills it.
    pub conflicts: Option<Box<Vec<ConflictResponse>>>,
}

/// The body every error is sent with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// A broad category, such as `invalid_request_error`.
    #[serde(rename = "type")]
    #[schema(example = "invalid_request_error")]
    pub kind: &'static str,
    /// A short, stable identifier of the specific error.
    #[schema(example = "parameter_missing")]
    pub code: &'static str,
    /// What went wrong, for a person.
    #[schema(example = "The 'name' key is required when creating metadata.")]
    pub message: String,
    /// Where this code is documented (served by Sitebook itself).
    #[schema(example = "http://127.0.0.1:3000/api/v1/errors/parameter_missing")]
    pub doc_url: String,
    /// With `revert_conflict` only: each thing someone changed since the change set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<ConflictResponse>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            current_etag: None,
            retry_after: None,
            conflicts: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The same refusal as Altostrat's document states it for the operations it describes
    /// (`rules::ALTOSTRAT_OPERATIONS`): it knows only 200, 400 and 500 there, so a client
    /// generated from it reads anything else as an unexpected answer. A refusal of the
    /// request's content becomes a 400; the precise `code` stays in the body.
    pub fn as_altostrat(mut self) -> Self {
        if matches!(self.status.as_u16(), 409 | 415 | 422) {
            self.status = StatusCode::BAD_REQUEST;
        }
        self
    }

    fn body(&self, settings: &Settings) -> ErrorResponse {
        ErrorResponse {
            kind: ErrorKind::of(self.status).as_str(),
            code: self.code,
            message: self.message.clone(),
            doc_url: catalogue::doc_url(&settings.public_url, self.code),
            conflicts: self.conflicts.as_deref().cloned(),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        let status = status::of(&error);
        let retry_after = status::retry_after(&error).map(|(_, value)| value);
        let mut answer = match error {
            CoreError::Invalid(rule) => Self::new(status, rule.code(), rule.to_string()),
            e @ CoreError::NotFound { .. } => Self::new(status, "resource_missing", e.to_string()),
            CoreError::Conflict(clash, message) => Self::new(status, clash.code(), message),
            e @ CoreError::PreconditionFailed { current, .. } => Self {
                current_etag: Some(super::etag::format(current)),
                ..Self::new(status, "precondition_failed", e.to_string())
            },
            CoreError::Unauthenticated(message) => Self::new(status, "token_invalid", message),
            CoreError::Forbidden(message) => Self::new(status, "forbidden", message),
            e @ CoreError::TryLater { why, .. } => Self::new(status, why.code(), e.to_string()),
            CoreError::Storage(detail) => {
                tracing::error!("storage failure behind the API: {detail}");
                Self::new(
                    status,
                    "internal_error",
                    "Something went wrong on the server; the request may be retried.",
                )
            }
            e @ CoreError::StorageFull(_) => {
                tracing::error!("out of storage space behind the API: {e:?}");
                Self::new(status, "insufficient_storage", e.to_string())
            }
            e @ CoreError::WritesHalted(_) => {
                tracing::error!("a write refused behind the API: {e:?}");
                Self::new(status, "writes_halted", e.to_string())
            }
        };
        answer.retry_after = retry_after;
        answer
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let code = match &refusal {
            Refusal::Core(_) => {
                let Refusal::Core(error) = refusal else {
                    unreachable!()
                };
                return error.into();
            }
            Refusal::CredentialsMissing => "token_missing",
            Refusal::CredentialsMalformed => "token_invalid",
            Refusal::BodyTooLarge => "payload_too_large",
            Refusal::BodyTimeout { .. } => "request_timeout",
            Refusal::BodyUnreadable(_) => "parameter_invalid",
            Refusal::IfMatchMalformed(_) => "precondition_header_invalid",
        };
        Self::new(refusal.status(), code, refusal.message())
    }
}

impl IntoResponse for ApiError {
    /// The status and headers now; the body is written by [`render`] on the way out.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sitebook\""),
            );
        }
        if let Some(etag) = self
            .current_etag
            .as_deref()
            .and_then(|e| HeaderValue::from_str(e).ok())
        {
            response.headers_mut().insert(header::ETAG, etag);
        }
        if let Some(wait) = self.retry_after.clone() {
            response.headers_mut().insert(header::RETRY_AFTER, wait);
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Runs on every `/api` response: gives each [`ApiError`] its JSON body, and turns any other
/// bodiless error axum produces itself (unknown route, wrong method) into one too, so `/api`
/// never answers with HTML or an empty body.
///
/// A plain function for `tower`'s `map_response` rather than axum's `from_fn` middleware,
/// which boxes the rest of the stack again on every request (`docs/performance.md`).
pub fn render(settings: &Settings, mut response: Response) -> Response {
    let error = match response.extensions_mut().remove::<ApiError>() {
        Some(error) => error,
        None if response.status() == StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This endpoint does not support that HTTP method.",
        ),
        None => return response,
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&error.body(settings)).unwrap_or_default();
    Response::from_parts(parts, body.into())
}
