//! The version documents keystoneauth reads before it logs in: the generic `password` plugin
//! (OSC's and openstacksdk's default) first fetches the auth URL unauthenticated and posts to
//! the v3 entry's self link plus `/auth/tokens`. Links are absolute and end in a slash.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::IdentityState;

fn v3(state: &IdentityState) -> Value {
    json!({
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{}/v3/", state.base_url())}],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.identity-v3+json"
        }],
    })
}

/// `GET /openstack/identity`: Keystone answers its root with 300 Multiple Choices, pointing
/// at v3, the one version there is.
pub async fn list(State(state): State<IdentityState>) -> Response {
    let mut response = (
        StatusCode::MULTIPLE_CHOICES,
        Json(json!({"versions": {"values": [v3(&state)]}})),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{}/v3/", state.base_url())) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `GET /openstack/identity/v3`: the one version, in full.
pub async fn current(State(state): State<IdentityState>) -> Json<Value> {
    Json(json!({"version": v3(&state)}))
}
