use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::db::{Conn, Sql, sql};

use super::grants::granted_sites;
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::credentials::{PasswordMemory, token_digest, verify_password};
use crate::core::access::{
    Actor, CreatorType, Role, SESSION_HOURS, SESSION_IDLE_MINUTES, SignInThrottle, SiteScope,
    UserRef, session_open, worth_noting,
};
use crate::core::error::Later;
use crate::core::tenancy::TenantId;

/// A signed-in person: who they act as, and the token their forms must send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub actor: Actor,
    pub username: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

const SESSION_PREFIX: &str = "sbs_";
const WRONG: &str = "The username or password is wrong.";

/// Verifying against this when the username is unknown makes a wrong name cost the same time
/// as a wrong password, so response times do not tell which usernames exist. Made with the
/// same parameters as real hashes, once.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        crate::core::access::credentials::hash_password("no user has this password")
            .unwrap_or_default()
    })
}

#[derive(FromRow)]
pub(super) struct UserRow {
    pub(super) id: String,
    pub(super) username: String,
    password_hash: String,
    role: String,
    limited: bool,
    pub(super) disabled_at: Option<DateTime<Utc>>,
}

pub(super) async fn actor_for<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    user: &UserRow,
) -> Result<Actor, CoreError> {
    Ok(Actor {
        tenant: tenant.clone(),
        id: user.id.clone(),
        creator_type: CreatorType::User,
        role: Role::parse(&user.role).map_err(|e| CoreError::Storage(e.to_string()))?,
        sites: if user.limited {
            SiteScope::Only(granted_sites(conn, &user.id).await?)
        } else {
            SiteScope::All
        },
        request_id: None,
        change: crate::core::change_sets::ChangeOrigin::fresh(crate::core::change_sets::Via::Web),
    })
}

/// Password checks, shared by every way of signing in: the guessing throttle, and a bound on
/// how many argon2 verifications run at once (each takes 19 MiB and tens of milliseconds on
/// purpose, for unknown usernames too, so unbounded they let anyone exhaust memory).
#[derive(Debug)]
pub(super) struct PasswordChecks {
    throttle: parking_lot::Mutex<SignInThrottle>,
    running: tokio::sync::Semaphore,
    /// The checks' working memory, one for each that ran at once so far (never more than
    /// [`CONCURRENT_CHECKS`]): taken with a turn and put back after.
    memory: parking_lot::Mutex<Vec<PasswordMemory>>,
}

/// Verifications allowed at once: 4 × 19 MiB at most, and enough to keep two cores busy.
const CONCURRENT_CHECKS: usize = 4;
/// How long an attempt waits for a turn before it is answered "busy".
const WAIT_FOR_TURN: std::time::Duration = std::time::Duration::from_secs(2);

impl Default for PasswordChecks {
    fn default() -> Self {
        Self {
            throttle: Default::default(),
            running: tokio::sync::Semaphore::new(CONCURRENT_CHECKS),
            memory: Default::default(),
        }
    }
}

impl Store {
    /// The active account `user` names (a name with surrounding spaces ignored and ASCII case
    /// folded, or an id) if `password` is its password; one check for every face (web sign-in,
    /// Keystone's password login). Counts the attempt against the account and the client's
    /// `address` first (see [`SignInThrottle`]); every wrong answer has one message.
    ///
    /// No connection is held while waiting for a turn, so a flood of sign-ins cannot starve
    /// the pool that pages read from.
    pub(super) async fn check_password(
        &self,
        tenant: &TenantId,
        user: &UserRef,
        password: &str,
        address: Option<&str>,
    ) -> Result<UserRow, CoreError> {
        let (sql, key) = match user {
            UserRef::Name(name) => (
                Sql::each(
                    "SELECT id, username, password_hash, role, limited, disabled_at FROM users \
                     WHERE tenant_id = ? AND username = ? COLLATE NOCASE",
                    "SELECT id, username, password_hash, role, limited, disabled_at FROM users \
                     WHERE tenant_id = $1 AND lower(username) = lower($2)",
                ),
                name.trim(),
            ),
            UserRef::Id(id) => (
                sql!(
                    "SELECT id, username, password_hash, role, limited, disabled_at FROM users \
                     WHERE tenant_id = ? AND id = ?"
                ),
                id.trim(),
            ),
        };
        // The account is looked up first (one indexed read, its connection given back at
        // once) so that its guesses count under one key however it is named: by name or by id
        // (Keystone takes either), they are the same account's.
        let user: Option<UserRow> = self
            .db
            .query(sql)
            .bind(tenant.as_str())
            .bind(key)
            .fetch_optional(&self.db)
            .await
            .map_err(storage)?;
        let key = user.as_ref().map_or(key, |user| user.username.as_str());
        let attempt = self
            .password_checks
            .throttle
            .lock()
            .attempt(key, address, std::time::Instant::now())
            .map_err(|retry_after| CoreError::TryLater {
                why: Later::TooManySignIns,
                retry_after,
            })?;
        let turn = match tokio::time::timeout(WAIT_FOR_TURN, self.password_checks.running.acquire())
            .await
        {
            Ok(Ok(turn)) => turn,
            _ => {
                self.password_checks.throttle.lock().withdraw(attempt);
                return Err(CoreError::TryLater {
                    why: Later::SignInsBusy,
                    retry_after: WAIT_FOR_TURN,
                });
            }
        };
        let hash = user
            .as_ref()
            .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
        let password = password.to_owned();
        let mut memory = self.password_checks.memory.lock().pop().unwrap_or_default();
        // argon2 takes tens of milliseconds on purpose; keep it off the async workers.
        let (matches, memory) = tokio::task::spawn_blocking(move || {
            (verify_password(&password, &hash, &mut memory), memory)
        })
        .await
        .map_err(|e| CoreError::Storage(e.to_string()))?;
        self.password_checks.memory.lock().push(memory);
        drop(turn);
        match user {
            Some(user) if matches && user.disabled_at.is_none() => {
                self.password_checks.throttle.lock().succeeded(attempt);
                Ok(user)
            }
            _ => Err(CoreError::Unauthenticated(WRONG)),
        }
    }

    /// Checks a username and password (see `check_password`) and opens a session of
    /// [`SESSION_HOURS`]. Returns the session secret (for the cookie; only its digest is
    /// stored) and the session.
    pub async fn sign_in(
        &self,
        tenant: &TenantId,
        username: &str,
        password: &str,
        address: Option<&str>,
        secret: [u8; 32],
        csrf: [u8; 32],
    ) -> Result<(String, Session), CoreError> {
        let user = self
            .check_password(
                tenant,
                &UserRef::Name(username.to_owned()),
                password,
                address,
            )
            .await?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let actor = actor_for(conn.reborrow(), tenant, &user).await?;
        let secret = format!("{SESSION_PREFIX}{}", hex::encode(secret));
        let csrf_token = hex::encode(csrf);
        let now = crate::store::now();
        delete_ended_sessions(conn.reborrow(), now).await?;
        let expires_at = now + Duration::hours(SESSION_HOURS);
        conn.query(sql!(
            "INSERT INTO sessions (secret_sha256, tenant_id, user_id, csrf_token, created_at, \
             expires_at) VALUES (?, ?, ?, ?, ?, ?)"
        ))
        .bind(&token_digest(&secret)[..])
        .bind(tenant.as_str())
        .bind(&user.id)
        .bind(&csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        let session = Session {
            actor,
            username: user.username,
            csrf_token,
            expires_at,
        };
        Ok((secret, session))
    }

    /// The session a cookie's secret stands for, while it has not expired.
    pub async fn session(&self, secret: &str) -> Result<Session, CoreError> {
        #[derive(FromRow)]
        struct Row {
            tenant_id: String,
            csrf_token: String,
            expires_at: DateTime<Utc>,
            last_seen_at: DateTime<Utc>,
            #[sqlx(flatten)]
            user: UserRow,
        }
        let expired = CoreError::Unauthenticated("Your session has ended; please sign in again.");
        if !secret.starts_with(SESSION_PREFIX) {
            return Err(expired);
        }
        let (digest, now) = (token_digest(secret), crate::store::now());
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let row = conn
            .query(sql!(
                "SELECT s.tenant_id, s.csrf_token, s.expires_at, \
                 coalesce(s.last_seen_at, s.created_at) AS last_seen_at, u.id, u.username, \
                 u.password_hash, u.role, u.limited, u.disabled_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_sha256 = ?"
            ))
            .bind(&digest[..])
            .fetch_optional::<Row>(&mut conn)
            .await
            .map_err(storage)?
            .filter(|row| {
                session_open(row.expires_at, row.last_seen_at, now)
                    && row.user.disabled_at.is_none()
            })
            .ok_or(expired)?;
        if worth_noting(row.last_seen_at, now) {
            // Best effort and off the request, as a token's last use: a busy database may
            // delay this, and then the session ends a minute or so early, never late.
            let db = self.db.clone();
            tokio::spawn(async move {
                let noted = db
                    .query(sql!(
                        "UPDATE sessions SET last_seen_at = ? WHERE secret_sha256 = ?"
                    ))
                    .bind(now)
                    .bind(&digest[..])
                    .execute(&db)
                    .await;
                if let Err(e) = noted {
                    tracing::debug!("a session's last use was not noted: {e}");
                }
            });
        }
        let tenant = TenantId::new(row.tenant_id);
        Ok(Session {
            actor: actor_for(conn, &tenant, &row.user).await?,
            username: row.user.username,
            csrf_token: row.csrf_token,
            expires_at: row.expires_at,
        })
    }

    /// Ends a session (signing out); an unknown secret is already signed out.
    pub async fn sign_out(&self, secret: &str) -> Result<(), CoreError> {
        self.db
            .query(sql!("DELETE FROM sessions WHERE secret_sha256 = ?"))
            .bind(&token_digest(secret)[..])
            .execute(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }
}

/// Deletes the sessions that ended (expired, or unused for [`SESSION_IDLE_MINUTES`]): they can
/// never be used again, and each still names its user. Run at every sign-in, which is what
/// makes new ones, so the table holds little more than the open sessions and reading it whole
/// costs nothing worth an index.
async fn delete_ended_sessions(mut conn: Conn<'_>, now: DateTime<Utc>) -> Result<(), CoreError> {
    conn.query(sql!(
        "DELETE FROM sessions WHERE expires_at <= ? OR coalesce(last_seen_at, created_at) <= ?"
    ))
    .bind(now)
    .bind(now - Duration::minutes(SESSION_IDLE_MINUTES))
    .execute(&mut conn)
    .await
    .map_err(storage)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::Username;
    use crate::store::Grant;
    use crate::store::testing::{admin, each_engine, temp_store};

    async fn with_alice() -> (tempfile::TempDir, Store) {
        let (dir, store) = temp_store().await;
        add_alice(&store).await;
        (dir, store)
    }

    /// A store on each engine, with alice in it (see `each_engine`).
    async fn alice_on_each_engine() -> Vec<(tempfile::TempDir, Store)> {
        let stores = each_engine().await;
        for (_, store) in &stores {
            add_alice(store).await;
        }
        stores
    }

    async fn add_alice(store: &Store) {
        store
            .create_user(
                &admin(),
                &Username::parse("alice").unwrap(),
                "correct horse battery",
                &Grant {
                    role: Role::Manager,
                    sites: None,
                },
                1,
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_right_password_opens_a_session_that_signs_out() {
        for (_dir, store) in alice_on_each_engine().await {
            let tenant = TenantId::default_tenant();
            let (secret, session) = store
                .sign_in(
                    &tenant,
                    "ALICE",
                    "correct horse battery",
                    None,
                    [1; 32],
                    [2; 32],
                )
                .await
                .unwrap();
            assert_eq!(session.username, "alice");
            assert_eq!(session.actor.role, Role::Manager);
            assert_eq!(session.actor.creator_type, CreatorType::User);
            assert_eq!(session.csrf_token.len(), 64);
            assert_eq!(store.session(&secret).await.unwrap(), session);
            store.sign_out(&secret).await.unwrap();
            assert!(matches!(
                store.session(&secret).await,
                Err(CoreError::Unauthenticated(_))
            ));
        }
    }

    #[tokio::test]
    async fn a_wrong_password_and_an_unknown_name_fail_alike() {
        for (_dir, store) in alice_on_each_engine().await {
            let tenant = TenantId::default_tenant();
            for (name, password) in [
                ("alice", "wrong password!"),
                ("mallory", "correct horse battery"),
            ] {
                match store
                    .sign_in(&tenant, name, password, None, [1; 32], [2; 32])
                    .await
                {
                    Err(CoreError::Unauthenticated(message)) => assert_eq!(message, WRONG),
                    other => panic!("{name}: {other:?}"),
                }
            }
            assert!(store.session("sbs_forged").await.is_err());
        }
    }

    #[tokio::test]
    async fn a_session_unused_for_two_hours_ends_and_ended_sessions_are_deleted() {
        let (_dir, store) = with_alice().await;
        let tenant = TenantId::default_tenant();
        let sign_in = |n: u8| {
            let store = store.clone();
            let tenant = tenant.clone();
            async move {
                store
                    .sign_in(
                        &tenant,
                        "alice",
                        "correct horse battery",
                        None,
                        [n; 32],
                        [n; 32],
                    )
                    .await
                    .unwrap()
                    .0
            }
        };
        let (idle, used) = (sign_in(1).await, sign_in(2).await);
        let age = |secret: &str, minutes: i64| {
            sqlx::query(
                "UPDATE sessions SET created_at = ?, last_seen_at = NULL WHERE secret_sha256 = ?",
            )
            .bind(crate::store::now() - Duration::minutes(minutes))
            .bind(token_digest(secret).to_vec())
            .execute(&store.pool)
        };
        age(&idle, SESSION_IDLE_MINUTES + 1).await.unwrap();
        age(&used, SESSION_IDLE_MINUTES - 5).await.unwrap();
        assert!(matches!(
            store.session(&idle).await,
            Err(CoreError::Unauthenticated(_))
        ));
        // Used now, the other is noted as used (a moment later, off the request) and so
        // lives another two hours from now.
        store.session(&used).await.unwrap();
        let noted = || async {
            let (seen,): (Option<DateTime<Utc>>,) =
                sqlx::query_as("SELECT last_seen_at FROM sessions WHERE secret_sha256 = ?")
                    .bind(token_digest(&used).to_vec())
                    .fetch_one(&store.pool)
                    .await
                    .unwrap();
            seen
        };
        for _ in 0..200 {
            if noted().await.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(
            noted()
                .await
                .is_some_and(|at| crate::store::now() - at < Duration::minutes(1))
        );

        // The next sign-in deletes the idle one and keeps the open ones.
        let expired = sign_in(3).await;
        sqlx::query("UPDATE sessions SET expires_at = ? WHERE secret_sha256 = ?")
            .bind(crate::store::now() - Duration::seconds(1))
            .bind(token_digest(&expired).to_vec())
            .execute(&store.pool)
            .await
            .unwrap();
        let fresh = sign_in(4).await;
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(left, 2, "the used and the fresh session");
        store.session(&fresh).await.unwrap();
        store.session(&used).await.unwrap();
    }

    /// Used to: searches and sign-ins shared one pool, so eight slow searches holding every
    /// connection kept sign-ins, session lookups and token checks waiting behind them. They
    /// now run on connections searches never take.
    #[tokio::test]
    async fn sign_in_and_token_checks_answer_while_every_search_connection_is_held() {
        let (_dir, store) = with_alice().await;
        let (_, token) = store
            .create_token(
                &admin(),
                "script",
                &crate::store::testing::grant(Role::Staff),
                crate::core::access::TokenLifetime::UNLIMITED,
                7,
                [7; 32],
            )
            .await
            .unwrap();
        let pool = store.search_pool();
        let mut held = Vec::new();
        for _ in 0..pool.options().get_max_connections() {
            held.push(pool.acquire().await.unwrap());
        }
        let tenant = TenantId::default_tenant();
        let answered = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            let (secret, _) = store
                .sign_in(
                    &tenant,
                    "alice",
                    "correct horse battery",
                    None,
                    [1; 32],
                    [2; 32],
                )
                .await
                .unwrap();
            store.session(&secret).await.unwrap();
            store.authenticate_token(&token, None).await.unwrap();
        })
        .await;
        assert!(
            answered.is_ok(),
            "an auth lookup waited for a search connection"
        );
        drop(held);
    }

    #[test]
    fn the_dummy_hash_is_a_real_one() {
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(!verify_password(
            "anything",
            dummy_hash(),
            &mut PasswordMemory::default()
        ));
    }

    #[tokio::test]
    async fn an_expired_session_is_over() {
        let (_dir, store) = with_alice().await;
        let (secret, _) = store
            .sign_in(
                &TenantId::default_tenant(),
                "alice",
                "correct horse battery",
                None,
                [3; 32],
                [4; 32],
            )
            .await
            .unwrap();
        assert!(store.session(&secret).await.is_ok());
        sqlx::query("UPDATE sessions SET expires_at = ?")
            .bind(crate::store::now() - Duration::seconds(1))
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.session(&secret).await.is_err());
    }

    #[tokio::test]
    async fn concurrent_guesses_cannot_all_pass_the_throttle() {
        let (_dir, store) = with_alice().await;
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..20 {
            let store = store.clone();
            guesses.spawn(async move {
                store
                    .sign_in(
                        &TenantId::default_tenant(),
                        "alice",
                        &format!("guess number {i}"),
                        None,
                        [1; 32],
                        [2; 32],
                    )
                    .await
            });
        }
        let answers = guesses.join_all().await;
        let judged = answers
            .iter()
            .filter(|a| matches!(a, Err(CoreError::Unauthenticated(_))))
            .count();
        let refused = answers
            .iter()
            .filter(|a| {
                matches!(
                    a,
                    Err(CoreError::TryLater {
                        why: Later::TooManySignIns,
                        ..
                    })
                )
            })
            .count();
        assert_eq!((judged, refused), (5, 15));
    }

    #[tokio::test]
    async fn when_every_check_is_running_an_attempt_is_told_to_retry_and_not_counted() {
        let (_dir, store) = with_alice().await;
        let all = store
            .password_checks
            .running
            .acquire_many(CONCURRENT_CHECKS as u32)
            .await
            .unwrap();
        for _ in 0..6 {
            let busy = store
                .sign_in(
                    &TenantId::default_tenant(),
                    "alice",
                    "correct horse battery",
                    Some("192.0.2.5"),
                    [1; 32],
                    [2; 32],
                )
                .await
                .unwrap_err();
            assert!(
                matches!(
                    busy,
                    CoreError::TryLater {
                        why: Later::SignInsBusy,
                        ..
                    }
                ),
                "{busy:?}"
            );
        }
        drop(all);
        store
            .sign_in(
                &TenantId::default_tenant(),
                "alice",
                "correct horse battery",
                Some("192.0.2.5"),
                [1; 32],
                [2; 32],
            )
            .await
            .expect("the busy refusals were not counted as guesses");
    }
}
