//! `/metadata`: the Altostrat metadata endpoints, each a thin adapter over the core's rules.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::ApiState;
use super::error::{ApiError, ErrorResponse};
use super::etag;
use super::extract::{ApiBody, ApiJson, ApiPath, ApiQuery, Caller, Writer};
use super::schemas::{
    ChangeList, ChangesQuery, MetadataBody, MetadataCreate, MetadataKeyResponse, MetadataResponse,
    MetadataValueBody, page_limit,
};
use crate::core::CoreError;
use crate::core::metadata::{JsonPatch, MetaKey, MetaValue, Metadata, MetadataRecord};
use crate::core::resources::{ResourceId, ResourceType};
use crate::store::{MetadataTarget, Store};

const TAG: &str = "Metadata";

fn with_etag(record: &MetadataRecord, status: StatusCode) -> Response {
    (
        status,
        [(header::ETAG, etag::header_value(record.resource.version))],
        Json(MetadataBody(record)),
    )
        .into_response()
}

fn key_response(record: &MetadataRecord, key: &MetaKey) -> Result<Response, ApiError> {
    let entry = record
        .entry(key.as_str())
        .ok_or_else(|| missing_key(record, key))?;
    Ok((
        [(header::ETAG, etag::header_value(entry.revision))],
        Json(MetadataKeyResponse::new(record.resource.id.as_str(), entry)),
    )
        .into_response())
}

fn missing_key(record: &MetadataRecord, key: &MetaKey) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_missing",
        format!(
            "The resource '{}' has no metadata key '{key}'.",
            record.resource.id
        ),
    )
}

fn parse_key(raw: &str) -> Result<MetaKey, ApiError> {
    MetaKey::parse(raw).map_err(|e| ApiError::from(CoreError::from(e)))
}

/// Create or overwrite a resource's metadata (the Altostrat `createMetadata`). The resource is
/// created when it is new, named by the `name` key. Every refusal of the body is a 400, as
/// Altostrat's document has it (see `ApiError::as_altostrat`).
#[utoipa::path(post, path = "/metadata", tag = TAG, operation_id = "createMetadata",
    request_body = MetadataCreate,
    params(("If-Match" = Option<String>, Header, description = "Only if the metadata is still at this ETag")),
    responses(
        (status = 200, description = "Metadata created or updated", body = MetadataResponse,
            headers(("ETag" = String, description = "The metadata's version"))),
        (status = 400, description = "Malformed request, or no `name` when creating", body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 412, body = ErrorResponse),
    ))]
pub async fn create_metadata(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Writer(actor): Writer,
    headers: HeaderMap,
    body: Result<ApiJson<MetadataCreate>, ApiError>,
) -> Result<Response, ApiError> {
    create_or_overwrite(store, api, actor, headers, body)
        .await
        .map_err(ApiError::as_altostrat)
}

async fn create_or_overwrite(
    store: Store,
    api: ApiState,
    actor: crate::core::access::Actor,
    headers: HeaderMap,
    body: Result<ApiJson<MetadataCreate>, ApiError>,
) -> Result<Response, ApiError> {
    let ApiJson(body) = body?;
    let precondition = etag::resource_precondition(&headers)?;
    let record = store
        .create_or_change_metadata(
            &actor,
            ResourceId::parse(&body.resource_id).into(),
            ResourceType::parse(&body.kind).into(),
            &precondition,
            {
                let (metadata, limits) = (body.metadata, api.settings.limits);
                move |current| Ok(Metadata::replace(current, &metadata, limits)?)
            },
        )
        .await?;
    Ok(with_etag(&record, StatusCode::OK))
}

/// A resource's metadata (empty when it has none).
#[utoipa::path(get, path = "/metadata/{resource_id}", tag = TAG, operation_id = "getMetadata",
    params(("resource_id" = String, Path),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier read")),
    responses(
        (status = 200, body = MetadataResponse, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse),
    ))]
pub async fn get_metadata(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Caller(actor): Caller,
    ApiPath(resource_id): ApiPath<String>,
    if_none_match: etag::IfNoneMatch,
) -> Result<Response, ApiError> {
    let record = store
        .read_metadata_shared(&actor, &ResourceId::from_path(resource_id))
        .await?;
    let etag = etag::header_value(record.resource.version);
    if if_none_match.has(record.resource.version) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let body = api.bodies.body(&record, |record| {
        serde_json::to_vec(&MetadataBody(record)).expect("a metadata record serialises")
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response())
}

/// Replace the whole dictionary of an existing resource. The body is the dictionary itself.
#[utoipa::path(put, path = "/metadata/{resource_id}", tag = TAG, operation_id = "replaceMetadata",
    params(("resource_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if still at this ETag")),
    request_body(content = Object, description = "The new dictionary", content_type = "application/json"),
    responses(
        (status = 200, body = MetadataResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 412, body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse),
    ))]
pub async fn replace_metadata(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Writer(actor): Writer,
    ApiPath(resource_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(resource_id);
    let precondition = etag::resource_precondition(&headers)?;
    let record = store
        .change_metadata(&actor, MetadataTarget::Existing(&id), &precondition, {
            let limits = api.settings.limits;
            move |current| {
                // The resource exists, named already, even when its dictionary was deleted:
                // only a POST that creates a resource needs `name`.
                let current = current.cloned().unwrap_or_default();
                Ok(Metadata::replace(Some(&current), &body, limits)?)
            }
        })
        .await?;
    Ok(with_etag(&record, StatusCode::OK))
}

/// How a PATCH body is to be read, from its `Content-Type`.
enum PatchKind {
    Merge,
    JsonPatch,
}

/// A PATCH body as read.
enum Patch {
    Merge(Value),
    Json(JsonPatch),
}

fn patch_kind(headers: &HeaderMap) -> Result<PatchKind, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        // Plain JSON is read as a merge patch: what a client sending a partial object means.
        "application/merge-patch+json" | "application/json" => Ok(PatchKind::Merge),
        "application/json-patch+json" => Ok(PatchKind::JsonPatch),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "PATCH takes 'application/merge-patch+json' (RFC 7386) or \
                 'application/json-patch+json' (RFC 6902), not '{content_type}'."
            ),
        )),
    }
}

/// Change some keys: a merge patch (`null` removes a key) or an atomic JSON Patch, both
/// applied to the dictionary (paths such as `/rack_units`).
#[utoipa::path(patch, path = "/metadata/{resource_id}", tag = TAG, operation_id = "patchMetadata",
    params(("resource_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if still at this ETag")),
    request_body(content(
        (Object = "application/merge-patch+json"),
        (Vec<Object> = "application/json-patch+json"),
    )),
    responses(
        (status = 200, body = MetadataResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, description = "A JSON Patch `test` failed; nothing changed", body = ErrorResponse),
        (status = 412, body = ErrorResponse), (status = 415, body = ErrorResponse),
        (status = 422, body = ErrorResponse),
    ))]
pub async fn patch_metadata(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Writer(actor): Writer,
    ApiPath(resource_id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiBody,
) -> Result<Response, ApiError> {
    let kind = patch_kind(&headers)?;
    let parsed = serde_json::from_slice(&body.bytes);
    // The read's turn goes back before the write waits for the writer.
    drop(body);
    let body: Value = parsed.map_err(|e| {
        ApiError::bad_request("invalid_json", format!("The body is not valid JSON: {e}"))
    })?;
    let limits = api.settings.limits;
    // A JSON Patch is read and checked here, off the metadata writer's thread: only the checked,
    // bounded operations travel to it, and the request body is freed on this side.
    let patch = match kind {
        PatchKind::Merge => Patch::Merge(body),
        PatchKind::JsonPatch => {
            Patch::Json(JsonPatch::parse(&body, limits).map_err(CoreError::from)?)
        }
    };
    let id = ResourceId::from_path(resource_id);
    let precondition = etag::resource_precondition(&headers)?;
    let record = store
        .change_metadata(
            &actor,
            MetadataTarget::Existing(&id),
            &precondition,
            move |current| {
                let current = current.cloned().unwrap_or_default();
                Ok(match &patch {
                    Patch::Merge(body) => current.merge(body, limits)?,
                    Patch::Json(patch) => patch.apply(&current, limits)?,
                })
            },
        )
        .await?;
    Ok(with_etag(&record, StatusCode::OK))
}

/// Remove every key; the resource itself stays.
#[utoipa::path(delete, path = "/metadata/{resource_id}", tag = TAG, operation_id = "deleteMetadata",
    params(("resource_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if still at this ETag")),
    responses(
        (status = 204, description = "Every key removed"),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 412, body = ErrorResponse),
    ))]
pub async fn delete_metadata(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(resource_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = ResourceId::from_path(resource_id);
    let precondition = etag::resource_precondition(&headers)?;
    store
        .change_metadata(
            &actor,
            MetadataTarget::Existing(&id),
            &precondition,
            |current| Ok(current.cloned().unwrap_or_default().clear()),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One key, with who changed it last. Its ETag is the key's own revision.
#[utoipa::path(get, path = "/metadata/{resource_id}/{key}", tag = TAG, operation_id = "getMetadataKey",
    params(("resource_id" = String, Path), ("key" = String, Path)),
    responses(
        (status = 200, body = MetadataKeyResponse, headers(("ETag" = String))),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse),
    ))]
pub async fn get_key(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((resource_id, key)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let key = parse_key(&key)?;
    let record = store
        .read_metadata(&actor, &ResourceId::from_path(resource_id))
        .await?;
    key_response(&record, &key)
}

/// Set one key (create or overwrite).
#[utoipa::path(put, path = "/metadata/{resource_id}/{key}", tag = TAG, operation_id = "putMetadataKey",
    params(("resource_id" = String, Path), ("key" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if the key is still at this ETag")),
    request_body = MetadataValueBody,
    responses(
        (status = 200, body = MetadataKeyResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 412, body = ErrorResponse), (status = 415, body = ErrorResponse),
        (status = 422, body = ErrorResponse),
    ))]
pub async fn put_key(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Writer(actor): Writer,
    ApiPath((resource_id, key)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<MetadataValueBody>,
) -> Result<Response, ApiError> {
    // The key names the precondition's and the answer's entry, so it must read; the value
    // is judged by the store, after the caller's right to write.
    let key = parse_key(&key)?;
    let entry = MetaValue::from_json(&key, &body.value).map(|value| (key.clone(), value));
    let id = ResourceId::from_path(resource_id);
    let precondition = etag::key_precondition(&headers, &key)?;
    let record = store
        .put_metadata_key(
            &actor,
            &id,
            entry.into(),
            &precondition,
            api.settings.limits,
        )
        .await?;
    key_response(&record, &key)
}

/// Remove one key.
#[utoipa::path(delete, path = "/metadata/{resource_id}/{key}", tag = TAG, operation_id = "deleteMetadataKey",
    params(("resource_id" = String, Path), ("key" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if the key is still at this ETag")),
    responses(
        (status = 204, description = "The key was removed"),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, description = "No such resource or key", body = ErrorResponse),
        (status = 412, body = ErrorResponse),
    ))]
pub async fn delete_key(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((resource_id, key)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = parse_key(&key)?;
    let id = ResourceId::from_path(resource_id);
    let precondition = etag::key_precondition(&headers, &key)?;
    store
        .delete_metadata_key(&actor, &id, &key, &precondition)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The history of a resource: every change to it, oldest first, paged by `seq`.
#[utoipa::path(get, path = "/metadata/{resource_id}/changes", tag = TAG, operation_id = "listMetadataChanges",
    params(("resource_id" = String, Path), ChangesQuery),
    responses(
        (status = 200, body = ChangeList),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 404, body = ErrorResponse),
    ))]
pub async fn list_changes(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(resource_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<ChangeList>, ApiError> {
    let limit = page_limit(query.limit)?;
    let id = ResourceId::from_path(resource_id);
    // One more than asked tells whether another page follows, without a count query.
    let mut records = store
        .list_changes(&actor, &id, query.after, limit + 1)
        .await?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = more.then(|| records.last().map(|c| c.seq)).flatten();
    Ok(Json(ChangeList {
        data: records.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Set the key literally named `changes`, whose path the history takes for `GET` (read that
/// key through `GET /metadata/{resource_id}`).
#[utoipa::path(put, path = "/metadata/{resource_id}/changes", tag = TAG, operation_id = "putMetadataKeyChanges",
    params(("resource_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if the key is still at this ETag")),
    request_body = MetadataValueBody,
    responses(
        (status = 200, body = MetadataKeyResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 412, body = ErrorResponse), (status = 415, body = ErrorResponse),
        (status = 422, body = ErrorResponse),
    ))]
pub async fn put_changes_key(
    store: State<Store>,
    api: State<ApiState>,
    caller: Writer,
    ApiPath(resource_id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiJson<MetadataValueBody>,
) -> Result<Response, ApiError> {
    let path = ApiPath((resource_id, "changes".to_owned()));
    put_key(store, api, caller, path, headers, body).await
}

/// Remove the key literally named `changes`.
#[utoipa::path(delete, path = "/metadata/{resource_id}/changes", tag = TAG, operation_id = "deleteMetadataKeyChanges",
    params(("resource_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Only if the key is still at this ETag")),
    responses(
        (status = 204, description = "The key was removed"),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse),
        (status = 404, description = "No such resource or key", body = ErrorResponse),
        (status = 412, body = ErrorResponse),
    ))]
pub async fn delete_changes_key(
    store: State<Store>,
    caller: Caller,
    ApiPath(resource_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = ApiPath((resource_id, "changes".to_owned()));
    delete_key(store, caller, path, headers).await
}
