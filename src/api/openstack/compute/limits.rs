//! `/limits` and `/os-quota-sets`: what Sitebook limits, answered truthfully. The one limit the
//! compute face holds is Nova's `metadata_items` (the items a server's metadata may hold);
//! Sitebook runs no instances, so it limits none of Nova's sizes (-1, Nova's "unlimited") and
//! uses none of them.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fault::Fault;
use super::microversion::{Microversion, Version};
use super::{ComputeState, Project};
use crate::api::openstack::auth::Caller;
use crate::core::tenancy::TenantSettings;
use crate::web::edge::Authenticated;

/// `GET /limits`, with the fields Nova's schema has at the request's version.
pub async fn limits(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let settings = state.store.tenant_settings(&actor).await?;
    let mut absolute = json!({
        "maxServerMeta": settings.nova_metadata_items,
        "maxTotalInstances": -1,
        "maxTotalCores": -1,
        "maxTotalRAMSize": -1,
        "maxTotalKeypairs": -1,
        "maxServerGroups": -1,
        "maxServerGroupMembers": -1,
        "totalCoresUsed": 0,
        "totalRAMUsed": 0,
        "totalInstancesUsed": 0,
        "totalServerGroupsUsed": 0,
    });
    let fields = absolute.as_object_mut().expect("limits are an object");
    // Nova dropped the network limits at 2.36, image metadata at 2.39, personality at 2.57.
    if !version.at_least(2, 36) {
        for name in [
            "maxSecurityGroups",
            "maxSecurityGroupRules",
            "maxTotalFloatingIps",
        ] {
            fields.insert(name.into(), json!(-1));
        }
        fields.insert("totalSecurityGroupsUsed".into(), json!(0));
        fields.insert("totalFloatingIpsUsed".into(), json!(0));
    }
    if !version.at_least(2, 39) {
        fields.insert("maxImageMeta".into(), json!(-1));
    }
    if !version.at_least(2, 57) {
        fields.insert("maxPersonality".into(), json!(-1));
        fields.insert("maxPersonalitySize".into(), json!(-1));
    }
    Ok(Json(json!({"limits": {"rate": [], "absolute": absolute}})))
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
    Microversion(version): Microversion,
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
    Ok(quota_body(
        &tenant_id,
        settings.nova_metadata_items,
        version,
    ))
}

/// `GET /os-quota-sets/{tenant_id}/defaults`: what a tenant that never set its quota has.
pub async fn quota_defaults(
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    Path(QuotaPath { tenant_id }): Path<QuotaPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Ok(quota_body(
        &tenant_id,
        TenantSettings::default().nova_metadata_items,
        version,
    ))
}

fn quota_body(tenant_id: &str, metadata_items: u32, version: Version) -> Json<Value> {
    let mut quotas = json!({
        "id": tenant_id,
        "metadata_items": metadata_items,
        "instances": -1,
        "cores": -1,
        "ram": -1,
        "key_pairs": -1,
        "server_groups": -1,
        "server_group_members": -1,
    });
    // As the limits: network quotas until 2.36, injected files until 2.57.
    if !version.at_least(2, 36) {
        for name in [
            "fixed_ips",
            "floating_ips",
            "security_groups",
            "security_group_rules",
        ] {
            quotas[name] = json!(-1);
        }
    }
    if !version.at_least(2, 57) {
        for name in [
            "injected_files",
            "injected_file_content_bytes",
            "injected_file_path_bytes",
        ] {
            quotas[name] = json!(-1);
        }
    }
    Json(json!({ "quota_set": quotas }))
}
