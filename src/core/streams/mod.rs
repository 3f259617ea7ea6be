//! Data Hub's streams, the types they need and the namespaces that hold them. A stream is a
//! Sitebook resource of type `datahub.stream` (its metadata and tags are the resource's); what
//! is Data Hub's own (ids unique per namespace ignoring case, the type a stream uses, its
//! indexes and modes) is kept beside it. Sitebook stores no stream data values.

mod ids;
mod names;
pub mod query;
mod sds_type;
mod stream;
mod tags;

pub use ids::{NamespaceId, SdsId};
pub use sds_type::{MAX_DEFINITION_BYTES, SdsType};
pub use stream::Stream;
pub use tags::{MAX_STREAM_TAGS, StreamTags};

/// The resource type a Data Hub stream is.
pub const STREAM_TYPE: &str = "datahub.stream";

/// The namespace every tenant has.
pub const DEFAULT_NAMESPACE: &str = "default";
