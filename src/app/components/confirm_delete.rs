use leptos::prelude::*;

/// A "Delete" button that asks once more, in place, before calling `on_confirm`. Inline rather
/// than a modal dialog, so it works from the keyboard and at phone width without a focus trap.
#[component]
pub fn ConfirmDelete(
    /// The question, naming what goes and what it costs.
    question: String,
    /// The label of the button that confirms, such as "Delete file".
    confirm: &'static str,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <Show when=move || confirming.get() fallback=move || view! {
            <button class="secondary" on:click=move |_| confirming.set(true)>"Delete"</button>
        }>
            <span class="confirm" role="group" aria-label="Confirm delete">
                {format!("{question} ")}
                <button class="danger" on:click=move |_| on_confirm.run(())>{confirm}</button>
                <button class="secondary" on:click=move |_| confirming.set(false)>"Keep"</button>
            </span>
        </Show>
    }
    .into_any()
}
