//! Issued access tokens (the rules are in `core::access::issued`): issuing one for a
//! credential, the actor one stands for at each use, looking at one and revoking it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{Conn, Sql, sql};

use super::sessions::{UserRow, actor_for};
use super::tokens::{TokenKey, active_token};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::credentials::{
    access_token_secret, looks_like_access_token, looks_like_token, token_digest,
};
use crate::core::access::{
    APPLICATION_CREDENTIAL_SCOPE, AccessCredential, AccessPrincipal, AccessToken, Actor,
    access_expiry,
};
use crate::core::tenancy::TenantId;

const UNKNOWN: &str = "The token is unknown, has expired or has been revoked.";

/// Why an API token logs in to no other project; `held_refusal` tells it from other failures.
const FOREIGN_API_TOKEN: &str = "The API token belongs to another project.";

/// The most live tokens one principal (a user or an API token) holds. A script that logs in
/// for every command keeps working (its newest tokens do), while one that logs in in a loop
/// cannot grow the table: issuing past this ends the principal's oldest tokens.
pub const MAX_LIVE_TOKENS: i64 = 100;

#[derive(FromRow)]
struct Row {
    tenant_id: String,
    tenant_name: String,
    user_id: Option<String>,
    api_token_id: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

/// A name for the token in logs and audit trails: the start of its digest, which tells
/// nothing about the secret.
fn audit_id(digest: &[u8; 32]) -> String {
    hex::encode(&digest[..16])
}

async fn tenant_name(mut conn: Conn<'_>, tenant: &TenantId) -> Result<String, CoreError> {
    conn.query(sql!("SELECT name FROM tenants WHERE id = ?"))
        .bind(tenant.as_str())
        .fetch_optional::<(String,)>(&mut conn)
        .await
        .map_err(storage)?
        .map(|(name,)| name)
        .ok_or(CoreError::Unauthenticated(UNKNOWN))
}

/// What an API token's secret logs in as: its actor, itself as the principal, and when a
/// token issued for it ends. `tenant`, when given, must be the API token's.
async fn api_token_login(
    mut conn: Conn<'_>,
    tenant: Option<&TenantId>,
    id: Option<&str>,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(Actor, AccessPrincipal, DateTime<Utc>), CoreError> {
    if !looks_like_token(secret) {
        return Err(CoreError::Unauthenticated(
            "The secret is not a Sitebook API token (they start with 'sbk_').",
        ));
    }
    let token = active_token(
        conn.reborrow(),
        TokenKey::Digest(&token_digest(secret)),
        now,
    )
    .await?;
    if id.is_some_and(|id| id.trim() != token.actor.id) {
        return Err(CoreError::Unauthenticated(
            "The id is not the id of the API token whose secret was given.",
        ));
    }
    if tenant.is_some_and(|tenant| *tenant != token.actor.tenant) {
        return Err(CoreError::Unauthenticated(FOREIGN_API_TOKEN));
    }
    // A login is a use of the API token, as admins read `last_used_at`.
    conn.query(sql!("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"))
        .bind(now)
        .bind(&token.actor.id)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
    let principal = AccessPrincipal::ApiToken {
        id: token.actor.id.clone(),
        name: token.name,
    };
    let expires_at = access_expiry(now, token.expires_at);
    Ok((token.actor, principal, expires_at))
}

/// A held token that does not work is not found (Keystone's 404 for the `token` method), and
/// an API token is not moved to another project (its 403).
fn held_refusal(error: CoreError) -> CoreError {
    match error {
        CoreError::Unauthenticated(FOREIGN_API_TOKEN) => {
            CoreError::Forbidden(APPLICATION_CREDENTIAL_SCOPE.to_owned())
        }
        CoreError::Unauthenticated(_) => CoreError::NotFound {
            what: "token",
            id: String::new(),
        },
        other => other,
    }
}

impl Store {
    /// The issued token a client holds, to be re-scoped to `tenant` (its own when `None`).
    /// A token of one project is never exchanged for another's: an API token's is refused as
    /// Keystone refuses an application credential's, a user's as a failed login.
    async fn held_token(
        &self,
        tenant: Option<&TenantId>,
        secret: &str,
    ) -> Result<AccessToken, CoreError> {
        let held = self
            .access_token(secret, None)
            .await
            .map_err(held_refusal)?;
        match (tenant, &held.principal) {
            (Some(tenant), _) if *tenant == held.actor.tenant => Ok(held),
            (None, _) => Ok(held),
            (Some(_), AccessPrincipal::ApiToken { .. }) => Err(CoreError::Forbidden(
                APPLICATION_CREDENTIAL_SCOPE.to_owned(),
            )),
            (Some(_), AccessPrincipal::User { .. }) => Err(CoreError::Unauthenticated(
                "The token's user has no role on the project.",
            )),
        }
    }

    /// Checks a credential and issues a short-lived access token acting for its principal.
    /// Returns the secret (only its digest is stored) and the token. A password is looked up
    /// in `tenant` (the default tenant when `None`), exactly as the web sign-in checks it; an
    /// API token must be active and, when `tenant` is given, of that tenant.
    pub async fn issue_access_token(
        &self,
        tenant: Option<&TenantId>,
        credential: &AccessCredential,
        address: Option<&str>,
        secret: [u8; 32],
    ) -> Result<(String, AccessToken), CoreError> {
        let now = crate::store::now();
        // The password is checked before a connection is taken: the check waits for a turn
        // among a few, and a login holding a connection while it waited would let a flood of
        // logins starve every other user of the pool. A held issued token is read before too,
        // on its own connection.
        let checked = match credential {
            AccessCredential::Password { user, password } => {
                let tenant = tenant.cloned().unwrap_or_default();
                Some((
                    self.check_password(&tenant, user, password, address)
                        .await?,
                    tenant,
                ))
            }
            AccessCredential::ApiToken { .. } | AccessCredential::Held { .. } => None,
        };
        let held = match credential {
            AccessCredential::Held { secret } if !looks_like_token(secret) => {
                Some(self.held_token(tenant, secret).await?)
            }
            _ => None,
        };
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let (actor, principal, expires_at) = match credential {
            AccessCredential::Password { .. } => {
                let (user, tenant) = checked.expect("a password was checked above");
                let actor = actor_for(conn.reborrow(), &tenant, &user).await?;
                let principal = AccessPrincipal::User {
                    id: user.id,
                    username: user.username,
                };
                (actor, principal, access_expiry(now, None))
            }
            AccessCredential::ApiToken { id, secret } => {
                api_token_login(conn.reborrow(), tenant, id.as_deref(), secret, now).await?
            }
            AccessCredential::Held { secret } => match held {
                // Re-scoping never extends a token: the new one ends when the held one does.
                Some(held) => (held.actor, held.principal, held.expires_at),
                None => api_token_login(conn.reborrow(), tenant, None, secret, now)
                    .await
                    .map_err(held_refusal)?,
            },
        };
        let tenant_name = tenant_name(conn.reborrow(), &actor.tenant).await?;
        let secret = access_token_secret(secret);
        let digest = token_digest(&secret);
        // Expired tokens go at once (revoked ones were deleted when revoked), by the expiry
        // index, so the table holds live tokens only.
        conn.query(sql!("DELETE FROM access_tokens WHERE expires_at <= ?"))
            .bind(now)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        let (user_id, api_token_id) = match &principal {
            AccessPrincipal::User { id, .. } => (Some(id), None),
            AccessPrincipal::ApiToken { id, .. } => (None, Some(id)),
        };
        // Room for the new one: the principal keeps its newest `MAX_LIVE_TOKENS - 1`.
        // PostgreSQL has no insertion order to break a tie in time; its times are to the
        // microsecond, so a tie is two tokens issued in the same one, either of which may go.
        let (oldest, principal_id) = match &principal {
            AccessPrincipal::User { id, .. } => (
                Sql::each(
                    "DELETE FROM access_tokens WHERE user_id = ?1 AND secret_sha256 NOT IN \
                     (SELECT secret_sha256 FROM access_tokens WHERE user_id = ?1 \
                      ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
                    "DELETE FROM access_tokens WHERE user_id = $1 AND secret_sha256 NOT IN \
                     (SELECT secret_sha256 FROM access_tokens WHERE user_id = $1 \
                      ORDER BY created_at DESC LIMIT $2)",
                ),
                id,
            ),
            AccessPrincipal::ApiToken { id, .. } => (
                Sql::each(
                    "DELETE FROM access_tokens WHERE api_token_id = ?1 AND secret_sha256 NOT IN \
                     (SELECT secret_sha256 FROM access_tokens WHERE api_token_id = ?1 \
                      ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
                    "DELETE FROM access_tokens WHERE api_token_id = $1 AND secret_sha256 NOT IN \
                     (SELECT secret_sha256 FROM access_tokens WHERE api_token_id = $1 \
                      ORDER BY created_at DESC LIMIT $2)",
                ),
                id,
            ),
        };
        conn.query(oldest)
            .bind(principal_id)
            .bind(MAX_LIVE_TOKENS - 1)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        conn.query(sql!(
            "INSERT INTO access_tokens (secret_sha256, tenant_id, user_id, api_token_id, \
             created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
        ))
        .bind(&digest[..])
        .bind(actor.tenant.as_str())
        .bind(user_id)
        .bind(api_token_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        let token = AccessToken {
            actor,
            principal,
            tenant_name,
            issued_at: now,
            expires_at,
            audit_id: audit_id(&digest),
        };
        Ok((secret, token))
    }

    /// The issued token a secret stands for, acting with its principal's role and sites as
    /// they are now. Unknown, expired and revoked tokens fail with `Unauthenticated`, and so
    /// do tokens whose API token was revoked or expired or whose user was disabled.
    pub async fn access_token(
        &self,
        secret: &str,
        request_id: Option<String>,
    ) -> Result<AccessToken, CoreError> {
        if !looks_like_access_token(secret) {
            return Err(CoreError::Unauthenticated(UNKNOWN));
        }
        let now = crate::store::now();
        let digest = token_digest(secret);
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let row = conn
            .query(sql!(
                "SELECT a.tenant_id, t.name AS tenant_name, a.user_id, a.api_token_id, \
                 a.created_at, a.expires_at, a.revoked_at \
                 FROM access_tokens a JOIN tenants t ON t.id = a.tenant_id \
                 WHERE a.secret_sha256 = ?"
            ))
            .bind(&digest[..])
            .fetch_optional::<Row>(&mut conn)
            .await
            .map_err(storage)?
            .filter(|row| row.revoked_at.is_none() && row.expires_at > now)
            .ok_or(CoreError::Unauthenticated(UNKNOWN))?;
        let tenant = TenantId::new(row.tenant_id);
        let (actor, principal) = match (row.user_id, row.api_token_id) {
            (Some(user_id), _) => {
                let user = conn
                    .query(sql!(
                        "SELECT id, username, password_hash, role, limited, disabled_at \
                         FROM users WHERE id = ? AND tenant_id = ?"
                    ))
                    .bind(&user_id)
                    .bind(tenant.as_str())
                    .fetch_optional::<UserRow>(&mut conn)
                    .await
                    .map_err(storage)?
                    .filter(|user| user.disabled_at.is_none())
                    .ok_or(CoreError::Unauthenticated(UNKNOWN))?;
                let actor = actor_for(conn, &tenant, &user).await?;
                let principal = AccessPrincipal::User {
                    id: user.id,
                    username: user.username,
                };
                (actor, principal)
            }
            (None, Some(token_id)) => {
                let token = active_token(conn, TokenKey::Id(&token_id), now)
                    .await
                    .map_err(|e| match e {
                        CoreError::Unauthenticated(_) => CoreError::Unauthenticated(UNKNOWN),
                        other => other,
                    })?;
                let principal = AccessPrincipal::ApiToken {
                    id: token_id,
                    name: token.name,
                };
                (token.actor, principal)
            }
            (None, None) => return Err(CoreError::Unauthenticated(UNKNOWN)),
        };
        Ok(AccessToken {
            actor: Actor {
                request_id,
                ..actor
            }
            .in_new_change_set(crate::core::change_sets::Via::Api),
            principal,
            tenant_name: row.tenant_name,
            issued_at: row.created_at,
            expires_at: row.expires_at,
            audit_id: audit_id(&digest),
        })
    }

    /// The actor an issued token's secret stands for (see [`Store::access_token`]).
    pub async fn authenticate_access_token(
        &self,
        secret: &str,
        request_id: Option<String>,
    ) -> Result<Actor, CoreError> {
        Ok(self.access_token(secret, request_id).await?.actor)
    }

    /// The actor a bearer secret stands for, whether an API token (`sbk_…`) or an issued
    /// access token (`sba_…`): what the faces that take either call.
    pub async fn authenticate_bearer(
        &self,
        secret: &str,
        request_id: Option<String>,
    ) -> Result<Actor, CoreError> {
        if looks_like_access_token(secret) {
            self.authenticate_access_token(secret, request_id).await
        } else {
            self.authenticate_token(secret, request_id).await
        }
    }

    /// Another issued token, as its principal or an admin of its tenant may see it. One that
    /// does not work (unknown, expired, revoked) is `NotFound`.
    pub async fn inspect_access_token(
        &self,
        actor: &Actor,
        secret: &str,
    ) -> Result<AccessToken, CoreError> {
        let token = self.access_token(secret, None).await.map_err(|e| match e {
            CoreError::Unauthenticated(_) => CoreError::NotFound {
                what: "token",
                id: String::new(),
            },
            other => other,
        })?;
        token.require_inspector(actor)?;
        Ok(token)
    }

    /// Ends an issued token at once; for its principal and the tenant's admins.
    pub async fn revoke_access_token(&self, actor: &Actor, secret: &str) -> Result<(), CoreError> {
        self.inspect_access_token(actor, secret).await?;
        self.db
            .query(sql!("DELETE FROM access_tokens WHERE secret_sha256 = ?"))
            .bind(&token_digest(secret)[..])
            .execute(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// The tenant with this name (ignoring case), as a login names its project.
    pub async fn tenant_named(&self, name: &str) -> Result<Option<TenantId>, CoreError> {
        let id: Option<(String,)> = self
            .db
            .query(Sql::each(
                "SELECT id FROM tenants WHERE name = ? COLLATE NOCASE",
                "SELECT id FROM tenants WHERE lower(name) = lower($1)",
            ))
            .bind(name.trim())
            .fetch_optional(&self.db)
            .await
            .map_err(storage)?;
        Ok(id.map(|(id,)| TenantId::new(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{
        ACCESS_TOKEN_LIFETIME_SECONDS, CreatorType, Grant, Role, TokenLifetime, UserRef, Username,
    };
    use crate::store::testing::{admin, each_engine, grant, temp_store};

    const PASSWORD: &str = "correct horse battery";

    async fn with_alice() -> (tempfile::TempDir, Store, String) {
        let (dir, store) = temp_store().await;
        let alice = add_alice(&store).await;
        (dir, store, alice)
    }

    /// A store on each engine with alice in it, and her id (see `each_engine`).
    async fn alice_on_each_engine() -> Vec<(tempfile::TempDir, Store, String)> {
        let mut stores = Vec::new();
        for (dir, store) in each_engine().await {
            let alice = add_alice(&store).await;
            stores.push((dir, store, alice));
        }
        stores
    }

    async fn add_alice(store: &Store) -> String {
        let user = store
            .create_user(
                &admin(),
                &Username::parse("alice").unwrap(),
                PASSWORD,
                &Grant {
                    role: Role::Manager,
                    sites: None,
                },
                1,
            )
            .await
            .unwrap();
        user.id
    }

    fn password(name: &str, password: &str) -> AccessCredential {
        AccessCredential::Password {
            user: UserRef::Name(name.into()),
            password: password.into(),
        }
    }

    #[tokio::test]
    async fn a_password_buys_an_hour_long_token_that_acts_as_the_user() {
        for (_dir, store, alice) in alice_on_each_engine().await {
            let (secret, issued) = store
                .issue_access_token(None, &password(" ALICE ", PASSWORD), None, [1; 32])
                .await
                .unwrap();
            assert!(secret.starts_with("sba_"));
            assert_eq!(
                (issued.expires_at - issued.issued_at).num_seconds(),
                ACCESS_TOKEN_LIFETIME_SECONDS
            );
            assert_eq!(
                issued.principal,
                AccessPrincipal::User {
                    id: alice.clone(),
                    username: "alice".into()
                }
            );
            assert_eq!(issued.tenant_name, "Default");
            let actor = store
                .authenticate_bearer(&secret, Some("r".into()))
                .await
                .unwrap();
            assert_eq!(
                (actor.id.as_str(), actor.role, actor.creator_type),
                (alice.as_str(), Role::Manager, CreatorType::User)
            );
            assert_eq!(actor.request_id.as_deref(), Some("r"));
            let by_id = AccessCredential::Password {
                user: UserRef::Id(alice),
                password: PASSWORD.into(),
            };
            assert!(
                store
                    .issue_access_token(None, &by_id, None, [2; 32])
                    .await
                    .is_ok()
            );
        }
    }

    #[tokio::test]
    async fn a_wrong_password_buys_nothing() {
        for (_dir, store, _) in alice_on_each_engine().await {
            for credential in [
                password("alice", "wrong password!"),
                password("mallory", PASSWORD),
            ] {
                assert!(matches!(
                    store
                        .issue_access_token(None, &credential, None, [1; 32])
                        .await,
                    Err(CoreError::Unauthenticated(_))
                ));
            }
            let other = TenantId::new("other");
            assert!(
                store
                    .issue_access_token(Some(&other), &password("alice", PASSWORD), None, [1; 32])
                    .await
                    .is_err()
            );
        }
    }

    #[tokio::test]
    async fn a_user_s_tokens_follow_their_role_and_stop_when_they_are_disabled() {
        for (_dir, store, alice) in alice_on_each_engine().await {
            let (secret, _) = store
                .issue_access_token(None, &password("alice", PASSWORD), None, [1; 32])
                .await
                .unwrap();
            store
                .set_user_grant(&admin(), &alice, &grant(Role::Staff))
                .await
                .unwrap();
            assert_eq!(
                store.authenticate_bearer(&secret, None).await.unwrap().role,
                Role::Staff
            );
            store
                .set_user_disabled(&admin(), &alice, true)
                .await
                .unwrap();
            assert!(store.authenticate_bearer(&secret, None).await.is_err());
            // Used to: enabling the user again revived every token issued before.
            store
                .set_user_disabled(&admin(), &alice, false)
                .await
                .unwrap();
            assert!(store.authenticate_bearer(&secret, None).await.is_err());
            assert!(
                store
                    .issue_access_token(None, &password("alice", PASSWORD), None, [3; 32])
                    .await
                    .is_ok(),
                "a fresh login works again"
            );
        }
    }

    /// Used to: tokens were minted without bound (about 800 a second from one API token, each
    /// kept for 25 hours).
    #[tokio::test]
    async fn a_principal_holds_at_most_the_newest_max_live_tokens() {
        let (_dir, store) = temp_store().await;
        let (token, api_secret) = store
            .create_token(
                &admin(),
                "loop",
                &grant(Role::Staff),
                TokenLifetime::days(Some(1)).unwrap(),
                7,
                [7; 32],
            )
            .await
            .unwrap();
        let credential = AccessCredential::ApiToken {
            id: Some(token.id.clone()),
            secret: api_secret,
        };
        let mut secrets = Vec::new();
        for i in 0..(MAX_LIVE_TOKENS + 20) {
            let mut bits = [0u8; 32];
            bits[..8].copy_from_slice(&i.to_le_bytes());
            let (secret, _) = store
                .issue_access_token(None, &credential, None, bits)
                .await
                .unwrap();
            secrets.push(secret);
        }
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM access_tokens")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(kept, MAX_LIVE_TOKENS);
        assert!(store.authenticate_bearer(&secrets[0], None).await.is_err());
        assert!(
            store
                .authenticate_bearer(secrets.last().unwrap(), None)
                .await
                .is_ok()
        );
    }

    /// Used to: guesses by name and by id counted under two keys, 10 in a window instead of 5.
    #[tokio::test]
    async fn guesses_by_name_and_by_id_count_against_one_account() {
        for (_dir, store, alice) in alice_on_each_engine().await {
            for i in 0..5 {
                let user = if i % 2 == 0 {
                    UserRef::Name("alice".into())
                } else {
                    UserRef::Id(alice.clone())
                };
                let wrong = AccessCredential::Password {
                    user,
                    password: "wrong password!".into(),
                };
                assert!(matches!(
                    store.issue_access_token(None, &wrong, None, [1; 32]).await,
                    Err(CoreError::Unauthenticated(_))
                ));
            }
            let by_id = AccessCredential::Password {
                user: UserRef::Id(alice),
                password: PASSWORD.into(),
            };
            assert!(matches!(
                store.issue_access_token(None, &by_id, None, [2; 32]).await,
                Err(CoreError::TryLater { .. })
            ));
        }
    }

    #[tokio::test]
    async fn an_api_token_buys_tokens_that_die_with_it() {
        for (_dir, store) in each_engine().await {
            let (token, api_secret) = store
                .create_token(
                    &admin(),
                    "ci",
                    &grant(Role::Manager),
                    TokenLifetime::days(Some(1)).unwrap(),
                    7,
                    [7; 32],
                )
                .await
                .unwrap();
            let credential = |id: Option<&str>| AccessCredential::ApiToken {
                id: id.map(str::to_owned),
                secret: api_secret.clone(),
            };
            assert!(matches!(
                store
                    .issue_access_token(None, &credential(Some("tok_other")), None, [1; 32])
                    .await,
                Err(CoreError::Unauthenticated(_))
            ));
            let (secret, issued) = store
                .issue_access_token(None, &credential(Some(&token.id)), None, [1; 32])
                .await
                .unwrap();
            assert_eq!(
                issued.principal,
                AccessPrincipal::ApiToken {
                    id: token.id.clone(),
                    name: "ci".into()
                }
            );
            let actor = store.authenticate_bearer(&secret, None).await.unwrap();
            assert_eq!(
                (actor.id.as_str(), actor.creator_type),
                (token.id.as_str(), CreatorType::Client)
            );
            assert!(
                store.list_tokens(&admin()).await.unwrap()[0]
                    .last_used_at
                    .is_some()
            );
            store.revoke_token(&admin(), &token.id).await.unwrap();
            assert!(store.authenticate_bearer(&secret, None).await.is_err());
            assert!(
                store
                    .issue_access_token(None, &credential(None), None, [2; 32])
                    .await
                    .is_err()
            );
        }
    }

    #[tokio::test]
    async fn a_token_is_revoked_by_its_owner_or_an_admin_only() {
        for (_dir, store, _) in alice_on_each_engine().await {
            let (secret, issued) = store
                .issue_access_token(None, &password("alice", PASSWORD), None, [1; 32])
                .await
                .unwrap();
            let stranger = Actor {
                id: "usr_stranger".into(),
                role: Role::Manager,
                ..admin()
            };
            assert!(matches!(
                store.revoke_access_token(&stranger, &secret).await,
                Err(CoreError::Forbidden(_))
            ));
            assert_eq!(
                store
                    .inspect_access_token(&issued.actor, &secret)
                    .await
                    .unwrap()
                    .audit_id,
                issued.audit_id
            );
            store
                .revoke_access_token(&issued.actor, &secret)
                .await
                .unwrap();
            assert!(store.authenticate_bearer(&secret, None).await.is_err());
            assert!(matches!(
                store.inspect_access_token(&admin(), &secret).await,
                Err(CoreError::NotFound { .. })
            ));
        }
    }

    #[tokio::test]
    async fn an_expired_token_is_refused_and_swept_when_the_next_is_issued() {
        let (_dir, store, _) = with_alice().await;
        let (secret, _) = store
            .issue_access_token(None, &password("alice", PASSWORD), None, [1; 32])
            .await
            .unwrap();
        sqlx::query("UPDATE access_tokens SET expires_at = ?")
            .bind(crate::store::now() - chrono::Duration::seconds(1))
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.authenticate_bearer(&secret, None).await.is_err());
        store
            .issue_access_token(None, &password("alice", PASSWORD), None, [2; 32])
            .await
            .unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM access_tokens")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(left, 1);
    }

    #[tokio::test]
    async fn a_project_is_found_by_its_tenant_s_name() {
        for (_dir, store) in each_engine().await {
            assert_eq!(
                store.tenant_named("default").await.unwrap(),
                Some(TenantId::default_tenant())
            );
            assert_eq!(store.tenant_named("plant-north").await.unwrap(), None);
        }
    }
}
