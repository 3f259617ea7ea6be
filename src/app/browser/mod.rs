//! Calls the hydrated page makes to the REST API itself, for what server functions cannot do:
//! stream an upload or an import with progress, and share the API's file endpoints rather than repeat them.
//! A signed-in browser is authenticated there by its session cookie and sends the page's CSRF
//! token in `X-CSRF-Token`. These run in event handlers, so only ever in the browser.

mod files;
pub mod import;
mod transfer;
mod upload;

pub use files::{delete_file, note_text, save_note};
pub use transfer::{Transfer, TransferBody, TransferEvent};
pub use upload::{Upload, UploadEvent};

/// The header that carries the CSRF token to the REST API.
const CSRF_HEADER: &str = "X-CSRF-Token";

/// The message of an API error body (`{type, code, message, doc_url}`), or a generic line.
pub fn error_message(status: u16, body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct ApiError {
        message: String,
    }
    serde_json::from_str::<ApiError>(body)
        .map(|e| e.message)
        .unwrap_or_else(|_| format!("The server answered {status}. Please try again."))
}
