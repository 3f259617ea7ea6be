//! What only the SQLite backend has: one writer at a time, so metadata writes are grouped
//! into one commit on a thread of their own (`metadata_writer`) whose statements are staged
//! and gathered (`batch`); the WAL synced off the writer's thread (`wal_sync`); and the WAL
//! copied back into the database in the background (`checkpointer`); which process serves a
//! database (`serving`); and a consistent copy of a live installation (`backup`).

pub mod backup;
pub(in crate::store) mod batch;
pub(in crate::store) mod checkpointer;
pub(in crate::store) mod metadata_writer;
pub mod serving;
pub(in crate::store) mod wal_sync;
