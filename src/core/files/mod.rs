//! Site files: diagrams, photos, documents and notes attached to a site.
//!
//! What a file is comes from its bytes, never from what the uploader claims: `sniff` names the
//! content type from the first bytes and refuses anything outside the allowlist. The bytes
//! themselves live in a blob store (`store::blobs`), addressed by their SHA-256.

mod kind;
mod name;
mod record;
mod sniff;

pub use kind::{Disposition, FileKind};
pub use name::{display_name, download_name};
pub use record::{FileId, SiteFile};
pub use sniff::{ACCEPTED, SNIFF_BYTES, sniff};

/// A note is text someone wrote; 1 MiB is far beyond that and bounds what a face buffers.
pub const MAX_NOTE_BYTES: usize = 1024 * 1024;

/// The default largest upload: 100 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
