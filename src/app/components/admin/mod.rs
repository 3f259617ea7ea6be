//! Widgets of the admin pages.

mod tag_form;

pub use tag_form::TagFormPanel;
