//! `/resources/export`: what a search finds, as a CSV an import takes back, or as NDJSON;
//! streamed a page at a time, so a large export starts at once and holds little memory.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::error::{ApiError, ErrorResponse};
use super::extract::{ApiQuery, Caller};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::import::{ValueKind, protect};
use crate::core::metadata::{MetaValue, NAME_KEY};
use crate::core::search::{Query, parse};
use crate::store::{ExportColumns, Exported, Store};

/// Resources read per page (each page one statement).
const PAGE: u32 = 1000;
/// Resources a page of the header's pass reads (one statement, answering one row).
const COLUMNS_PAGE: u32 = 10_000;
/// Pages a slow reader may fall behind before the export waits for it.
const PAGES_AHEAD: usize = 2;

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Csv,
    Jsonl,
}

/// `?q=…&format=csv|jsonl`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// A search, as `GET /resources` takes it; empty: everything.
    pub q: Option<String>,
    /// `csv` (the default; the import's columns) or `jsonl` (one `POST /metadata` body a line,
    /// with `parent` and `tags`).
    #[serde(default)]
    pub format: ExportFormat,
}

/// The CSV's columns: every key of the export with its type when all its values share one,
/// every tag.
#[derive(Default)]
struct Columns {
    keys: BTreeMap<String, Option<ValueKind>>,
    tags: BTreeSet<String>,
}

impl Columns {
    /// Takes in one page's keys (with their stored types) and tags.
    fn add(&mut self, page: ExportColumns) {
        for (key, stored_type) in page.keys {
            if key == NAME_KEY {
                continue;
            }
            let kind = kind_of_stored(&stored_type);
            self.keys
                .entry(key)
                .and_modify(|k| {
                    if *k != kind {
                        *k = None;
                    }
                })
                .or_insert(kind);
        }
        self.tags.extend(page.tags);
    }

    fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = ["id", "type", "name", "parent"].map(String::from).into();
        header.extend(self.tags.iter().map(|t| format!("tag:{t}")));
        header.extend(self.keys.iter().map(|(key, kind)| match kind {
            Some(kind) => format!("meta.{key}:{}", kind.as_str()),
            None => format!("meta.{key}"),
        }));
        header
    }

    fn row(&self, r: &Exported) -> Vec<String> {
        let mut row = vec![
            protect(r.id.as_str()).into_owned(),
            r.kind.as_str().to_owned(),
            protect(&r.name).into_owned(),
            r.parent
                .as_ref()
                .map(|p| protect(p.as_str()).into_owned())
                .unwrap_or_default(),
        ];
        row.extend(self.tags.iter().map(|tag| {
            r.tags
                .iter()
                .find(|(name, _)| name == tag)
                .map(|(_, value)| protect(value).into_owned())
                .unwrap_or_default()
        }));
        row.extend(
            self.keys
                .keys()
                .map(|key| match r.metadata.iter().find(|(k, _)| k == key) {
                    None => String::new(),
                    Some((_, value)) => match value {
                        MetaValue::Text(text) => protect(text).into_owned(),
                        other => other.to_json().to_string(),
                    },
                }),
        );
        row
    }
}

/// The import's type of a key stored as `stored_type`; `None` for a type it does not know.
fn kind_of_stored(stored_type: &str) -> Option<ValueKind> {
    match stored_type {
        "string" => Some(ValueKind::String),
        "integer" | "float" => Some(ValueKind::Number),
        "boolean" => Some(ValueKind::Boolean),
        _ => None,
    }
}

fn jsonl_line(r: &Exported) -> Value {
    let metadata: Map<String, Value> = r
        .metadata
        .iter()
        .map(|(key, value)| (key.clone(), value.to_json()))
        .collect();
    let mut line =
        json!({"resource_id": r.id.as_str(), "type": r.kind.as_str(), "metadata": metadata});
    if !metadata_has_name(&line) {
        line["metadata"]["name"] = json!(r.name);
    }
    if let Some(parent) = &r.parent {
        line["parent"] = json!(parent.as_str());
    }
    if !r.tags.is_empty() {
        line["tags"] = r
            .tags
            .iter()
            .map(|(name, value)| (name.clone(), json!(value)))
            .collect::<Map<_, _>>()
            .into();
    }
    line
}

fn metadata_has_name(line: &Value) -> bool {
    line["metadata"].get(NAME_KEY).is_some()
}

/// `records` as CSV lines.
fn csv_records<I: IntoIterator<Item = Vec<String>>>(records: I) -> Result<Vec<u8>, CoreError> {
    let failed = |e: &dyn std::fmt::Display| CoreError::Storage(format!("writing an export: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for fields in records {
        writer.write_record(&fields).map_err(|e| failed(&e))?;
    }
    writer.into_inner().map_err(|e| failed(&e))
}

/// The CSV's columns: every key and tag of what `query` finds, read a page at a time.
async fn columns_of(
    store: &Store,
    actor: &Actor,
    query: Option<&Query>,
) -> Result<Columns, CoreError> {
    let mut columns = Columns::default();
    let mut after = 0;
    loop {
        let (page, next) = store
            .export_columns_page(actor, query, after, COLUMNS_PAGE)
            .await?;
        columns.add(page);
        match next {
            Some(next) => after = next,
            None => return Ok(columns),
        }
    }
}

/// Exports what a search finds: `csv` has the import's columns (typed `meta.` headers, a
/// `tag:` column a tag, the parent's id), so the file imports back as it was; `jsonl` has one
/// `POST /metadata` body a line with `parent` and `tags`. Streamed as it is read.
#[utoipa::path(get, path = "/resources/export", tag = "Import", operation_id = "exportResources",
    params(ExportQuery),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 422, body = ErrorResponse), (status = 503, body = ErrorResponse),
    ))]
pub async fn export_resources(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let search = parse(query.q.as_deref().unwrap_or("")).map_err(CoreError::from)?;
    // The CSV's header names every key and tag, so the export is read once for its columns
    // first; a failure there is still an ordinary error answer.
    let columns = match query.format {
        ExportFormat::Csv => Some(columns_of(&store, &actor, search.as_ref()).await?),
        ExportFormat::Jsonl => None,
    };
    let (sender, receiver) =
        tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(PAGES_AHEAD);
    tokio::spawn(async move {
        let stopped = |e: CoreError| {
            tracing::error!("an export stopped: {e}");
            Err(std::io::Error::other("the export stopped"))
        };
        if let Some(columns) = &columns {
            let header = csv_records([columns.header()])
                .map(Bytes::from)
                .or_else(stopped);
            if sender.send(header).await.is_err() {
                return;
            }
        }
        // The next page is read while this one is written and sent: SQLite's thread reads as
        // this one writes (two cores, nearly twice as fast). The channel holds at most a couple
        // of pages for a slow reader, and one more is read ahead, whatever the export's size.
        let read = |after: i64| {
            let (store, actor, search) = (store.clone(), actor.clone(), search.clone());
            tokio::spawn(async move {
                store
                    .export_page(&actor, search.as_ref(), after, PAGE)
                    .await
            })
        };
        let mut reading = read(0);
        loop {
            let found = (&mut reading).await.unwrap_or_else(|e| {
                Err(CoreError::Storage(format!(
                    "reading an export page failed: {e}"
                )))
            });
            let (page, next) = match found {
                Ok(found) => found,
                Err(e) => {
                    let _ = sender.send(stopped(e)).await;
                    return;
                }
            };
            if let Some(next) = next {
                reading = read(next);
            }
            let bytes = match &columns {
                Some(columns) => match csv_records(page.iter().map(|r| columns.row(r))) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        let _ = sender.send(stopped(e)).await;
                        return;
                    }
                },
                None => {
                    let mut bytes = Vec::new();
                    for resource in &page {
                        // Writing JSON to memory cannot fail.
                        let _ = serde_json::to_writer(&mut bytes, &jsonl_line(resource));
                        bytes.push(b'\n');
                    }
                    bytes
                }
            };
            if sender.send(Ok(Bytes::from(bytes))).await.is_err() {
                return;
            }
            if next.is_none() {
                return;
            }
        }
    });
    // A stream that answers "ended" for as long as it is asked (the compression layer asks
    // again after the end), which an `unfold` over the receiver does not.
    let mut receiver = receiver;
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }));
    let (content_type, name) = match query.format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "sitebook-export.csv"),
        ExportFormat::Jsonl => ("application/x-ndjson", "sitebook-export.jsonl"),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(keys: &[(&str, &str)], tags: &[&str]) -> ExportColumns {
        ExportColumns {
            keys: keys
                .iter()
                .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
                .collect(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn a_key_is_typed_in_the_header_only_when_every_page_agrees() {
        let mut columns = Columns::default();
        columns.add(page(
            &[
                ("rack", "integer"),
                ("lit", "boolean"),
                ("name", "string"),
                ("note", "string"),
            ],
            &["Region"],
        ));
        columns.add(page(
            &[("rack", "float"), ("note", "integer")],
            &["Tier", "Region"],
        ));
        assert_eq!(
            columns.header(),
            [
                "id",
                "type",
                "name",
                "parent",
                "tag:Region",
                "tag:Tier",
                "meta.lit:boolean",
                "meta.note",
                "meta.rack:number"
            ]
        );
    }
}
