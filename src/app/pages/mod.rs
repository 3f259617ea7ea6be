//! One module per page; each is a route in `app::App`.

mod admin_tags;
mod login;
mod not_found;
mod site_list;
mod site_page;

pub use admin_tags::AdminTagsPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use site_list::SiteListPage;
pub use site_page::SitePage;
