//! Widgets shared by pages.

pub mod admin;
mod confirm_action;
mod new_site_form;
mod sign_in_prompt;
pub mod site;
mod site_table;
mod timestamp;
mod user_menu;

pub use confirm_action::ConfirmAction;
pub use new_site_form::NewSiteForm;
pub use sign_in_prompt::SignInPrompt;
pub use site_table::SiteTable;
pub use timestamp::Timestamp;
pub use user_menu::UserMenu;
