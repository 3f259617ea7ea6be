//! What the store keeps in memory so the hottest reads touch no SQL: whole metadata records,
//! authenticated tokens, tenants' settings, and which resource each Data Hub stream is.
//!
//! Every metadata write goes through this process's store, which drops the record it changed
//! after committing, so a cached record is never stale. Tokens are kept for at most
//! [`TOKEN_TTL`]: a token revoked by another process (the `sitebook token revoke` command)
//! stops working within that time; one revoked through this process stops at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::core::access::Actor;
use crate::core::metadata::MetadataRecord;
use crate::core::resources::ResourceId;
use crate::core::tenancy::TenantSettings;

pub const TOKEN_TTL: Duration = Duration::from_secs(2);

/// A record's place in a cache: its tenant and its resource id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordKey {
    tenant: String,
    id: String,
}

impl RecordKey {
    pub fn new(tenant: &str, id: &str) -> Self {
        Self {
            tenant: tenant.to_owned(),
            id: id.to_owned(),
        }
    }
}

/// A [`RecordKey`] borrowed, so that a lookup (the hot path of every cached read) allocates
/// nothing. It hashes exactly as the owned key does: both hash the two strings in order.
#[derive(Hash)]
pub struct RecordKeyRef<'a> {
    tenant: &'a str,
    id: &'a str,
}

impl<'a> RecordKeyRef<'a> {
    pub fn new(tenant: &'a str, id: &'a str) -> Self {
        Self { tenant, id }
    }
}

impl quick_cache::Equivalent<RecordKey> for RecordKeyRef<'_> {
    fn equivalent(&self, key: &RecordKey) -> bool {
        self.tenant == key.tenant && self.id == key.id
    }
}

/// A cached record with its size, worked out once when it is cached.
#[derive(Clone)]
struct Weighed {
    record: Arc<MetadataRecord>,
    bytes: u64,
}

impl Weighed {
    fn new(record: Arc<MetadataRecord>) -> Self {
        // Roughly what the record holds in memory: enough to keep the budget honest without
        // walking the record on every eviction.
        let bytes = 256
            + record
                .entries
                .iter()
                .map(|e| {
                    let value = match &e.value {
                        crate::core::metadata::MetaValue::Text(text) => text.len(),
                        _ => 8,
                    };
                    96 + e.key.as_str().len() + value + e.changed_by.len()
                })
                .sum::<usize>();
        Self {
            record,
            bytes: bytes as u64,
        }
    }
}

/// Records are budgeted by size, not count: a count would have to be small enough for records
/// of 256 keys of 64 KiB each, and so far too small for the usual record of a few keys, whose
/// cache would then keep dropping records read only a moment before.
#[derive(Clone)]
struct BySize;

impl Weighter<RecordKey, Weighed> for BySize {
    fn weight(&self, _key: &RecordKey, value: &Weighed) -> u64 {
        value.bytes
    }
}

/// A Data Hub stream's place: its tenant, its namespace and its id, the last two matched
/// ignoring ASCII case as Data Hub matches them. It hashes and compares as
/// [`StreamKeyRef`] does, so a lookup allocates nothing.
#[derive(Clone, Debug)]
pub struct StreamKey {
    tenant: String,
    namespace: String,
    stream: String,
}

/// A [`StreamKey`] borrowed from a request's path.
pub struct StreamKeyRef<'a> {
    pub tenant: &'a str,
    pub namespace: &'a str,
    pub stream: &'a str,
}

impl StreamKeyRef<'_> {
    pub fn to_owned(&self) -> StreamKey {
        StreamKey {
            tenant: self.tenant.to_owned(),
            namespace: self.namespace.to_owned(),
            stream: self.stream.to_owned(),
        }
    }
}

impl StreamKey {
    fn borrowed(&self) -> StreamKeyRef<'_> {
        StreamKeyRef {
            tenant: &self.tenant,
            namespace: &self.namespace,
            stream: &self.stream,
        }
    }
}

impl std::hash::Hash for StreamKeyRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.tenant.hash(state);
        for part in [self.namespace, self.stream] {
            // Lower-cased a stack buffer at a time: one hasher call per 64 bytes, not per byte.
            let mut buffer = [0u8; 64];
            for chunk in part.as_bytes().chunks(buffer.len()) {
                let folded = &mut buffer[..chunk.len()];
                folded.copy_from_slice(chunk);
                folded.make_ascii_lowercase();
                state.write(folded);
            }
            // Ends each part, so ("ab", "c") and ("a", "bc") differ.
            state.write_u8(0xff);
        }
    }
}

impl std::hash::Hash for StreamKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.borrowed().hash(state);
    }
}

impl PartialEq for StreamKeyRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.tenant == other.tenant
            && self.namespace.eq_ignore_ascii_case(other.namespace)
            && self.stream.eq_ignore_ascii_case(other.stream)
    }
}

impl PartialEq for StreamKey {
    fn eq(&self, other: &Self) -> bool {
        self.borrowed() == other.borrowed()
    }
}

impl Eq for StreamKey {}

impl quick_cache::Equivalent<StreamKey> for StreamKeyRef<'_> {
    fn equivalent(&self, key: &StreamKey) -> bool {
        *self == key.borrowed()
    }
}

pub(super) struct ReadCache {
    records: Cache<RecordKey, Weighed, BySize>,
    tokens: Cache<[u8; 32], CachedToken>,
    /// A stream's resource never changes while both live; these are dropped whenever a stream
    /// is deleted, so that a stream made again under the same id is found anew.
    streams: Cache<StreamKey, ResourceId>,
    /// Tenants' settings, for [`TOKEN_TTL`] as tokens are: one changed by another process
    /// (the `sitebook settings set` command) applies within that time.
    settings: Cache<String, (TenantSettings, Instant)>,
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
    /// `record_bytes` is the budget for records, `tokens` how many tokens to keep.
    pub(super) fn new(record_bytes: u64, tokens: usize, streams: usize) -> Self {
        // The item estimate only sizes the first allocation; a few hundred bytes a record.
        let estimated_records = usize::try_from(record_bytes / 512).unwrap_or(usize::MAX);
        Self {
            records: Cache::with_weighter(estimated_records, record_bytes, BySize),
            tokens: Cache::new(tokens),
            streams: Cache::new(streams),
            settings: Cache::new(64),
            epoch: AtomicU64::new(0),
            guard: parking_lot::Mutex::new(()),
        }
    }

    pub(super) fn record(&self, tenant: &str, id: &str) -> Option<Arc<MetadataRecord>> {
        self.records
            .get(&RecordKeyRef::new(tenant, id))
            .map(|cached| cached.record)
    }

    /// The epoch to hand back to [`Self::keep_record`] after loading from the database.
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub(super) fn keep_record(&self, tenant: &str, record: Arc<MetadataRecord>, read_at: u64) {
        let _ordered = self.guard.lock();
        if self.epoch.load(Ordering::Acquire) == read_at {
            let key = RecordKey::new(tenant, record.resource.id.as_str());
            self.records.insert(key, Weighed::new(record));
        }
    }

    /// Drops a record after a committed change to it.
    pub(super) fn forget_record(&self, tenant: &str, id: &str) {
        let _ordered = self.guard.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.records.remove(&RecordKeyRef::new(tenant, id));
    }

    /// Drops every record, after a change that may reach resources other than the one
    /// changed (moving or deleting a resource others are under). Such changes are rare.
    pub(super) fn forget_records(&self) {
        let _ordered = self.guard.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.records.clear();
    }

    pub(super) fn stream(&self, key: &StreamKeyRef<'_>) -> Option<ResourceId> {
        self.streams.get(key)
    }

    /// Keeps a stream's resource found at `read_at` (see [`Self::epoch`]), unless a stream was
    /// deleted or a record changed since.
    pub(super) fn keep_stream(&self, key: StreamKey, resource: ResourceId, read_at: u64) {
        let _ordered = self.guard.lock();
        if self.epoch.load(Ordering::Acquire) == read_at {
            self.streams.insert(key, resource);
        }
    }

    /// After a stream was deleted: which one is not worth finding out, deletes are rare.
    pub(super) fn forget_streams(&self) {
        let _ordered = self.guard.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.streams.clear();
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

    pub(super) fn settings(&self, tenant: &str) -> Option<TenantSettings> {
        let (settings, fetched) = self.settings.get(tenant)?;
        (fetched.elapsed() < TOKEN_TTL).then_some(settings)
    }

    pub(super) fn keep_settings(&self, tenant: &str, settings: TenantSettings) {
        self.settings
            .insert(tenant.to_owned(), (settings, Instant::now()));
    }

    pub(super) fn forget_settings(&self, tenant: &str) {
        self.settings.remove(tenant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_borrowed_key_finds_what_the_owned_key_stored() {
        let cache = Cache::<RecordKey, u32>::new(10);
        cache.insert(RecordKey::new("default", "site_1"), 1);
        cache.insert(RecordKey::new("default", "site_12"), 2);
        cache.insert(RecordKey::new("other", "site_1"), 3);
        assert_eq!(cache.get(&RecordKeyRef::new("default", "site_1")), Some(1));
        assert_eq!(cache.get(&RecordKeyRef::new("default", "site_12")), Some(2));
        assert_eq!(cache.get(&RecordKeyRef::new("other", "site_1")), Some(3));
        // The boundary between the two parts counts: ("default", "site_1") is not ("defaults", "ite_1").
        assert_eq!(cache.get(&RecordKeyRef::new("defaults", "ite_1")), None);
    }

    #[test]
    fn a_stream_is_found_in_any_case_of_its_namespace_and_id_but_not_its_tenant() {
        let cache = Cache::<StreamKey, u32>::new(10);
        let key = |tenant, namespace, stream| StreamKeyRef {
            tenant,
            namespace,
            stream,
        };
        cache.insert(key("default", "Plant", "Tank1").to_owned(), 1);
        cache.insert(key("default", "Plan", "tTank1").to_owned(), 2);
        assert_eq!(cache.get(&key("default", "plant", "TANK1")), Some(1));
        assert_eq!(cache.get(&key("default", "PLAN", "ttank1")), Some(2));
        assert_eq!(cache.get(&key("Default", "plant", "tank1")), None);
        assert_eq!(cache.get(&key("default", "plant", "tank2")), None);
    }
}
