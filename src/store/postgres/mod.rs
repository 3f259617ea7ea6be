//! What only the PostgreSQL backend has: a metadata write in a transaction of its own
//! (`metadata_write`, where SQLite groups writes on a thread), and a resource read with its
//! metadata (`records`, where SQLite builds one JSON value in SQL:
//! `rows::resource_with_keys_json`).

mod metadata_write;
pub(in crate::store) mod records;
