//! `/os-aggregates`: Nova's host aggregates, admin-only as in Nova. An aggregate is a Sitebook
//! resource of type `openstack.aggregate` with an integer id and a list of hosts kept by the
//! store; its availability zone is its metadata key `availability_zone`. The rules (names,
//! zones, hosts, `set_metadata`) are the core's (`core::openstack`); this face reads Nova's
//! bodies, calls the store and answers in Nova's shapes and faults.
//!
//! Sitebook keeps no compute services, so any well-formed host name may be added.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::fault::Fault;
use super::microversion::{Microversion, Version};
use super::{Body, ComputeState, Project};
use crate::api::openstack::auth::Caller;
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::{Clash, ValidationError};
use crate::core::openstack::{
    AZ_KEY, Aggregate, AggregateName, AvailabilityZone, HostName, MetadataUpdate, items_of,
    parse_aggregate_number, uuid_of,
};
use crate::store::Store;
use crate::store::unchecked::Unchecked;

#[derive(Deserialize)]
pub struct AggregatePath {
    aggregate_id: String,
}

/// Nova's datetimes for aggregates: naive UTC with microseconds, no `Z`.
fn naive(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The aggregate as Nova shows it; a create answers without `hosts` and `metadata`.
fn shape(aggregate: &Aggregate, full: bool, version: Version) -> Value {
    let resource = &aggregate.record.resource;
    // Never changed since it was made: Nova's `updated_at` is null then.
    let updated_at =
        (resource.updated_at != resource.created_at).then(|| naive(resource.updated_at));
    let mut body = json!({
        "id": aggregate.number,
        "name": aggregate.name(),
        "availability_zone": aggregate.availability_zone(),
        "created_at": naive(resource.created_at),
        "updated_at": updated_at,
        "deleted_at": null,
        "deleted": false,
    });
    if version.at_least(2, 41) {
        body["uuid"] = json!(uuid_of(resource.id.as_str()));
    }
    if full {
        body["hosts"] = json!(aggregate.hosts);
        body["metadata"] = Value::Object(items_of(&aggregate.record.metadata()));
    }
    json!({ "aggregate": body })
}

/// An admin, known before the body is read: Nova lets only admins near aggregates. The core
/// checks again; this refuses a reader's body unread, naming the policy Nova would have.
pub struct AggregateAdmin(Actor);

impl<S> axum::extract::FromRequestParts<S> for AggregateAdmin
where
    S: Send + Sync,
    Store: axum::extract::FromRef<S>,
{
    type Rejection = Fault;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Fault> {
        let Authenticated(actor, ..) = Caller::from_request_parts(parts, state).await?;
        let rule = match (&parts.method, parts.uri.path().trim_end_matches('/')) {
            (_, path) if path.ends_with("/action") => "add_host, remove_host or set_metadata",
            (&axum::http::Method::POST, _) => "create",
            (&axum::http::Method::PUT, _) => "update",
            (&axum::http::Method::DELETE, _) => "delete",
            (_, path) if path.ends_with("/os-aggregates") => "index",
            _ => "show",
        };
        actor.require_admin().map_err(|_| forbidden(rule))?;
        Ok(Self(actor))
    }
}

fn forbidden(rule: &str) -> Fault {
    Fault::new(
        StatusCode::FORBIDDEN,
        format!("Policy doesn't allow os_compute_api:os-aggregates:{rule} to be performed."),
    )
}

/// A store refusal in Nova's words. `action` names the policy rule Nova would have checked.
fn refusal<'a>(
    action: &'static str,
    name: Option<&'a str>,
) -> impl FnOnce(CoreError) -> Fault + 'a {
    move |error| match error {
        CoreError::Forbidden(_) => forbidden(action),
        CoreError::NotFound {
            what: "aggregate",
            id,
        } => Fault::not_found(format!("Aggregate {id} could not be found.")),
        // The core names the host and the aggregate: "h1 in aggregate 3".
        CoreError::NotFound { what: "host", id } => {
            Fault::not_found(format!("Cannot remove host {id}"))
        }
        CoreError::Conflict(Clash::NameTaken, message) => Fault::new(
            StatusCode::CONFLICT,
            name.map_or(message, |name| format!("Aggregate {name} already exists.")),
        ),
        other => other.into(),
    }
}

/// A refusal of a change to aggregate `id`: Nova names the aggregate when it refuses to blank
/// its zone; anything else as [`refusal`] words it.
fn change_refusal<'a>(
    action: &'static str,
    id: &'a str,
    name: Option<&'a str>,
) -> impl FnOnce(CoreError) -> Fault + 'a {
    move |error| match error {
        CoreError::Invalid(ValidationError::AvailabilityZoneRequired) => {
            Fault::bad_request(format!(
                "Cannot update aggregate {id}. Reason: Aggregate {id} does not support empty \
                 named availability zone."
            ))
        }
        other => refusal(action, name)(other),
    }
}

/// A body's one root object, with nothing else beside it: `{"<root>": {…}}`.
fn root<'b>(body: &'b Value, name: &str) -> Result<&'b Map<String, Value>, Fault> {
    let object = body
        .as_object()
        .ok_or_else(|| Fault::bad_request("The request body is not a JSON object."))?;
    if let Some(other) = object.keys().find(|k| k.as_str() != name) {
        return Err(Fault::bad_request(format!(
            "Additional properties are not allowed ('{other}' was unexpected)"
        )));
    }
    object
        .get(name)
        .ok_or_else(|| Fault::bad_request(format!("'{name}' is a required property")))?
        .as_object()
        .ok_or_else(|| Fault::bad_request(format!("Invalid input for field/attribute {name}.")))
}

/// Only these fields, each a string (or null where `nullable` lists it).
fn fields(
    object: &Map<String, Value>,
    allowed: &[&str],
    nullable: &[&str],
) -> Result<Map<String, Value>, Fault> {
    for (key, value) in object {
        if !allowed.contains(&key.as_str()) {
            return Err(Fault::bad_request(format!(
                "Additional properties are not allowed ('{key}' was unexpected)"
            )));
        }
        let ok = value.is_string() || (value.is_null() && nullable.contains(&key.as_str()));
        if !ok {
            return Err(Fault::bad_request(format!(
                "Invalid input for field/attribute {key}. Value: {value}. {value} is not of \
                 type 'string'"
            )));
        }
    }
    Ok(object.clone())
}

fn number(path: &AggregatePath) -> Unchecked<i64> {
    parse_aggregate_number(&path.aggregate_id).into()
}

/// `GET /os-aggregates`
pub async fn list(
    State(state): State<ComputeState>,
    AggregateAdmin(actor): AggregateAdmin,
    Microversion(version): Microversion,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let aggregates = state
        .store
        .list_aggregates(&actor)
        .await
        .map_err(refusal("index", None))?;
    let shown: Vec<Value> = aggregates
        .iter()
        .map(|a| shape(a, true, version)["aggregate"].take())
        .collect();
    Ok(Json(json!({ "aggregates": shown })))
}

/// `POST /os-aggregates`: 200, without hosts and metadata.
pub async fn create(
    State(state): State<ComputeState>,
    AggregateAdmin(actor): AggregateAdmin,
    Microversion(version): Microversion,
    project: Project,
    Body(body): Body,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let given = fields(
        root(&body, "aggregate")?,
        &["name", "availability_zone"],
        &["availability_zone"],
    )?;
    let name = given
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| Fault::bad_request("'name' is a required property"))?;
    let zone = given
        .get("availability_zone")
        .and_then(Value::as_str)
        .map(AvailabilityZone::parse)
        .transpose();
    let created = state
        .store
        .create_aggregate(
            &actor,
            AggregateName::parse(name).into(),
            zone.into(),
            crate::core::random::id_bits(),
            state.settings.limits,
        )
        .await
        .map_err(refusal("create", Some(name)))?;
    Ok(Json(shape(&created, false, version)))
}

/// `GET /os-aggregates/{aggregate_id}`
pub async fn show(
    State(state): State<ComputeState>,
    AggregateAdmin(actor): AggregateAdmin,
    Microversion(version): Microversion,
    project: Project,
    Path(path): Path<AggregatePath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let aggregate = state
        .store
        .get_aggregate(&actor, number(&path))
        .await
        .map_err(refusal("show", None))?;
    Ok(Json(shape(&aggregate, true, version)))
}

/// `PUT /os-aggregates/{aggregate_id}`: a new name, a new zone, or both.
pub async fn update(
    State(state): State<ComputeState>,
    AggregateAdmin(actor): AggregateAdmin,
    Microversion(version): Microversion,
    project: Project,
    Path(path): Path<AggregatePath>,
    Body(body): Body,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let given = fields(
        root(&body, "aggregate")?,
        &["name", "availability_zone"],
        &["availability_zone"],
    )?;
    if given.is_empty() {
        return Err(Fault::bad_request(
            "Invalid input for field/attribute aggregate: it needs 'name' or \
             'availability_zone'.",
        ));
    }
    let name = given.get("name").and_then(Value::as_str);
    let rename = name.map(AggregateName::parse_rename).transpose();
    let update: MetadataUpdate = given
        .get("availability_zone")
        .map(|zone| vec![(AZ_KEY.to_owned(), zone.as_str().map(str::to_owned))])
        .unwrap_or_default();
    let aggregate = state
        .store
        .change_aggregate(
            &actor,
            number(&path),
            rename.into(),
            update,
            state.settings.limits,
        )
        .await
        .map_err(change_refusal(
            "update",
            path.aggregate_id.trim(),
            name.map(str::trim),
        ))?;
    Ok(Json(shape(&aggregate, true, version)))
}

/// `DELETE /os-aggregates/{aggregate_id}`: 200 with an empty body.
pub async fn delete(
    State(state): State<ComputeState>,
    AggregateAdmin(actor): AggregateAdmin,
    project: Project,
    Path(path): Path<AggregatePath>,
) -> Result<StatusCode, Fault> {
    project.check(&actor)?;
    state
        .store
        .delete_aggregate(&actor, number(&path))
        .await
        .map_err(refusal("delete", None))?;
    Ok(StatusCode::OK)
}

/// `POST /os-aggregates/{aggregate_id}/action`: `add_host`, `remove_host` or `set_metadata`.
pub async fn action(
    State(state): State<ComputeState>,
    AggregateAdmin(actor): AggregateAdmin,
    Microversion(version): Microversion,
    project: Project,
    Path(path): Path<AggregatePath>,
    Body(body): Body,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let action = match body.as_object() {
        Some(object) if object.len() == 1 => object.keys().next().cloned().unwrap_or_default(),
        _ => return Err(Fault::bad_request("Malformed request body")),
    };
    let store = &state.store;
    let aggregate = match action.as_str() {
        "add_host" | "remove_host" => {
            let given = fields(root(&body, &action)?, &["host"], &[])?;
            let host = given
                .get("host")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::bad_request("'host' is a required property"))?;
            let parsed: Unchecked<HostName> = HostName::parse(host).into();
            if action == "add_host" {
                store
                    .add_aggregate_host(&actor, number(&path), parsed)
                    .await
                    .map_err(refusal("add_host", None))?
            } else {
                store
                    .remove_aggregate_host(&actor, number(&path), parsed)
                    .await
                    .map_err(refusal("remove_host", None))?
            }
        }
        "set_metadata" => {
            let given = root(&body, "set_metadata")?;
            if let Some(other) = given.keys().find(|k| k.as_str() != "metadata") {
                return Err(Fault::bad_request(format!(
                    "Additional properties are not allowed ('{other}' was unexpected)"
                )));
            }
            let items = given
                .get("metadata")
                .ok_or_else(|| Fault::bad_request("'metadata' is a required property"))?
                .as_object()
                .ok_or_else(|| Fault::bad_request("Invalid input for field/attribute metadata."))?;
            // Counted before anything is checked key by key: the dictionary holds at most
            // the metadata key limit, so a larger update could never be stored.
            let most = state.settings.limits.max_keys;
            if items.len() > most {
                return Err(Fault::bad_request(format!(
                    "Invalid input for field/attribute metadata: it holds {} items; an \
                     aggregate's metadata holds at most {most}.",
                    items.len()
                )));
            }
            let update: MetadataUpdate = items
                .iter()
                .map(|(key, value)| match value {
                    Value::String(text) => Ok((key.clone(), Some(text.clone()))),
                    Value::Null => Ok((key.clone(), None)),
                    other => Err(Fault::bad_request(format!(
                        "Invalid input for field/attribute {key}. Value: {other}. {other} is \
                         not of type 'string'"
                    ))),
                })
                .collect::<Result<_, _>>()?;
            store
                .change_aggregate(
                    &actor,
                    number(&path),
                    Ok(None).into(),
                    update,
                    state.settings.limits,
                )
                .await
                .map_err(change_refusal(
                    "set_metadata",
                    path.aggregate_id.trim(),
                    None,
                ))?
        }
        other => {
            return Err(Fault::bad_request(format!(
                "There is no such action: {other}"
            )));
        }
    };
    Ok(Json(shape(&aggregate, true, version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_times_are_naive_with_microseconds() {
        let at = DateTime::parse_from_rfc3339("2013-08-18T12:17:56.380226Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(naive(at), "2013-08-18T12:17:56.380226");
    }
}
