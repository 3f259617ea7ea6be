//! The pieces of the site page. Each edits one part of the site through the core (server
//! functions, or the REST file endpoints) and then asks the page to reload what it shows.

mod file_list;
mod history;
mod metadata_table;
mod note_editor;
mod resources_under;
mod tag_chips;
mod upload_area;

pub use file_list::FileList;
pub use history::History;
pub use metadata_table::MetadataTable;
pub use resources_under::ResourcesUnder;
pub use tag_chips::TagChips;
pub use upload_area::UploadQueue;

use std::sync::Arc;

use leptos::prelude::*;

/// What every editing piece of one site page shares, provided as context by the page.
#[derive(Clone)]
pub struct SiteEditing {
    pub site: Arc<str>,
    pub csrf: Arc<str>,
    /// Whether to show edit controls at all; the core decides what is allowed regardless.
    pub can_edit: bool,
    /// Bumped after every change; the page refetches when it moves.
    pub changes: RwSignal<u64>,
    /// Names for the actor ids in "changed by" columns.
    pub names: Arc<std::collections::HashMap<String, String>>,
}

impl SiteEditing {
    pub fn reload(&self) {
        self.changes.update(|n| *n += 1);
    }

    /// Passes a change's result on, reloading the page's data first when it succeeded.
    pub fn reload_if_ok<T, E>(&self, result: Result<T, E>) -> Result<T, E> {
        if result.is_ok() {
            self.reload();
        }
        result
    }

    pub fn who(&self, actor_id: &str) -> String {
        self.names
            .get(actor_id)
            .cloned()
            .unwrap_or_else(|| actor_id.to_owned())
    }
}

/// The editing context of the enclosing site page.
pub fn use_site() -> SiteEditing {
    expect_context::<SiteEditing>()
}
