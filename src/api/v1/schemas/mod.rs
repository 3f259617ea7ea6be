//! The request and response bodies of `/api/v1`, with their OpenAPI schemas. They mirror the
//! Altostrat seeds field for field; the core types stay free of HTTP and OpenAPI concerns.

mod change_sets;
mod files;
mod metadata;
mod paging;
mod resources;
mod sites;
mod tags;

pub use change_sets::*;
pub use files::*;
pub use metadata::*;
pub use paging::*;
pub use resources::*;
pub use sites::*;
pub use tags::*;
