use leptos::prelude::*;

/// A button for something that cannot be undone (delete, revoke, disable) that asks once more,
/// in place, before calling `on_confirm`. Inline rather than a modal dialog, so it works from
/// the keyboard and at phone width without a focus trap.
#[component]
pub fn ConfirmAction(
    /// The question, naming what goes and what it costs.
    question: String,
    /// The label of the button that confirms, such as "Delete file".
    confirm: &'static str,
    on_confirm: Callback<()>,
    /// The label of the first button.
    #[prop(default = "Delete")]
    label: &'static str,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <Show when=move || confirming.get() fallback=move || view! {
            <button class="secondary" on:click=move |_| confirming.set(true)>{label}</button>
        }>
            <span class="confirm" role="group" aria-label=format!("Confirm: {label}")>
                {format!("{question} ")}
                <button class="danger" on:click=move |_| { confirming.set(false); on_confirm.run(()) }>{confirm}</button>
                <button class="secondary" on:click=move |_| confirming.set(false)>"Keep"</button>
            </span>
        </Show>
    }
    .into_any()
}
