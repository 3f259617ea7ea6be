//! `/sites`: the sites themselves (their metadata is under `/metadata/{siteId}`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorResponse};
use super::etag;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, Writer};
use super::schemas::{Page, PageQuery, Site, SiteWrite, into_page, page_limit};
use crate::core::CoreError;
use crate::core::resources::{Resource, ResourceId, ResourceName, ResourceType};
use crate::store::Store;

const TAG: &str = "Sites";

fn site_response(site: Resource, status: StatusCode) -> Response {
    (
        status,
        [(header::ETAG, etag::header_value(site.version))],
        Json(Site::from(site)),
    )
        .into_response()
}

fn missing(id: &str) -> ApiError {
    CoreError::NotFound {
        what: "site",
        id: id.to_owned(),
    }
    .into()
}

/// Every site, by id, paged.
#[utoipa::path(get, path = "/sites", tag = TAG, operation_id = "listSites",
    params(PageQuery),
    responses((status = 200, body = Page<Site>),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse)))]
pub async fn list_sites(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Site>>, ApiError> {
    let limit = page_limit(query.limit)?;
    let sites = store
        .page_resources(
            &actor,
            &ResourceType::site(),
            query.after.as_deref(),
            limit + 1,
        )
        .await?;
    Ok(Json(into_page(
        sites,
        limit,
        |s| s.id.to_string(),
        Site::from,
    )))
}

/// Create a site; names are unique ignoring case.
#[utoipa::path(post, path = "/sites", tag = TAG, operation_id = "createSite",
    request_body = SiteWrite,
    responses((status = 201, body = Site, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_site(
    State(store): State<Store>,
    Writer(actor): Writer,
    ApiJson(body): ApiJson<SiteWrite>,
) -> Result<Response, ApiError> {
    let site = store
        .create_resource(
            &actor,
            &ResourceType::site(),
            ResourceName::parse(&body.name),
            crate::core::random::id_bits(),
        )
        .await?;
    Ok(site_response(site, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/sites/{siteId}", tag = TAG, operation_id = "getSite",
    params(("siteId" = String, Path)),
    responses((status = 200, body = Site, headers(("ETag" = String))),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_site(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(site_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let site = store
        .find_resource(
            &actor,
            &ResourceType::site(),
            &ResourceId::from_path(&*site_id),
        )
        .await?
        .ok_or_else(|| missing(&site_id))?;
    Ok(site_response(site, StatusCode::OK))
}

/// Rename a site (this sets its `name` metadata key, which the site's name follows).
#[utoipa::path(patch, path = "/sites/{siteId}", tag = TAG, operation_id = "updateSite",
    params(("siteId" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = SiteWrite,
    responses((status = 200, body = Site, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 412, body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_site(
    State(store): State<Store>,
    Writer(actor): Writer,
    ApiPath(site_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SiteWrite>,
) -> Result<Response, ApiError> {
    let precondition = etag::resource_precondition(&headers)?;
    let record = store
        .rename_resource(
            &actor,
            &ResourceType::site(),
            &ResourceId::from_path(site_id),
            ResourceName::parse(&body.name),
            &precondition,
        )
        .await?;
    Ok(site_response(record.resource, StatusCode::OK))
}

/// Delete a site with its metadata, tags and files; its history stays readable.
#[utoipa::path(delete, path = "/sites/{siteId}", tag = TAG, operation_id = "deleteSite",
    params(("siteId" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 412, body = ErrorResponse)))]
pub async fn delete_site(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(site_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = etag::expected(&headers)?;
    store
        .delete_resource(
            &actor,
            &ResourceType::site(),
            &ResourceId::from_path(site_id),
            expected,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
