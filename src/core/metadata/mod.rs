//! Metadata: a typed key-value dictionary on any resource.
//!
//! Every way of changing it (replace, merge, JSON Patch, one key) is a pure function from the
//! current dictionary and the request to the new dictionary plus the per-key changes, so the
//! rules are the same for every face and are tested without a database.

mod admit;
mod json_patch;
mod key;
mod operations;
mod record;
pub mod untyped;
mod value;

pub use admit::{Found, admit, expect_kind};
pub use json_patch::JsonPatch;
pub use key::MetaKey;
pub use operations::{KeyChange, Metadata, MetadataLimits, NAME_KEY, Outcome};
pub use record::{MetadataEntry, MetadataRecord, Precondition};
pub use value::{MetaValue, MetaValueType};
