//! `/flavors`: the one flavor every server names. Sitebook's servers are records, not
//! instances, so they have no sizes; but openstacksdk's detailed server lists, Ansible's
//! inventory (`get_hostvars_from_server`) and `openstack flavor list/show` look the flavor up,
//! and a 404 there fails them. It is `sitebook`, of no size, public and enabled.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fault::Fault;
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

fn summary(state: &ComputeState, project: &Project) -> Value {
    json!({"id": FLAVOR_ID, "name": FLAVOR_ID, "links": links(state, project.segment())})
}

/// Every field Nova 2.1 gives a flavor.
fn detail(state: &ComputeState, project: &Project) -> Value {
    json!({
        "id": FLAVOR_ID,
        "name": FLAVOR_ID,
        "ram": 0,
        "vcpus": 0,
        "disk": 0,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "swap": "",
        "rxtx_factor": 1.0,
        "os-flavor-access:is_public": true,
        "OS-FLV-DISABLED:disabled": false,
        "links": links(state, project.segment()),
    })
}

/// `GET /flavors`
pub async fn index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Ok(Json(json!({"flavors": [summary(&state, &project)]})))
}

/// `GET /flavors/detail`
pub async fn detail_index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Ok(Json(json!({"flavors": [detail(&state, &project)]})))
}

/// `GET /flavors/{flavor_id}`
pub async fn show(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(FlavorPath { flavor_id }): Path<FlavorPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    if flavor_id != FLAVOR_ID {
        return Err(Fault::not_found(format!(
            "Flavor {flavor_id} could not be found."
        )));
    }
    Ok(Json(json!({"flavor": detail(&state, &project)})))
}
