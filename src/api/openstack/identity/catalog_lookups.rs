//! `/v3/regions`, `/v3/services` and `/v3/endpoints`, each with `/{id}`: the token's catalog
//! (`catalog::services`) as Keystone's catalog API shows it, so `openstack endpoint list`
//! finds the ids a token lists. Regions are for anyone; services and endpoints for admins
//! (Keystone's `identity:list_services`, `identity:list_endpoints`).

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::IdentityState;
use super::catalog::{Endpoint, REGION, Service, services};
use super::error::IdentityError;
use super::lookup::{Params, under_rule};
use crate::api::openstack::auth::IdentityCaller;
use crate::web::edge::Authenticated;

fn region(state: &IdentityState) -> Value {
    json!({
        "id": REGION,
        "description": "",
        "parent_region_id": null,
        "links": state.member_links("regions", REGION),
    })
}

fn service(state: &IdentityState, service: &Service) -> Value {
    json!({
        "id": service.id,
        "type": service.kind,
        "name": service.name,
        "description": service.description,
        "enabled": true,
        "links": state.member_links("services", &service.id),
    })
}

fn endpoint(state: &IdentityState, service: &Service, endpoint: &Endpoint) -> Value {
    json!({
        "id": endpoint.id,
        "interface": endpoint.interface,
        "region": REGION,
        "region_id": REGION,
        "service_id": service.id,
        "url": endpoint.url,
        "enabled": true,
        "links": state.member_links("endpoints", &endpoint.id),
    })
}

/// `GET /v3/regions` (`?parent_region_id=` names no region: Sitebook's one has no parent).
pub async fn regions(
    State(state): State<IdentityState>,
    _: IdentityCaller,
    params: Params,
) -> Result<Json<Value>, IdentityError> {
    let entries = if params.get("parent_region_id").is_some() {
        Vec::new()
    } else {
        vec![region(&state)]
    };
    Ok(Json(state.collection("regions", "regions", entries)))
}

/// `GET /v3/regions/{id}`.
pub async fn show_region(
    State(state): State<IdentityState>,
    _: IdentityCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, IdentityError> {
    if id != REGION {
        return Err(IdentityError::missing("region", &id));
    }
    Ok(Json(json!({"region": region(&state)})))
}

/// `GET /v3/services` (`?type=`, `?name=`): admins only.
pub async fn services_list(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    params: Params,
) -> Result<Json<Value>, IdentityError> {
    under_rule(actor.require_admin(), "identity:list_services")?;
    let entries = services(&state.settings.public_url)
        .iter()
        .filter(|s| params.keeps("type", s.kind) && params.keeps("name", s.name))
        .map(|s| service(&state, s))
        .collect();
    Ok(Json(state.collection("services", "services", entries)))
}

/// `GET /v3/services/{id}`: admins only, refused before it is looked for.
pub async fn show_service(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, IdentityError> {
    under_rule(actor.require_admin(), "identity:get_service")?;
    services(&state.settings.public_url)
        .iter()
        .find(|s| s.id == id)
        .map(|s| Json(json!({"service": service(&state, s)})))
        .ok_or_else(|| IdentityError::missing("service", &id))
}

/// `GET /v3/endpoints` (`?service_id=`, `?interface=`, `?region_id=`): admins only.
pub async fn endpoints(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    params: Params,
) -> Result<Json<Value>, IdentityError> {
    under_rule(actor.require_admin(), "identity:list_endpoints")?;
    let catalog = services(&state.settings.public_url);
    let entries = catalog
        .iter()
        .filter(|s| params.keeps("service_id", &s.id))
        .flat_map(|s| s.endpoints.iter().map(move |e| (s, e)))
        .filter(|(_, e)| {
            params.keeps("interface", e.interface) && params.keeps("region_id", REGION)
        })
        .map(|(s, e)| endpoint(&state, s, e))
        .collect();
    Ok(Json(state.collection("endpoints", "endpoints", entries)))
}

/// `GET /v3/endpoints/{id}`: admins only, refused before it is looked for.
pub async fn show_endpoint(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, IdentityError> {
    under_rule(actor.require_admin(), "identity:get_endpoint")?;
    let catalog = services(&state.settings.public_url);
    catalog
        .iter()
        .flat_map(|s| s.endpoints.iter().map(move |e| (s, e)))
        .find(|(_, e)| e.id == id)
        .map(|(s, e)| Json(json!({"endpoint": endpoint(&state, s, e)})))
        .ok_or_else(|| IdentityError::missing("endpoint", &id))
}
