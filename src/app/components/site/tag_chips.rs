use leptos::prelude::*;

use super::use_site;
use crate::app::functions::site_overview::TagChoice;
use crate::app::functions::tags::{apply_tag, remove_tag};
use crate::core::tags::AppliedTag;

/// The site's tags as chips in their definition's colour, × to remove, and a picker to add one.
#[component]
pub fn TagChips(tags: Vec<AppliedTag>, choices: Vec<TagChoice>) -> impl IntoView {
    let site = use_site();
    let empty = tags.is_empty();
    view! {
        <section class="panel" aria-labelledby="tags-heading">
            <h2 id="tags-heading">"Tags"</h2>
            {empty.then(|| view! { <p class="empty">"No tags yet."</p> })}
            <ul class="chips">
                {tags.into_iter().map(|tag| view! { <Chip tag /> }).collect_view()}
            </ul>
            {(site.can_edit && !choices.is_empty()).then(|| view! { <TagPicker choices /> })}
        </section>
    }
    .into_any()
}

#[component]
fn Chip(tag: AppliedTag) -> impl IntoView {
    let label = format!("{}: {}", tag.tag_name, tag.value.value);
    let tag_id = tag.value.tag_id.as_str().to_owned();
    view! {
        <li class="chip" style=format!("--chip: {}", tag.colour.as_str())>
            <span class="chip-name">{tag.tag_name}</span>
            <span class="chip-value">{tag.value.value}</span>
            // Read-only chips carry no action or signal: a page of them renders faster.
            {use_site().can_edit.then(|| view! { <RemoveChip tag_id label /> })}
        </li>
    }
    .into_any()
}

/// The × of a chip, and what went wrong if removing failed.
#[component]
fn RemoveChip(tag_id: String, label: String) -> impl IntoView {
    let site = use_site();
    let remove = Action::new(move |_: &()| {
        let (site, tag_id) = (site.clone(), tag_id.clone());
        async move {
            site.reload_if_ok(
                remove_tag(site.site.to_string(), tag_id, site.csrf.to_string()).await,
            )
        }
    });
    view! {
        <button
            class="chip-remove"
            aria-label=format!("Remove tag {label}")
            title="Remove"
            disabled=move || remove.pending().get()
            on:click=move |_| { remove.dispatch(()); }
        >"×"</button>
        {move || remove.value().get().and_then(|r| r.err()).map(|e| view! {
            <span class="form-error" role="alert">{e.to_string()}</span>
        })}
    }
    .into_any()
}

/// Offers only tags that apply to sites; a tag with allowed values offers a choice of them.
#[component]
fn TagPicker(choices: Vec<TagChoice>) -> impl IntoView {
    let site = use_site();
    let choices = StoredValue::new(choices);
    let picked = RwSignal::new(choices.with_value(|c| c[0].id.clone()));
    let value = RwSignal::new(String::new());
    let allowed = move || {
        choices.with_value(|c| {
            c.iter()
                .find(|t| t.id == picked.get())
                .and_then(|t| t.allowed_values.clone())
        })
    };
    // A tag with a fixed list starts on its first value, so the choice shown is the one sent.
    Effect::new(move |_| {
        value.set(
            allowed()
                .and_then(|v| v.first().cloned())
                .unwrap_or_default(),
        );
    });
    let apply = Action::new(move |_: &()| {
        let site = site.clone();
        let (tag, text) = (picked.get_untracked(), value.get_untracked());
        async move {
            site.reload_if_ok(
                apply_tag(site.site.to_string(), tag, text, site.csrf.to_string()).await,
            )
        }
    });
    view! {
        <form class="tag-picker row" on:submit=move |e| { e.prevent_default(); apply.dispatch(()); }>
            <label for="tag-picker-tag">"Tag"</label>
            <select id="tag-picker-tag" on:change=move |e| picked.set(event_target_value(&e))>
                {choices.with_value(|c| c.iter().map(|t| view! {
                    <option value=t.id.clone()>{t.name.clone()}</option>
                }).collect_view())}
            </select>
            <label for="tag-picker-value">"Value"</label>
            {move || match allowed() {
                Some(values) => view! {
                    <select id="tag-picker-value" on:change=move |e| value.set(event_target_value(&e))>
                        {values.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                    </select>
                }.into_any(),
                None => view! {
                    <input
                        id="tag-picker-value"
                        type="text"
                        autocomplete="off"
                        prop:value=move || value.get()
                        on:input=move |e| value.set(event_target_value(&e))
                    />
                }.into_any(),
            }}
            <button type="submit" disabled=move || apply.pending().get()>"Add tag"</button>
            <div class="feedback" aria-live="polite">
                {move || apply.value().get().and_then(|r| r.err()).map(|e| view! {
                    <p class="form-error" role="alert">{e.to_string()}</p>
                })}
            </div>
        </form>
    }
    .into_any()
}
