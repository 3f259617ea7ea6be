//! The documented error codes, served at `/api/v1/errors/{code}` so every `doc_url` in an
//! error body resolves on the same server, with no dependence on an outside website.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorResponse};

/// The broad category of an error, derived from its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidRequest,
    Authentication,
    Permission,
    NotFound,
    Conflict,
    Api,
}

impl ErrorKind {
    pub fn of(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => Self::Authentication,
            403 => Self::Permission,
            404 => Self::NotFound,
            409 | 412 => Self::Conflict,
            400..=499 => Self::InvalidRequest,
            _ => Self::Api,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request_error",
            Self::Authentication => "authentication_error",
            Self::Permission => "permission_error",
            Self::NotFound => "not_found_error",
            Self::Conflict => "conflict_error",
            Self::Api => "api_error",
        }
    }
}

pub fn doc_url(public_url: &str, code: &str) -> String {
    format!("{}/api/v1/errors/{code}", public_url.trim_end_matches('/'))
}

/// Every code a client can receive, its usual status and what to do about it.
#[rustfmt::skip]
pub const CODES: &[(&str, u16, &str)] = &[
    ("parameter_missing", 400, "A required field is absent, such as 'name' when metadata is first created. Add it and retry."),
    ("parameter_invalid", 400, "A field has the wrong JSON type or shape. The message names the field."),
    ("invalid_json", 400, "The body is not valid JSON. Check quoting and commas."),
    ("metadata_not_an_object", 400, "Metadata must be a JSON object of keys and values."),
    ("patch_malformed", 400, "The JSON Patch document is not a list of RFC 6902 operations."),
    ("precondition_header_invalid", 400, "If-Match must be an ETag returned by an earlier response, such as \"7\", or *."),
    ("token_missing", 401, "Send an API token as 'Authorization: Bearer sbk_…'. Admins create tokens with 'sitebook token create'."),
    ("token_invalid", 401, "The token is unknown, revoked or expired. Ask an admin for a new one."),
    ("csrf_invalid", 403, "A request made with a browser's session cookie changes data only with the page's CSRF token in 'X-CSRF-Token'. Reload the page and retry."),
    ("forbidden", 403, "Your role, or the sites you were granted, do not allow this change."),
    ("resource_missing", 404, "Nothing with that id exists in your tenant."),
    ("route_missing", 404, "No API endpoint has this path. See /api/v1/openapi.json."),
    ("method_not_allowed", 405, "The endpoint exists but not with this HTTP method."),
    ("conflict", 409, "The change clashes with existing data, such as a site name already taken or a resource of another type with this id."),
    ("patch_test_failed", 409, "A JSON Patch 'test' operation did not hold, so the patch was not applied. Re-read and retry."),
    ("precondition_failed", 412, "The record changed since you read it. The response's ETag is the current version: re-read, then retry with it."),
    ("payload_too_large", 413, "The body is larger than this endpoint accepts."),
    ("unsupported_media_type", 415, "The body has a Content-Type this endpoint does not take, or an uploaded file's bytes are of a type Sitebook does not keep. The message says which."),
    ("resource_id_invalid", 422, "Resource ids are 1 to 128 letters, digits, '-', '_', '.' or ':', such as a UUID."),
    ("resource_type_invalid", 422, "Resource types are lowercase words joined by dots, such as 'site' or 'mikrotik.device'."),
    ("name_empty", 422, "A name is required."),
    ("name_too_long", 422, "Names are at most 200 characters."),
    ("name_control_character", 422, "Names cannot contain control characters such as tabs or line breaks."),
    ("metadata_key_empty", 422, "Metadata keys cannot be empty."),
    ("metadata_key_too_long", 422, "Metadata keys are at most 255 characters."),
    ("metadata_key_control_character", 422, "Metadata keys cannot contain control characters."),
    ("metadata_value_null", 422, "null removes a key only in a merge patch; elsewhere send a value or delete the key."),
    ("metadata_value_not_scalar", 422, "Values are strings, finite numbers or booleans, never objects or arrays."),
    ("metadata_value_too_long", 422, "String values are at most 64 KiB (UTF-8 bytes)."),
    ("metadata_integer_out_of_range", 422, "Integers must fit in a signed 64-bit integer to be kept exactly."),
    ("metadata_value_type_mismatch", 422, "In a form, a value typed as number must be a finite number and one typed as boolean must be true or false."),
    ("metadata_too_many_keys", 422, "A resource has at most 256 metadata keys (the operator may change the limit)."),
    ("metadata_name_invalid", 422, "The 'name' key names the resource, so it must be a string that is a valid name."),
    ("patch_too_long", 422, "A JSON Patch holds at most twice the metadata key limit in operations (512 by default)."),
    ("patch_failed", 422, "A JSON Patch operation could not be applied (for example a missing path), so nothing changed."),
    ("colour_invalid", 422, "Colours are '#' and six hex digits, such as '#1e90ff'."),
    ("description_too_long", 422, "Descriptions are at most 1000 characters."),
    ("applies_to_empty", 422, "A tag must apply to at least one of: site, user, wan, account."),
    ("correlation_type_invalid", 422, "Correlation types are site, user, wan and account."),
    ("allowed_values_empty", 422, "Send null, not an empty list, to allow any value."),
    ("allowed_value_repeated", 422, "Each allowed value may be listed once."),
    ("allowed_values_too_many", 422, "A tag has at most 200 allowed values."),
    ("tag_value_empty", 422, "A tag value cannot be empty."),
    ("tag_value_too_long", 422, "Tag values are at most 200 characters."),
    ("tag_value_control_character", 422, "Tag values cannot contain control characters."),
    ("tag_value_not_allowed", 422, "The tag has a list of allowed values and this is not one of them; the message lists them."),
    ("tag_not_applicable", 422, "The tag does not apply to this type of resource; the message lists the types it applies to."),
    ("username_invalid", 422, "Usernames are 1 to 64 letters, digits, '.', '_', '-' or '@'."),
    ("password_too_short", 422, "Passwords have at least 10 characters."),
    ("password_too_long", 422, "Passwords have at most 1024 characters."),
    ("role_unknown", 422, "Roles are admin, manager and staff."),
    ("sites_only_for_managers", 422, "Only managers can be limited to sites."),
    ("token_lifetime_invalid", 422, "A token's lifetime is a whole number of days from 1 to 3650, or none."),
    ("file_kind_invalid", 422, "File kinds are document, image, diagram and note."),
    ("file_empty", 422, "The uploaded file has no bytes."),
    ("note_not_text", 422, "Only notes (text) can have their text replaced; other files are uploaded anew."),
    ("search_invalid", 422, "The search does not parse; the message gives the character position. See the query language in GET /api/v1/openapi.json under searchResources."),
    ("internal_error", 500, "A fault on the server. Nothing was half-applied; the request may be retried."),
];

/// One documented error code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDoc {
    pub code: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: u16,
    pub description: &'static str,
}

/// Documentation of one error code (public: no token needed).
#[utoipa::path(get, path = "/errors/{code}", tag = "Errors", security(()),
    params(("code" = String, Path, description = "An error code from an error body")),
    responses(
        (status = 200, description = "The code's documentation", body = ErrorDoc),
        (status = 404, description = "No such code", body = ErrorResponse),
    ))]
pub async fn error_doc(Path(code): Path<String>) -> Result<Json<ErrorDoc>, ApiError> {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|&(code, status, description)| {
            Json(ErrorDoc {
                code,
                kind: ErrorKind::of(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                )
                .as_str(),
                status,
                description,
            })
        })
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "resource_missing",
                format!("No error code is called '{code}'."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ValidationError as V;

    /// Every rule's code must be documented, or its `doc_url` would lead to a 404, and with the
    /// status it is answered with.
    #[test]
    fn every_validation_code_is_documented_with_its_status() {
        let every_rule = [
            V::NameEmpty,
            V::NameTooLong { max: 1, actual: 2 },
            V::NameHasControlCharacter,
            V::ResourceTypeInvalid(String::new()),
            V::ResourceIdInvalid(String::new()),
            V::MetaKeyEmpty,
            V::MetaKeyTooLong { max: 1, actual: 2 },
            V::MetaKeyHasControlCharacter,
            V::MetaValueNull { key: String::new() },
            V::MetaValueNotScalar { key: String::new() },
            V::MetaValueTooLong {
                key: String::new(),
                max: 1,
                actual: 2,
            },
            V::MetaIntegerOutOfRange { key: String::new() },
            V::MetaTooManyKeys { max: 1, actual: 2 },
            V::MetaNameRequired,
            V::MetadataNotAnObject,
            V::PatchMalformed(String::new()),
            V::PatchFailed(String::new()),
            V::PatchTestFailed(String::new()),
            V::PatchTooLong { max: 1, actual: 2 },
            V::MetaNameInvalid(Box::new(V::NameEmpty)),
            V::MetaNameNotText { actual: "number" },
            V::UsernameInvalid,
            V::PasswordTooShort { min: 1 },
            V::PasswordTooLong { max: 1 },
            V::RoleUnknown(String::new()),
            V::SitesOnlyForManagers,
            V::ColourInvalid(String::new()),
            V::DescriptionTooLong { max: 1, actual: 2 },
            V::AppliesToEmpty,
            V::CorrelationTypeUnknown(String::new()),
            V::AllowedValuesEmpty,
            V::AllowedValueRepeated(String::new()),
            V::TooManyAllowedValues { max: 1, actual: 2 },
            V::TagValueEmpty,
            V::TagValueTooLong { max: 1, actual: 2 },
            V::TagValueHasControlCharacter,
            V::TagValueNotAllowed {
                tag: String::new(),
                value: String::new(),
                allowed: vec![],
            },
            V::TagNotApplicable {
                tag: String::new(),
                correlation_type: "site",
                applies_to: vec![],
            },
        ];
        for rule in every_rule {
            let code = rule.code();
            let documented = CODES.iter().find(|(c, _, _)| *c == code);
            let status = crate::web::status::of(&crate::core::CoreError::Invalid(rule));
            assert_eq!(
                documented.map(|&(_, status, _)| status),
                Some(status.as_u16()),
                "{code} is not documented with its status"
            );
        }
    }

    #[test]
    fn codes_are_listed_once() {
        let mut codes: Vec<_> = CODES.iter().map(|(c, _, _)| c).collect();
        codes.sort();
        let total = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), total);
    }
}
