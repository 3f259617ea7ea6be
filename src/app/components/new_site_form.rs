use leptos::html;
use leptos::prelude::*;

use crate::app::functions::sites::CreateSite;

/// The "New site" form. Hydrated, it submits through the server action with no page load and
/// shows the outcome inline; without JavaScript it is a plain form post whose error comes back
/// in the redirect and is rendered by the server in the same place.
#[component]
pub fn NewSiteForm(action: ServerAction<CreateSite>, csrf: String) -> impl IntoView {
    let input: NodeRef<html::Input> = NodeRef::new();
    let outcome = action.value();

    // After a successful create the field is cleared, ready for the next site.
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(field)) = (outcome.get(), input.get()) {
            field.set_value("");
        }
    });

    view! {
        <div class="new-site">
            <ActionForm action>
                <input type="hidden" name="csrf" value=csrf />
                <label for="new-site-name">"Site name"</label>
                <div class="row">
                    <input
                        id="new-site-name"
                        name="name"
                        type="text"
                        required
                        autocomplete="off"
                        placeholder="e.g. Main Office"
                        aria-describedby="new-site-feedback"
                        node_ref=input
                    />
                    <button type="submit" disabled=move || action.pending().get()>
                        "Create site"
                    </button>
                </div>
                <div id="new-site-feedback" aria-live="polite">
                    {move || match outcome.get() {
                        Some(Err(e)) => {
                            view! { <p class="form-error" role="alert">{e.to_string()}</p> }
                                .into_any()
                        }
                        Some(Ok(site)) => {
                            view! {
                                <p class="form-ok">
                                    "Created "
                                    <a href=format!("/sites/{}", site.id)>{site.name}</a>
                                    "."
                                </p>
                            }
                                .into_any()
                        }
                        None => ().into_any(),
                    }}
                </div>
            </ActionForm>
        </div>
    }
    .into_any()
}
