//! `/flavors`: the one flavor every server names. Sitebook's servers are records, not
//! instances, so they have no sizes; but openstacksdk's detailed server lists, Ansible's
//! inventory (`get_hostvars_from_server`) and `openstack flavor list/show` look the flavor up,
//! and a 404 there fails them. It is `sitebook`, of no size, public and enabled.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fault::Fault;
use super::microversion::{Microversion, Version};
use super::{ComputeState, PREFIX, Project};
use crate::api::openstack::auth::Caller;
use crate::web::edge::Authenticated;

/// The id (and name) of the one flavor.
pub const FLAVOR_ID: &str = "sitebook";

#[derive(Deserialize)]
pub struct FlavorPath {
    flavor_id: String,
}

/// The flavor's links, in the form (with or without the project id) the request used.
pub fn links(state: &ComputeState, project: Option<&str>) -> Value {
    let root = format!(
        "{}{PREFIX}",
        state.settings.public_url.trim_end_matches('/')
    );
    let project = project.map(|p| format!("/{p}")).unwrap_or_default();
    json!([
        {"rel": "self", "href": format!("{root}/v2.1{project}/flavors/{FLAVOR_ID}")},
        {"rel": "bookmark", "href": format!("{root}{project}/flavors/{FLAVOR_ID}")},
    ])
}

/// The flavor as a server shows it from 2.47: its sizes in place of a link (and no id).
pub fn embedded() -> Value {
    json!({
        "vcpus": 0,
        "ram": 0,
        "disk": 0,
        "ephemeral": 0,
        "swap": 0,
        "original_name": FLAVOR_ID,
        "extra_specs": {},
    })
}

fn summary(state: &ComputeState, project: &Project, version: Version) -> Value {
    let mut body =
        json!({"id": FLAVOR_ID, "name": FLAVOR_ID, "links": links(state, project.segment())});
    if version.at_least(2, 55) {
        body["description"] = Value::Null;
    }
    body
}

/// Every field Nova gives a flavor at `version` (views/flavors.py).
fn detail(state: &ComputeState, project: &Project, version: Version) -> Value {
    let mut body = json!({
        "id": FLAVOR_ID,
        "name": FLAVOR_ID,
        "ram": 0,
        "vcpus": 0,
        "disk": 0,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        // An integer from 2.75; before, Nova's empty string for no swap.
        "swap": if version.at_least(2, 75) { json!(0) } else { json!("") },
        "rxtx_factor": 1.0,
        "os-flavor-access:is_public": true,
        "OS-FLV-DISABLED:disabled": false,
        "links": links(state, project.segment()),
    });
    if version.at_least(2, 55) {
        body["description"] = Value::Null;
    }
    if version.at_least(2, 61) {
        body["extra_specs"] = json!({});
    }
    body
}

/// `GET /flavors/{flavor_id}/os-extra_specs`: none (openstacksdk asks whenever a flavor shows
/// none, and `openstack flavor show` fails on a 404 here).
pub async fn extra_specs(
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(FlavorPath { flavor_id }): Path<FlavorPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    known(&flavor_id)?;
    Ok(Json(json!({"extra_specs": {}})))
}

fn known(flavor_id: &str) -> Result<(), Fault> {
    if flavor_id == FLAVOR_ID {
        Ok(())
    } else {
        Err(Fault::not_found(format!(
            "Flavor {flavor_id} could not be found."
        )))
    }
}

/// `GET /flavors`
pub async fn index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Ok(Json(
        json!({"flavors": [summary(&state, &project, version)]}),
    ))
}

/// `GET /flavors/detail`
pub async fn detail_index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Ok(Json(
        json!({"flavors": [detail(&state, &project, version)]}),
    ))
}

/// `GET /flavors/{flavor_id}`
pub async fn show(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    Path(FlavorPath { flavor_id }): Path<FlavorPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    known(&flavor_id)?;
    Ok(Json(json!({"flavor": detail(&state, &project, version)})))
}
