//! `/v3/users` and `/v3/users/{id}`: the tenant's members (its users, and its API tokens,
//! which act as principals too) as Keystone's users. The list is for admins; one member is
//! shown to itself and to admins (`core::access::members`).

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::IdentityState;
use super::error::IdentityError;
use super::login::DOMAIN_ID;
use super::lookup::{Params, under_rule};
use crate::api::openstack::auth::IdentityCaller;
use crate::core::access::Member;
use crate::core::openstack::{principal_of, user_id_of};
use crate::web::edge::Authenticated;

fn body(state: &IdentityState, member: &Member) -> Value {
    json!({
        "id": user_id_of(&member.id),
        "name": member.name,
        "domain_id": DOMAIN_ID,
        "enabled": member.enabled,
        "password_expires_at": null,
        "options": {},
        "links": state.member_links("users", &user_id_of(&member.id)),
    })
}

/// `GET /v3/users` (`?name=`, `?domain_id=`, `?enabled=`): admins only.
pub async fn list(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    params: Params,
) -> Result<Json<Value>, IdentityError> {
    let members = under_rule(
        state.store.list_members(&actor).await,
        "identity:list_users",
    )?;
    let entries = members
        .iter()
        .filter(|m| {
            params.keeps_domain()
                && params.keeps_enabled(m.enabled)
                && params.keeps("name", &m.name)
        })
        .map(|m| body(&state, m))
        .collect();
    Ok(Json(state.collection("users", "users", entries)))
}

/// `GET /v3/users/{id}`: oneself, or anyone for an admin.
pub async fn show(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, IdentityError> {
    let member = under_rule(
        state.store.member(&actor, &principal_of(&id)).await,
        "identity:get_user",
    )?;
    Ok(Json(json!({"user": body(&state, &member)})))
}
