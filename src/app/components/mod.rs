//! Widgets shared by pages.

mod new_site_form;
mod site_table;
mod timestamp;

pub use new_site_form::NewSiteForm;
pub use site_table::SiteTable;
pub use timestamp::Timestamp;
