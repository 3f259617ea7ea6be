//! The Leptos face: the HTML shell, the routes, pages, components and server functions.

pub mod browser;
pub mod components;
pub mod functions;
mod page_policy;
pub mod pages;
mod response_status;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use components::UserMenu;
use functions::session::current_user;
use pages::{
    AdminTagsPage, AdminTokensPage, AdminUsersPage, AnyResourcePage, ImportPage, LoginPage,
    NotFoundPage, SiteListPage, SitePage,
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    page_policy::apply();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    // Pages render fully on the server before the response is sent (SsrMode::Async), so they are
    // readable without JavaScript and a page can still set its status code (404) in time.
    view! {
        <Stylesheet id="leptos" href="/pkg/sitebook.css" />
        <Title formatter=|page: String| if page.is_empty() { "Sitebook".to_owned() } else { format!("{page} · Sitebook") } />
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"Sitebook"</a>
                <TopBarUser />
            </header>
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("") view=SiteListPage ssr=SsrMode::Async />
                    <Route path=path!("/sites/:id") view=SitePage ssr=SsrMode::Async />
                    <Route path=path!("/resources/:id") view=AnyResourcePage ssr=SsrMode::Async />
                    <Route path=path!("/import") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/tags") view=AdminTagsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/tokens") view=AdminTokensPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
    .into_any()
}

/// Who is signed in, with a sign-out button; a sign-in link otherwise.
#[component]
fn TopBarUser() -> impl IntoView {
    // Asked again on every navigation, so signing in or out shows here at once.
    let location = leptos_router::hooks::use_location();
    let user = Resource::new(move || location.pathname.get(), |_| current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! { <UserMenu user /> }.into_any(),
                    _ => view! { <a class="sign-in" href="/login">"Sign in"</a> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// Sets `data-hydrated` on `<body>` once the WASM client has taken over the page. Effects run
/// only in the browser, so its presence proves hydration happened; browser tests wait for it.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
