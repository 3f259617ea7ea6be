//! A stream's tags as Data Hub sends them: bare names (`core::tags::BareTags`).

pub use crate::core::tags::BareTags as StreamTags;

/// The most tags one stream carries through Data Hub's `PUT Tags` (Data Hub documents no
/// limit; this bounds one call's work).
pub const MAX_STREAM_TAGS: usize = 100;
