//! Widgets shared by pages.

mod new_site_form;
mod sign_in_prompt;
mod site_table;
mod timestamp;
mod user_menu;

pub use new_site_form::NewSiteForm;
pub use sign_in_prompt::SignInPrompt;
pub use site_table::SiteTable;
pub use timestamp::Timestamp;
pub use user_menu::UserMenu;
