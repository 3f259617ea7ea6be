//! `Types`: the SdsTypes streams are made of. Types never change; a type in use cannot go.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::SdsError;
use super::extract::{Caller, DhPath, JsonBody, Writer};
use super::{DataHub, Page, Scope};
use crate::core::streams::{SdsId, SdsType};
use crate::store::StoredType;

#[derive(Deserialize)]
pub struct TypePath {
    #[serde(flatten)]
    scope: Scope,
    type_id: String,
}

pub fn date(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn shape(stored: &StoredType) -> Value {
    let created = date(stored.created_at);
    stored.sds_type.to_json(&created, &created)
}

/// `GET Types?skip&count&query`
pub async fn list(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(scope): DhPath<Scope>,
    page: Page,
) -> Result<Response, SdsError> {
    let namespace = scope.namespace(&state, &actor).await?;
    let (skip, count) = page.bounds()?;
    let types = state
        .store
        .search_stream_types(&actor, &namespace, page.query(), skip, count)
        .await?;
    // Written from each definition's stored text: a list never builds the types as values.
    let mut body = String::from("[");
    for (n, listed) in types.iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(&listed.answer(&date(listed.created_at))?);
    }
    body.push(']');
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET Types/{typeId}`
pub async fn show(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<TypePath>,
) -> Result<Json<Value>, SdsError> {
    let namespace = path.scope.namespace(&state, &actor).await?;
    let stored = state
        .store
        .stream_type(&actor, &namespace, &path.type_id)
        .await?;
    Ok(Json(shape(&stored)))
}

/// `POST Types/{typeId}`: 201 with the new type, 200 with the same one defined before, 409
/// for a different one under that id.
pub async fn get_or_create(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<TypePath>,
    JsonBody(body): JsonBody,
) -> Result<Response, SdsError> {
    let namespace = path.scope.namespace(&state, &actor).await?;
    let parsed = SdsId::parse("type", &path.type_id).and_then(|id| SdsType::parse(&id, &body));
    let (stored, created) = state
        .store
        .get_or_create_stream_type(&actor, &namespace, parsed)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(shape(&stored))).into_response())
}

/// `DELETE Types/{typeId}`: 204; 409 while streams use it.
pub async fn delete(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<TypePath>,
) -> Result<StatusCode, SdsError> {
    let namespace = path.scope.namespace(&state, &actor).await?;
    state
        .store
        .delete_stream_type(&actor, &namespace, &path.type_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET Types/{typeId}/ReferenceCount`: how many streams use the type (Sitebook has no stream
/// views, and types refer to others only by full definition).
pub async fn reference_count(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<TypePath>,
) -> Result<Json<Value>, SdsError> {
    let namespace = path.scope.namespace(&state, &actor).await?;
    state
        .store
        .stream_type(&actor, &namespace, &path.type_id)
        .await?;
    let users = state
        .store
        .count_streams_of_type(&actor, &namespace, &path.type_id)
        .await?;
    Ok(Json(
        json!({"SdsStream": users, "SdsStreamView": 0, "SdsType": 0}),
    ))
}
