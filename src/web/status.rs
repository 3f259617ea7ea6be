//! The HTTP status of a core error, one mapping for the REST API and the server functions alike:
//! the same refusal answers with the same status whichever face it came through.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};

use crate::core::CoreError;
use crate::core::error::{Later, ValidationError};

/// The `Retry-After` header a refusal-for-now carries, in whole seconds (at least one).
pub fn retry_after(error: &CoreError) -> Option<(HeaderName, HeaderValue)> {
    match error {
        CoreError::TryLater { retry_after, .. } => Some((
            header::RETRY_AFTER,
            HeaderValue::from(retry_after.as_secs().max(1)),
        )),
        _ => None,
    }
}

/// The status `error` is answered with.
pub fn of(error: &CoreError) -> StatusCode {
    match error {
        CoreError::Invalid(rule) => match rule {
            // Structural problems with the request itself, as the Altostrat seed's 400 describes.
            ValidationError::MetaNameRequired
            | ValidationError::MetadataNotAnObject
            | ValidationError::PatchMalformed(_) => StatusCode::BAD_REQUEST,
            // RFC 5789: a patch whose `test` fails conflicts with the current state.
            ValidationError::PatchTestFailed(_) => StatusCode::CONFLICT,
            // The bytes are of a type this server does not take.
            ValidationError::FileTypeNotAccepted(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            // Too many wildcards and a search past its deadline are, like a query that does
            // not parse (`search_invalid`), the query's own fault: 422, as every rule of the
            // query language answers (400 stays for a malformed parameter such as `after`).
            // Not 503: a search too slow over this data is as slow when repeated.
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
        CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        CoreError::Conflict(..) => StatusCode::CONFLICT,
        CoreError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
        CoreError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        CoreError::TryLater { why, .. } => match why {
            Later::TooManySignIns => StatusCode::TOO_MANY_REQUESTS,
            Later::SignInsBusy | Later::SearchesBusy | Later::BodiesBusy => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        },
        CoreError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        // RFC 4918's "unable to store the representation": the request was fine and may be
        // sent again once space is freed, which a 500 would not tell the client.
        CoreError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
        // Not the client's fault, and not a passing one: unavailable until a restart.
        CoreError::WritesHalted(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_rule_is_unprocessable_unless_the_request_itself_is_malformed() {
        let invalid = |rule| of(&CoreError::Invalid(rule));
        assert_eq!(
            invalid(ValidationError::MetaNameRequired),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            invalid(ValidationError::PatchTestFailed("/a".into())),
            StatusCode::CONFLICT
        );
        assert_eq!(
            invalid(ValidationError::FileTypeNotAccepted(
                "application/x-msdownload".into()
            )),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            invalid(ValidationError::SitesOnlyForManagers),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            invalid(ValidationError::SearchTooSlow { limit_ms: 2000 }),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            of(&CoreError::TryLater {
                why: Later::SearchesBusy,
                retry_after: std::time::Duration::from_secs(2),
            }),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            of(&CoreError::Forbidden("no".into())),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            of(&CoreError::Storage("disk".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn a_full_disk_is_insufficient_storage_and_any_other_failure_a_fault() {
        use std::io::{Error, ErrorKind};
        let io = |kind| of(&CoreError::io("writing an upload", &Error::from(kind)));
        assert_eq!(io(ErrorKind::StorageFull), StatusCode::INSUFFICIENT_STORAGE);
        assert_eq!(
            io(ErrorKind::QuotaExceeded),
            StatusCode::INSUFFICIENT_STORAGE
        );
        // The kernel's errno as a failed write(2) reports it: ENOSPC is 28 on Linux, macOS
        // and the BSDs alike.
        assert_eq!(
            of(&CoreError::io("x", &Error::from_raw_os_error(28))),
            StatusCode::INSUFFICIENT_STORAGE
        );
        assert_eq!(
            io(ErrorKind::PermissionDenied),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
