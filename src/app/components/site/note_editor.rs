use leptos::prelude::*;

use super::use_site;
use crate::app::browser;

/// Writes a new note (`file` is `None`) or edits one in place: `(id, version, name)`.
#[component]
pub fn NoteEditor(file: Option<(String, i64, String)>, on_done: Callback<()>) -> impl IntoView {
    let site = use_site();
    let name = RwSignal::new(file.as_ref().map(|f| f.2.clone()).unwrap_or_default());
    let text = RwSignal::new(String::new());
    let loaded = RwSignal::new(file.is_none());
    let id_base = match &file {
        Some((id, ..)) => format!("note-{id}"),
        None => "new-note".to_owned(),
    };
    // An existing note's text is fetched when the editor opens.
    if let Some((id, ..)) = file.clone() {
        let site = site.clone();
        leptos::task::spawn_local(async move {
            if let Ok(current) = browser::note_text(&site.site, &id).await {
                text.set(current);
            }
            loaded.set(true);
        });
    }
    // Saving starts on submit, in the browser, as a local task (see `DeleteFile` for why not
    // an `Action::new_local`, whose closure a server render could drop on another thread).
    let (saving, error) = (RwSignal::new(false), RwSignal::new(None::<String>));
    let save = move || {
        let (site, file) = (site.clone(), file.clone());
        let (n, t) = (name.get_untracked(), text.get_untracked());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let target = file
                .as_ref()
                .map(|(id, version, _)| (id.as_str(), *version));
            let result = browser::save_note(&site.site, target, &n, &t, &site.csrf).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    on_done.run(());
                    site.reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let (name_id, text_id) = (format!("{id_base}-name"), format!("{id_base}-text"));
    view! {
        <form class="note-editor" on:submit=move |e| { e.prevent_default(); save(); }>
            <label for=name_id.clone()>"Note title"</label>
            <input id=name_id type="text" required prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            <label for=text_id.clone()>"Text"</label>
            <textarea id=text_id rows="6" prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e)) disabled=move || !loaded.get()></textarea>
            <div class="row">
                <button type="submit" disabled=move || saving.get() || !loaded.get()>"Save note"</button>
                <button type="button" class="secondary" on:click=move |_| on_done.run(())>"Cancel"</button>
            </div>
            <div aria-live="polite">
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </div>
        </form>
    }
    .into_any()
}
