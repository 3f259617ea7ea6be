//! `/imports`: a CSV or NDJSON file of resources, previewed or committed as one change set.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiState;
use super::error::{ApiError, ErrorResponse};
use super::extract::{ApiBody, ApiQuery, Writer};
use crate::core::change_sets::{self, ChangeNote, Via};
use crate::core::import::csv_rows::CsvRows;
use crate::core::import::{ImportReport, ReadRows, RowError, ndjson};
use crate::core::store::Store;

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
    pub comment: Option<String>,
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

/// The file's rows, and the delimiter when it is CSV.
fn rows_of(content_type: &str, bytes: &[u8]) -> Result<(ReadRows, Option<&'static str>), ApiError> {
    match content_type {
        "text/csv" => match CsvRows::open(bytes) {
            Ok(rows) => {
                let delimiter = rows.delimiter();
                Ok((rows.collect(), Some(delimiter)))
            }
            Err(error) => Ok((vec![Err(error)], None)),
        },
        "application/x-ndjson" | "application/jsonl" => Ok((
            bytes
                .split(|&b| b == b'\n')
                .enumerate()
                .filter_map(|(n, line)| {
                    let number = n as u64 + 1;
                    match std::str::from_utf8(line) {
                        Ok(text) => ndjson::row(text, number).transpose(),
                        Err(_) => Some(Err(RowError::new(
                            number,
                            None,
                            "import_unreadable",
                            "The line is not UTF-8 text.",
                        ))),
                    }
                })
                .collect(),
            None,
        )),
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
        (status = 422, body = ImportResponse, description = "A commit refused: nothing was written; `errors` says why."),
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
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // Reading a file grows with its size (up to the route's 128 MiB), so it runs on the
    // blocking pool, not on the workers every other request needs; the body's turn is held
    // until it is read.
    let bytes = body.bytes.clone();
    let (rows, delimiter) = tokio::task::spawn_blocking(move || rows_of(&content_type, &bytes))
        .await
        .map_err(|e| {
            tracing::error!("reading an import failed: {e}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Something went wrong on the server; the request may be retried.",
            )
        })??;
    drop(body);
    actor.change.via = Via::Import;
    actor.change.note = comment.map(|comment| {
        Box::new(ChangeNote {
            comment: Some(comment),
            reverts: None,
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
        )
        .await?;
    let status = if commit && !report.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ImportResponse::new(report, delimiter))))
}
