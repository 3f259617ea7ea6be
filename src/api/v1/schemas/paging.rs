//! Cursor paging shared by every list.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::v1::error::ApiError;

/// A page of items and where the next one starts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `?after=…&limit=…` on lists paged by id.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// At most this many (1 to 1000; default 100).
    pub limit: Option<u32>,
}

pub const MAX_PAGE: u32 = 1000;

/// The page size asked for, checked.
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(100);
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::bad_request(
            "parameter_invalid",
            format!("limit must be between 1 and {MAX_PAGE}; got {limit}."),
        ))
    }
}

/// Trims a list fetched with one extra item into a page: the extra one only says "more".
pub fn into_page<T: ToSchema, R>(
    mut rows: Vec<R>,
    limit: u32,
    cursor_of: impl Fn(&R) -> String,
    convert: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(&cursor_of)
    } else {
        None
    };
    Page {
        data: rows.into_iter().map(convert).collect(),
        next_cursor,
    }
}
