//! API tokens: creating, revoking, listing and regranting them, and authenticating a bearer
//! secret. What users and tokens share (site grants) is in `grants`.

use crate::store::unchecked::Unchecked;
use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::db::{Conn, sql};
use super::grants::{Principal, grant_sites, granted_sites, role, tenant_grants};
use super::{Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::credentials::{self, token_digest};
use crate::core::access::{
    Actor, ApiToken, CreatorType, Grant, PRINCIPAL_ID_PREFIXES, Role, SiteScope, TokenLifetime,
};
use crate::core::change_sets::Via;
use crate::core::changes::Action;
use crate::core::tenancy::TenantId;

/// `last_used_at` is a hint for admins, not an audit trail: writing it on every request would
/// turn each API read into a write, so it is refreshed at most once per this interval.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

#[derive(FromRow)]
struct AuthRow {
    id: String,
    tenant_id: String,
    name: String,
    role: String,
    limited: bool,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

/// How to find an API token: by its secret's digest (a bearer secret) or by its id (the
/// principal of an issued access token).
pub(super) enum TokenKey<'a> {
    Digest(&'a [u8; 32]),
    Id(&'a str),
}

/// An API token that authenticates now, as the actor it stands for.
pub(super) struct ActiveToken {
    pub(super) actor: Actor,
    pub(super) name: String,
    pub(super) expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

/// The token `key` names, if it is neither revoked nor expired at `now`; the one place that
/// decides whether an API token still works.
pub(super) async fn active_token<'c>(
    conn: impl Into<Conn<'c>>,
    key: TokenKey<'_>,
    now: DateTime<Utc>,
) -> Result<ActiveToken, CoreError> {
    let mut conn = conn.into();
    let row = match key {
        TokenKey::Digest(digest) => {
            conn.query(sql!(
                "SELECT id, tenant_id, name, role, limited, expires_at, revoked_at, \
                 last_used_at FROM api_tokens WHERE secret_sha256 = ?"
            ))
            .bind(&digest[..])
            .fetch_optional::<AuthRow>(&mut conn)
            .await
        }
        TokenKey::Id(id) => {
            conn.query(sql!(
                "SELECT id, tenant_id, name, role, limited, expires_at, revoked_at, \
                 last_used_at FROM api_tokens WHERE id = ?"
            ))
            .bind(id)
            .fetch_optional::<AuthRow>(&mut conn)
            .await
        }
    }
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
        SiteScope::Only(granted_sites(conn, &row.id).await?)
    } else {
        SiteScope::All
    };
    Ok(ActiveToken {
        actor: Actor {
            tenant: TenantId::new(row.tenant_id),
            id: row.id,
            creator_type: CreatorType::Client,
            role,
            sites,
            request_id: None,
            change: crate::core::change_sets::ChangeOrigin::fresh(
                crate::core::change_sets::Via::Api,
            ),
        },
        name: row.name,
        expires_at: row.expires_at,
        last_used_at: row.last_used_at,
    })
}

#[derive(FromRow)]
struct ListedRow {
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

impl Store {
    /// Creates an API token and returns it with its secret, the only time the secret exists
    /// outside the caller's hands. Admins only. It expires `lifetime` after it is made.
    /// `random_id` and `secret` come from the caller's random source, which keeps the core
    /// deterministic under test.
    #[allow(clippy::too_many_arguments)] // The parts of one token, each needed.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        grant: impl Into<Unchecked<Grant>>,
        lifetime: impl Into<Unchecked<TokenLifetime>>,
        random_id: u128,
        secret: [u8; 32],
    ) -> Result<(ApiToken, String), CoreError> {
        actor.require_admin()?;
        let grant = &grant.into().check()?;
        let lifetime = lifetime.into().check()?;
        grant.check()?;
        let name = crate::core::resources::ResourceName::parse(name)?;
        let id = format!("{}{random_id:032x}", PRINCIPAL_ID_PREFIXES[1]);
        let secret = credentials::token_secret(secret);
        let now = crate::store::now();
        let expires_at = lifetime.expiry(now);
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        conn.query(sql!(
            "INSERT INTO api_tokens (id, tenant_id, name, secret_sha256, role, limited, \
             created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&id)
        .bind(actor.tenant.as_str())
        .bind(name.as_str())
        .bind(&token_digest(&secret)[..])
        .bind(grant.role.as_str())
        .bind(grant.sites.is_some())
        .bind(&actor.id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        let sites = grant_sites(conn.reborrow(), &actor.tenant, &id, grant).await?;
        changes::append(
            conn,
            actor,
            &id,
            Action::TokenCreate,
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
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let revoked = conn
            .query(sql!(
                "UPDATE api_tokens SET revoked_at = ? \
                 WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL"
            ))
            .bind(now)
            .bind(token_id)
            .bind(actor.tenant.as_str())
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        if revoked == 0 {
            return Err(CoreError::NotFound {
                what: "active token",
                id: token_id.to_owned(),
            });
        }
        changes::append(
            conn,
            actor,
            token_id,
            Action::TokenRevoke,
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

    /// The tenant's tokens, newest first, revoked and expired ones included. Admins only.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, CoreError> {
        actor.require_admin()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let rows: Vec<ListedRow> = conn
            .query(sql!(
                "SELECT id, name, role, limited, created_by, created_at, expires_at, \
                 last_used_at, revoked_at FROM api_tokens WHERE tenant_id = ? \
                 ORDER BY created_at DESC, id"
            ))
            .bind(actor.tenant.as_str())
            .fetch_all(&mut conn)
            .await
            .map_err(storage)?;
        let mut grants = tenant_grants(conn, &actor.tenant, Principal::Token).await?;
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

    /// Changes a token's role and sites, effective at once in this process.
    pub async fn set_token_grant(
        &self,
        actor: &Actor,
        token_id: &str,
        grant: impl Into<Unchecked<Grant>>,
    ) -> Result<(), CoreError> {
        self.regrant(actor, Principal::Token, token_id, grant.into())
            .await?;
        self.cache.forget_tokens();
        Ok(())
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
        let now = crate::store::now();
        let digest = token_digest(secret);
        if let Some(mut actor) = self.cache.token(&digest, now) {
            actor.request_id = request_id;
            return Ok(actor.in_new_change_set(Via::Api));
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
        let mut conn = self.db.acquire().await.map_err(storage)?;
        let token = active_token(&mut conn, TokenKey::Digest(&digest), now).await?;
        drop(conn);
        if token
            .last_used_at
            .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
        {
            // Best effort and off the request: a busy or locked database may delay or lose
            // this hint, but must never turn the caller's read into an error.
            let (db, id) = (self.db.clone(), token.actor.id.clone());
            tokio::spawn(async move {
                let noted = db
                    .query(sql!("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"))
                    .bind(now)
                    .bind(&id)
                    .execute(&db)
                    .await;
                if let Err(e) = noted {
                    tracing::debug!("a token's last use was not noted: {e}");
                }
            });
        }
        let actor = token.actor;
        self.cache
            .keep_token(digest, actor.clone(), token.expires_at);
        Ok(Actor {
            request_id,
            ..actor
        }
        .in_new_change_set(Via::Api))
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::core::error::ValidationError;
    use crate::core::resources::{ResourceId, ResourceName, ResourceType};
    use crate::store::testing::{admin, each_engine, grant, temp_store};

    const UNENDING: TokenLifetime = TokenLifetime::UNLIMITED;

    fn day() -> TokenLifetime {
        TokenLifetime::days(Some(1)).unwrap()
    }

    #[tokio::test]
    async fn a_non_admin_learns_nothing_from_a_bad_grant_or_lifetime() {
        for (_dir, store) in each_engine().await {
            let mut manager = admin();
            manager.role = Role::Manager;
            let bad_grant = crate::core::access::Grant::parse("overlord", false, "");
            let bad_lifetime = TokenLifetime::parse("0");
            assert!(bad_grant.is_err() && bad_lifetime.is_err());
            let refused = store
                .create_token(&manager, "x", bad_grant, bad_lifetime, 1, [1; 32])
                .await
                .unwrap_err();
            assert!(matches!(refused, CoreError::Forbidden(_)), "{refused:?}");
            let refused = store
                .set_token_grant(
                    &manager,
                    "tok_x",
                    crate::core::access::Grant::parse("", true, "s"),
                )
                .await
                .unwrap_err();
            assert!(matches!(refused, CoreError::Forbidden(_)), "{refused:?}");
            let judged = store
                .create_token(
                    &admin(),
                    "x",
                    &grant(Role::Staff),
                    TokenLifetime::parse("0"),
                    1,
                    [1; 32],
                )
                .await
                .unwrap_err();
            assert!(matches!(judged, CoreError::Invalid(_)), "{judged:?}");
        }
    }

    /// Used to: the first use of a token wrote `last_used_at` on the request, so a database
    /// another writer held locked turned a read into a 500 after the busy timeout.
    #[tokio::test]
    async fn a_locked_database_does_not_stop_a_token_from_working_and_its_use_is_noted_later() {
        let (_dir, store) = temp_store().await;
        let (token, secret) = store
            .create_token(
                &admin(),
                "script",
                &grant(Role::Staff),
                UNENDING,
                6,
                [6; 32],
            )
            .await
            .unwrap();
        let mut holder = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *holder)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let actor = store.authenticate_token(&secret, None).await.unwrap();
        assert_eq!(actor.id, token.id);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "it waited for the lock"
        );
        sqlx::query("COMMIT").execute(&mut *holder).await.unwrap();
        drop(holder);
        // Once the lock is gone, the use is noted.
        assert!(use_is_noted(&store, &token.id).await);
    }

    /// Whether the token's `last_used_at` is set within a few seconds: it is noted off the
    /// request, a moment later.
    async fn use_is_noted(store: &Store, id: &str) -> bool {
        for _ in 0..100 {
            let listed = store.list_tokens(&admin()).await.unwrap();
            if listed
                .iter()
                .any(|t| t.id == id && t.last_used_at.is_some())
            {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    }

    #[tokio::test]
    async fn a_token_expires_its_lifetime_after_it_is_made() {
        for (_dir, store) in each_engine().await {
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
    }

    #[tokio::test]
    async fn a_token_authenticates_as_its_role_and_tenant() {
        for (_dir, store) in each_engine().await {
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
            .bind(crate::store::now() - Duration::seconds(1))
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

    #[tokio::test]
    async fn a_token_regranted_acts_with_its_new_role_at_once_and_revoked_ones_are_history() {
        let (_dir, store) = temp_store().await;
        let (token, secret) = store
            .create_token(
                &admin(),
                "deploy",
                &grant(Role::Staff),
                TokenLifetime::UNLIMITED,
                1,
                [4; 32],
            )
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
        assert!(use_is_noted(&store, &token.id).await);
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
