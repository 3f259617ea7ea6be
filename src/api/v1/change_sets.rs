//! `/change-sets`: each request's changes as one set, read back and reverted.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::error::{ApiError, ErrorResponse};
use super::extract::{ApiBody, ApiPath, ApiQuery, Caller, Writer};
use super::schemas::{
    ChangeSetDetail, ChangeSetQuery, ChangeSetResponse, Page, RevertQuery, RevertRequest,
    RevertResponse, page_limit,
};
use crate::core::change_sets::{self, ChangeSetId};
use crate::core::resources::ResourceId;
use crate::store::{ChangeSetFilter, Reverted, Store};

const TAG: &str = "Change Sets";

/// An id that cannot be a change set's is simply not found, as any unknown id is.
fn set_id(raw: String) -> Result<ChangeSetId, ApiError> {
    ChangeSetId::parse(&raw).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_missing",
            format!("No change set has the id '{raw}'."),
        )
    })
}

/// The tenant's change sets, newest first: each request that changed something is one, an
/// import is one, a revert is one.
#[utoipa::path(get, path = "/change-sets", tag = TAG, operation_id = "listChangeSets",
    params(ChangeSetQuery),
    responses(
        (status = 200, body = inline(Page<ChangeSetResponse>)),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
    ))]
pub async fn list_change_sets(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiQuery(query): ApiQuery<ChangeSetQuery>,
) -> Result<Json<Page<ChangeSetResponse>>, ApiError> {
    let limit = page_limit(query.limit)?;
    // An empty parameter is an absent one, as a form or a generated client sends it.
    let given = |p: Option<String>| p.filter(|v| !v.is_empty());
    let before = match given(query.after).as_deref() {
        None => None,
        Some(cursor) => Some(cursor.parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                "parameter_invalid",
                "'after' is the 'next_cursor' of an earlier page.",
            )
        })?),
    };
    let filter = ChangeSetFilter {
        resource: given(query.resource).map(ResourceId::from_path),
        actor: given(query.actor),
        since: query.since,
    };
    let page = store
        .list_change_sets(&actor, &filter, before, limit)
        .await?;
    Ok(Json(Page {
        data: page.sets.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|pk| pk.to_string()),
    }))
}

/// One change set with its records: each resource, what in it (key, tag or file), before and
/// after.
#[utoipa::path(get, path = "/change-sets/{change_set_id}", tag = TAG, operation_id = "getChangeSet",
    params(("change_set_id" = String, Path)),
    responses(
        (status = 200, body = ChangeSetDetail),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse),
    ))]
pub async fn get_change_set(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ChangeSetDetail>, ApiError> {
    let id = set_id(id)?;
    let (set, records) = store.change_set(&actor, &id).await?;
    Ok(Json(ChangeSetDetail::new(set, records)))
}

/// Reverts a change set: every value it changed goes back to what it was before, as a new
/// change set (revert that one to re-apply). All or nothing: when someone changed any of the
/// same keys, tags, files or resources since, nothing is written and the answer is 409 with
/// each conflict; `?force=true` reverts anyway. Admins may revert any set, managers only sets
/// wholly within what they may change.
#[utoipa::path(post, path = "/change-sets/{change_set_id}/revert", tag = TAG, operation_id = "revertChangeSet",
    params(("change_set_id" = String, Path), RevertQuery),
    request_body(content = Option<RevertRequest>, description = "Optional: a comment kept on the revert's change set."),
    responses(
        (status = 201, body = RevertResponse),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "Someone changed the same things since; `conflicts` lists each."),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse),
    ))]
pub async fn revert_change_set(
    State(store): State<Store>,
    Writer(actor): Writer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<RevertQuery>,
    body: ApiBody,
) -> Result<(StatusCode, Json<RevertResponse>), ApiError> {
    let id = set_id(id)?;
    // The body is optional: none, or JSON `null`, is no comment.
    let request: Option<RevertRequest> = if body.bytes.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice(&body.bytes).map_err(|e| {
            ApiError::bad_request(
                "parameter_invalid",
                format!(
                    "The body, when sent, is a JSON object such as {{\"comment\": \"…\"}}: {e}"
                ),
            )
        })?
    };
    drop(body);
    let request = request.unwrap_or_default();
    let comment =
        change_sets::comment(request.comment.as_deref()).map_err(crate::core::CoreError::from)?;
    match store
        .revert_change_set(&actor, &id, query.force, comment)
        .await?
    {
        Reverted::Done {
            change_set,
            files_missing,
        } => Ok((
            StatusCode::CREATED,
            Json(RevertResponse {
                change_set: change_set.id.to_string(),
                reverted: id.to_string(),
                set: change_set.into(),
                files_not_restored: files_missing,
            }),
        )),
        Reverted::Conflicts(conflicts) => {
            let mut refused = ApiError::new(
                StatusCode::CONFLICT,
                "revert_conflict",
                format!(
                    "{} of the things this change set changed were changed again since; nothing \
                     was reverted. Revert with ?force=true to put the earlier values back anyway.",
                    conflicts.len()
                ),
            );
            refused.conflicts = Some(Box::new(conflicts.into_iter().map(Into::into).collect()));
            Err(refused)
        }
    }
}
