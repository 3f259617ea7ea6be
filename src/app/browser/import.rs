//! An import sent from the page: the file as the body of `POST /api/v1/imports`, its bytes'
//! progress from the browser and its rows' progress from `GET /api/v1/imports/progress/{id}`.

use std::time::Duration;

use gloo_net::http::Request;
use serde::Deserialize;
use web_sys::File;

use super::error_message;
use super::transfer::{Transfer, TransferBody, TransferEvent};

/// What the API answers for a preview or a commit (`ImportResponse`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportAnswer {
    pub creates: u64,
    pub updates: u64,
    pub unchanged: u64,
    pub errors: Vec<ImportRowError>,
    pub change_set: Option<String>,
    pub delimiter: Option<String>,
}

/// A refused row, as the API reports it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportRowError {
    pub line: u64,
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

/// How far the server has got (`ImportProgressResponse`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RowProgress {
    pub phase: String,
    pub rows: u64,
}

/// What an import reports to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportEvent {
    Sent {
        sent: f64,
        total: f64,
    },
    /// The report: a preview's, a commit's, or a refused commit's (nothing written).
    Answered(ImportAnswer),
    Failed(String),
    Cancelled,
}

/// The content type the API reads a file as, by its name's ending (browsers give CSV files
/// several types, and NDJSON files none).
pub fn content_type(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        "application/x-ndjson"
    } else {
        "text/csv"
    }
}

/// An id for `?progress=`: random enough that two tabs never share one.
pub fn progress_id() -> String {
    let random = || (web_sys::js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("imp-{:08x}{:08x}", random(), random())
}

/// Sends `file` for a preview (`commit` false) or a commit, with `comment` on its change set.
pub fn start(
    file: &File,
    commit: bool,
    comment: &str,
    progress: &str,
    csrf: &str,
    report: impl Fn(ImportEvent) + Clone + 'static,
) -> Result<Transfer, String> {
    let mode = if commit { "commit" } else { "preview" };
    let mut url = format!(
        "/api/v1/imports?mode={mode}&progress={progress}&file_name={}",
        String::from(web_sys::js_sys::encode_uri_component(&file.name()))
    );
    if !comment.trim().is_empty() {
        url.push_str("&comment=");
        url.push_str(&String::from(web_sys::js_sys::encode_uri_component(
            comment.trim(),
        )));
    }
    Transfer::post(
        &url,
        csrf,
        TransferBody::File(file, content_type(&file.name())),
        move |event| {
            report(match event {
                TransferEvent::Progress { sent, total } => ImportEvent::Sent { sent, total },
                // 422: a commit refused, with the same report as a preview.
                TransferEvent::Answered { status, body } if status == 200 || status == 422 => {
                    match serde_json::from_str(&body) {
                        Ok(answer) => ImportEvent::Answered(answer),
                        Err(_) => ImportEvent::Failed(error_message(status, &body)),
                    }
                }
                TransferEvent::Answered { status, body } => {
                    ImportEvent::Failed(error_message(status, &body))
                }
                TransferEvent::Lost => ImportEvent::Failed(
                    "The connection to the server was lost during the import.".to_owned(),
                ),
                TransferEvent::Cancelled => ImportEvent::Cancelled,
            })
        },
    )
}

/// How far the server has got with the import followed as `id`; `None` before it starts
/// reading and after it has answered.
pub async fn row_progress(id: &str) -> Option<RowProgress> {
    let response = Request::get(&format!("/api/v1/imports/progress/{id}"))
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.json().await.ok()
}

/// How often the page asks for the rows' progress.
pub const POLL_EVERY: Duration = Duration::from_millis(400);
