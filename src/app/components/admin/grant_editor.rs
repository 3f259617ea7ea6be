use leptos::prelude::*;

use super::GrantFields;
use crate::app::functions::FnError;
use crate::app::functions::grants::GrantForm;

/// "Change role" in place, for a user or a token: `save` calls the matching server function.
#[component]
pub fn GrantEditor(
    start: GrantForm,
    /// Unique per row: prefixes the inputs' ids.
    id: String,
    save: Action<GrantForm, Result<(), FnError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let form = RwSignal::new(start);
    view! {
        <form class="grant-editor" on:submit=move |e| { e.prevent_default(); save.dispatch(form.get_untracked()); }>
            <GrantFields form id />
            <div class="row">
                <button type="submit" disabled=move || save.pending().get()>"Save role"</button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            <div aria-live="polite">
                {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </div>
        </form>
    }
    .into_any()
}
