//! `Streams`: SdsStreams, each a Sitebook resource of type `datahub.stream`.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::error::SdsError;
use super::extract::{Caller, DhPath, JsonBody, Writer};
use super::types::date;
use super::{DataHub, Page, Scope};
use crate::core::CoreError;
use crate::core::access::{Actor, UNPLACED_AMONG_SITES};
use crate::core::random;
use crate::core::resources::ResourceId;
use crate::core::streams::{SdsId, Stream};
use crate::store::StoredStream;

#[derive(Deserialize)]
#[serde(from = "StreamParams")]
pub struct StreamPath {
    pub scope: Scope,
    pub stream_id: String,
}

/// A stream path's parameters by name. Read as one flat struct rather than through
/// `#[serde(flatten)]`, which first buffers every parameter into a map of its own: these are
/// the paths of the face's hottest reads.
#[derive(Deserialize)]
pub(super) struct StreamParams {
    pub(super) tenant: String,
    pub(super) namespace: String,
    pub(super) stream_id: String,
}

impl From<StreamParams> for StreamPath {
    fn from(params: StreamParams) -> Self {
        Self {
            scope: Scope {
                tenant: params.tenant,
                namespace: params.namespace,
            },
            stream_id: params.stream_id,
        }
    }
}

pub fn shape(stored: &StoredStream) -> Value {
    stored.stream.to_json(
        &date(stored.resource.created_at),
        &date(stored.resource.updated_at),
    )
}

/// The stream a path names, with Data Hub's 404 when there is none.
pub async fn find(
    state: &DataHub,
    actor: &Actor,
    path: &StreamPath,
) -> Result<StoredStream, SdsError> {
    let namespace = path.scope.namespace(state, actor).await?;
    match state.store.stream(actor, &namespace, &path.stream_id).await {
        Ok(stored) => Ok(stored),
        Err(CoreError::NotFound { .. }) => Err(SdsError::stream_missing(&path.stream_id)),
        Err(other) => Err(other.into()),
    }
}

/// The resource a path's stream is, with Data Hub's 404 when there is none: all that the
/// metadata and tag calls need.
pub async fn resource(
    state: &DataHub,
    actor: &Actor,
    path: &StreamPath,
) -> Result<ResourceId, SdsError> {
    let namespace = path.scope.namespace(state, actor).await?;
    match state
        .store
        .stream_resource(actor, &namespace, &path.stream_id)
        .await
    {
        Ok(id) => Ok(id),
        Err(CoreError::NotFound { .. }) => Err(SdsError::stream_missing(&path.stream_id)),
        Err(other) => Err(other.into()),
    }
}

/// `GET Streams?skip&count&query`: a bare array, by id.
pub async fn list(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(scope): DhPath<Scope>,
    page: Page,
) -> Result<Json<Value>, SdsError> {
    let namespace = scope.namespace(&state, &actor).await?;
    let (skip, count) = page.bounds()?;
    let streams = state
        .store
        .search_streams(&actor, &namespace, page.query(), skip, count)
        .await?;
    Ok(Json(Value::Array(streams.iter().map(shape).collect())))
}

/// `GET Streams/{streamId}`
pub async fn show(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<StreamPath>,
) -> Result<Json<Value>, SdsError> {
    Ok(Json(shape(&find(&state, &actor, &path).await?)))
}

async fn put(
    state: &DataHub,
    actor: &Actor,
    path: &StreamPath,
    body: &Value,
    update: bool,
) -> Result<(StoredStream, bool), SdsError> {
    let namespace = path.scope.namespace(state, actor).await?;
    let parsed = SdsId::parse("stream", &path.stream_id).and_then(|id| Stream::parse(&id, body));
    state
        .store
        .put_stream(actor, &namespace, parsed, update, random::id_bits())
        .await
        .map_err(|e| match e {
            CoreError::NotFound { what: "type", id } => SdsError::new(
                StatusCode::NOT_FOUND,
                "One of the resources specified was not found.",
            )
            .reason(format!("The type '{id}' does not exist in this namespace."))
            .resolution("Create the type first (POST Types/{typeId}).")
            .parameter("TypeId", &id),
            CoreError::Forbidden(why) if why == UNPLACED_AMONG_SITES => SdsError::new(
                StatusCode::FORBIDDEN,
                "The token may not create this stream.",
            )
            .reason(
                "The token is limited to several Sitebook sites, and a stream created \
                         through Data Hub names no site to go under.",
            )
            .resolution(
                "Use a token limited to one site (its new streams go under that site), \
                         or a manager's token not limited to sites; to place a stream under a \
                         site afterwards, PUT /api/v1/resources/{id}/parent with \
                         {\"parent_id\": SITE_ID}.",
            )
            .parameter("StreamId", &path.stream_id),
            other => other.into(),
        })
}

/// `POST Streams/{streamId}`: 201 with the new stream, 200 with the same one created before,
/// 409 for a different one under that id.
pub async fn get_or_create(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
    JsonBody(body): JsonBody,
) -> Result<Response, SdsError> {
    let (stored, created) = put(&state, &actor, &path, &body, false).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(shape(&stored))).into_response())
}

/// `PUT Streams/{streamId}`: 201 with the stream when created, 204 when updated.
pub async fn create_or_update(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
    JsonBody(body): JsonBody,
) -> Result<Response, SdsError> {
    match put(&state, &actor, &path, &body, true).await? {
        (stored, true) => Ok((StatusCode::CREATED, Json(shape(&stored))).into_response()),
        (_, false) => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// `DELETE Streams/{streamId}`: the stream goes with its metadata and tags.
pub async fn delete(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
) -> Result<StatusCode, SdsError> {
    let stored = find(&state, &actor, &path).await?;
    state
        .store
        .delete_resource(&actor, &stored.resource.kind, &stored.resource.id, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET Streams/{streamId}/Type`
pub async fn stream_type(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<StreamPath>,
) -> Result<Json<Value>, SdsError> {
    let stored = find(&state, &actor, &path).await?;
    let namespace = path.scope.namespace(&state, &actor).await?;
    let kind = state
        .store
        .stream_type(&actor, &namespace, stored.stream.type_id.as_str())
        .await?;
    let created = date(kind.created_at);
    Ok(Json(kind.sds_type.to_json(&created, &created)))
}
