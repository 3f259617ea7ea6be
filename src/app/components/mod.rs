//! Widgets shared by pages.

pub mod admin;
mod confirm_action;
mod import_report;
mod new_site_form;
mod resource_link;
mod sign_in_prompt;
pub mod site;
mod site_table;
mod timestamp;
mod user_menu;

pub use confirm_action::ConfirmAction;
pub use import_report::ImportReportView;
pub use new_site_form::NewSiteForm;
pub use resource_link::resource_href;
pub use sign_in_prompt::SignInPrompt;
pub use site_table::SiteTable;
pub use timestamp::Timestamp;
pub use user_menu::UserMenu;
