//! Admins looking after users and tokens: listing them, changing what they may do, disabling
//! users. Creating and authenticating them is in `access`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{FromRow, SqliteConnection};

use super::access::grant_sites;
use super::{Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::{Actor, ApiToken, Grant, Role, User};
use crate::core::resources::ResourceId;
use crate::core::tenancy::TenantId;

/// The two kinds of principal share the role columns and the site grants.
#[derive(Clone, Copy)]
enum Principal {
    User,
    Token,
}

impl Principal {
    // Whole statements per kind rather than a table name spliced in: SQL stays static text.
    fn select_grant(self) -> &'static str {
        match self {
            Self::User => "SELECT role, limited FROM users WHERE id = ? AND tenant_id = ?",
            Self::Token => {
                "SELECT role, limited FROM api_tokens \
                 WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL"
            }
        }
    }

    fn update_grant(self) -> &'static str {
        match self {
            Self::User => "UPDATE users SET role = ?, limited = ? WHERE id = ?",
            Self::Token => "UPDATE api_tokens SET role = ?, limited = ? WHERE id = ?",
        }
    }

    fn tenant_grants(self) -> &'static str {
        match self {
            Self::User => {
                "SELECT g.principal_id, r.id FROM users p \
                 JOIN site_grants g ON g.principal_id = p.id \
                 JOIN resources r ON r.pk = g.site_pk \
                 WHERE p.tenant_id = ? AND p.limited = 1 ORDER BY r.id"
            }
            Self::Token => {
                "SELECT g.principal_id, r.id FROM api_tokens p \
                 JOIN site_grants g ON g.principal_id = p.id \
                 JOIN resources r ON r.pk = g.site_pk \
                 WHERE p.tenant_id = ? AND p.limited = 1 ORDER BY r.id"
            }
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Token => "active token",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Self::User => "user.grant",
            Self::Token => "token.grant",
        }
    }
}

#[derive(FromRow)]
struct UserRow {
    id: String,
    username: String,
    role: String,
    limited: bool,
    created_at: DateTime<Utc>,
    disabled_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct TokenRow {
    id: String,
    name: String,
    role: String,
    limited: bool,
    created_by: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

fn role(stored: &str) -> Result<Role, CoreError> {
    Role::parse(stored).map_err(|e| CoreError::Storage(e.to_string()))
}

impl Store {
    /// The tenant's users by name, disabled ones included. Admins only.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>, CoreError> {
        actor.require_admin()?;
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, username, role, limited, created_at, disabled_at FROM users \
             WHERE tenant_id = ? ORDER BY username COLLATE NOCASE",
        )
        .bind(actor.tenant.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
        let mut grants = tenant_grants(&mut conn, &actor.tenant, Principal::User).await?;
        rows.into_iter()
            .map(|row| {
                Ok(User {
                    sites: row
                        .limited
                        .then(|| grants.remove(&row.id).unwrap_or_default()),
                    role: role(&row.role)?,
                    id: row.id,
                    username: row.username,
                    created_at: row.created_at,
                    disabled_at: row.disabled_at,
                })
            })
            .collect()
    }

    /// The tenant's tokens, newest first, revoked and expired ones included. Admins only.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, CoreError> {
        actor.require_admin()?;
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, role, limited, created_by, created_at, expires_at, last_used_at, \
             revoked_at FROM api_tokens WHERE tenant_id = ? ORDER BY created_at DESC, id",
        )
        .bind(actor.tenant.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
        let mut grants = tenant_grants(&mut conn, &actor.tenant, Principal::Token).await?;
        rows.into_iter()
            .map(|row| {
                Ok(ApiToken {
                    sites: row
                        .limited
                        .then(|| grants.remove(&row.id).unwrap_or_default()),
                    role: role(&row.role)?,
                    id: row.id,
                    name: row.name,
                    created_by: row.created_by,
                    created_at: row.created_at,
                    expires_at: row.expires_at,
                    last_used_at: row.last_used_at,
                    revoked_at: row.revoked_at,
                })
            })
            .collect()
    }

    /// Changes a user's role and sites; their open sessions act with the new grant on their
    /// next request. Refused when it would leave the tenant without an active admin.
    pub async fn set_user_grant(
        &self,
        actor: &Actor,
        user_id: &str,
        grant: &Grant,
    ) -> Result<(), CoreError> {
        self.regrant(actor, Principal::User, user_id, grant).await
    }

    /// Changes a token's role and sites, effective at once in this process.
    pub async fn set_token_grant(
        &self,
        actor: &Actor,
        token_id: &str,
        grant: &Grant,
    ) -> Result<(), CoreError> {
        self.regrant(actor, Principal::Token, token_id, grant)
            .await?;
        self.cache.forget_tokens();
        Ok(())
    }

    async fn regrant(
        &self,
        actor: &Actor,
        principal: Principal,
        id: &str,
        grant: &Grant,
    ) -> Result<(), CoreError> {
        actor.require_admin()?;
        grant.check()?;
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let (old_role, limited): (String, bool) = sqlx::query_as(principal.select_grant())
            .bind(id)
            .bind(actor.tenant.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(storage)?
            .ok_or_else(|| CoreError::NotFound {
                what: principal.what(),
                id: id.to_owned(),
            })?;
        if matches!(principal, Principal::User) && grant.role != Role::Admin {
            keep_an_admin(&mut tx, &actor.tenant, id, &old_role).await?;
        }
        let old_sites = if limited {
            Some(super::access::granted_sites(&mut tx, id).await?)
        } else {
            None
        };
        sqlx::query(principal.update_grant())
            .bind(grant.role.as_str())
            .bind(grant.sites.is_some())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
        sqlx::query("DELETE FROM site_grants WHERE principal_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
        let sites = grant_sites(&mut tx, &actor.tenant, id, grant).await?;
        changes::append(
            &mut tx,
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

    /// Disables a user (ending their sessions) or enables them again. Disabling the tenant's
    /// last active admin is refused, so an admin can never lock everyone out.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: &str,
        disabled: bool,
    ) -> Result<(), CoreError> {
        actor.require_admin()?;
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let (role, was): (String, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT role, disabled_at FROM users WHERE id = ? AND tenant_id = ?")
                .bind(user_id)
                .bind(actor.tenant.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(storage)?
                .ok_or_else(|| CoreError::NotFound {
                    what: "user",
                    id: user_id.to_owned(),
                })?;
        if was.is_some() == disabled {
            return Ok(());
        }
        if disabled {
            keep_an_admin(&mut tx, &actor.tenant, user_id, &role).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
        }
        sqlx::query("UPDATE users SET disabled_at = ? WHERE id = ?")
            .bind(disabled.then_some(now))
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        changes::append(&mut tx, actor, user_id, action, user_id, None, None, now).await?;
        tx.commit().await.map_err(storage)
    }
}

/// Refuses to take away the admin role (or the account) of `user_id` when no other active
/// admin user would remain. Tokens do not count: nobody signs in with one.
async fn keep_an_admin(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    user_id: &str,
    current_role: &str,
) -> Result<(), CoreError> {
    if current_role != Role::Admin.as_str() {
        return Ok(());
    }
    let (others,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE tenant_id = ? AND role = 'admin' \
         AND disabled_at IS NULL AND id != ?",
    )
    .bind(tenant.as_str())
    .bind(user_id)
    .fetch_one(conn)
    .await
    .map_err(storage)?;
    if others == 0 {
        return Err(CoreError::Conflict(
            "This is the last active admin; make another user an admin first.".to_owned(),
        ));
    }
    Ok(())
}

/// The granted sites of every limited principal of one kind in the tenant, in one query.
async fn tenant_grants(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    principal: Principal,
) -> Result<HashMap<String, Vec<ResourceId>>, CoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(principal.tenant_grants())
        .bind(tenant.as_str())
        .fetch_all(conn)
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

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::core::access::{SiteScope, Username};
    use crate::core::resources::{ResourceName, ResourceType};
    use crate::core::store::testing::{actor_of, admin, manager, temp_store};

    fn grant(role: Role) -> Grant {
        Grant { role, sites: None }
    }

    async fn user(store: &Store, name: &str, role: Role, random: u128) -> User {
        store
            .create_user(
                &admin(),
                &Username::parse(name).unwrap(),
                "long enough pw",
                &grant(role),
                random,
            )
            .await
            .unwrap()
    }

    async fn sign_in(store: &Store, name: &str) -> Result<String, CoreError> {
        store
            .sign_in(
                &TenantId::default_tenant(),
                name,
                "long enough pw",
                Duration::hours(1),
                rand_bytes(name),
                [0; 32],
            )
            .await
            .map(|(secret, _)| secret)
    }

    fn rand_bytes(name: &str) -> [u8; 32] {
        let mut bytes = [0; 32];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        bytes
    }

    #[tokio::test]
    async fn users_are_listed_by_name_with_their_sites() {
        let (_dir, store) = temp_store().await;
        let site = store
            .create_resource(
                &admin(),
                &ResourceType::site(),
                &ResourceName::parse("HQ").unwrap(),
                1,
            )
            .await
            .unwrap();
        let bob = user(&store, "bob", Role::Staff, 1).await;
        user(&store, "Alice", Role::Admin, 2).await;
        let limited = Grant {
            role: Role::Manager,
            sites: Some(vec![site.id.clone()]),
        };
        store
            .set_user_grant(&admin(), &bob.id, &limited)
            .await
            .unwrap();
        let users = store.list_users(&admin()).await.unwrap();
        let names: Vec<_> = users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["Alice", "bob"]);
        assert_eq!(users[1].role, Role::Manager);
        assert_eq!(users[1].sites, Some(vec![site.id]));
        assert_eq!(users[0].sites, None);
        assert!(matches!(
            store.list_users(&manager()).await,
            Err(CoreError::Forbidden(_))
        ));
        assert!(
            store
                .list_users(&actor_of("other", Role::Admin))
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_new_role_applies_to_open_sessions_and_is_recorded() {
        let (_dir, store) = temp_store().await;
        user(&store, "root", Role::Admin, 1).await;
        let carol = user(&store, "carol", Role::Staff, 2).await;
        let secret = sign_in(&store, "carol").await.unwrap();
        store
            .set_user_grant(&admin(), &carol.id, &grant(Role::Manager))
            .await
            .unwrap();
        assert_eq!(
            store.session(&secret).await.unwrap().actor.role,
            Role::Manager
        );
        let carol_id = ResourceId::from_path(carol.id.as_str());
        let history = store
            .list_changes(&admin(), &carol_id, 0, 10)
            .await
            .unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.action, "user.grant");
        assert_eq!(last.old.as_ref().unwrap()["role"], "staff");
        assert_eq!(last.new.as_ref().unwrap()["role"], "manager");
        assert!(matches!(
            store
                .set_user_grant(
                    &actor_of("other", Role::Admin),
                    &carol.id,
                    &grant(Role::Admin)
                )
                .await,
            Err(CoreError::NotFound { what: "user", .. })
        ));
    }

    #[tokio::test]
    async fn the_last_active_admin_can_be_neither_demoted_nor_disabled() {
        let (_dir, store) = temp_store().await;
        let root = user(&store, "root", Role::Admin, 1).await;
        let demote = store
            .set_user_grant(&admin(), &root.id, &grant(Role::Staff))
            .await;
        assert!(matches!(demote, Err(CoreError::Conflict(m)) if m.contains("last active admin")));
        assert!(matches!(
            store.set_user_disabled(&admin(), &root.id, true).await,
            Err(CoreError::Conflict(_))
        ));
        // With a second admin, the first may go.
        user(&store, "deputy", Role::Admin, 2).await;
        store
            .set_user_disabled(&admin(), &root.id, true)
            .await
            .unwrap();
        let deputy = &store.list_users(&admin()).await.unwrap()[0];
        assert!(matches!(
            store
                .set_user_grant(&admin(), &deputy.id, &grant(Role::Manager))
                .await,
            Err(CoreError::Conflict(_))
        ));
    }

    #[tokio::test]
    async fn disabling_ends_sessions_and_sign_in_until_enabled_again() {
        let (_dir, store) = temp_store().await;
        let dave = user(&store, "dave", Role::Manager, 1).await;
        let secret = sign_in(&store, "dave").await.unwrap();
        store
            .set_user_disabled(&admin(), &dave.id, true)
            .await
            .unwrap();
        assert!(store.session(&secret).await.is_err());
        assert!(sign_in(&store, "dave").await.is_err());
        let listed = store.list_users(&admin()).await.unwrap();
        assert!(listed[0].disabled_at.is_some());
        store
            .set_user_disabled(&admin(), &dave.id, false)
            .await
            .unwrap();
        assert!(sign_in(&store, "dave").await.is_ok());
        let actions: Vec<_> = store
            .list_changes(&admin(), &ResourceId::from_path(dave.id.as_str()), 0, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.action)
            .collect();
        assert_eq!(actions, ["user.create", "user.disable", "user.enable"]);
    }

    #[tokio::test]
    async fn a_token_regranted_acts_with_its_new_role_at_once_and_revoked_ones_are_history() {
        let (_dir, store) = temp_store().await;
        let day = crate::core::access::TokenLifetime::days(Some(1)).unwrap();
        let (token, secret) = store
            .create_token(&admin(), "deploy", &grant(Role::Staff), day, 1, [4; 32])
            .await
            .unwrap();
        assert_eq!(
            store.authenticate_token(&secret, None).await.unwrap().role,
            Role::Staff
        );
        let limited = Grant {
            role: Role::Manager,
            sites: Some(vec![]),
        };
        store
            .set_token_grant(&admin(), &token.id, &limited)
            .await
            .unwrap();
        let actor = store.authenticate_token(&secret, None).await.unwrap();
        assert_eq!(
            (actor.role, actor.sites),
            (Role::Manager, SiteScope::Only(vec![]))
        );
        let listed = store.list_tokens(&admin()).await.unwrap();
        assert_eq!(listed[0].sites, Some(vec![]));
        assert_eq!(listed[0].created_by, admin().id);
        assert!(listed[0].last_used_at.is_some());
        store.revoke_token(&admin(), &token.id).await.unwrap();
        assert!(matches!(
            store
                .set_token_grant(&admin(), &token.id, &grant(Role::Admin))
                .await,
            Err(CoreError::NotFound { .. })
        ));
        assert!(
            store.list_tokens(&admin()).await.unwrap()[0]
                .revoked_at
                .is_some()
        );
    }
}
