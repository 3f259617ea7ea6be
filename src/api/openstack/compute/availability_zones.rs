//! `/os-availability-zone` and `…/detail`: the zones the host aggregates make (their
//! `availability_zone`), each with its hosts, as Nova lists them. A host in no zoned aggregate
//! is in Nova's default zone, `nova`; a zone with no host is none. Sitebook runs no compute
//! services, so every host shows Nova's one, `nova-compute`, available.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::fault::Fault;
use super::{ComputeState, Project};
use crate::api::openstack::auth::Caller;
use crate::web::edge::Authenticated;

/// `GET /os-availability-zone`: the zones, without their hosts (anyone who reads).
pub async fn index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let zones = state.store.availability_zones(&actor).await?;
    let info: Vec<Value> = zones
        .iter()
        .map(|zone| json!({"zoneName": zone.name, "zoneState": {"available": true}, "hosts": null}))
        .collect();
    Ok(Json(json!({ "availabilityZoneInfo": info })))
}

/// `GET /os-availability-zone/detail`: with each zone's hosts (admins, as Nova's policy says).
pub async fn detail(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    actor.require_admin().map_err(|_| {
        Fault::new(
            StatusCode::FORBIDDEN,
            "Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed.",
        )
    })?;
    let zones = state.store.availability_zones(&actor).await?;
    let info: Vec<Value> = zones
        .iter()
        .map(|zone| {
            let hosts: Map<String, Value> = zone
                .hosts
                .iter()
                .map(|host| {
                    let service = json!({"nova-compute":
                        {"available": true, "active": true, "updated_at": null}});
                    (host.clone(), service)
                })
                .collect();
            json!({"zoneName": zone.name, "zoneState": {"available": true}, "hosts": hosts})
        })
        .collect();
    Ok(Json(json!({ "availabilityZoneInfo": info })))
}
