//! What the store keeps in memory so the hottest reads touch no SQL: whole metadata records
//! and authenticated tokens.
//!
//! Every metadata write goes through this process's store, which drops the record it changed
//! after committing, so a cached record is never stale. Tokens are kept for at most
//! [`TOKEN_TTL`]: a token revoked by another process (the `sitebook token revoke` command)
//! stops working within that time; one revoked through this process stops at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use quick_cache::sync::Cache;

use crate::core::access::Actor;
use crate::core::metadata::MetadataRecord;

pub const TOKEN_TTL: Duration = Duration::from_secs(2);

type RecordKey = (String, String);

pub(super) struct ReadCache {
    records: Cache<RecordKey, Arc<MetadataRecord>>,
    tokens: Cache<[u8; 32], CachedToken>,
    /// Bumped by every invalidation. A reader that loaded a record from the database only
    /// caches it if no invalidation happened meanwhile, so an old read cannot outlive a write.
    epoch: AtomicU64,
    /// Orders "check the epoch and insert" against "bump the epoch and remove".
    guard: parking_lot::Mutex<()>,
}

#[derive(Clone)]
struct CachedToken {
    actor: Actor,
    expires_at: Option<DateTime<Utc>>,
    fetched: Instant,
}

impl ReadCache {
    pub(super) fn new(records: usize, tokens: usize) -> Self {
        Self {
            records: Cache::new(records),
            tokens: Cache::new(tokens),
            epoch: AtomicU64::new(0),
            guard: parking_lot::Mutex::new(()),
        }
    }

    fn key(tenant: &str, id: &str) -> RecordKey {
        (tenant.to_owned(), id.to_owned())
    }

    pub(super) fn record(&self, tenant: &str, id: &str) -> Option<Arc<MetadataRecord>> {
        self.records.get(&Self::key(tenant, id))
    }

    /// The epoch to hand back to [`Self::keep_record`] after loading from the database.
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub(super) fn keep_record(&self, tenant: &str, record: Arc<MetadataRecord>, read_at: u64) {
        let _ordered = self.guard.lock();
        if self.epoch.load(Ordering::Acquire) == read_at {
            self.records
                .insert(Self::key(tenant, record.resource.id.as_str()), record);
        }
    }

    /// Drops a record after a committed change to it.
    pub(super) fn forget_record(&self, tenant: &str, id: &str) {
        let _ordered = self.guard.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.records.remove(&Self::key(tenant, id));
    }

    /// The actor of a token checked less than [`TOKEN_TTL`] ago and not expired since.
    pub(super) fn token(&self, digest: &[u8; 32], now: DateTime<Utc>) -> Option<Actor> {
        let cached = self.tokens.get(digest)?;
        let fresh = cached.fetched.elapsed() < TOKEN_TTL;
        let unexpired = cached.expires_at.is_none_or(|at| at > now);
        (fresh && unexpired).then_some(cached.actor)
    }

    pub(super) fn keep_token(
        &self,
        digest: [u8; 32],
        actor: Actor,
        expires_at: Option<DateTime<Utc>>,
    ) {
        self.tokens.insert(
            digest,
            CachedToken {
                actor,
                expires_at,
                fetched: Instant::now(),
            },
        );
    }

    pub(super) fn forget_tokens(&self) {
        self.tokens.clear();
    }
}
