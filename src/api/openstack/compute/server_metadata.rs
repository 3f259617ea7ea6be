//! `/servers/{server_id}/metadata`: Nova's six server-metadata calls over the same store calls
//! as the native API. A Nova server is a Sitebook resource of type `openstack.server`.
//!
//! What is Nova's own here is its request schema (keys of `[a-zA-Z0-9-_:. ]`, string values of
//! at most 255 characters), its quota on the number of items, and its bodies. How Sitebook's
//! typed values read as Nova's strings is the core's rule (`MetaValue::to_untyped` and
//! `from_untyped`). The `name` key is the server's name in Sitebook, shown as the server's
//! `name`, so it is not a metadata item to Nova: hidden from reads, kept by a replace, and a
//! Nova write of it is refused.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::fault::Fault;
use super::{Body, ComputeState, Project};
use crate::api::openstack::auth::{Caller, Writer};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::metadata::untyped::{UntypedChange, UntypedWrite};
use crate::core::metadata::{MetadataRecord, Precondition};
use crate::core::resources::{ResourceId, ResourceType};

pub use crate::core::openstack::SERVER_TYPE;
use crate::core::openstack::{check_key, check_value, items_of};

type Items = Map<String, Value>;

/// Path parameters by name: the legacy routes carry a project id too.
#[derive(Deserialize)]
pub struct ServerPath {
    server_id: String,
}

#[derive(Deserialize)]
pub struct ItemPath {
    server_id: String,
    key: String,
}

pub(super) fn instance_missing(id: &str) -> Fault {
    Fault::not_found(format!("Instance {id} could not be found."))
}

fn item_missing() -> Fault {
    Fault::not_found("Metadata item was not found")
}

/// The server's record, or Nova's 404 for anything that is not a server of the caller's.
/// Shared, not copied: reads answer from the cache's own record.
pub(super) async fn server(
    state: &ComputeState,
    actor: &Actor,
    id: &str,
) -> Result<std::sync::Arc<MetadataRecord>, Fault> {
    match state
        .store
        .read_metadata_shared(actor, &ResourceId::from_path(id))
        .await
    {
        Ok(record) if record.resource.kind.as_str() == SERVER_TYPE => Ok(record),
        Ok(_) | Err(CoreError::NotFound { .. }) => Err(instance_missing(id)),
        Err(other) => Err(other.into()),
    }
}

/// A body's `metadata` (or `meta`) object read by Nova's schema: every key matches
/// `^[a-zA-Z0-9-_:. ]{1,255}$` and every value is a string of at most 255 characters.
pub fn read_items(body: &Value, field: &str) -> Result<Items, Fault> {
    let object = body
        .as_object()
        .ok_or_else(|| Fault::bad_request("The request body is not a JSON object."))?;
    if let Some(other) = object.keys().find(|k| k.as_str() != field) {
        return Err(Fault::bad_request(format!(
            "Additional properties are not allowed ('{other}' was unexpected)"
        )));
    }
    let items = object
        .get(field)
        .ok_or_else(|| Fault::bad_request(format!("'{field}' is a required property")))?
        .as_object()
        .ok_or_else(|| {
            Fault::bad_request(format!(
                "Invalid input for field/attribute {field}: not an object."
            ))
        })?;
    for (key, value) in items {
        check_key(key)?;
        match value {
            Value::String(s) => check_value(key, s)?,
            other => {
                return Err(Fault::bad_request(format!(
                    "Invalid input for field/attribute {key}. Value: {other}. {other} is not of \
                     type 'string'"
                )));
            }
        }
    }
    Ok(items.clone())
}

/// A Nova write: one trip to the store, whose untyped-write rule keeps each key's type, keeps
/// the name out of the items and holds the quota (`MetaItemsOverQuota`, Nova's 403).
pub(super) async fn write(
    state: &ComputeState,
    actor: &Actor,
    id: &str,
    change: UntypedChange,
) -> Result<MetadataRecord, Fault> {
    let kind = ResourceType::parse(SERVER_TYPE).expect("the server type is a valid type");
    // The tenant's quota comes from the store's memory, so the write stays one trip.
    let quota = state
        .store
        .tenant_settings(actor)
        .await?
        .nova_metadata_items;
    let write = UntypedWrite {
        change,
        max_items: Some(quota as usize),
    };
    state
        .store
        .write_untyped(
            actor,
            &ResourceId::from_path(id),
            &kind,
            write,
            &Precondition::Any,
            state.settings.limits,
        )
        .await
        .map_err(|e| refused(e, id, quota))
}

/// A store refusal in Nova's words.
fn refused(error: CoreError, id: &str, quota: u32) -> Fault {
    match error {
        CoreError::NotFound {
            what: "metadata key",
            ..
        } => item_missing(),
        CoreError::NotFound { .. } => instance_missing(id),
        CoreError::Invalid(
            ValidationError::MetaItemsOverQuota { .. } | ValidationError::MetaTooManyKeys { .. },
        ) => Fault::new(
            StatusCode::FORBIDDEN,
            format!("Maximum number of metadata items exceeds {quota}"),
        ),
        other => other.into(),
    }
}

fn merged(items: Items) -> UntypedChange {
    UntypedChange::Merge(
        items
            .into_iter()
            .map(|(key, value)| (key, value.as_str().map(str::to_owned)))
            .collect(),
    )
}

fn metadata_json(record: &MetadataRecord) -> Vec<u8> {
    serde_json::to_vec(&json!({"metadata": items_of(&record.metadata())}))
        .expect("metadata items serialise")
}

fn json_response(body: impl Into<axum::body::Body>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body.into()).into_response()
}

fn metadata_body(record: &MetadataRecord) -> Response {
    json_response(metadata_json(record))
}

/// `GET /servers/{server_id}/metadata`
pub async fn list(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(ServerPath { server_id }): Path<ServerPath>,
) -> Result<Response, Fault> {
    project.check(&actor)?;
    let record = server(&state, &actor, &server_id).await?;
    // Reads are the hot path: the body is made once per record, not per request.
    Ok(json_response(state.bodies.body(&record, metadata_json)))
}

/// `POST /servers/{server_id}/metadata`: merges, and answers the whole resulting set.
pub async fn merge(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Path(ServerPath { server_id }): Path<ServerPath>,
    Body(body): Body,
) -> Result<Response, Fault> {
    write_all(&state, &actor, &project, &server_id, &body, false).await
}

/// `PUT /servers/{server_id}/metadata`: replaces every item.
pub async fn replace(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Path(ServerPath { server_id }): Path<ServerPath>,
    Body(body): Body,
) -> Result<Response, Fault> {
    write_all(&state, &actor, &project, &server_id, &body, true).await
}

/// The collection's POST (merge) and PUT (`replace`): both answer the whole resulting set.
async fn write_all(
    state: &ComputeState,
    actor: &Actor,
    project: &Project,
    server_id: &str,
    body: &Value,
    replace: bool,
) -> Result<Response, Fault> {
    project.check(actor)?;
    let items = read_items(body, "metadata")?;
    let change = if replace {
        UntypedChange::Replace(
            items
                .into_iter()
                .map(|(key, value)| (key, value.as_str().unwrap_or_default().to_owned()))
                .collect(),
        )
    } else {
        merged(items)
    };
    Ok(metadata_body(
        &write(state, actor, server_id, change).await?,
    ))
}

/// `GET /servers/{server_id}/metadata/{key}`
pub async fn show(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(ItemPath { server_id, key }): Path<ItemPath>,
) -> Result<Response, Fault> {
    project.check(&actor)?;
    let record = server(&state, &actor, &server_id).await?;
    let value = items_of(&record.metadata())
        .remove(&key)
        .ok_or_else(item_missing)?;
    Ok(Json(json!({"meta": {key: value}})).into_response())
}

/// `PUT /servers/{server_id}/metadata/{key}`: sets one item; the body names exactly that key.
pub async fn set(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Path(ItemPath { server_id, key }): Path<ItemPath>,
    Body(body): Body,
) -> Result<Response, Fault> {
    project.check(&actor)?;
    let items = read_items(&body, "meta")?;
    if items.len() != 1 {
        return Err(Fault::bad_request(
            "Invalid input for field/attribute meta: it must hold exactly one item.",
        ));
    }
    if !items.contains_key(&key) {
        return Err(Fault::bad_request("Request body and URI mismatch"));
    }
    let record = write(&state, &actor, &server_id, merged(items)).await?;
    let value = items_of(&record.metadata())
        .remove(&key)
        .unwrap_or_default();
    Ok(Json(json!({"meta": {key: value}})).into_response())
}

/// `DELETE /servers/{server_id}/metadata/{key}`: 204, no body.
pub async fn delete(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Path(ItemPath { server_id, key }): Path<ItemPath>,
) -> Result<StatusCode, Fault> {
    project.check(&actor)?;
    write(&state, &actor, &server_id, UntypedChange::Remove(key)).await?;
    Ok(StatusCode::NO_CONTENT)
}
