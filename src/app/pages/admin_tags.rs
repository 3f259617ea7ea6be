use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::ConfirmAction;
use crate::app::components::admin::{AdminNav, TagFormPanel, admin_csrf, load_failed};
use crate::app::functions::session::current_user;
use crate::app::functions::tags::{TagInUse, delete_tag, tag_definitions};
use crate::core::tags::TagDefinition;

/// What the form panel is doing.
#[derive(Clone, PartialEq)]
enum Editing {
    Nothing,
    New,
    Tag(TagDefinition),
}

/// `/admin/tags`: the tag definitions with how many resources use each; create, edit, delete.
#[component]
pub fn AdminTagsPage() -> impl IntoView {
    let changes = RwSignal::new(0u64);
    let tags = Resource::new(move || changes.get(), |_| tag_definitions());
    let user = Resource::new(|| (), |_| current_user());
    let editing = RwSignal::new(Editing::Nothing);
    view! {
        <Title text="Tags" />
        <AdminNav current="tags" />
        <h1>"Tags"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading tags…"</p> }>
            {move || Suspend::new(async move {
                let refusal = "Only admins define tags. Ask an admin to add or change one.";
                let csrf = match admin_csrf(user.await, refusal) {
                    Ok(csrf) => csrf,
                    Err(refused) => return refused,
                };
                let list = match tags.await {
                    Ok(list) => list,
                    Err(e) => return load_failed(e),
                };
                let form_csrf = csrf.clone();
                let done = Callback::new(move |_| { editing.set(Editing::Nothing); changes.update(|n| *n += 1); });
                let cancel = Callback::new(move |_| editing.set(Editing::Nothing));
                view! {
                    {move || match editing.get() {
                        Editing::Nothing => view! {
                            <button class="new-item" on:click=move |_| editing.set(Editing::New)>"New tag"</button>
                        }.into_any(),
                        Editing::New => view! { <TagFormPanel editing=None csrf=form_csrf.clone() on_saved=done on_cancel=cancel /> }.into_any(),
                        Editing::Tag(tag) => view! { <TagFormPanel editing=Some(tag) csrf=form_csrf.clone() on_saved=done on_cancel=cancel /> }.into_any(),
                    }}
                    <TagTable list csrf editing on_deleted=Callback::new(move |_| changes.update(|n| *n += 1)) />
                }.into_any()
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn TagTable(
    list: Vec<TagInUse>,
    csrf: String,
    editing: RwSignal<Editing>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No tags yet. Create the first one."</p> }.into_any();
    }
    view! {
        <table class="sites tags">
            <thead>
                <tr>
                    <th scope="col">"Tag"</th>
                    <th scope="col">"Applies to"</th>
                    <th scope="col">"Allowed values"</th>
                    <th scope="col">"Used by"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|row| view! { <TagRow row csrf=csrf.clone() editing on_deleted /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn TagRow(
    row: TagInUse,
    csrf: String,
    editing: RwSignal<Editing>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let tag = row.tag;
    let used = row.resources;
    let (id, version) = (tag.id.as_str().to_owned(), tag.version);
    let delete = Action::new(move |_: &()| {
        let (id, csrf) = (id.clone(), csrf.clone());
        async move {
            let result = delete_tag(id, version, csrf).await;
            if result.is_ok() {
                on_deleted.run(());
            }
            result
        }
    });
    let for_edit = tag.clone();
    let name = tag.name.clone();
    view! {
        <tr data-tag=tag.name.clone()>
            <td>
                <span class="chip" style=format!("--chip: {}", tag.colour.as_str())><span class="chip-value">{tag.name.clone()}</span></span>
                {(!tag.description.is_empty()).then(|| view! { <div class="muted">{tag.description.clone()}</div> })}
                {tag.auto_defined_by.clone().map(|by| view! { <div class="muted auto-defined">{format!("Defined on first use by {by} through a Data Hub or OpenStack client")}</div> })}
            </td>
            <td>{tag.applies_to.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")}</td>
            <td>{tag.allowed_values.clone().map_or_else(|| "any".to_owned(), |v| v.join(", "))}</td>
            <td class="used">{format!("{used} resource{}", if used == 1 { "" } else { "s" })}</td>
            <td class="actions">
                <button class="secondary" on:click=move |_| editing.set(Editing::Tag(for_edit.clone()))>
                    "Edit" <span class="sr-only">{format!(" {name}")}</span>
                </button>
                <ConfirmAction
                    question=format!("Delete the tag? {used} resource{} will lose it.", if used == 1 { "" } else { "s" })
                    confirm="Delete tag"
                    on_confirm=Callback::new(move |_| { delete.dispatch(()); })
                />
                {move || delete.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </td>
        </tr>
    }
    .into_any()
}
