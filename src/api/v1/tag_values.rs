//! `/tags/{tagId}/values` and `/resources/{id}/tags`: tags applied to resources.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorResponse};
use super::etag;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, Writer};
use super::schemas::{
    Page, PageQuery, ResourceTags, TagValueResponse, TagValueWrite, into_page, page_limit,
};
use crate::core::resources::ResourceId;
use crate::core::tags::{CorrelationType, TagId, TagValue};
use crate::store::Store;

const TAG: &str = "Tag Values";

fn value_response(value: TagValue, status: StatusCode) -> Response {
    (
        status,
        [(header::ETAG, etag::header_value(value.version))],
        Json(TagValueResponse::from(value)),
    )
        .into_response()
}

async fn write(
    store: &Store,
    actor: &crate::core::access::Actor,
    (tag_id, correlation_id): (String, String),
    headers: &HeaderMap,
    body: &TagValueWrite,
) -> Result<(TagValue, bool), ApiError> {
    let correlation_type = CorrelationType::parse(&body.correlation_type);
    let expected = etag::expected(headers)?;
    Ok(store
        .set_tag_value(
            actor,
            &TagId::from_path(tag_id),
            &ResourceId::from_path(correlation_id),
            correlation_type,
            &body.value,
            expected,
        )
        .await?)
}

/// Apply a tag to a resource: 201 when new; an existing value is overwritten (200).
#[utoipa::path(post, path = "/tags/{tagId}/values/{correlationId}", tag = TAG,
    operation_id = "applyTagToResource",
    params(("tagId" = String, Path), ("correlationId" = String, Path),
        ("If-Match" = Option<String>, Header)),
    request_body = TagValueWrite,
    responses((status = 201, body = TagValueResponse, headers(("ETag" = String))),
        (status = 200, description = "An existing value was overwritten", body = TagValueResponse),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 412, body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn apply_tag(
    State(store): State<Store>,
    Writer(actor): Writer,
    ApiPath(path): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TagValueWrite>,
) -> Result<Response, ApiError> {
    let (value, created) = write(&store, &actor, path, &headers, &body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(value_response(value, status))
}

/// Update the value of a tag on a resource; the same as applying it (the seed's PUT). Every
/// refusal of the body is a 400, as Altostrat's document has it (see `ApiError::as_altostrat`).
#[utoipa::path(put, path = "/tags/{tagId}/values/{correlationId}", tag = TAG,
    operation_id = "updateTagOnResource",
    params(("tagId" = String, Path), ("correlationId" = String, Path),
        ("If-Match" = Option<String>, Header)),
    request_body = TagValueWrite,
    responses((status = 200, body = TagValueResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 412, body = ErrorResponse)))]
pub async fn put_tag_value(
    State(store): State<Store>,
    Writer(actor): Writer,
    ApiPath(path): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<ApiJson<TagValueWrite>, ApiError>,
) -> Result<Response, ApiError> {
    async {
        let ApiJson(body) = body?;
        let (value, _) = write(&store, &actor, path, &headers, &body).await?;
        Ok(value_response(value, StatusCode::OK))
    }
    .await
    .map_err(ApiError::as_altostrat)
}

#[utoipa::path(get, path = "/tags/{tagId}/values/{correlationId}", tag = TAG,
    operation_id = "getTagValue",
    params(("tagId" = String, Path), ("correlationId" = String, Path)),
    responses((status = 200, body = TagValueResponse, headers(("ETag" = String))),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_tag_value(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((tag_id, correlation_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let value = store
        .get_tag_value(
            &actor,
            &TagId::from_path(tag_id),
            &ResourceId::from_path(correlation_id),
        )
        .await?;
    Ok(value_response(value, StatusCode::OK))
}

/// Remove a tag from a resource.
#[utoipa::path(delete, path = "/tags/{tagId}/values/{correlationId}", tag = TAG,
    operation_id = "removeTagFromResource",
    params(("tagId" = String, Path), ("correlationId" = String, Path),
        ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Removed"),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 412, body = ErrorResponse)))]
pub async fn delete_tag_value(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((tag_id, correlation_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = etag::expected(&headers)?;
    store
        .delete_tag_value(
            &actor,
            &TagId::from_path(tag_id),
            &ResourceId::from_path(correlation_id),
            expected,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every resource carrying a tag, by resource id, paged.
#[utoipa::path(get, path = "/tags/{tagId}/values", tag = TAG, operation_id = "listTagValues",
    params(("tagId" = String, Path), PageQuery),
    responses((status = 200, body = Page<TagValueResponse>),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn list_tag_values(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(tag_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<TagValueResponse>>, ApiError> {
    let limit = page_limit(query.limit)?;
    let values = store
        .list_tag_values(
            &actor,
            &TagId::from_path(tag_id),
            query.after.as_deref(),
            limit + 1,
        )
        .await?;
    Ok(Json(into_page(
        values,
        limit,
        |v| v.correlation_id.to_string(),
        TagValueResponse::from,
    )))
}

/// A resource's tags with their names and colours, by tag name.
#[utoipa::path(get, path = "/resources/{id}/tags", tag = TAG, operation_id = "listResourceTags",
    params(("id" = String, Path)),
    responses((status = 200, body = ResourceTags),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn resource_tags(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ResourceTags>, ApiError> {
    let tags = store
        .resource_tags(&actor, &ResourceId::from_path(id))
        .await?;
    Ok(Json(ResourceTags {
        data: tags.into_iter().map(Into::into).collect(),
    }))
}
