//! `GET /resources?q=…`: the search language over every resource.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorResponse};
use super::etag;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, Writer};
use super::schemas::{Page, ParentWrite, ResourceSummary, SearchQuery, into_page, page_limit};
use crate::core::CoreError;
use crate::core::resources::{Resource, ResourceId};
use crate::core::search::parse;
use crate::store::Store;

fn resource_response(resource: Resource) -> Response {
    (
        StatusCode::OK,
        [(header::ETAG, etag::header_value(resource.version))],
        Json(ResourceSummary::from(resource)),
    )
        .into_response()
}

/// One resource of any type.
#[utoipa::path(get, path = "/resources/{id}", tag = "Search", operation_id = "getResource",
    params(("id" = String, Path)),
    responses((status = 200, body = ResourceSummary, headers(("ETag" = String))),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_resource(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let resource = store
        .get_resource(&actor, &ResourceId::from_path(id))
        .await?;
    Ok(resource_response(resource))
}

/// Put a resource under another (a device under its site), or under nothing (`null`).
#[utoipa::path(put, path = "/resources/{id}/parent", tag = "Search", operation_id = "setResourceParent",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = ParentWrite,
    responses((status = 200, body = ResourceSummary, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, description = "The parent is the resource itself or under it", body = ErrorResponse),
        (status = 412, body = ErrorResponse), (status = 415, body = ErrorResponse)))]
pub async fn set_parent(
    State(store): State<Store>,
    Writer(actor): Writer,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ParentWrite>,
) -> Result<Response, ApiError> {
    let expected = etag::expected(&headers)?;
    let parent = body.parent_id.map(ResourceId::from_path);
    let resource = store
        .set_parent(
            &actor,
            &ResourceId::from_path(id),
            parent.as_ref(),
            expected,
        )
        .await?;
    Ok(resource_response(resource))
}

/// Find resources by name, type, tag values and metadata. Results come in creation order.
///
/// `name:router*`, `type:site`, `tag:Region=APAC`, `meta.is_critical=true`,
/// `meta.rack_units>=2`, `has:meta.circuit_id`, `-tag:Tier=Gold`, `AND`, `OR`, parentheses.
#[utoipa::path(get, path = "/resources", tag = "Search", operation_id = "searchResources",
    params(SearchQuery),
    responses((status = 200, body = Page<ResourceSummary>),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 422, description = "The query does not parse, a term has too many wildcards, or the search ran past its deadline; the code says which", body = ErrorResponse),
        (status = 503, description = "Every search connection is busy: retry after Retry-After", body = ErrorResponse)))]
pub async fn search(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Page<ResourceSummary>>, ApiError> {
    let limit = page_limit(query.limit)?;
    let after = match query.after.as_deref() {
        None | Some("") => 0,
        Some(cursor) => cursor.parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                "parameter_invalid",
                "after must be a next_cursor from an earlier page.",
            )
        })?,
    };
    let parsed = parse(query.q.as_deref().unwrap_or("")).map_err(CoreError::from)?;
    let found = store
        .search(&actor, parsed.as_ref(), after, limit + 1)
        .await?;
    Ok(Json(into_page(
        found,
        limit,
        |(pk, _)| pk.to_string(),
        |(_, resource)| resource.into(),
    )))
}
