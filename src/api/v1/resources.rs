//! `GET /resources?q=…`: the search language over every resource.

use axum::Json;
use axum::extract::State;

use super::error::{ApiError, ErrorResponse};
use super::extract::{ApiQuery, Caller};
use super::schemas::{Page, ResourceSummary, SearchQuery, into_page, page_limit};
use crate::core::CoreError;
use crate::core::search::parse;
use crate::core::store::Store;

/// Find resources by name, type, tag values and metadata. Results come in creation order.
///
/// `name:router*`, `type:site`, `tag:Region=APAC`, `meta.is_critical=true`,
/// `meta.rack_units>=2`, `has:meta.circuit_id`, `-tag:Tier=Gold`, `AND`, `OR`, parentheses.
#[utoipa::path(get, path = "/resources", tag = "Search", operation_id = "searchResources",
    params(SearchQuery),
    responses((status = 200, body = Page<ResourceSummary>),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 422, description = "The query does not parse; the message says where", body = ErrorResponse)))]
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
