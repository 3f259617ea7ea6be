//! One module per page; each is a route in `app::App`.

mod admin_tags;
mod admin_tokens;
mod admin_users;
mod import;
mod login;
mod not_found;
mod site_list;
mod site_page;

pub use admin_tags::AdminTagsPage;
pub use admin_tokens::AdminTokensPage;
pub use admin_users::AdminUsersPage;
pub use import::ImportPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use site_list::SiteListPage;
pub use site_page::{AnyResourcePage, SitePage};
