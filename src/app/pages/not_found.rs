use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::response_status;

/// Shown, with status 404, for an unknown address or an unknown site id.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    response_status::not_found();
    view! {
        <Title text="Not found" />
        <section class="not-found">
            <h1>"Not found"</h1>
            <p>"Nothing is here. It may have been deleted, or the address may be mistyped."</p>
            <p>
                <a href="/">"Back to all sites"</a>
            </p>
        </section>
    }
    .into_any()
}
