//! The documented error codes, served at `/api/v1/errors/{code}` so every `doc_url` in an
//! error body resolves on the same server, with no dependence on an outside website.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorResponse};
use crate::core::access::MAX_TOKEN_DAYS;
use crate::core::access::Username;
use crate::core::access::credentials::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::core::metadata::{JsonPatch, MetaKey, MetaValue, MetadataLimits};
use crate::core::resources::MAX_DEPTH;
use crate::core::resources::{ResourceId, ResourceName};
use crate::core::search::{MAX_WILDCARDS_PER_TERM, SEARCH_DEADLINE};
use crate::core::tags::{
    MAX_ALLOWED_VALUES, MAX_DESCRIPTION_CHARS, MAX_TAG_NAME_CHARS, TagValueText,
};
use crate::store::SEARCH_CONNECTIONS;

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

/// One documented code: its usual status and what to do about it.
struct Entry {
    code: &'static str,
    status: u16,
    description: String,
}

/// Every code a client can receive. Built once, because descriptions that state a limit are
/// written from the constant the rule checks, never restated as a literal.
static CODES: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    #[rustfmt::skip]
    let codes: [(&'static str, u16, String); _] = [
        ("parameter_missing", 400, "A required field is absent, such as 'name' when metadata is first created. Add it and retry.".into()),
        ("parameter_invalid", 400, "A field has the wrong JSON type or shape. The message names the field.".into()),
        ("invalid_json", 400, "The body is not valid JSON. Check quoting and commas.".into()),
        ("metadata_not_an_object", 400, "Metadata must be a JSON object of keys and values.".into()),
        ("patch_malformed", 400, "The JSON Patch document is not a list of RFC 6902 operations.".into()),
        ("precondition_header_invalid", 400, "If-Match must be an ETag returned by an earlier response, such as \"7\", or *.".into()),
        ("token_missing", 401, "Send an API token as 'Authorization: Bearer sbk_…'. Admins create tokens with 'sitebook token create'.".into()),
        ("token_invalid", 401, "The token is unknown, revoked or expired. Ask an admin for a new one.".into()),
        ("csrf_invalid", 403, "A request made with a browser's session cookie changes data only with the page's CSRF token in 'X-CSRF-Token'. Reload the page and retry.".into()),
        ("forbidden", 403, "Your role, or the sites you were granted, do not allow this change.".into()),
        ("resource_missing", 404, "Nothing with that id exists in your tenant.".into()),
        ("route_missing", 404, "No API endpoint has this path. See /api/v1/openapi.json.".into()),
        ("method_not_allowed", 405, "The endpoint exists but not with this HTTP method.".into()),
        ("conflict", 409, "The change clashes with existing data in a way the codes below do not name, such as an import item that clashes with a stored resource; the message says how.".into()),
        ("name_taken", 409, "A site, tag or user of that name exists already (names are compared ignoring case). Pick another name.".into()),
        ("id_taken", 409, "Something with that id exists already. Use another id, or change the existing one.".into()),
        ("type_mismatch", 409, "The id names a resource of another type than the request says; the message names both.".into()),
        ("tag_in_use", 409, "Resources carry values of the tag that the change would no longer allow; the message says how many. Change or remove those values first.".into()),
        ("last_admin", 409, "The change would leave no active admin. Make another user an admin first.".into()),
        ("parent_loop", 409, "The new parent is the resource itself or under it.".into()),
        ("parent_too_deep", 409, format!("Resources nest at most {MAX_DEPTH} deep: the new parent already has {} ancestors. Pick a parent higher up.", MAX_DEPTH - 1)),
        ("patch_test_failed", 409, "A JSON Patch 'test' operation did not hold, so the patch was not applied. Re-read and retry.".into()),
        ("precondition_failed", 412, "The record changed since you read it. The response's ETag is the current version: re-read, then retry with it.".into()),
        ("payload_too_large", 413, "The body is larger than this endpoint accepts.".into()),
        ("request_timeout", 408, "The request's body did not arrive in the time the server allows (30 seconds; an upload, 30 seconds without a byte). Send it again.".into()),
        ("unsupported_media_type", 415, "The body has a Content-Type this endpoint does not take, or an uploaded file's bytes are of a type Sitebook does not keep. The message says which.".into()),
        ("resource_id_invalid", 422, format!("Resource ids are 1 to {} letters, digits, '-', '_', '.' or ':', such as a UUID.", ResourceId::MAX_LEN)),
        ("resource_id_reserved", 422, format!("Ids beginning {} are users' and API tokens'; a resource cannot take one.", crate::core::access::PRINCIPAL_ID_PREFIXES.join(" or "))),
        ("resource_type_invalid", 422, "Resource types are lowercase words joined by dots, such as 'site' or 'mikrotik.device'.".into()),
        ("name_empty", 422, "A name is required.".into()),
        ("name_too_long", 422, format!("Resource and site names are at most {} characters, tag names at most {}.", ResourceName::MAX_CHARS, MAX_TAG_NAME_CHARS)),
        ("name_control_character", 422, "Names cannot contain control characters such as tabs or line breaks.".into()),
        ("metadata_key_empty", 422, "Metadata keys cannot be empty.".into()),
        ("metadata_key_too_long", 422, format!("Metadata keys are at most {} characters.", MetaKey::MAX_CHARS)),
        ("metadata_key_control_character", 422, "Metadata keys cannot contain control characters.".into()),
        ("metadata_value_null", 422, "null removes a key only in a merge patch; elsewhere send a value or delete the key.".into()),
        ("metadata_value_not_scalar", 422, "Values are strings, finite numbers or booleans, never objects or arrays.".into()),
        ("metadata_value_too_long", 422, format!("String values are at most {} KiB (UTF-8 bytes).", MetaValue::MAX_TEXT_BYTES / 1024)),
        ("metadata_integer_out_of_range", 422, "Integers must fit in a signed 64-bit integer to be kept exactly.".into()),
        ("metadata_value_type_mismatch", 422, "In a form, a value typed as number must be a finite number and one typed as boolean must be true or false.".into()),
        ("metadata_too_many_keys", 422, format!("A resource has at most {} metadata keys by default (the operator may change the limit).", MetadataLimits::default().max_keys)),
        ("metadata_name_invalid", 422, "The 'name' key names the resource, so it must be a string that is a valid name.".into()),
        ("metadata_name_not_an_item", 422, "Through the OpenStack and Data Hub faces, 'name' is the resource's name, not a metadata item; rename it through this API.".into()),
        ("datahub_id_invalid", 422, "Data Hub stream and type ids are 1 to 250 characters without '/' or surrounding whitespace; namespace ids follow Data Hub's namespace rules.".into()),
        ("datahub_body_invalid", 422, "A Data Hub stream or type body that cannot be read: see the message.".into()),
        ("metadata_value_not_text", 422, "Through the OpenStack and Data Hub faces every metadata value is a string.".into()),
        ("patch_too_long", 422, format!("A JSON Patch holds at most twice the metadata key limit in operations ({} by default).", JsonPatch::max_operations(MetadataLimits::default()))),
        ("patch_failed", 422, "A JSON Patch operation could not be applied (for example a missing path), so nothing changed.".into()),
        ("colour_invalid", 422, "Colours are '#' and six hex digits, such as '#1e90ff'.".into()),
        ("description_too_long", 422, format!("Descriptions are at most {MAX_DESCRIPTION_CHARS} characters.")),
        ("applies_to_empty", 422, "A tag must apply to at least one of: site, user, wan, account, datahub.stream.".into()),
        ("correlation_type_invalid", 422, "Correlation types are site, user, wan, account and datahub.stream.".into()),
        ("allowed_values_empty", 422, "Send null, not an empty list, to allow any value.".into()),
        ("allowed_value_repeated", 422, "Each allowed value may be listed once.".into()),
        ("allowed_values_too_many", 422, format!("A tag has at most {MAX_ALLOWED_VALUES} allowed values.")),
        ("tag_value_empty", 422, "A tag value cannot be empty.".into()),
        ("tag_value_too_long", 422, format!("Tag values are at most {} characters.", TagValueText::MAX_CHARS)),
        ("tag_value_control_character", 422, "Tag values cannot contain control characters.".into()),
        ("tag_value_not_allowed", 422, "The tag has a list of allowed values and this is not one of them; the message lists them.".into()),
        ("tag_not_applicable", 422, "The tag does not apply to this type of resource; the message lists the types it applies to.".into()),
        ("tag_value_required", 422, "The tag allows only listed values, so it cannot be attached without one (Data Hub's tags).".into()),
        ("tag_unknown", 422, "No tag has this name: new names are not defined on first use (the tenant's Data Hub setting), and an import applies only tags an admin defined.".into()),
        ("tags_too_many", 422, "Too many tags for one resource in one list.".into()),
        ("auto_defined_tags_too_many", 422, format!("Data Hub clients may define at most {} tags on first use in a tenant, and one client at most {} in an hour; an admin defines more.", crate::core::tags::MAX_AUTO_DEFINED_TAGS, crate::core::tags::MAX_AUTO_DEFINED_PER_HOUR)),
        ("username_invalid", 422, format!("Usernames are 1 to {} letters, digits, '.', '_', '-' or '@'.", Username::MAX_CHARS)),
        ("password_too_short", 422, format!("Passwords have at least {PASSWORD_MIN_CHARS} characters.")),
        ("password_too_long", 422, format!("Passwords have at most {PASSWORD_MAX_CHARS} characters.")),
        ("role_unknown", 422, "Roles are admin, manager and staff.".into()),
        ("sites_only_for_managers", 422, "Only managers can be limited to sites.".into()),
        ("token_lifetime_invalid", 422, format!("A token's lifetime is a whole number of days from 1 to {MAX_TOKEN_DAYS}, or none.")),
        ("file_kind_invalid", 422, "File kinds are document, image, diagram and note.".into()),
        ("file_empty", 422, "The uploaded file has no bytes.".into()),
        ("note_not_text", 422, "Only notes (text) can have their text replaced; other files are uploaded anew.".into()),
        ("search_invalid", 422, "The search does not parse; the message gives the character position. See the query language in GET /api/v1/openapi.json under searchResources.".into()),
        ("too_many_wildcards", 422, format!("A search term holds at most {MAX_WILDCARDS_PER_TERM} '*'; the message gives the term's character position.")),
        ("search_too_slow", 422, format!("The search was still running after {} seconds and was stopped. Narrow it: a type:, tag: or exact name: term, fewer or shorter patterns. Repeating the same search will not help.", SEARCH_DEADLINE.as_secs())),
        ("name_filter_invalid", 422, "A server list's name filter is a regular expression (case ignored, found anywhere in the name), without look-around or back-references, at most 1000 characters.".into()),
        ("metadata_items_over_quota", 422, "Through the OpenStack compute API a server holds at most the tenant's nova_metadata_items quota of items (128 unless an admin sets another in /api/v1/settings).".into()),
        ("import_column_unknown", 422, "An import's CSV header names a column it does not take: id, type, name, parent, tag:<Tag name>, meta.<key> (optionally :string, :number or :boolean). Reported in the import's errors.".into()),
        ("import_column_repeated", 422, "An import's CSV header names a column twice. Reported in the import's errors.".into()),
        ("import_empty", 422, "An import's CSV file has no header line. Reported in the import's errors.".into()),
        ("import_unreadable", 422, "An import's file cannot be read (not UTF-8 text, or not CSV or JSON where it should be); the error gives the line. Reported in the import's errors.".into()),
        ("import_row_width", 422, "A CSV row has another number of cells than the header: a cell holding the delimiter must be quoted. Reported in the import's errors.".into()),
        ("import_id_repeated", 422, "An import names one resource on two rows; give each resource one row. Reported in the import's errors.".into()),
        ("parent_ambiguous", 422, "An import names a parent by a name several sites have; give the parent's id. Reported in the import's errors.".into()),
        ("comment_too_long", 422, format!("A change set's comment has at most {} characters.", crate::core::change_sets::MAX_COMMENT_CHARS)),
        ("revert_conflict", 409, "Someone changed what the change set changed since it was made; the body's 'conflicts' lists each (resource, what, the value the set wrote, the value now, who changed it). Revert with ?force=true to put the earlier values back anyway.".into()),
        ("change_set_not_revertible", 422, "The change set holds changes a revert does not undo (tag definitions, users, tokens, aggregate hosts); the message lists them.".into()),
        ("setting_invalid", 422, "A tenant setting outside the range it takes; the message says the range.".into()),
        ("nova_metadata_key_invalid", 422, "Through the OpenStack compute API, metadata keys are 1 to 255 letters, digits, '-', '_', ':', '.' or spaces.".into()),
        ("nova_metadata_value_too_long", 422, format!("Through the OpenStack compute API, values are strings of at most {} characters.", crate::core::openstack::MAX_CHARS)),
        ("aggregate_name_invalid", 422, "Aggregate names are printable and do not start or end with whitespace.".into()),
        ("availability_zone_invalid", 422, "Availability zones are printable, without ':' and without whitespace around them.".into()),
        ("availability_zone_required", 422, "An aggregate's availability zone can be changed but not blanked.".into()),
        ("host_name_invalid", 422, "Host names are 1 to 255 letters, digits, '-', '.' or '_'.".into()),
        ("aggregate_id_invalid", 422, "Aggregate ids are integers.".into()),
        ("aggregate_not_empty", 422, "Remove an aggregate's hosts before deleting it.".into()),
        ("too_many_sign_ins", 429, "Too many sign-in attempts for the account or from the address; wait as long as 'Retry-After' says.".into()),
        ("writes_halted", 503, "The server's disk failed to confirm a write, so it accepts no more until an administrator has checked the disk and restarted it. Reads still work; GET /health says why.".into()),
        ("insufficient_storage", 507, "The server's disk is full, so nothing was written. Reads still work; retry the write once an administrator has freed space.".into()),
        ("internal_error", 500, "A fault on the server. Nothing was half-applied; the request may be retried.".into()),
        ("busy", 503, "The server is checking as many sign-ins as it allows at once; retry after 'Retry-After' seconds.".into()),
        ("search_busy", 503, format!("Every connection searches run on ({SEARCH_CONNECTIONS}) is busy with another search; retry after 'Retry-After' seconds.")),
    ];
    codes
        .into_iter()
        .map(|(code, status, description)| Entry {
            code,
            status,
            description,
        })
        .collect()
});

/// One documented error code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDoc {
    pub code: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: u16,
    pub description: String,
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
        .find(|entry| entry.code == code)
        .map(|entry| {
            Json(ErrorDoc {
                code: entry.code,
                kind: ErrorKind::of(
                    StatusCode::from_u16(entry.status).unwrap_or(StatusCode::BAD_REQUEST),
                )
                .as_str(),
                status: entry.status,
                description: entry.description.clone(),
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
    use crate::core::CoreError;
    use crate::core::error::ValidationError;

    /// Every rule's code must be documented, or its `doc_url` would lead to a 404, and at the
    /// status the API answers it with.
    #[test]
    fn every_validation_code_is_documented_with_its_status() {
        for rule in ValidationError::examples() {
            let code = rule.code();
            let status = crate::web::status::of(&CoreError::Invalid(rule)).as_u16();
            let entry = CODES.iter().find(|entry| entry.code == code);
            assert_eq!(entry.map(|e| e.status), Some(status), "{code}");
        }
    }

    #[test]
    fn every_conflict_code_is_documented() {
        for clash in crate::core::error::Clash::ALL {
            let entry = CODES.iter().find(|entry| entry.code == clash.code());
            assert_eq!(entry.map(|e| e.status), Some(409), "{}", clash.code());
        }
    }

    /// Every "try again later" code is documented, at the status the API answers it with.
    #[test]
    fn every_later_code_is_documented_with_its_status() {
        for why in crate::core::error::Later::ALL {
            let error = CoreError::TryLater {
                why,
                retry_after: std::time::Duration::from_secs(1),
            };
            let status = crate::web::status::of(&error).as_u16();
            let entry = CODES.iter().find(|entry| entry.code == why.code());
            assert_eq!(entry.map(|e| e.status), Some(status), "{}", why.code());
        }
    }

    /// The failures that are no rule's: each code the API answers them with is documented at
    /// the status it is answered with.
    #[test]
    fn storage_codes_are_documented_with_their_status() {
        for error in [
            CoreError::Storage("the disk is on fire".into()),
            CoreError::StorageFull("no space left on device".into()),
            CoreError::WritesHalted("syncing the WAL failed: EIO".into()),
        ] {
            let answered = ApiError::from(error);
            let entry = CODES.iter().find(|entry| entry.code == answered.code);
            assert_eq!(
                entry.map(|e| e.status),
                Some(answered.status.as_u16()),
                "{}",
                answered.code
            );
        }
    }

    #[test]
    fn codes_are_listed_once() {
        let mut codes: Vec<_> = CODES.iter().map(|entry| entry.code).collect();
        codes.sort();
        let total = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), total);
    }
}
