//! `/v3/projects`, `/v3/projects/{id}`, `/v3/users/{id}/projects` and `/v3/auth/projects`:
//! Sitebook's tenant is the one project, in the one domain. Lists are for admins (Keystone's
//! `identity:list_projects`); a project is shown to whoever is scoped to it.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::IdentityState;
use super::error::IdentityError;
use super::login::DOMAIN_ID;
use super::lookup::{Params, under_rule};
use crate::api::openstack::auth::IdentityCaller;
use crate::core::access::Actor;
use crate::core::openstack::principal_of;
use crate::web::edge::Authenticated;

/// The caller's tenant as Keystone's project.
struct Project {
    id: String,
    name: String,
    /// The tenant's own id (`default`), which the compute face takes for the project too.
    tenant: String,
}

impl Project {
    async fn of(state: &IdentityState, actor: &Actor) -> Result<Self, IdentityError> {
        Ok(Self {
            id: actor.tenant.project_id(),
            name: state.store.tenant_name(&actor.tenant).await?,
            tenant: actor.tenant.as_str().to_owned(),
        })
    }

    fn body(&self, state: &IdentityState) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "domain_id": DOMAIN_ID,
            "description": "",
            "enabled": true,
            "is_domain": false,
            "parent_id": DOMAIN_ID,
            "tags": [],
            "options": {},
            "links": state.member_links("projects", &self.id),
        })
    }

    /// Whether the project passes a list's filters. It is enabled, not a domain, and under
    /// the domain `default`; names compare as logins compare them, ignoring case.
    fn passes(&self, params: &Params) -> bool {
        params.keeps_domain()
            && params.keeps_enabled(true)
            && params.keeps("parent_id", DOMAIN_ID)
            && params
                .get("is_domain")
                .is_none_or(|v| matches!(v.to_ascii_lowercase().as_str(), "0" | "false"))
            && params
                .get("name")
                .is_none_or(|name| name.eq_ignore_ascii_case(&self.name))
    }

    /// Whether `id` names this project for an admin, who may also name it by its name or
    /// the tenant's own id (what `openstack server list --project Default` sends first).
    fn named_by(&self, id: &str) -> bool {
        id == self.id || id == self.tenant || id.eq_ignore_ascii_case(&self.name)
    }
}

/// `GET /v3/projects`: admins only.
pub async fn list(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    params: Params,
) -> Result<Json<Value>, IdentityError> {
    under_rule(actor.require_admin(), "identity:list_projects")?;
    let project = Project::of(&state, &actor).await?;
    let entries = if project.passes(&params) {
        vec![project.body(&state)]
    } else {
        Vec::new()
    };
    Ok(Json(state.collection("projects", "projects", entries)))
}

/// `GET /v3/projects/{id}`: the caller's own project by its id; admins may name it otherwise
/// too. Another id is refused to a non-admin before it is looked for (Keystone's order), and
/// not found for an admin.
pub async fn show(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, IdentityError> {
    let project = Project::of(&state, &actor).await?;
    if id != project.id {
        under_rule(actor.require_admin(), "identity:get_project")?;
        if !project.named_by(&id) {
            return Err(IdentityError::missing("project", &id));
        }
    }
    Ok(Json(json!({"project": project.body(&state)})))
}

/// `GET /v3/users/{id}/projects`: the user's projects (the tenant), for the user or an admin.
/// `openstack project list` falls back on it when the list is refused.
pub async fn of_user(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, IdentityError> {
    under_rule(
        state.store.member(&actor, &principal_of(&user_id)).await,
        "identity:list_user_projects",
    )?;
    let project = Project::of(&state, &actor).await?;
    let path = format!("users/{user_id}/projects");
    Ok(Json(state.collection(
        "projects",
        &path,
        vec![project.body(&state)],
    )))
}

/// `GET /v3/auth/projects`: the projects the caller's token may be scoped to (its tenant).
pub async fn of_token(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
) -> Result<Json<Value>, IdentityError> {
    let project = Project::of(&state, &actor).await?;
    Ok(Json(state.collection(
        "projects",
        "auth/projects",
        vec![project.body(&state)],
    )))
}
