use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use send_wrapper::SendWrapper;
use web_sys::File;

use crate::app::browser::Transfer;
use crate::app::browser::import::{self, ImportAnswer, ImportEvent, POLL_EVERY};
use crate::app::components::{ImportReportView, SignInPrompt};
use crate::app::functions::session::current_user;

/// Where the page is in its one flow: choose a file, see its preview, import it.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Choosing,
    /// A preview or a commit under way.
    Running {
        commit: bool,
    },
    Previewed(ImportAnswer),
    Imported(ImportAnswer),
    /// The server refused the commit (a row changed since the preview): nothing was written.
    Refused(ImportAnswer),
    Failed(String),
}

/// How far a running import has got, as its bar shows it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Progress {
    sent: f64,
    total: f64,
    phase: String,
    rows: u64,
}

/// How long a request runs before the page shows its progress: a small file's preview answers
/// before a bar would be read.
const BAR_AFTER: Duration = Duration::from_secs(1);

/// `/import`: a CSV or NDJSON file of resources, previewed (counts, and each bad row with its
/// line and column), then imported as one change set. Managers and admins only; the API
/// decides again what each row may change.
#[component]
pub fn ImportPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Import" />
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Sites"</a></nav>
        <h1>"Import resources"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) if user.role != "staff" => view! { <ImportFlow csrf=user.csrf /> }.into_any(),
                    Ok(Some(_)) => view! { <p class="error" role="alert">"Only managers and admins import; staff read."</p> }.into_any(),
                    _ => view! { <SignInPrompt /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ImportFlow(csrf: String) -> impl IntoView {
    let step = RwSignal::new(Step::Choosing);
    let progress = RwSignal::new(Progress::default());
    let bar_shown = RwSignal::new(false);
    let file_name = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);
    // Browser objects, set only by the browser's event handlers: the server's render (on any
    // of its threads) holds `None` and never a wrapper it could not drop.
    let file = StoredValue::new(None::<SendWrapper<File>>);
    let running = StoredValue::new(None::<SendWrapper<Transfer>>);
    let csrf = StoredValue::new(csrf);

    let run = move |commit: bool| {
        let Some(chosen) = file.get_value() else {
            return;
        };
        let id = import::progress_id();
        step.set(Step::Running { commit });
        progress.set(Progress::default());
        bar_shown.set(false);
        set_timeout(
            move || {
                if matches!(step.get_untracked(), Step::Running { .. }) {
                    bar_shown.set(true);
                }
            },
            BAR_AFTER,
        );
        let polled = id.clone();
        let poll = set_interval_with_handle(
            move || {
                let id = polled.clone();
                leptos::task::spawn_local(async move {
                    if let Some(rows) = import::row_progress(&id).await {
                        progress.update(|p| {
                            p.phase = rows.phase;
                            p.rows = rows.rows;
                        });
                    }
                });
            },
            POLL_EVERY,
        )
        .ok();
        let report = move |event: ImportEvent| {
            let finished = match event {
                ImportEvent::Sent { sent, total } => {
                    progress.update(|p| {
                        p.sent = sent;
                        p.total = total;
                    });
                    return;
                }
                ImportEvent::Answered(answer) if !commit => Step::Previewed(answer),
                ImportEvent::Answered(answer)
                    if answer.change_set.is_some() || answer.errors.is_empty() =>
                {
                    Step::Imported(answer)
                }
                ImportEvent::Answered(answer) => Step::Refused(answer),
                ImportEvent::Failed(message) => Step::Failed(message),
                ImportEvent::Cancelled => Step::Choosing,
            };
            if let Some(poll) = poll {
                poll.clear();
            }
            step.set(finished);
        };
        match import::start(
            &chosen,
            commit,
            &comment.get_untracked(),
            &id,
            &csrf.get_value(),
            report,
        ) {
            Ok(transfer) => running.set_value(Some(SendWrapper::new(transfer))),
            Err(message) => {
                if let Some(poll) = poll {
                    poll.clear();
                }
                step.set(Step::Failed(message));
            }
        }
    };
    let choose = move |chosen: Option<File>| {
        if let Some(chosen) = chosen {
            file_name.set(chosen.name());
            file.set_value(Some(SendWrapper::new(chosen)));
            run(false);
        }
    };

    view! {
        <section class="panel import">
            <div
                class="upload-area"
                class:dragging=move || dragging.get()
                on:dragover=move |e| { e.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |e: web_sys::DragEvent| {
                    e.prevent_default();
                    dragging.set(false);
                    choose(e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
                }
            >
                <p>"Drop a CSV or NDJSON file here, or"</p>
                <label class="button" for="import-file">"Choose a file"</label>
                <input
                    id="import-file"
                    class="visually-hidden-file"
                    type="file"
                    accept=".csv,.tsv,.txt,.jsonl,.ndjson,text/csv,application/x-ndjson"
                    on:change=move |e| {
                        let input = event_target::<web_sys::HtmlInputElement>(&e);
                        choose(input.files().and_then(|f| f.get(0)));
                        input.set_value("");
                    }
                />
                <p class="muted">
                    "Columns: "<code>"id"</code>", "<code>"type"</code>", "<code>"name"</code>", "<code>"parent"</code>", "
                    <code>"tag:Region"</code>", "<code>"meta.rack_units:number"</code>". An empty cell leaves a value as it is; "
                    <code>"~"</code>" removes it. Nothing is written until you press Import."
                </p>
            </div>
            {move || (!file_name.get().is_empty()).then(|| view! {
                <p class="import-file">"File: " <strong>{file_name.get()}</strong></p>
            })}
            {move || match step.get() {
                Step::Choosing => ().into_any(),
                Step::Running { commit } => view! {
                    <div class="import-running" role="status">
                        <p>{if commit { "Importing…" } else { "Checking the file…" }}</p>
                        {move || bar_shown.get().then(|| {
                            let p = progress.get();
                            let sending = p.total > 0.0 && p.sent < p.total;
                            let percent = if p.total > 0.0 { (p.sent / p.total * 100.0).round() } else { 0.0 };
                            view! {
                                <progress max="100" value=percent.to_string() aria-label="Import progress"></progress>
                                <p class="muted import-rows">{
                                    if sending {
                                        format!("Sending the file: {percent}%")
                                    } else {
                                        match p.phase.as_str() {
                                            "waiting" => "Waiting for the other writes to finish…".to_owned(),
                                            "checking" if commit => format!("Writing rows: {} so far", p.rows),
                                            "checking" => format!("Checking rows: {} so far", p.rows),
                                            _ => "Finishing…".to_owned(),
                                        }
                                    }
                                }</p>
                            }
                        })}
                        <button class="secondary" on:click=move |_| running.with_value(|r| if let Some(r) = r { r.cancel() })>"Cancel"</button>
                    </div>
                }.into_any(),
                Step::Previewed(answer) => {
                    let clean = answer.errors.is_empty();
                    let writes = answer.creates + answer.updates > 0;
                    view! {
                        <h2>"Preview"</h2>
                        <ImportReportView answer=answer.clone() committed=false />
                        {if clean && writes {
                            view! {
                                <div class="import-commit">
                                    <label for="import-comment">"Comment (kept with the change set)"</label>
                                    <input id="import-comment" type="text" maxlength="1000"
                                        prop:value=move || comment.get()
                                        on:input=move |e| comment.set(event_target_value(&e)) />
                                    <button on:click=move |_| run(true)>"Import"</button>
                                </div>
                            }.into_any()
                        } else if clean {
                            view! { <p class="muted">"Nothing to import: every row is as stored."</p> }.into_any()
                        } else {
                            view! { <p class="error" role="alert">"Fix the rows above and choose the file again; nothing is imported while any row has an error."</p> }.into_any()
                        }}
                    }.into_any()
                }
                Step::Imported(answer) => view! {
                    <h2>"Imported"</h2>
                    <ImportReportView answer committed=true />
                    <p><a href="/">"Back to the list"</a></p>
                }.into_any(),
                Step::Refused(answer) => view! {
                    <h2>"Not imported"</h2>
                    <p class="error" role="alert">"The import was refused and nothing was written: the rows below changed since the preview."</p>
                    <ImportReportView answer committed=false />
                }.into_any(),
                Step::Failed(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            }}
        </section>
    }
    .into_any()
}
