//! `/imports`: a CSV or NDJSON file of resources, previewed or committed as one change set.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiState;
use super::error::{ApiError, ErrorResponse};
use super::extract::{ApiBody, ApiPath, ApiQuery, Writer};
use crate::core::change_sets::{self, ChangeNote, Via};
use crate::core::import::csv_rows::CsvRows;
use crate::core::import::ndjson::NdjsonRows;
use crate::core::import::{ImportProgress, ImportReport, ReadRows};
use crate::store::Store;

const TAG: &str = "Import";

/// The largest file an import takes at once.
pub const IMPORT_BODY: usize = 128 * 1024 * 1024;

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportMode {
    /// Check every row and say what a commit would do; nothing is written.
    #[default]
    Preview,
    /// Write the file as one change set, or nothing when any row has an error.
    Commit,
}

/// `?mode=preview|commit&comment=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `preview` (the default) or `commit`.
    #[serde(default)]
    pub mode: ImportMode,
    /// Kept on the import's change set (at most 1000 characters).
    #[param(max_length = 1000)]
    pub comment: Option<String>,
    /// The file's name, kept on the change set as its `source` ("Imported by alice from
    /// sites.csv"); its last path part, at most 255 characters.
    pub file_name: Option<String>,
    /// An id of the caller's choosing (8 to 64 letters, digits, `-` or `_`) under which
    /// `GET /imports/progress/{id}` answers how far the import has got while it runs; empty is
    /// none.
    #[param(pattern = r"^([A-Za-z0-9_-]{8,64})?$", max_length = 64)]
    pub progress: Option<String>,
}

/// Imports under way that their callers follow (`?progress=…`), by the id each chose. Held
/// by the API's state, not the core: it lives only as long as the requests.
#[derive(Debug, Default)]
pub struct ImportsUnderWay(Mutex<HashMap<String, Followed>>);

#[derive(Debug)]
struct Followed {
    principal: String,
    progress: Arc<ImportProgress>,
}

/// The most imports followed at once; past it an import runs unfollowed (the single writer
/// runs them one at a time anyway).
const MOST_FOLLOWED: usize = 64;

impl ImportsUnderWay {
    /// Follows an import under `id` until the returned guard is dropped; no guard when the id
    /// is taken or too many are followed.
    fn follow(
        self: &Arc<Self>,
        id: &str,
        principal: &str,
        progress: &Arc<ImportProgress>,
    ) -> Option<Following> {
        let mut under_way = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if under_way.len() >= MOST_FOLLOWED || under_way.contains_key(id) {
            return None;
        }
        under_way.insert(
            id.to_owned(),
            Followed {
                principal: principal.to_owned(),
                progress: progress.clone(),
            },
        );
        Some(Following {
            under_way: self.clone(),
            id: id.to_owned(),
        })
    }

    /// The progress of `principal`'s import followed as `id`.
    fn progress(&self, id: &str, principal: &str) -> Option<Arc<ImportProgress>> {
        let under_way = self.0.lock().unwrap_or_else(|e| e.into_inner());
        under_way
            .get(id)
            .filter(|followed| followed.principal == principal)
            .map(|followed| followed.progress.clone())
    }
}

/// An import followed under an id; dropping it (the request's end, however it ends) forgets it.
struct Following {
    under_way: Arc<ImportsUnderWay>,
    id: String,
}

impl Drop for Following {
    fn drop(&mut self) {
        let mut under_way = self.under_way.0.lock().unwrap_or_else(|e| e.into_inner());
        under_way.remove(&self.id);
    }
}

/// A `?progress=` id: 8 to 64 of `A-Z a-z 0-9 - _`.
fn progress_id(id: &str) -> Result<&str, ApiError> {
    let fits = (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(id)
    } else {
        Err(ApiError::bad_request(
            "parameter_invalid",
            "'progress' is an id of 8 to 64 letters, digits, '-' or '_'.",
        ))
    }
}

/// How far an import has got.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProgressResponse {
    /// `waiting` (the file has arrived; its turn at the writer comes), `checking` (each row
    /// read and checked, and written in a commit) or `done` (the answer is on its way).
    #[schema(example = "checking")]
    pub phase: &'static str,
    /// Rows done in this phase so far.
    pub rows: u64,
}

/// How far an import the caller started with `?progress={id}` has got, while it runs: a
/// page's progress bar. 404 once it has answered, or for another caller's id.
#[utoipa::path(get, path = "/imports/progress/{id}", tag = TAG, operation_id = "getImportProgress",
    params(("id" = String, Path, description = "The id given as the import's `progress`")),
    responses(
        (status = 200, body = ImportProgressResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse),
    ))]
pub async fn import_progress(
    State(api): State<ApiState>,
    Writer(actor): Writer,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ImportProgressResponse>, ApiError> {
    let progress = api.imports.progress(&id, &actor.id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_missing",
            format!("No import of yours is under way as '{id}'."),
        )
    })?;
    Ok(Json(ImportProgressResponse {
        phase: progress.phase().as_str(),
        rows: progress.rows(),
    }))
}

/// A row the import refuses: where, and why in the core's own codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorResponse {
    /// The physical line of the file where the row starts.
    pub line: u64,
    /// The column as the file names it (`meta.rack_units`, `tag:Region`), or null.
    #[schema(example = "meta.rack_units")]
    pub column: Option<String>,
    #[schema(example = "metadata_value_type_mismatch")]
    pub code: String,
    pub message: String,
}

/// What the import did (commit) or would do (preview).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub creates: u64,
    pub updates: u64,
    pub unchanged: u64,
    /// Every refused row; a commit with any writes nothing.
    pub errors: Vec<ImportErrorResponse>,
    /// The change set a commit wrote (revert it to undo the import).
    pub change_set: Option<String>,
    /// The CSV delimiter told from the header: `,`, `;` or `tab`.
    pub delimiter: Option<String>,
}

/// What a 422 holds: a refused commit's report, or the error body of a refused parameter (a
/// comment over 1000 characters). Named for the OpenAPI document only, which must say both.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Never built: the handler answers one of the two bodies it names.
pub enum ImportRefusal {
    Report(ImportResponse),
    Refused(ErrorResponse),
}

impl ImportResponse {
    fn new(report: ImportReport, delimiter: Option<&str>) -> Self {
        Self {
            creates: report.creates,
            updates: report.updates,
            unchanged: report.unchanged,
            errors: report
                .errors
                .into_iter()
                .map(|e| ImportErrorResponse {
                    line: e.line,
                    column: e.column,
                    code: e.code,
                    message: e.message,
                })
                .collect(),
            change_set: report.change_set,
            delimiter: delimiter.map(str::to_owned),
        }
    }
}

/// The file's rows, read one at a time as the import checks them (the file's bytes are held,
/// its rows never all at once), and the delimiter when it is CSV.
fn rows_of(content_type: &str, bytes: Bytes) -> Result<(ReadRows, Option<&'static str>), ApiError> {
    match content_type {
        "text/csv" => match CsvRows::open(bytes) {
            Ok(rows) => {
                let delimiter = rows.delimiter();
                Ok((Box::new(rows), Some(delimiter)))
            }
            Err(error) => Ok((Box::new(std::iter::once(Err(error))), None)),
        },
        "application/x-ndjson" | "application/jsonl" => {
            Ok((Box::new(NdjsonRows::new(bytes)), None))
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the file as 'text/csv' or 'application/x-ndjson'.",
        )),
    }
}

/// Imports resources from a file: `text/csv` (columns `id`, `type`, `name`, `parent`,
/// `tag:<Tag name>`, `meta.<key>` with an optional `:string`, `:number` or `:boolean`; an empty
/// cell leaves a value as it is and `~` removes it) or `application/x-ndjson` (one `POST
/// /metadata` body a line, with optional `parent` and `tags`). A preview (the default) checks
/// every row and writes nothing; a commit writes the file as one change set, or, when any row
/// is refused, nothing (422 with the same body).
#[utoipa::path(post, path = "/imports", tag = TAG, operation_id = "importResources",
    params(ImportQuery),
    request_body(content(
        (String = "text/csv"),
        (String = "application/x-ndjson"),
    )),
    responses(
        (status = 200, body = ImportResponse),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 413, body = ErrorResponse),
        (status = 415, body = ErrorResponse),
        (status = 422, body = ImportRefusal, description = "A commit refused: nothing was written; `errors` says why. Or a parameter refused (a comment over 1000 characters), in the error body."),
    ))]
pub async fn import_resources(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Writer(mut actor): Writer,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: ApiBody,
) -> Result<(StatusCode, Json<ImportResponse>), ApiError> {
    let comment =
        change_sets::comment(query.comment.as_deref()).map_err(crate::core::CoreError::from)?;
    let progress = Arc::new(ImportProgress::default());
    let _following = match query.progress.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => api.imports.follow(progress_id(id)?, &actor.id, &progress),
        None => None,
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // The rows are read on the writer's own thread as it checks them: neither the async
    // workers nor memory carry the whole file's rows. Only the header is read here.
    let (rows, delimiter) = rows_of(&content_type, body.bytes.clone())?;
    drop(body);
    actor.change.via = Via::Import;
    let source = change_sets::source(query.file_name.as_deref());
    actor.change.note = (comment.is_some() || source.is_some()).then(|| {
        Box::new(ChangeNote {
            comment,
            reverts: None,
            source,
        })
    });
    let commit = matches!(query.mode, ImportMode::Commit);
    let report = store
        .import_rows(
            &actor,
            rows,
            commit,
            api.settings.limits,
            crate::core::random::id_bits(),
            progress,
        )
        .await?;
    let status = if commit && !report.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ImportResponse::new(report, delimiter))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_is_followed_by_its_caller_alone_until_it_answers() {
        let under_way = Arc::new(ImportsUnderWay::default());
        let progress = Arc::new(ImportProgress::default());
        let following = under_way.follow("imp-12345678", "usr_a", &progress);
        assert!(following.is_some());
        progress.row_done();
        let seen = under_way.progress("imp-12345678", "usr_a").unwrap();
        assert_eq!(seen.rows(), 1);
        assert!(under_way.progress("imp-12345678", "usr_b").is_none());
        // A second import cannot take the id while the first runs.
        assert!(
            under_way
                .follow("imp-12345678", "usr_b", &progress)
                .is_none()
        );
        drop(following);
        assert!(under_way.progress("imp-12345678", "usr_a").is_none());
    }

    #[test]
    fn past_the_bound_an_import_runs_unfollowed() {
        let under_way = Arc::new(ImportsUnderWay::default());
        let progress = Arc::new(ImportProgress::default());
        let kept: Vec<_> = (0..MOST_FOLLOWED)
            .map(|n| under_way.follow(&format!("imp-{n:08}"), "usr_a", &progress))
            .collect();
        assert!(kept.iter().all(Option::is_some));
        assert!(
            under_way
                .follow("imp-one-more", "usr_a", &progress)
                .is_none()
        );
    }

    #[test]
    fn a_progress_id_is_short_and_plain() {
        assert!(progress_id("imp-0a1b2c3d").is_ok());
        for bad in ["short", "has space x", "../../etc/passwd", &"a".repeat(65)] {
            assert!(progress_id(bad).is_err(), "{bad}");
        }
    }
}
