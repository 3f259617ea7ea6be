//! Where file bytes live, behind a small interface so that an object store can later stand
//! beside the local disk. Blobs are addressed by the SHA-256 of their bytes: identical files
//! are kept once, and a name chosen by a person never touches the file system.

mod local_disk;

use std::future::Future;
use std::path::PathBuf;

pub use local_disk::{LocalDisk, LocalUpload};

use crate::core::CoreError;

/// A finished blob: its address and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub sha256: String,
    pub size: u64,
}

/// Why writing an upload stopped.
#[derive(Debug)]
pub enum UploadError {
    /// The upload passed the size limit; nothing of it is kept.
    TooLarge {
        limit: u64,
    },
    Storage(CoreError),
}

/// Bytes being received. Dropping an unfinished upload discards everything written so far.
pub trait BlobUpload: Send {
    /// Appends a chunk, refusing to go past the size limit.
    fn write(&mut self, chunk: &[u8]) -> impl Future<Output = Result<(), UploadError>> + Send;
    /// The first bytes received (up to what content sniffing needs).
    fn head(&self) -> &[u8];
    fn size(&self) -> u64;
    /// Makes the bytes durable and puts them at their address. The caller holds the database
    /// write lock, so no concurrent deletion of the same address can interleave.
    fn finish(self) -> impl Future<Output = Result<Blob, CoreError>> + Send;
}

pub trait BlobStore: Send + Sync {
    type Upload: BlobUpload;
    fn begin_upload(
        &self,
        limit: u64,
    ) -> impl Future<Output = Result<Self::Upload, CoreError>> + Send;
    /// Removes a blob no record refers to any more (absent is fine).
    fn remove(&self, sha256: &str) -> impl Future<Output = Result<(), CoreError>> + Send;
    /// Where a blob can be read as a file, for serving it with ranges.
    fn path(&self, sha256: &str) -> PathBuf;
}
