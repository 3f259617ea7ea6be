use leptos::prelude::*;

use crate::app::functions::tags::{TagForm, save_tag};
use crate::core::tags::{CorrelationType, TagDefinition};

/// The create-or-edit form of a tag definition: name, description, colour picker, the resource
/// types it applies to, and an optional list of allowed values (one per line).
#[component]
pub fn TagFormPanel(
    /// `None` to create a tag.
    editing: Option<TagDefinition>,
    csrf: String,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let (id, version) = editing.as_ref().map_or((String::new(), 0), |t| {
        (t.id.as_str().to_owned(), t.version)
    });
    let start = editing
        .as_ref()
        .map(TagForm::of)
        .unwrap_or_else(|| TagForm {
            colour: "#2457c5".to_owned(),
            applies_to: "site".to_owned(),
            ..TagForm::default()
        });
    let creating = id.is_empty();
    let name = RwSignal::new(start.name.clone());
    let description = RwSignal::new(start.description.clone());
    let colour = RwSignal::new(start.colour.clone());
    let applies = RwSignal::new(start.applies_to_list());
    let allowed = RwSignal::new(start.allowed_values.clone());
    let save = Action::new(move |_: &()| {
        let form = TagForm {
            name: name.get_untracked(),
            description: description.get_untracked(),
            colour: colour.get_untracked(),
            applies_to: applies.get_untracked().join(","),
            allowed_values: allowed.get_untracked(),
        };
        let (id, csrf) = (id.clone(), csrf.clone());
        async move {
            let result = save_tag(id, version, form, csrf).await;
            if result.is_ok() {
                on_saved.run(());
            }
            result
        }
    });
    view! {
        <form class="panel tag-form" on:submit=move |e| { e.prevent_default(); save.dispatch(()); }>
            <h2>{if creating { "New tag".to_owned() } else { format!("Edit tag {}", start.name) }}</h2>
            <label for="tag-name">"Name"</label>
            <input id="tag-name" type="text" required autocomplete="off" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            <label for="tag-description">"Description"</label>
            <textarea id="tag-description" rows="2" prop:value=move || description.get() on:input=move |e| description.set(event_target_value(&e))></textarea>
            <label for="tag-colour">"Colour"</label>
            <div class="row">
                <input id="tag-colour" type="color" prop:value=move || colour.get() on:input=move |e| colour.set(event_target_value(&e)) />
                <code>{move || colour.get()}</code>
            </div>
            <fieldset>
                <legend>"Applies to"</legend>
                {CorrelationType::ALL.into_iter().map(|t| {
                    let kind = t.as_str();
                    view! {
                        <label class="check">
                            <input
                                name="applies_to"
                                value=kind
                                type="checkbox"
                                prop:checked=move || applies.get().iter().any(|a| a == kind)
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    applies.update(|list| {
                                        list.retain(|a| a != kind);
                                        if on { list.push(kind.to_owned()); }
                                    });
                                }
                            />
                            {kind}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label for="tag-allowed">"Allowed values"</label>
            <p class="muted hint" id="tag-allowed-hint">"One per line. Leave empty to allow any value."</p>
            <textarea id="tag-allowed" rows="4" aria-describedby="tag-allowed-hint" prop:value=move || allowed.get() on:input=move |e| allowed.set(event_target_value(&e))></textarea>
            <div class="row">
                <button type="submit" disabled=move || save.pending().get()>{if creating { "Create tag" } else { "Save tag" }}</button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            <div aria-live="polite">
                {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </div>
        </form>
    }
    .into_any()
}
