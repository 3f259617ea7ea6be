//! The JSON of recently read metadata records, so the most frequent request (reading one
//! resource's metadata) is answered with bytes already made. Each API face keeps its own, as
//! each writes a record in its own shape.
//!
//! An entry is keyed by the record itself, the address of the very `Arc` the core hands out:
//! any write makes the core load a new record, so the old bytes are simply never asked for
//! again and age out. The entry holds that `Arc`, so the address cannot be reused while the
//! entry lives. Keying by address rather than by (tenant, resource id) spares every read
//! hashing and comparing the id's text a second time, after the core's own cache lookup.

use std::sync::Arc;

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::core::metadata::MetadataRecord;

type Body = (Arc<MetadataRecord>, Bytes);

/// Bodies are budgeted by size: one record may be a few bytes or many megabytes.
#[derive(Clone)]
struct BySize;

impl Weighter<usize, Body> for BySize {
    fn weight(&self, _key: &usize, (_, bytes): &Body) -> u64 {
        // The record the entry keeps alive is about as big as its JSON, and the entry's own
        // overhead counts too, so that empty bodies cannot grow without bound.
        128 + 2 * bytes.len() as u64
    }
}

pub struct BodyCache {
    bodies: Cache<usize, Body, BySize>,
}

impl std::fmt::Debug for BodyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyCache")
    }
}

impl BodyCache {
    /// Keeps bodies up to `budget` bytes in all.
    pub fn new(budget: u64) -> Self {
        // The item estimate only sizes the first allocation; a few hundred bytes a body.
        let estimated = usize::try_from(budget / 512).unwrap_or(usize::MAX);
        Self {
            bodies: Cache::with_weighter(estimated, budget, BySize),
        }
    }

    /// The response body for `record`, made by `make` once per record.
    pub fn body(
        &self,
        record: &Arc<MetadataRecord>,
        make: impl FnOnce(&MetadataRecord) -> Vec<u8>,
    ) -> Bytes {
        let key = Arc::as_ptr(record) as usize;
        if let Some((_, bytes)) = self.bodies.get(&key) {
            return bytes;
        }
        let bytes = Bytes::from(make(record));
        self.bodies.insert(key, (record.clone(), bytes.clone()));
        bytes
    }
}
