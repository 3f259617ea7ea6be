//! What only the PostgreSQL backend has: how it runs a batch of staged statements (`batch`)
//! inside a write's transaction, a metadata write (`metadata_write`), and reads a resource with its metadata (`records`), where
//! SQLite builds one JSON value in SQL (`rows::resource_with_keys_json`).

pub(in crate::store) mod batch;
mod metadata_write;
pub(in crate::store) mod records;
