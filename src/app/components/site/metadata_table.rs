use leptos::prelude::*;

use super::use_site;
use crate::app::components::{ConfirmAction, Timestamp};
use crate::app::functions::metadata::{delete_metadata, set_metadata};
use crate::core::metadata::{MetaKey, MetaValue, MetaValueType, MetadataEntry};

/// The same rules the core applies, run as the person types, so most mistakes are named
/// before anything is sent. The server checks again.
fn check(key: &str, kind: MetaValueType, text: &str) -> Option<String> {
    let key = match MetaKey::parse(key) {
        Ok(key) => key,
        Err(e) => return Some(e.to_string()),
    };
    MetaValue::from_text(&key, kind, text)
        .err()
        .map(|e| e.to_string())
}

/// Key, value with a type badge, who changed it and when; add, edit and delete in place.
#[component]
pub fn MetadataTable(entries: Vec<MetadataEntry>) -> impl IntoView {
    let site = use_site();
    let empty = entries.is_empty();
    view! {
        <section class="panel" aria-labelledby="metadata-heading">
            <h2 id="metadata-heading">"Metadata"</h2>
            {empty.then(|| view! { <p class="empty">"No metadata yet."</p> })}
            <table class="metadata" class:hidden=empty>
                <thead>
                    <tr>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Value"</th>
                        <th scope="col">"Changed by"</th>
                        <th scope="col">"Changed"</th>
                        {site.can_edit.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|entry| view! { <MetadataRow entry /> }).collect_view()}
                </tbody>
            </table>
            {site.can_edit.then(|| view! { <NewKeyForm /> })}
        </section>
    }
    .into_any()
}

#[component]
fn MetadataRow(entry: MetadataEntry) -> impl IntoView {
    let site = use_site();
    let key = entry.key.as_str().to_owned();
    if !site.can_edit {
        // Read-only rows carry no signal or closure: a page of 200 renders much faster.
        let (key_text, who) = (key.clone(), site.who(&entry.changed_by));
        return view! {
            <tr data-key=key>
                <th scope="row"><code>{key_text}</code></th>
                <ValueCells entry who />
            </tr>
        }
        .into_any();
    }
    let editing = RwSignal::new(false);
    let key_text = key.clone();
    let who = site.who(&entry.changed_by);
    let cells = move || {
        if editing.get() {
            view! {
                <td colspan="4">
                    <ValueEditor
                        key_name=entry.key.as_str().to_owned()
                        kind=entry.value.value_type()
                        text=entry.value.to_text()
                        revision=entry.revision
                        on_done=Callback::new(move |_| editing.set(false))
                    />
                </td>
            }
            .into_any()
        } else {
            view! {
                <ValueCells entry=entry.clone() who=who.clone() />
                <td class="actions">
                    <button class="secondary" on:click=move |_| editing.set(true)>"Edit"</button>
                    <DeleteKey key_name=entry.key.as_str().to_owned() revision=entry.revision />
                </td>
            }
            .into_any()
        }
    };
    view! {
        <tr data-key=key>
            <th scope="row"><code>{key_text}</code></th>
            {cells}
        </tr>
    }
    .into_any()
}

/// The value with its type badge, who changed it and when.
#[component]
fn ValueCells(entry: MetadataEntry, who: String) -> impl IntoView {
    let kind = entry.value.value_type().as_str();
    view! {
        <td class="value">
            <span class="value-text">{entry.value.to_text()}</span>
            " "
            <span class=format!("type-badge type-{kind}")>{kind}</span>
        </td>
        <td>{who}</td>
        <td><Timestamp at=entry.changed_at /></td>
    }
    .into_any()
}

/// A delete button that asks once more before removing the key.
#[component]
fn DeleteKey(key_name: String, revision: i64) -> impl IntoView {
    let site = use_site();
    let delete = Action::new(move |_: &()| {
        let (site, key) = (site.clone(), key_name.clone());
        async move {
            site.reload_if_ok(
                delete_metadata(site.site.to_string(), key, revision, site.csrf.to_string()).await,
            )
        }
    });
    view! {
        <ConfirmAction question="Delete this key?".to_owned() confirm="Delete key" on_confirm=Callback::new(move |_| { delete.dispatch(()); }) />
        {move || delete.value().get().and_then(|r| r.err()).map(|e| view! {
            <p class="form-error" role="alert">{e.to_string()}</p>
        })}
    }
    .into_any()
}

/// The inputs for one value: a type picker and the value (a true/false choice for booleans).
#[component]
fn ValueInputs(
    id: String,
    kind: RwSignal<MetaValueType>,
    text: RwSignal<String>,
    described_by: String,
) -> impl IntoView {
    let type_id = format!("{id}-type");
    view! {
        <label class="sr-only" for=type_id.clone()>"Type"</label>
        // `selected` is for the server's HTML; `prop:value` keeps the picker in step when the
        // form resets `kind` after an edit.
        <select
            id=type_id
            prop:value=move || kind.get().as_str()
            on:change=move |e| {
                let picked = MetaValueType::parse(&event_target_value(&e));
                if picked == MetaValueType::Boolean && !matches!(text.get_untracked().as_str(), "true" | "false") {
                    text.set("true".to_owned());
                }
                kind.set(picked);
            }
        >
            {MetaValueType::ALL.into_iter().map(|t| view! {
                <option value=t.as_str() selected=move || kind.get() == t>{t.as_str()}</option>
            }).collect_view()}
        </select>
        <label class="sr-only" for=id.clone()>"Value"</label>
        {
            let id = id.clone();
            let described_by = described_by.clone();
            move || if kind.get() == MetaValueType::Boolean {
                view! {
                    <select id=id.clone() aria-describedby=described_by.clone() prop:value=move || text.get() on:change=move |e| text.set(event_target_value(&e))>
                        <option value="true" selected=move || text.get() == "true">"true"</option>
                        <option value="false" selected=move || text.get() == "false">"false"</option>
                    </select>
                }.into_any()
            } else {
                view! {
                    <input
                        id=id.clone()
                        type="text"
                        inputmode=move || if kind.get() == MetaValueType::Number { "decimal" } else { "text" }
                        aria-describedby=described_by.clone()
                        prop:value=move || text.get()
                        on:input=move |e| text.set(event_target_value(&e))
                    />
                }.into_any()
            }
        }
    }
    .into_any()
}

#[component]
fn ValueEditor(
    key_name: String,
    kind: MetaValueType,
    text: String,
    revision: i64,
    on_done: Callback<()>,
) -> impl IntoView {
    let site = use_site();
    let kind = RwSignal::new(kind);
    let text = RwSignal::new(text);
    let id = format!(
        "edit-{}",
        key_name
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let feedback = format!("{id}-feedback");
    let save = {
        let (site, key) = (site.clone(), key_name.clone());
        Action::new(move |_: &()| {
            let (site, key) = (site.clone(), key.clone());
            let (kind, text) = (kind.get_untracked(), text.get_untracked());
            async move {
                let result = set_metadata(
                    site.site.to_string(),
                    key,
                    kind.as_str().to_owned(),
                    text,
                    revision,
                    site.csrf.to_string(),
                )
                .await;
                if result.is_ok() {
                    on_done.run(());
                    site.reload();
                }
                result
            }
        })
    };
    let local_problem = {
        let key = key_name.clone();
        move || check(&key, kind.get(), &text.get())
    };
    let problem = local_problem.clone();
    view! {
        <form class="inline-edit" on:submit=move |e| { e.prevent_default(); save.dispatch(()); }>
            <ValueInputs id kind text described_by=feedback.clone() />
            <button type="submit" disabled=move || save.pending().get() || problem().is_some()>"Save"</button>
            <button type="button" class="secondary" on:click=move |_| on_done.run(())>"Cancel"</button>
            <div id=feedback aria-live="polite">
                {move || local_problem().or_else(|| save.value().get().and_then(|r| r.err()).map(|e| e.to_string()))
                    .map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn NewKeyForm() -> impl IntoView {
    let site = use_site();
    let key = RwSignal::new(String::new());
    let kind = RwSignal::new(MetaValueType::String);
    let text = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let add = {
        let site = site.clone();
        Action::new(move |_: &()| {
            let site = site.clone();
            let (k, t, x) = (
                key.get_untracked(),
                kind.get_untracked(),
                text.get_untracked(),
            );
            async move {
                let result = set_metadata(
                    site.site.to_string(),
                    k,
                    t.as_str().to_owned(),
                    x,
                    0,
                    site.csrf.to_string(),
                )
                .await;
                if result.is_ok() {
                    key.set(String::new());
                    kind.set(MetaValueType::String);
                    text.set(String::new());
                    touched.set(false);
                    site.reload();
                }
                result
            }
        })
    };
    let local_problem = move || {
        touched
            .get()
            .then(|| check(&key.get(), kind.get(), &text.get()))
            .flatten()
    };
    view! {
        <form class="new-key" on:submit=move |e| {
            e.prevent_default();
            touched.set(true);
            if check(&key.get_untracked(), kind.get_untracked(), &text.get_untracked()).is_none() {
                add.dispatch(());
            }
        }>
            <h3>"Add a key"</h3>
            <div class="row">
                <label for="new-key-name">"Key"</label>
                <input
                    id="new-key-name"
                    type="text"
                    autocomplete="off"
                    placeholder="e.g. circuit_id"
                    aria-describedby="new-key-feedback"
                    prop:value=move || key.get()
                    on:input=move |e| { touched.set(true); key.set(event_target_value(&e)); }
                />
                <ValueInputs id="new-key-value".to_owned() kind text described_by="new-key-feedback".to_owned() />
                <button type="submit" disabled=move || add.pending().get()>"Add key"</button>
            </div>
            <div id="new-key-feedback" aria-live="polite">
                {move || local_problem().or_else(|| add.value().get().and_then(|r| r.err()).map(|e| e.to_string()))
                    .map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            </div>
        </form>
    }
    .into_any()
}
