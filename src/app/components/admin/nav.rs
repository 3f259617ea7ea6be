use leptos::prelude::*;

/// The admin pages' own navigation; `current` is the page shown ("tags", "users", "tokens").
#[component]
pub fn AdminNav(current: &'static str) -> impl IntoView {
    let link = move |slug: &'static str, label: &'static str| {
        view! {
            <a href=format!("/admin/{slug}") aria-current=(slug == current).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <a href="/">"Sites"</a>
            {link("tags", "Tags")}
            {link("users", "Users")}
            {link("tokens", "Tokens")}
            <a href="/import">"Import"</a>
        </nav>
    }
    .into_any()
}
