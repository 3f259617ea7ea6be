//! The version documents keystoneauth reads before any call; served without a token, as Nova
//! serves them. Links are absolute and end in a slash: the client takes its base URL from them.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::microversion::{MAX, MIN};
use super::{ComputeState, PREFIX};

const UPDATED: &str = "2013-07-23T11:33:21Z";

fn self_link(state: &ComputeState) -> String {
    format!(
        "{}{PREFIX}/v2.1/",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// `GET /openstack/compute/`: the versions there are.
pub async fn list(State(state): State<ComputeState>) -> Json<Value> {
    Json(json!({"versions": [{
        "id": "v2.1",
        "status": "CURRENT",
        "version": MAX.to_string(),
        "min_version": MIN.to_string(),
        "updated": UPDATED,
        "links": [{"rel": "self", "href": self_link(&state)}],
    }]}))
}

/// `GET /openstack/compute/v2.1`: the one version, in full.
pub async fn current(State(state): State<ComputeState>) -> Json<Value> {
    Json(json!({"version": {
        "id": "v2.1",
        "status": "CURRENT",
        "version": MAX.to_string(),
        "min_version": MIN.to_string(),
        "updated": UPDATED,
        "links": [
            {"rel": "self", "href": self_link(&state)},
            {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"}
        ],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.compute+json;version=2.1"
        }],
    }}))
}
