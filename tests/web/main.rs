//! The web UI's pages and server functions over the real router and a temporary SQLite file,
//! driven the way a browser (with or without JavaScript) drives them. One binary, one link.

#[path = "../support/mod.rs"]
mod support;

mod admin_access;
mod admin_tags;
mod browser;
mod page_headers;
mod resource_page;
mod sign_in;
mod site_list;
mod site_page;
