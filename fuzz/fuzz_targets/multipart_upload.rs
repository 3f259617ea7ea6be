//! The upload handler's reading of a multipart form (`read_upload_form`, with the handler's
//! constraints), on any body cut into chunks of any size, with a blob store in memory. A
//! form is read within its limits or refused as the client's mistake (400 or 413), never as
//! the server's; what is read then passes through the store's sniffing and naming.
//!
//! Input: one byte choosing the chunk size (1 to 256), then the body after the boundary
//! `Content-Type: multipart/form-data; boundary=sitebook-fuzz`.

#![no_main]

use std::convert::Infallible;
use std::sync::LazyLock;
use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use libfuzzer_sys::fuzz_target;
use sitebook::api::v1::read_upload_form;
use sitebook::core::CoreError;
use sitebook::store::blobs::{Blob, BlobStore, BlobUpload, UploadError};
use sitebook::core::files::{SNIFF_BYTES, display_name, sniff};

const CONTENT_TYPE: &str = "multipart/form-data; boundary=sitebook-fuzz";
/// Small, so that small inputs reach the size limits.
const LIMIT: u64 = 1024;
/// The handler's bound on a text part (`MAX_TEXT_PART`).
const MAX_TEXT_PART: usize = 4096;

/// The handler's stall deadline; an in-memory body never stalls, so it never fires.
const STALL: Duration = Duration::from_secs(30);

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
});

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, body)) = data.split_first() else {
        return;
    };
    let chunks: Vec<Result<Vec<u8>, Infallible>> = body
        .chunks(usize::from(chunk) + 1)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let body_len = body.len() as u64;
    let body = Body::from_stream(futures_util::stream::iter(chunks));
    let read = RUNTIME.block_on(read_upload_form(&Memory, LIMIT, CONTENT_TYPE, body, STALL));
    match read {
        Ok((new, upload)) => {
            assert!(upload.size() <= LIMIT && upload.size() <= body_len);
            assert!(new.description.len() <= MAX_TEXT_PART);
            let _ = sniff(upload.head());
            let name = display_name(&new.name);
            assert!(!name.is_empty() && name.chars().count() <= 255);
        }
        Err(refused) => assert!(
            matches!(
                refused.status,
                StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE
            ),
            "{} {}: {}",
            refused.status,
            refused.code,
            refused.message
        ),
    }
});

/// A blob store that keeps an upload's bytes in memory and, as the disk store does, refuses
/// to go past the size limit.
struct Memory;

struct MemoryUpload {
    bytes: Vec<u8>,
    limit: u64,
}

impl BlobStore for Memory {
    type Upload = MemoryUpload;

    async fn begin_upload(&self, limit: u64) -> Result<MemoryUpload, CoreError> {
        Ok(MemoryUpload {
            bytes: Vec::new(),
            limit,
        })
    }

    async fn remove(&self, _: &str) -> Result<(), CoreError> {
        Ok(())
    }

    fn path(&self, sha256: &str) -> std::path::PathBuf {
        sha256.into()
    }
}

impl BlobUpload for MemoryUpload {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        if (self.bytes.len() + chunk.len()) as u64 > self.limit {
            return Err(UploadError::TooLarge { limit: self.limit });
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    fn head(&self) -> &[u8] {
        &self.bytes[..self.bytes.len().min(SNIFF_BYTES)]
    }

    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    async fn finish(self) -> Result<Blob, CoreError> {
        Ok(Blob {
            sha256: String::new(),
            size: self.size(),
        })
    }
}
