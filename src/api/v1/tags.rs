//! `/tags`: tag definitions (admins write, everyone reads).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorResponse};
use super::etag;
use super::extract::{Admin, ApiJson, ApiPath, Caller};
use super::schemas::{Tag, TagCreate, TagUpdate};
use crate::core::tags::{TagDefinition, TagDraft, TagId};
use crate::store::Store;

const TAG: &str = "Tags";

fn tag_response(tag: TagDefinition, status: StatusCode) -> Response {
    let version = tag.version;
    (
        status,
        [(header::ETAG, etag::header_value(version))],
        Json(Tag::new(tag, None)),
    )
        .into_response()
}

/// Every tag definition, by name, with how many resources carry each.
#[utoipa::path(get, path = "/tags", tag = TAG, operation_id = "listTags",
    responses((status = 200, body = Vec<Tag>), (status = 401, body = ErrorResponse)))]
pub async fn list_tags(
    State(store): State<Store>,
    Caller(actor): Caller,
) -> Result<Json<Vec<Tag>>, ApiError> {
    let tags = store.list_tags(&actor).await?;
    Ok(Json(
        tags.into_iter()
            .map(|(tag, usage)| Tag::new(tag, Some(usage)))
            .collect(),
    ))
}

/// Define a tag. Admins only.
#[utoipa::path(post, path = "/tags", tag = TAG, operation_id = "createTag",
    request_body = TagCreate,
    responses(
        (status = 201, body = Tag, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse),
        (status = 409, description = "A tag with this name exists", body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse),
    ))]
pub async fn create_tag(
    State(store): State<Store>,
    Admin(actor): Admin,
    ApiJson(body): ApiJson<TagCreate>,
) -> Result<Response, ApiError> {
    let draft = TagDraft::new(
        &body.name,
        &body.description,
        &body.color,
        &body.applies_to,
        body.allowed_values.as_deref(),
    );
    let tag = store
        .create_tag(&actor, draft, crate::core::random::id_bits())
        .await?;
    Ok(tag_response(tag, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/tags/{tagId}", tag = TAG, operation_id = "getTag",
    params(("tagId" = String, Path)),
    responses((status = 200, body = Tag, headers(("ETag" = String))),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_tag(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(tag_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let tag = store.get_tag(&actor, &TagId::from_path(tag_id)).await?;
    Ok(tag_response(tag, StatusCode::OK))
}

/// Change a definition. Refused with 409 if resources carry values it would no longer allow.
#[utoipa::path(patch, path = "/tags/{tagId}", tag = TAG, operation_id = "updateTag",
    params(("tagId" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = TagUpdate,
    responses((status = 200, body = Tag, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 412, body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_tag(
    State(store): State<Store>,
    Admin(actor): Admin,
    ApiPath(tag_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TagUpdate>,
) -> Result<Response, ApiError> {
    let expected = etag::expected(&headers)?;
    let tag = store
        .update_tag(&actor, &TagId::from_path(tag_id), expected, &body.into())
        .await?;
    Ok(tag_response(tag, StatusCode::OK))
}

/// Delete a definition and every value of it.
#[utoipa::path(delete, path = "/tags/{tagId}", tag = TAG, operation_id = "deleteTag",
    params(("tagId" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted, with its values"),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 412, body = ErrorResponse)))]
pub async fn delete_tag(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(tag_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = etag::expected(&headers)?;
    store
        .delete_tag(&actor, &TagId::from_path(tag_id), expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
