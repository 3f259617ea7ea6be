//! Users: creating them, listing them, changing their grant, disabling them. Signing in is
//! in `sessions`; what users and tokens share (site grants) is in `grants`.

use crate::core::error::Clash;
use crate::store::unchecked::Unchecked;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{Conn, Sql, sql};
use super::grants::{Principal, grant_sites, role, tenant_grants};
use super::{Store, changes, storage, unique_or};
use crate::core::CoreError;
use crate::core::access::credentials;
use crate::core::access::{Actor, Grant, PRINCIPAL_ID_PREFIXES, Role, User, Username};
use crate::core::changes::Action;
use crate::core::tenancy::TenantId;

#[derive(FromRow)]
struct UserRow {
    id: String,
    username: String,
    role: String,
    limited: bool,
    created_at: DateTime<Utc>,
    disabled_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Creates a user with an argon2-hashed password. Admins only.
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: impl Into<Unchecked<Username>>,
        password: &str,
        grant: impl Into<Unchecked<Grant>>,
        random: u128,
    ) -> Result<User, CoreError> {
        actor.require_admin()?;
        let username = &username.into().check()?;
        let grant = &grant.into().check()?;
        grant.check()?;
        // Hash before taking the write lock: argon2 is deliberately slow.
        let hash = credentials::hash_password(password)?;
        let id = format!("{}{random:032x}", PRINCIPAL_ID_PREFIXES[0]);
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        conn.query(sql!(
            "INSERT INTO users (id, tenant_id, username, password_hash, role, limited, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&id)
        .bind(actor.tenant.as_str())
        .bind(username.as_str())
        .bind(&hash)
        .bind(grant.role.as_str())
        .bind(grant.sites.is_some())
        .bind(now)
        .execute(&mut conn)
        .await
        .map_err(unique_or(|| {
            CoreError::Conflict(
                Clash::NameTaken,
                format!("A user named '{username}' already exists."),
            )
        }))?;
        let sites = grant_sites(conn.reborrow(), &actor.tenant, &id, grant).await?;
        changes::append(
            conn,
            actor,
            &id,
            Action::UserCreate,
            username.as_str(),
            None,
            Some(serde_json::json!({ "role": grant.role.as_str(), "sites": sites })),
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        Ok(User {
            id,
            username: username.as_str().to_owned(),
            role: grant.role,
            sites,
            created_at: now,
            disabled_at: None,
        })
    }

    /// The tenant's users by name, disabled ones included. Admins only.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>, CoreError> {
        actor.require_admin()?;
        let mut conn = self.db.acquire().await.map_err(storage)?;
        let mut conn = conn.conn();
        let rows: Vec<UserRow> = conn
            .query(Sql::each(
                "SELECT id, username, role, limited, created_at, disabled_at FROM users \
                 WHERE tenant_id = ? ORDER BY username COLLATE NOCASE",
                "SELECT id, username, role, limited, created_at, disabled_at FROM users \
                 WHERE tenant_id = $1 ORDER BY lower(username)",
            ))
            .bind(actor.tenant.as_str())
            .fetch_all(&mut conn)
            .await
            .map_err(storage)?;
        let mut grants = tenant_grants(conn, &actor.tenant, Principal::User).await?;
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

    /// Changes a user's role and sites; their open sessions act with the new grant on their
    /// next request. Refused when it would leave the tenant without an active admin.
    pub async fn set_user_grant(
        &self,
        actor: &Actor,
        user_id: &str,
        grant: impl Into<Unchecked<Grant>>,
    ) -> Result<(), CoreError> {
        self.regrant(actor, Principal::User, user_id, grant.into())
            .await
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
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let (role, was): (String, Option<DateTime<Utc>>) = conn
            .query(sql!(
                "SELECT role, disabled_at FROM users WHERE id = ? AND tenant_id = ?"
            ))
            .bind(user_id)
            .bind(actor.tenant.as_str())
            .fetch_optional(&mut conn)
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
            keep_an_admin(conn.reborrow(), &actor.tenant, user_id, &role).await?;
            // Their issued tokens (Keystone, OpenID) end with their sessions: deleted, not
            // merely refused while disabled, so enabling the user again revives none.
            for ended in [
                sql!("DELETE FROM sessions WHERE user_id = ?"),
                sql!("DELETE FROM access_tokens WHERE user_id = ?"),
            ] {
                conn.query(ended)
                    .bind(user_id)
                    .execute(&mut conn)
                    .await
                    .map_err(storage)?;
            }
        }
        conn.query(sql!("UPDATE users SET disabled_at = ? WHERE id = ?"))
            .bind(disabled.then_some(now))
            .bind(user_id)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        let action = if disabled {
            Action::UserDisable
        } else {
            Action::UserEnable
        };
        changes::append(conn, actor, user_id, action, user_id, None, None, now).await?;
        tx.commit().await.map_err(storage)
    }
}

/// Refuses to take away the admin role (or the account) of `user_id` when no other active
/// admin user would remain. Tokens do not count: nobody signs in with one.
pub(super) async fn keep_an_admin<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    user_id: &str,
    current_role: &str,
) -> Result<(), CoreError> {
    if current_role != Role::Admin.as_str() {
        return Ok(());
    }
    let mut conn = conn.into();
    let others: i64 = conn
        .query(sql!(
            "SELECT COUNT(*) FROM users WHERE tenant_id = ? AND role = 'admin' \
             AND disabled_at IS NULL AND id != ?"
        ))
        .bind(tenant.as_str())
        .bind(user_id)
        .fetch_scalar(&mut conn)
        .await
        .map_err(storage)?;
    if others == 0 {
        return Err(CoreError::Conflict(
            Clash::LastAdmin,
            "This is the last active admin; make another user an admin first.".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::Username;
    use crate::core::resources::{ResourceId, ResourceName, ResourceType};
    use crate::store::testing::{
        actor_of, admin, each_engine, grant, manager, sign_in, temp_store, user,
    };

    #[tokio::test]
    async fn only_admins_create_users_and_tokens() {
        let (_dir, store) = temp_store().await;
        let alice = Username::parse("alice").unwrap();
        assert!(matches!(
            store
                .create_user(&manager(), &alice, "long enough pw", &grant(Role::Staff), 1)
                .await,
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            store
                .create_token(
                    &manager(),
                    "t",
                    &grant(Role::Staff),
                    crate::core::access::TokenLifetime::UNLIMITED,
                    1,
                    [1; 32]
                )
                .await,
            Err(CoreError::Forbidden(_))
        ));
    }

    #[tokio::test]
    async fn usernames_are_unique_ignoring_case() {
        for (_dir, store) in each_engine().await {
            let alice = Username::parse("alice").unwrap();
            store
                .create_user(&admin(), &alice, "long enough pw", &grant(Role::Admin), 1)
                .await
                .unwrap();
            let again = Username::parse("ALICE").unwrap();
            assert!(matches!(
                store
                    .create_user(&admin(), &again, "long enough pw", &grant(Role::Staff), 2)
                    .await,
                Err(CoreError::Conflict(..))
            ));
        }
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
        for (_dir, store) in each_engine().await {
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
            assert_eq!(last.action, Action::UserGrant);
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
    }

    #[tokio::test]
    async fn the_last_active_admin_can_be_neither_demoted_nor_disabled() {
        for (_dir, store) in each_engine().await {
            let root = user(&store, "root", Role::Admin, 1).await;
            let demote = store
                .set_user_grant(&admin(), &root.id, &grant(Role::Staff))
                .await;
            assert!(
                matches!(demote, Err(CoreError::Conflict(_, m)) if m.contains("last active admin"))
            );
            assert!(matches!(
                store.set_user_disabled(&admin(), &root.id, true).await,
                Err(CoreError::Conflict(..))
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
                Err(CoreError::Conflict(..))
            ));
        }
    }

    #[tokio::test]
    async fn disabling_ends_sessions_and_sign_in_until_enabled_again() {
        for (_dir, store) in each_engine().await {
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
            assert_eq!(
                actions,
                [Action::UserCreate, Action::UserDisable, Action::UserEnable]
            );
        }
    }
}
