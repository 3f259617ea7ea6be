//! What users and tokens share: a role and, for a limited manager, the sites granted. Both
//! kinds are principals; their names and their regranting are here.

use crate::store::unchecked::Unchecked;
use std::collections::HashMap;

use serde_json::json;

use super::db::{Conn, Sql, sql};
use super::users::keep_an_admin;
use super::{Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::{Actor, Grant, Role};
use crate::core::changes::Action;
use crate::core::resources::ResourceId;
use crate::core::tenancy::TenantId;

/// The two kinds of principal share the role columns and the site grants.
#[derive(Clone, Copy)]
pub(super) enum Principal {
    User,
    Token,
}

impl Principal {
    // Whole statements per kind rather than a table name spliced in: SQL stays static text.
    fn select_grant(self) -> Sql {
        match self {
            Self::User => sql!("SELECT role, limited FROM users WHERE id = ? AND tenant_id = ?"),
            Self::Token => sql!(
                "SELECT role, limited FROM api_tokens \
                 WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL"
            ),
        }
    }

    fn update_grant(self) -> Sql {
        match self {
            Self::User => sql!("UPDATE users SET role = ?, limited = ? WHERE id = ?"),
            Self::Token => sql!("UPDATE api_tokens SET role = ?, limited = ? WHERE id = ?"),
        }
    }

    fn tenant_grants(self) -> Sql {
        match self {
            Self::User => sql!(
                "SELECT g.principal_id, r.id FROM users p \
                 JOIN site_grants g ON g.principal_id = p.id \
                 JOIN resources r ON r.pk = g.site_pk \
                 WHERE p.tenant_id = ? AND p.limited ORDER BY r.id"
            ),
            Self::Token => sql!(
                "SELECT g.principal_id, r.id FROM api_tokens p \
                 JOIN site_grants g ON g.principal_id = p.id \
                 JOIN resources r ON r.pk = g.site_pk \
                 WHERE p.tenant_id = ? AND p.limited ORDER BY r.id"
            ),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Token => "active token",
        }
    }

    fn action(self) -> Action {
        match self {
            Self::User => Action::UserGrant,
            Self::Token => Action::TokenGrant,
        }
    }
}

pub(super) fn role(stored: &str) -> Result<Role, CoreError> {
    Role::parse(stored).map_err(|e| CoreError::Storage(e.to_string()))
}

impl Store {
    /// Who each user and token id of the tenant is, as people know them: the username, or
    /// "token <name>". Pages show these instead of ids in "changed by" columns and history.
    pub async fn principal_names(
        &self,
        actor: &Actor,
    ) -> Result<std::collections::HashMap<String, String>, CoreError> {
        actor.require_read()?;
        let rows: Vec<(String, String)> = self
            .db
            .query(sql!(
                "SELECT id, username FROM users WHERE tenant_id = ?1 \
                 UNION ALL SELECT id, 'token ' || name FROM api_tokens WHERE tenant_id = ?1"
            ))
            .bind(actor.tenant.as_str())
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        Ok(rows.into_iter().collect())
    }

    pub(super) async fn regrant(
        &self,
        actor: &Actor,
        principal: Principal,
        id: &str,
        grant: Unchecked<Grant>,
    ) -> Result<(), CoreError> {
        actor.require_admin()?;
        let grant = &grant.check()?;
        grant.check()?;
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let (old_role, limited): (String, bool) = conn
            .query(principal.select_grant())
            .bind(id)
            .bind(actor.tenant.as_str())
            .fetch_optional(&mut conn)
            .await
            .map_err(storage)?
            .ok_or_else(|| CoreError::NotFound {
                what: principal.what(),
                id: id.to_owned(),
            })?;
        if matches!(principal, Principal::User) && grant.role != Role::Admin {
            keep_an_admin(conn.reborrow(), &actor.tenant, id, &old_role).await?;
        }
        let old_sites = if limited {
            Some(granted_sites(conn.reborrow(), id).await?)
        } else {
            None
        };
        conn.query(principal.update_grant())
            .bind(grant.role.as_str())
            .bind(grant.sites.is_some())
            .bind(id)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        conn.query(sql!("DELETE FROM site_grants WHERE principal_id = ?"))
            .bind(id)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        let sites = grant_sites(conn.reborrow(), &actor.tenant, id, grant).await?;
        changes::append(
            conn,
            actor,
            id,
            principal.action(),
            id,
            Some(json!({ "role": old_role, "sites": old_sites })),
            Some(json!({ "role": grant.role.as_str(), "sites": sites })),
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)
    }
}

/// Records a limited grant's sites, each of which must be a site of the tenant.
pub(super) async fn grant_sites<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    principal_id: &str,
    grant: &Grant,
) -> Result<Option<Vec<ResourceId>>, CoreError> {
    let Some(sites) = &grant.sites else {
        return Ok(None);
    };
    let mut conn = conn.into();
    for site in sites {
        let granted = conn
            .query(sql!(
                "INSERT INTO site_grants (principal_id, site_pk) \
                 SELECT ?, pk FROM resources WHERE tenant_id = ? AND id = ? AND type = 'site' \
                 ON CONFLICT DO NOTHING"
            ))
            .bind(principal_id)
            .bind(tenant.as_str())
            .bind(site.as_str())
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        if granted == 0 && !sites_before(sites, site) {
            return Err(CoreError::NotFound {
                what: "site",
                id: site.to_string(),
            });
        }
    }
    Ok(Some(sites.clone()))
}

/// True when `site` appears earlier in `sites` (a repeated grant is not a missing site).
fn sites_before(sites: &[ResourceId], site: &ResourceId) -> bool {
    sites
        .iter()
        .take_while(|s| !std::ptr::eq(*s, site))
        .any(|s| s == site)
}

pub(super) async fn granted_sites<'c>(
    conn: impl Into<Conn<'c>>,
    principal_id: &str,
) -> Result<Vec<ResourceId>, CoreError> {
    let mut conn = conn.into();
    let ids: Vec<String> = conn
        .query(sql!(
            "SELECT r.id FROM site_grants g JOIN resources r ON r.pk = g.site_pk \
             WHERE g.principal_id = ? ORDER BY r.id"
        ))
        .bind(principal_id)
        .fetch_column(&mut conn)
        .await
        .map_err(storage)?;
    Ok(ids.into_iter().map(ResourceId::from_path).collect())
}

/// The granted sites of every limited principal of one kind in the tenant, in one query.
pub(super) async fn tenant_grants<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    principal: Principal,
) -> Result<HashMap<String, Vec<ResourceId>>, CoreError> {
    let mut conn = conn.into();
    let rows: Vec<(String, String)> = conn
        .query(principal.tenant_grants())
        .bind(tenant.as_str())
        .fetch_all(&mut conn)
        .await
        .map_err(storage)?;
    let mut grants: HashMap<String, Vec<ResourceId>> = HashMap::new();
    for (principal, site) in rows {
        grants
            .entry(principal)
            .or_default()
            .push(ResourceId::from_path(site));
    }
    Ok(grants)
}
