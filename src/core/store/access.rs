use chrono::{DateTime, Duration, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::{Store, changes, storage, unique_or};
use crate::core::CoreError;
use crate::core::access::credentials::{self, token_digest};
use crate::core::access::{
    Actor, ApiToken, CreatorType, Grant, Role, SiteScope, TokenLifetime, User, Username,
};
use crate::core::resources::ResourceId;
use crate::core::tenancy::TenantId;

/// `last_used_at` is a hint for admins, not an audit trail: writing it on every request would
/// turn each API read into a write, so it is refreshed at most once per this interval.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

impl Store {
    /// Creates a user with an argon2-hashed password. Admins only.
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &Username,
        password: &str,
        grant: &Grant,
        random: u128,
    ) -> Result<User, CoreError> {
        actor.require_admin()?;
        grant.check()?;
        // Hash before taking the write lock: argon2 is deliberately slow.
        let hash = credentials::hash_password(password)?;
        let id = format!("usr_{random:032x}");
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO users (id, tenant_id, username, password_hash, role, limited, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(actor.tenant.as_str())
        .bind(username.as_str())
        .bind(&hash)
        .bind(grant.role.as_str())
        .bind(grant.sites.is_some())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(unique_or(|| {
            CoreError::Conflict(format!("A user named '{username}' already exists."))
        }))?;
        let sites = grant_sites(&mut tx, &actor.tenant, &id, grant).await?;
        changes::append(
            &mut tx,
            actor,
            &id,
            "user.create",
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

    /// Creates an API token and returns it with its secret, the only time the secret exists
    /// outside the caller's hands. Admins only. It expires `lifetime` after it is made.
    /// `random_id` and `secret` come from the caller's random source, which keeps the core
    /// deterministic under test.
    #[allow(clippy::too_many_arguments)] // The parts of one token, each needed.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        grant: &Grant,
        lifetime: TokenLifetime,
        random_id: u128,
        secret: [u8; 32],
    ) -> Result<(ApiToken, String), CoreError> {
        actor.require_admin()?;
        grant.check()?;
        let name = crate::core::resources::ResourceName::parse(name)?;
        let id = format!("tok_{random_id:032x}");
        let secret = credentials::token_secret(secret);
        let now = Utc::now();
        let expires_at = lifetime.expiry(now);
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, tenant_id, name, secret_sha256, role, limited, \
             created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(actor.tenant.as_str())
        .bind(name.as_str())
        .bind(&token_digest(&secret)[..])
        .bind(grant.role.as_str())
        .bind(grant.sites.is_some())
        .bind(&actor.id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
        let sites = grant_sites(&mut tx, &actor.tenant, &id, grant).await?;
        changes::append(
            &mut tx,
            actor,
            &id,
            "token.create",
            name.as_str(),
            None,
            Some(serde_json::json!({ "role": grant.role.as_str(), "sites": sites })),
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        let token = ApiToken {
            id,
            name: name.as_str().to_owned(),
            role: grant.role,
            sites,
            created_by: actor.id.clone(),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        Ok((token, secret))
    }

    /// Revokes a token of the actor's tenant at once. Admins only.
    pub async fn revoke_token(&self, actor: &Actor, token_id: &str) -> Result<(), CoreError> {
        actor.require_admin()?;
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = ? \
             WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_id)
        .bind(actor.tenant.as_str())
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
        if revoked.rows_affected() == 0 {
            return Err(CoreError::NotFound {
                what: "active token",
                id: token_id.to_owned(),
            });
        }
        changes::append(
            &mut tx,
            actor,
            token_id,
            "token.revoke",
            token_id,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        self.cache.forget_tokens();
        Ok(())
    }

    /// Who each user and token id of the tenant is, as people know them: the username, or
    /// "token <name>". Pages show these instead of ids in "changed by" columns and history.
    pub async fn principal_names(
        &self,
        actor: &Actor,
    ) -> Result<std::collections::HashMap<String, String>, CoreError> {
        actor.require_read()?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, username FROM users WHERE tenant_id = ?1 \
             UNION ALL SELECT id, 'token ' || name FROM api_tokens WHERE tenant_id = ?1",
        )
        .bind(actor.tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(storage)?;
        Ok(rows.into_iter().collect())
    }

    /// The actor a bearer secret stands for. Unknown, revoked and expired tokens all fail with
    /// `Unauthenticated`; the messages differ only where telling the holder helps them.
    pub async fn authenticate_token(
        &self,
        secret: &str,
        request_id: Option<String>,
    ) -> Result<Actor, CoreError> {
        if !credentials::looks_like_token(secret) {
            return Err(CoreError::Unauthenticated(
                "The bearer token is not a Sitebook API token (they start with 'sbk_').",
            ));
        }
        let now = Utc::now();
        let digest = token_digest(secret);
        if let Some(mut actor) = self.cache.token(&digest, now) {
            actor.request_id = request_id;
            return Ok(actor);
        }
        // Boxed, so that the queries' large future is not part of every request's, which is
        // moved from frame to frame on each request, cached or not.
        Box::pin(self.token_from_database(digest, now, request_id)).await
    }

    /// The actor of a token the cache lacks, looked up by its digest and kept.
    async fn token_from_database(
        &self,
        digest: [u8; 32],
        now: DateTime<Utc>,
        request_id: Option<String>,
    ) -> Result<Actor, CoreError> {
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let row = sqlx::query_as::<_, TokenRow>(
            "SELECT id, tenant_id, role, limited, expires_at, revoked_at, last_used_at \
             FROM api_tokens WHERE secret_sha256 = ?",
        )
        .bind(&digest[..])
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?
        .filter(|row| row.revoked_at.is_none())
        .ok_or(CoreError::Unauthenticated(
            "The bearer token is unknown or has been revoked.",
        ))?;
        if row.expires_at.is_some_and(|at| at <= now) {
            return Err(CoreError::Unauthenticated("The bearer token has expired."));
        }
        let role = Role::parse(&row.role).map_err(|e| CoreError::Storage(e.to_string()))?;
        let sites = if row.limited {
            SiteScope::Only(granted_sites(&mut conn, &row.id).await?)
        } else {
            SiteScope::All
        };
        if row
            .last_used_at
            .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
                .bind(now)
                .bind(&row.id)
                .execute(&mut *conn)
                .await
                .map_err(storage)?;
        }
        let actor = Actor {
            tenant: TenantId::new(row.tenant_id),
            id: row.id,
            creator_type: CreatorType::Client,
            role,
            sites,
            request_id: None,
        };
        self.cache.keep_token(digest, actor.clone(), row.expires_at);
        Ok(Actor {
            request_id,
            ..actor
        })
    }
}

#[derive(FromRow)]
struct TokenRow {
    id: String,
    tenant_id: String,
    role: String,
    limited: bool,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

/// Records a limited grant's sites, each of which must be a site of the tenant.
pub(super) async fn grant_sites(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    principal_id: &str,
    grant: &Grant,
) -> Result<Option<Vec<ResourceId>>, CoreError> {
    let Some(sites) = &grant.sites else {
        return Ok(None);
    };
    for site in sites {
        let granted = sqlx::query(
            "INSERT OR IGNORE INTO site_grants (principal_id, site_pk) \
             SELECT ?, pk FROM resources WHERE tenant_id = ? AND id = ? AND type = 'site'",
        )
        .bind(principal_id)
        .bind(tenant.as_str())
        .bind(site.as_str())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
        if granted.rows_affected() == 0 && !sites_before(sites, site) {
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

pub(super) async fn granted_sites(
    conn: &mut SqliteConnection,
    principal_id: &str,
) -> Result<Vec<ResourceId>, CoreError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT r.id FROM site_grants g JOIN resources r ON r.pk = g.site_pk \
         WHERE g.principal_id = ? ORDER BY r.id",
    )
    .bind(principal_id)
    .fetch_all(conn)
    .await
    .map_err(storage)?;
    Ok(ids
        .into_iter()
        .map(|(id,)| ResourceId::from_path(id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ValidationError;
    use crate::core::resources::{ResourceName, ResourceType};
    use crate::core::store::testing::{admin, manager, temp_store};

    fn grant(role: Role) -> Grant {
        Grant { role, sites: None }
    }

    const UNENDING: TokenLifetime = TokenLifetime::UNLIMITED;

    fn day() -> TokenLifetime {
        TokenLifetime::days(Some(1)).unwrap()
    }

    #[tokio::test]
    async fn a_token_expires_its_lifetime_after_it_is_made() {
        let (_dir, store) = temp_store().await;
        let (token, _) = store
            .create_token(&admin(), "week", &grant(Role::Staff), day(), 4, [4; 32])
            .await
            .unwrap();
        assert_eq!(token.expires_at, Some(token.created_at + Duration::days(1)));
        let (token, _) = store
            .create_token(&admin(), "ever", &grant(Role::Staff), UNENDING, 5, [5; 32])
            .await
            .unwrap();
        assert_eq!(token.expires_at, None);
    }

    #[tokio::test]
    async fn a_token_authenticates_as_its_role_and_tenant() {
        let (_dir, store) = temp_store().await;
        let (token, secret) = store
            .create_token(
                &admin(),
                "deploy",
                &grant(Role::Manager),
                UNENDING,
                1,
                [7; 32],
            )
            .await
            .unwrap();
        let actor = store
            .authenticate_token(&secret, Some("r1".into()))
            .await
            .unwrap();
        assert_eq!(actor.id, token.id);
        assert_eq!(actor.role, Role::Manager);
        assert_eq!(actor.creator_type, CreatorType::Client);
        assert_eq!(actor.tenant, TenantId::default_tenant());
        assert_eq!(actor.request_id.as_deref(), Some("r1"));
    }

    #[tokio::test]
    async fn unknown_revoked_and_expired_tokens_are_refused() {
        let (_dir, store) = temp_store().await;
        let unknown = credentials::token_secret([1; 32]);
        assert!(matches!(
            store.authenticate_token(&unknown, None).await,
            Err(CoreError::Unauthenticated(_))
        ));
        assert!(matches!(
            store.authenticate_token("garbage", None).await,
            Err(CoreError::Unauthenticated(_))
        ));
        let (token, secret) = store
            .create_token(&admin(), "t", &grant(Role::Staff), UNENDING, 2, [2; 32])
            .await
            .unwrap();
        // Authenticated once (and so cached), then revoked: refused at once all the same.
        store.authenticate_token(&secret, None).await.unwrap();
        store.revoke_token(&admin(), &token.id).await.unwrap();
        assert!(store.authenticate_token(&secret, None).await.is_err());
        assert!(matches!(
            store.revoke_token(&admin(), &token.id).await,
            Err(CoreError::NotFound { .. })
        ));
        let (old, expired) = store
            .create_token(&admin(), "old", &grant(Role::Staff), day(), 3, [3; 32])
            .await
            .unwrap();
        // No lifetime reaches into the past, so the test moves the expiry there itself.
        sqlx::query("UPDATE api_tokens SET expires_at = ? WHERE id = ?")
            .bind(Utc::now() - Duration::seconds(1))
            .bind(&old.id)
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(matches!(
            store.authenticate_token(&expired, None).await,
            Err(CoreError::Unauthenticated(m)) if m.contains("expired")
        ));
    }

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
                .create_token(&manager(), "t", &grant(Role::Staff), UNENDING, 1, [1; 32])
                .await,
            Err(CoreError::Forbidden(_))
        ));
    }

    #[tokio::test]
    async fn usernames_are_unique_ignoring_case() {
        let (_dir, store) = temp_store().await;
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
            Err(CoreError::Conflict(_))
        ));
    }

    #[tokio::test]
    async fn a_limited_manager_token_carries_its_sites() {
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
        let limited = Grant {
            role: Role::Manager,
            sites: Some(vec![site.id.clone()]),
        };
        let (_, secret) = store
            .create_token(&admin(), "field", &limited, UNENDING, 1, [9; 32])
            .await
            .unwrap();
        let actor = store.authenticate_token(&secret, None).await.unwrap();
        assert_eq!(actor.sites, SiteScope::Only(vec![site.id]));

        let bad = Grant {
            role: Role::Manager,
            sites: Some(vec![ResourceId::from_path("site_missing")]),
        };
        assert!(matches!(
            store
                .create_token(&admin(), "x", &bad, UNENDING, 2, [8; 32])
                .await,
            Err(CoreError::NotFound { what: "site", .. })
        ));
        let staff_limited = Grant {
            role: Role::Staff,
            sites: Some(vec![]),
        };
        assert!(matches!(
            store
                .create_token(&admin(), "x", &staff_limited, UNENDING, 3, [6; 32])
                .await,
            Err(CoreError::Invalid(ValidationError::SitesOnlyForManagers))
        ));
    }
}
