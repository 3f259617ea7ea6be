//! `GET /v3/role_assignments`: each member's Sitebook role as its Keystone role on the one
//! project. Admins only (`identity:list_role_assignments`). `?effective` adds the roles an
//! assigned role implies (`roles::keystone_roles`), as a token lists them.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::IdentityState;
use super::error::IdentityError;
use super::login::{DOMAIN_ID, DOMAIN_NAME};
use super::lookup::{Params, under_rule};
use super::roles::{hex_id, keystone_roles, reference};
use crate::api::openstack::auth::IdentityCaller;
use crate::core::access::Member;
use crate::core::openstack::user_id_of;
use crate::web::edge::Authenticated;

/// What an assignment is shown with: the project and the options asked for.
struct Shown<'a> {
    state: &'a IdentityState,
    project_id: String,
    project_name: String,
    names: bool,
}

impl Shown<'_> {
    fn assignment_link(&self, member: &Member, role: &str) -> String {
        format!(
            "{}/v3/projects/{}/users/{}/roles/{}",
            self.state.base_url(),
            self.project_id,
            user_id_of(&member.id),
            hex_id(role)
        )
    }

    /// One assignment of `role` to `member`; `prior`, for an implied role, the role that
    /// implies it and the assigned role it comes from.
    fn body(&self, member: &Member, role: &str, prior: Option<(&str, &str)>) -> Value {
        let domain = json!({"id": DOMAIN_ID, "name": DOMAIN_NAME});
        let (role_body, user, project) = if self.names {
            (
                reference(role),
                json!({"id": user_id_of(&member.id), "name": member.name, "domain": domain}),
                json!({"id": self.project_id, "name": self.project_name, "domain": domain}),
            )
        } else {
            (
                json!({"id": hex_id(role)}),
                json!({"id": user_id_of(&member.id)}),
                json!({"id": self.project_id}),
            )
        };
        let mut links =
            json!({"assignment": self.assignment_link(member, prior.map_or(role, |p| p.1))});
        if let Some((implier, _)) = prior {
            links["prior_role"] = json!(format!(
                "{}/v3/roles/{}",
                self.state.base_url(),
                hex_id(implier)
            ));
        }
        json!({"role": role_body, "user": user, "scope": {"project": project}, "links": links})
    }
}

/// `GET /v3/role_assignments` with Keystone's filters: `user.id`, `role.id`,
/// `scope.project.id`, and `group.id`, `scope.domain.id`, `scope.system`, which name nothing
/// Sitebook assigns (no groups, no domain or system roles) and so answer none. Members that
/// are disabled (or revoked API tokens) hold no role.
pub async fn list(
    State(state): State<IdentityState>,
    Authenticated(actor, ..): IdentityCaller,
    params: Params,
) -> Result<Json<Value>, IdentityError> {
    let members = under_rule(
        state.store.list_members(&actor).await,
        "identity:list_role_assignments",
    )?;
    let shown = Shown {
        state: &state,
        project_id: actor.tenant.project_id(),
        project_name: state.store.tenant_name(&actor.tenant).await?,
        names: params.flag("include_names"),
    };
    let none = [
        "group.id",
        "scope.domain.id",
        "scope.system",
        "scope.OS-INHERIT:inherited_to",
    ]
    .iter()
    .any(|name| params.get(name).is_some())
        || !params.keeps("scope.project.id", &shown.project_id);
    let effective = params.flag("effective");
    let mut entries = Vec::new();
    for member in members.iter().filter(|m| m.enabled && !none) {
        // The user id in either form: as the faces show it, or Sitebook's own.
        if !params.keeps("user.id", &user_id_of(&member.id)) && !params.keeps("user.id", &member.id)
        {
            continue;
        }
        let roles = keystone_roles(member.role);
        let assigned = roles[0];
        let mut found = vec![(assigned, None)];
        if effective {
            found.extend(
                roles
                    .windows(2)
                    .map(|pair| (pair[1], Some((pair[0], assigned)))),
            );
        }
        entries.extend(
            found
                .into_iter()
                .filter(|(role, _)| params.keeps("role.id", &hex_id(role)))
                .map(|(role, prior)| shown.body(member, role, prior)),
        );
    }
    Ok(Json(state.collection(
        "role_assignments",
        "role_assignments",
        entries,
    )))
}
