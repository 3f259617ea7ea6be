//! Widgets of the admin pages.

mod gate;
mod grant_editor;
mod grant_fields;
mod nav;
mod role_cell;
mod shown_once;
mod tag_form;
mod token_form;
mod user_form;

pub use gate::{admin_csrf, load_failed};
pub use grant_editor::GrantEditor;
pub use grant_fields::GrantFields;
pub use nav::AdminNav;
pub use role_cell::RoleCell;
pub use shown_once::ShownOnce;
pub use tag_form::TagFormPanel;
pub use token_form::NewTokenForm;
pub use user_form::NewUserForm;
