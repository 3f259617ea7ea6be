use leptos::prelude::*;

/// A secret (a new token, or a password the server chose) shown the only time it exists
/// outside its holder's hands.
#[component]
pub fn ShownOnce(
    /// What was made, such as "Token deploy created".
    title: String,
    secret: String,
    /// How to use it.
    hint: &'static str,
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="panel shown-once" role="status" aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            <p>"Copy it now: it is shown only this once, and Sitebook keeps no readable copy."</p>
            <code class="secret">{secret}</code>
            <p class="muted hint">{hint}</p>
            <button type="button" class="secondary" on:click=move |_| on_close.run(())>"I have copied it"</button>
        </section>
    }
    .into_any()
}
