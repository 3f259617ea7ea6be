//! `Streams/{streamId}/Metadata` and `ChangeData/Metadata`, exactly as seed 004 describes them.
//! Values are strings to Data Hub; Sitebook's typed values read and write through the core's
//! untyped rule (`core::metadata::untyped`), the same one the Nova face uses.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::DataHub;
use super::error::SdsError;
use super::extract::{Caller, DhPath, JsonBody, Writer};
use super::streams::{StreamParams, StreamPath, resource};
use super::types::date;
use crate::core::CoreError;
use crate::core::access::{Actor, CreatorType};
use crate::core::metadata::untyped::{UntypedChange, UntypedWrite};
use crate::core::metadata::{JsonPatch, MetadataRecord, untyped};
use crate::web::etag;

/// Data Hub's enum for who made a change.
fn creator_type(kind: CreatorType) -> u8 {
    match kind {
        CreatorType::User => 1,
        CreatorType::Client => 2,
        CreatorType::Rule => 3,
    }
}

fn dictionary_json(record: &MetadataRecord) -> Vec<u8> {
    let items: Map<String, Value> = untyped::items(&record.metadata())
        .into_iter()
        .map(|(key, value)| (key, Value::String(value)))
        .collect();
    serde_json::to_vec(&items).expect("metadata items serialise")
}

fn with_etag(body: impl Into<axum::body::Body>, version: i64) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag::header_value(version)),
        ],
        body.into(),
    )
        .into_response()
}

/// The dictionary as a write leaves it.
fn dictionary(record: &MetadataRecord) -> Response {
    with_etag(dictionary_json(record), record.resource.version)
}

/// The dictionary as a read finds it, made once per record: reads are the hot path.
fn cached_dictionary(state: &DataHub, record: &Arc<MetadataRecord>) -> Response {
    with_etag(
        state.bodies.body(record, dictionary_json),
        record.resource.version,
    )
}

/// The stream's metadata, with Data Hub's 404 for a namespace or stream that is not there.
async fn read(
    state: &DataHub,
    actor: &Actor,
    path: &StreamPath,
) -> Result<Arc<MetadataRecord>, SdsError> {
    path.scope.check_tenant(actor)?;
    match state
        .store
        .read_stream_metadata(actor, path.scope.namespace_name(), &path.stream_id)
        .await
    {
        Ok(record) => Ok(record),
        Err(CoreError::NotFound {
            what: "namespace", ..
        }) => Err(path.scope.namespace_missing()),
        Err(CoreError::NotFound { .. }) => Err(SdsError::stream_missing(&path.stream_id)),
        Err(other) => Err(other.into()),
    }
}

/// `GET Metadata`: the whole dictionary, `{}` when empty.
pub async fn list(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<StreamPath>,
) -> Result<Response, SdsError> {
    let record = read(&state, &actor, &path).await?;
    Ok(cached_dictionary(&state, &record))
}

#[derive(Deserialize)]
#[serde(from = "KeyParams")]
pub struct KeyPath {
    stream: StreamPath,
    key: String,
}

/// A key path's parameters, flat for the reason [`StreamParams`] gives.
#[derive(Deserialize)]
struct KeyParams {
    tenant: String,
    namespace: String,
    stream_id: String,
    key: String,
}

impl From<KeyParams> for KeyPath {
    fn from(params: KeyParams) -> Self {
        Self {
            stream: StreamParams {
                tenant: params.tenant,
                namespace: params.namespace,
                stream_id: params.stream_id,
            }
            .into(),
            key: params.key,
        }
    }
}

/// `GET Metadata/{key}`: the value as a JSON string.
pub async fn show(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<KeyPath>,
) -> Result<Response, SdsError> {
    let record = read(&state, &actor, &path.stream).await?;
    let value = untyped::items(&record.metadata())
        .remove(&path.key)
        .ok_or_else(|| {
            SdsError::new(StatusCode::NOT_FOUND, "The specified key was not found.")
                .parameter("StreamId", &path.stream.stream_id)
                .parameter("Key", &path.key)
        })?;
    let mut response = Json(Value::String(value)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag::header_value(record.resource.version));
    Ok(response)
}

/// Writes the stream's dictionary by the core's untyped rule (`UntypedChange`), all or
/// nothing: one trip to the store, which finds the stream and refuses what is not one.
async fn write(
    state: &DataHub,
    actor: &Actor,
    path: &StreamPath,
    headers: &HeaderMap,
    change: UntypedChange,
) -> Result<MetadataRecord, SdsError> {
    path.scope.check_tenant(actor)?;
    let precondition = crate::web::edge::precondition::resource(headers)?;
    let write = UntypedWrite {
        change,
        max_items: None,
    };
    state
        .store
        .write_stream_metadata(
            actor,
            path.scope.namespace_name(),
            &path.stream_id,
            write,
            &precondition,
            state.settings.limits,
        )
        .await
        .map_err(|error| match error {
            CoreError::NotFound {
                what: "namespace", ..
            } => path.scope.namespace_missing(),
            CoreError::NotFound { .. } => SdsError::stream_missing(&path.stream_id),
            other => other.into(),
        })
}

/// `PUT Metadata`: replaces the dictionary and answers the new one.
pub async fn replace(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, SdsError> {
    let items = untyped::read_object(&body).map_err(CoreError::from)?;
    let record = write(
        &state,
        &actor,
        &path,
        &headers,
        UntypedChange::Replace(items),
    )
    .await?;
    Ok(dictionary(&record))
}

/// `PATCH Metadata`: a JSON Patch on the dictionary as Data Hub sees it (strings only), all
/// or nothing; answers the new dictionary.
pub async fn patch(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, SdsError> {
    let patch = JsonPatch::parse(&body, state.settings.limits).map_err(CoreError::from)?;
    let record = write(&state, &actor, &path, &headers, UntypedChange::Patch(patch)).await?;
    Ok(dictionary(&record))
}

/// `DELETE Metadata`: every item goes (the stream keeps its name); 204.
pub async fn delete(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
    headers: HeaderMap,
) -> Result<StatusCode, SdsError> {
    let clear = UntypedChange::Replace(Vec::new());
    write(&state, &actor, &path, &headers, clear).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET ChangeData/Metadata`: each item with when it last changed and who changed it.
pub async fn change_data(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<StreamPath>,
) -> Result<Json<Value>, SdsError> {
    let id = resource(&state, &actor, &path).await?;
    let record = state.store.read_metadata_shared(&actor, &id).await?;
    let visible = untyped::items(&record.metadata());
    let changes: Map<String, Value> = record
        .entries
        .iter()
        .filter_map(|entry| {
            let value = visible.get(entry.key.as_str())?;
            Some((
                entry.key.as_str().to_owned(),
                json!({
                    "Value": value,
                    "ChangeData": {
                        "Timestamp": date(entry.changed_at),
                        "CreatorId": entry.changed_by,
                        "CreatorType": creator_type(entry.creator_type),
                    }
                }),
            ))
        })
        .collect();
    Ok(Json(Value::Object(changes)))
}
