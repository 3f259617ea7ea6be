//! Tags: admin-defined labels ("Region", "Customer Tier") and the values staff apply with them.
//!
//! The rules (names, colours, what a tag applies to, which values it allows) are pure functions
//! here; `store::tags` keeps definitions and values and calls them inside its transactions.

mod bare;
mod definition;
mod value;

pub use definition::{
    AUTO_DEFINED_COLOUR, Colour, CorrelationType, MAX_ALLOWED_VALUES, MAX_DESCRIPTION_CHARS,
    MAX_TAG_NAME_CHARS, NO_VALUE, TagDefinition, TagDraft, TagId, TagPatch, tag_name,
};
/// The most tags Data Hub clients may define on first use in one tenant: enough for any real
/// set of stream labels, few enough that every list of tags stays quick. Admins define more.
pub const MAX_AUTO_DEFINED_TAGS: usize = 1000;

/// The most tags one principal may define on first use in an hour.
pub const MAX_AUTO_DEFINED_PER_HOUR: usize = 200;

pub use bare::BareTags;
pub use value::{AppliedTag, TagValue, TagValueText};
