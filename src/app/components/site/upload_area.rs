use leptos::prelude::*;
use web_sys::{File, FileList};

use super::use_site;
use crate::app::browser::{Upload, UploadEvent};
use crate::app::components::site::file_list::human_size;

/// One file being sent, as its row shows it.
#[derive(Clone, Copy)]
struct Sending {
    id: u64,
    name: StoredValue<String>,
    sent: RwSignal<f64>,
    total: RwSignal<f64>,
    outcome: RwSignal<Option<UploadEvent>>,
    // The browser request, kept so the cancel button can stop it (browser objects stay local).
    upload: StoredValue<Option<Upload>, LocalStorage>,
}

/// The page's uploads. They outlive the parts of the page that re-render after each change, so
/// the page creates this once and every row's state belongs to the page's owner.
#[derive(Clone)]
pub struct UploadQueue {
    rows: RwSignal<Vec<Sending>>,
    owner: Owner,
}

impl UploadQueue {
    /// Made by the site page, for the upload area inside it.
    pub fn provide() {
        provide_context(Self {
            rows: RwSignal::new(Vec::new()),
            owner: Owner::current().expect("a component has an owner"),
        });
    }
}

fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Upload by button or by dropping files, several at once, each with a progress bar fed by the
/// bytes the browser has sent, and a cancel button.
#[component]
pub fn UploadArea() -> impl IntoView {
    let site = use_site();
    let queue = expect_context::<UploadQueue>();
    let sending = queue.rows;
    let dragging = RwSignal::new(false);

    let start = move |files: Vec<File>| {
        for file in files {
            let id = sending.with_untracked(|rows| rows.last().map_or(0, |r| r.id + 1));
            let row = queue.owner.with(|| Sending {
                id,
                name: StoredValue::new(file.name()),
                sent: RwSignal::new(0.0),
                total: RwSignal::new(file.size()),
                outcome: RwSignal::new(None),
                upload: StoredValue::new_local(None),
            });
            let reload = site.clone();
            let report = move |event: UploadEvent| match event {
                UploadEvent::Progress { sent, total } => {
                    row.sent.set(sent);
                    row.total.set(total);
                }
                finished => {
                    if finished == UploadEvent::Done {
                        row.sent.set(row.total.get_untracked());
                        reload.reload();
                    }
                    row.outcome.set(Some(finished));
                }
            };
            match Upload::start(&site.site, &file, &site.csrf, report) {
                Ok(upload) => row.upload.set_value(Some(upload)),
                Err(message) => row.outcome.set(Some(UploadEvent::Failed(message))),
            }
            sending.update(|rows| rows.push(row));
        }
    };

    let start_on_drop = start.clone();
    view! {
        <div
            class="upload-area"
            class:dragging=move || dragging.get()
            on:dragover=move |e| { e.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |e: web_sys::DragEvent| {
                e.prevent_default();
                dragging.set(false);
                start_on_drop(files_of(e.data_transfer().and_then(|d| d.files())));
            }
        >
            <p>"Drop photos, diagrams and documents here, or"</p>
            <label class="button" for="upload-input">"Choose files"</label>
            <input
                id="upload-input"
                class="visually-hidden-file"
                type="file"
                multiple
                on:change=move |e| {
                    let input = event_target::<web_sys::HtmlInputElement>(&e);
                    start(files_of(input.files()));
                    input.set_value("");
                }
            />
            <ul class="uploads" aria-live="polite">
                <For each=move || sending.get() key=|row| row.id let:row>
                    <UploadRow row on_dismiss=Callback::new(move |_| sending.update(|rows| rows.retain(|r| r.id != row.id))) />
                </For>
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn UploadRow(row: Sending, on_dismiss: Callback<()>) -> impl IntoView {
    let name = row.name.get_value();
    let percent = move || {
        let total = row.total.get();
        if total > 0.0 {
            (row.sent.get() / total * 100.0).round()
        } else {
            0.0
        }
    };
    view! {
        <li class="upload">
            <span class="upload-name">{name.clone()}</span>
            <progress
                max="100"
                value=move || percent().to_string()
                aria-label=format!("Upload of {name}")
            ></progress>
            <span class="upload-status">
                {move || match row.outcome.get() {
                    None => format!("{}% of {}", percent(), human_size(row.total.get() as u64)),
                    Some(UploadEvent::Done) => "Uploaded".to_owned(),
                    Some(UploadEvent::Cancelled) => "Cancelled".to_owned(),
                    Some(UploadEvent::Failed(message)) => message,
                    Some(UploadEvent::Progress { .. }) => String::new(),
                }}
            </span>
            {move || if row.outcome.get().is_none() {
                view! {
                    <button class="secondary" on:click=move |_| row.upload.with_value(|u| if let Some(u) = u { u.cancel() })>
                        "Cancel" <span class="sr-only">{format!(" upload of {}", row.name.get_value())}</span>
                    </button>
                }.into_any()
            } else {
                view! { <button class="secondary" on:click=move |_| on_dismiss.run(())>"Dismiss"</button> }.into_any()
            }}
        </li>
    }
    .into_any()
}
