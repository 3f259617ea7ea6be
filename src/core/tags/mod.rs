//! Tags: admin-defined labels ("Region", "Customer Tier") and the values staff apply with them.
//!
//! The rules (names, colours, what a tag applies to, which values it allows) are pure functions
//! here; `store::tags` keeps definitions and values and calls them inside its transactions.

mod definition;
mod value;

pub use definition::{
    AUTO_DEFINED_COLOUR, Colour, CorrelationType, MAX_ALLOWED_VALUES, MAX_DESCRIPTION_CHARS,
    MAX_TAG_NAME_CHARS, NO_VALUE, TagDefinition, TagDraft, TagId, TagPatch, tag_name,
};
pub use value::{AppliedTag, TagValue, TagValueText};
