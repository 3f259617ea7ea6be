use leptos::prelude::*;

use super::note_editor::NoteEditor;
use super::upload_area::UploadArea;
use super::use_site;
use crate::app::browser;
use crate::app::components::{ConfirmAction, Timestamp};
use crate::app::functions::site_overview::Expanded;
use crate::core::files::{FileKind, SiteFile};

/// Sizes as people read them: 1,000-based units, like file managers show.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1000.0;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

fn icon(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Document => "📄",
        FileKind::Image => "🖼",
        FileKind::Diagram => "📐",
        FileKind::Note => "📝",
    }
}

fn content_url(file: &SiteFile) -> String {
    format!("/api/v1/sites/{}/files/{}/content", file.site_id, file.id)
}

/// The site's files, newest first, with uploads and notes; `total` counts those not shown.
#[component]
pub fn FileList(files: Vec<SiteFile>, total: u64, expanded: Expanded) -> impl IntoView {
    let site = use_site();
    let writing_note = RwSignal::new(false);
    let empty = files.is_empty();
    let shown = files.len() as u64;
    let more = (shown < total).then(|| {
        let all = Expanded {
            files: true,
            ..expanded
        };
        view! {
            <p class="more">
                {format!("The newest {shown} of {total} files. ")}
                <a href=all.query()>{format!("Show all {total} files")}</a>
            </p>
        }
    });
    view! {
        <section class="panel" aria-labelledby="files-heading">
            <h2 id="files-heading">"Files"</h2>
            {site.can_edit.then(|| view! {
                <UploadArea />
                <Show when=move || writing_note.get() fallback=move || view! {
                    <button class="secondary" on:click=move |_| writing_note.set(true)>"Write a note"</button>
                }>
                    <NoteEditor file=None on_done=Callback::new(move |_| writing_note.set(false)) />
                </Show>
            })}
            {empty.then(|| view! { <p class="empty">"No files yet."</p> })}
            <ul class="files">
                {files.into_iter().map(|file| view! { <FileRow file /> }).collect_view()}
            </ul>
            {more}
        </section>
    }
    .into_any()
}

#[component]
fn FileRow(file: SiteFile) -> impl IntoView {
    let site = use_site();
    let url = content_url(&file);
    let is_image = file.kind == FileKind::Image && file.content_type.starts_with("image/");
    let is_note = file.kind == FileKind::Note;
    let name = file.name.clone();
    // Signals only where something can change: a preview toggle for images, note editing for
    // those who may edit. A page of read-only rows renders faster without them.
    let previewing = is_image.then(|| RwSignal::new(false));
    let editing = (site.can_edit && is_note).then(|| RwSignal::new(false));
    let note_file = (file.id.to_string(), file.version, file.name.clone());
    view! {
        <li class="file" data-file=file.id.to_string()>
            <div class="file-main">
                {match previewing {
                    Some(previewing) => {
                        let (url, name) = (url.clone(), name.clone());
                        view! {
                            <button
                                class="thumb"
                                aria-label=format!("Preview {name}")
                                aria-expanded=move || previewing.get().to_string()
                                on:click=move |_| previewing.update(|p| *p = !*p)
                            >
                                <img src=url alt="" loading="lazy" width="56" height="56" />
                            </button>
                        }.into_any()
                    }
                    None => view! { <span class="file-icon" aria-hidden="true">{icon(file.kind)}</span> }.into_any(),
                }}
                <div class="file-text">
                    <a class="file-name" href=url.clone() download=name.clone()>{name.clone()}</a>
                    <span class="muted">
                        <span class="kind">{file.kind.as_str()}</span>
                        " · " {human_size(file.size)} " · " {site.who(&file.uploaded_by)} " · "
                        <Timestamp at=file.uploaded_at />
                    </span>
                    {(!file.description.is_empty()).then(|| view! { <span class="description">{file.description.clone()}</span> })}
                </div>
                <div class="actions">
                    <a class="button secondary" href=url.clone() download=name.clone()>
                        "Download" <span class="sr-only">{format!(" {name}")}</span>
                    </a>
                    {editing.map(|editing| view! {
                        <button class="secondary" on:click=move |_| editing.set(true)>"Edit note"</button>
                    })}
                    {site.can_edit.then(|| view! { <DeleteFile file=file.clone() /> })}
                </div>
            </div>
            {previewing.map(|previewing| {
                let (url, name) = (url.clone(), name.clone());
                view! {
                    <Show when=move || previewing.get()>
                        <img class="preview" src=url.clone() alt=format!("Preview of {name}") />
                    </Show>
                }
            })}
            {editing.map(|editing| {
                let note_file = StoredValue::new(note_file);
                view! {
                    <Show when=move || editing.get()>
                        <NoteEditor file=Some(note_file.get_value()) on_done=Callback::new(move |_| editing.set(false)) />
                    </Show>
                }
            })}
        </li>
    }
    .into_any()
}

#[component]
fn DeleteFile(file: SiteFile) -> impl IntoView {
    let site = use_site();
    let name = file.name.clone();
    // The request starts on click, in the browser, as a local task: an `Action::new_local`
    // holds its non-Send closure from the first render, and on the server that render may be
    // dropped on another thread than it was made on, which `SendWrapper` answers with a panic.
    let error = RwSignal::new(None::<String>);
    let (id, version) = (file.id.to_string(), file.version);
    let on_confirm = Callback::new(move |_| {
        let (site, id) = (site.clone(), id.clone());
        leptos::task::spawn_local(async move {
            let done = browser::delete_file(&site.site, &id, version, &site.csrf).await;
            error.set(site.reload_if_ok(done).err());
        });
    });
    view! {
        <ConfirmAction question=format!("Delete {name}?") confirm="Delete file" on_confirm=on_confirm />
        {move || error.get().map(|e| view! {
            <p class="form-error" role="alert">{e}</p>
        })}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(5_000_000), "5.0 MB");
        assert_eq!(human_size(1_234_567_890), "1.2 GB");
    }
}
