//! `/limits` and `/os-quota-sets`: what Sitebook limits, answered truthfully. The one limit the
//! compute face holds is Nova's `metadata_items` (the items a server's metadata may hold);
//! Sitebook runs no instances, so it limits none of Nova's sizes (-1, Nova's "unlimited") and
//! uses none of them.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fault::Fault;
use super::{ComputeState, Project};
use crate::api::openstack::auth::Caller;
use crate::core::tenancy::TenantSettings;
use crate::web::edge::Authenticated;

/// `GET /limits`
pub async fn limits(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let settings = state.store.tenant_settings(&actor).await?;
    Ok(Json(json!({"limits": {"rate": [], "absolute": {
        "maxServerMeta": settings.nova_metadata_items,
        "maxImageMeta": -1,
        "maxPersonality": -1,
        "maxPersonalitySize": -1,
        "maxTotalInstances": -1,
        "maxTotalCores": -1,
        "maxTotalRAMSize": -1,
        "maxTotalKeypairs": -1,
        "maxServerGroups": -1,
        "maxServerGroupMembers": -1,
        "maxSecurityGroups": -1,
        "maxSecurityGroupRules": -1,
        "maxTotalFloatingIps": -1,
        "totalCoresUsed": 0,
        "totalRAMUsed": 0,
        "totalServerGroupsUsed": 0,
        "totalSecurityGroupsUsed": 0,
        "totalFloatingIpsUsed": 0,
    }}})))
}

#[derive(Deserialize)]
pub struct QuotaPath {
    tenant_id: String,
}

/// `GET /os-quota-sets/{tenant_id}`: the caller's project only.
pub async fn quota_set(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(QuotaPath { tenant_id }): Path<QuotaPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    if !actor.tenant.is_named_by(&tenant_id) {
        return Err(Fault::new(
            axum::http::StatusCode::FORBIDDEN,
            format!(
                "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed: \
                 '{tenant_id}' is not the caller's project ({}).",
                actor.tenant.project_id()
            ),
        ));
    }
    let settings = state.store.tenant_settings(&actor).await?;
    Ok(quota_body(&tenant_id, settings.nova_metadata_items))
}

/// `GET /os-quota-sets/{tenant_id}/defaults`: what a tenant that never set its quota has.
pub async fn quota_defaults(
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(QuotaPath { tenant_id }): Path<QuotaPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Ok(quota_body(
        &tenant_id,
        TenantSettings::default().nova_metadata_items,
    ))
}

fn quota_body(tenant_id: &str, metadata_items: u32) -> Json<Value> {
    Json(json!({"quota_set": {
        "id": tenant_id,
        "metadata_items": metadata_items,
        "instances": -1,
        "cores": -1,
        "ram": -1,
        "key_pairs": -1,
        "server_groups": -1,
        "server_group_members": -1,
        "injected_files": -1,
        "injected_file_content_bytes": -1,
        "injected_file_path_bytes": -1,
    }}))
}
