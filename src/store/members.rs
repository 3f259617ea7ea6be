//! The tenant's members (users and API tokens) as directories list them, and the tenant's own
//! name; the rules are `core::access::members`.

use sqlx::FromRow;

use super::db::{Sql, sql};
use super::grants::role;
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::{Actor, Member, require_member_viewer};
use crate::core::tenancy::TenantId;

#[derive(FromRow)]
struct Row {
    id: String,
    name: String,
    role: String,
    enabled: bool,
}

// Users and API tokens in one statement, so a directory is one trip and one order.
macro_rules! members {
    ($order:literal) => {
        concat!(
            "SELECT id, name, role, enabled FROM ( \
             SELECT id, username AS name, role, disabled_at IS NULL AS enabled \
             FROM users WHERE tenant_id = ?1 \
             UNION ALL \
             SELECT id, name, role, revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2) \
             FROM api_tokens WHERE tenant_id = ?1) AS members \
             WHERE ?3 IS NULL OR id = ?3 ORDER BY ",
            $order
        )
    };
}

const MEMBERS: Sql = Sql::each(
    members!("name COLLATE NOCASE, id"),
    sql!(members!("lower(name), id")).postgres(),
);

impl Store {
    /// Every user and API token of the actor's tenant, by name. Admins only.
    pub async fn list_members(&self, actor: &Actor) -> Result<Vec<Member>, CoreError> {
        actor.require_admin()?;
        self.members_where(&actor.tenant, None).await
    }

    /// One member, for itself or an admin; `NotFound` when no user or API token has the id.
    pub async fn member(&self, actor: &Actor, id: &str) -> Result<Member, CoreError> {
        require_member_viewer(actor, id)?;
        self.members_where(&actor.tenant, Some(id))
            .await?
            .pop()
            .ok_or_else(|| CoreError::NotFound {
                what: "user",
                id: id.to_owned(),
            })
    }

    async fn members_where(
        &self,
        tenant: &TenantId,
        id: Option<&str>,
    ) -> Result<Vec<Member>, CoreError> {
        let rows: Vec<Row> = self
            .db
            .query(MEMBERS)
            .bind(tenant.as_str())
            .bind(crate::store::now())
            .bind(id)
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|row| {
                Ok(Member {
                    role: role(&row.role)?,
                    id: row.id,
                    name: row.name,
                    enabled: row.enabled,
                })
            })
            .collect()
    }

    /// The name the tenant is known by (Keystone's project name).
    pub async fn tenant_name(&self, tenant: &TenantId) -> Result<String, CoreError> {
        self.db
            .query(sql!("SELECT name FROM tenants WHERE id = ?"))
            .bind(tenant.as_str())
            .fetch_optional::<(String,)>(&self.db)
            .await
            .map_err(storage)?
            .map(|(name,)| name)
            .ok_or_else(|| CoreError::NotFound {
                what: "project",
                id: tenant.as_str().to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{Grant, Role, TokenLifetime, Username};
    use crate::store::testing::{admin, each_engine, grant};

    #[tokio::test]
    async fn users_and_api_tokens_are_members_and_revoked_ones_are_disabled() {
        for (_dir, store) in each_engine().await {
            let user = store
                .create_user(
                    &admin(),
                    &Username::parse("zoe").unwrap(),
                    "correct horse battery",
                    &Grant {
                        role: Role::Staff,
                        sites: None,
                    },
                    1,
                )
                .await
                .unwrap();
            let (token, _) = store
                .create_token(
                    &admin(),
                    "ci",
                    &grant(Role::Manager),
                    TokenLifetime::UNLIMITED,
                    2,
                    [2; 32],
                )
                .await
                .unwrap();
            store.revoke_token(&admin(), &token.id).await.unwrap();
            let members = store.list_members(&admin()).await.unwrap();
            let names: Vec<_> = members
                .iter()
                .map(|m| (m.name.as_str(), m.enabled))
                .collect();
            assert_eq!(names, [("ci", false), ("zoe", true)]);
            let zoe = Actor {
                id: user.id.clone(),
                role: Role::Staff,
                ..admin()
            };
            assert_eq!(store.member(&zoe, &user.id).await.unwrap().name, "zoe");
            assert!(matches!(
                store.member(&zoe, &token.id).await,
                Err(CoreError::Forbidden(_))
            ));
            assert!(store.list_members(&zoe).await.is_err());
            assert!(matches!(
                store.member(&admin(), "usr_nobody").await,
                Err(CoreError::NotFound { what: "user", .. })
            ));
            assert_eq!(
                store
                    .tenant_name(&TenantId::default_tenant())
                    .await
                    .unwrap(),
                "Default"
            );
        }
    }
}
