//! The JSON of recently read metadata records, so the most frequent request (reading one
//! resource's metadata) is answered with bytes already made. An entry is used only while the
//! core still hands out the very same record (the same `Arc`): any write makes the core load
//! a new record, and the old bytes are simply never matched again.

use std::sync::Arc;

use axum::body::Bytes;
use quick_cache::sync::Cache;

use super::schemas::MetadataBody;
use crate::core::metadata::MetadataRecord;

pub struct BodyCache {
    bodies: Cache<(String, String), (Arc<MetadataRecord>, Bytes)>,
}

impl std::fmt::Debug for BodyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyCache")
    }
}

impl BodyCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            bodies: Cache::new(capacity),
        }
    }

    /// The response body for `record`, made once per record.
    pub fn body(&self, tenant: &str, record: &Arc<MetadataRecord>) -> Bytes {
        let key = (tenant.to_owned(), record.resource.id.to_string());
        if let Some((cached, bytes)) = self.bodies.get(&key)
            && Arc::ptr_eq(&cached, record)
        {
            return bytes;
        }
        let bytes = Bytes::from(
            serde_json::to_vec(&MetadataBody(record)).expect("a metadata record serialises"),
        );
        self.bodies.insert(key, (record.clone(), bytes.clone()));
        bytes
    }
}
