use gloo_net::http::{Request, Response};
use serde_json::json;

use super::{CSRF_HEADER, error_message};

fn file_url(site: &str, file: &str) -> String {
    format!("/api/v1/sites/{site}/files/{file}")
}

async fn checked(sent: Result<Response, gloo_net::Error>) -> Result<Response, String> {
    let response = sent.map_err(|e| format!("Could not reach the server ({e})."))?;
    if response.ok() {
        Ok(response)
    } else {
        let body = response.text().await.unwrap_or_default();
        Err(error_message(response.status(), &body))
    }
}

/// Deletes a file, unless it changed since `version`.
pub async fn delete_file(site: &str, file: &str, version: i64, csrf: &str) -> Result<(), String> {
    let sent = Request::delete(&file_url(site, file))
        .header(CSRF_HEADER, csrf)
        .header("If-Match", &format!("\"{version}\""))
        .send()
        .await;
    checked(sent).await.map(|_| ())
}

/// A note's text.
pub async fn note_text(site: &str, file: &str) -> Result<String, String> {
    let sent = Request::get(&format!("{}/content", file_url(site, file)))
        .send()
        .await;
    checked(sent)
        .await?
        .text()
        .await
        .map_err(|e| format!("Could not read the note ({e})."))
}

/// Writes a new note (`file` is `None`) or replaces a note's text, unless it changed since
/// `version`.
pub async fn save_note(
    site: &str,
    file: Option<(&str, i64)>,
    name: &str,
    text: &str,
    csrf: &str,
) -> Result<(), String> {
    let request = match file {
        None => Request::post(&format!("/api/v1/sites/{site}/files"))
            .header(CSRF_HEADER, csrf)
            .json(&json!({ "name": name, "text": text })),
        Some((id, version)) => Request::patch(&file_url(site, id))
            .header(CSRF_HEADER, csrf)
            .header("If-Match", &format!("\"{version}\""))
            .json(&json!({ "name": name, "text": text })),
    }
    .map_err(|e| e.to_string())?;
    checked(request.send().await).await.map(|_| ())
}
