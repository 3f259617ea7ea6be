use leptos::prelude::*;
use serde_json::Value;

use super::use_site;
use crate::app::components::Timestamp;
use crate::app::functions::change_sets::{revert_change_set, revert_preview};
use crate::app::functions::site_overview::{Expanded, HISTORY_MOST};
use crate::core::change_sets::ChangeSetSummary;
use crate::core::changes::{Action, ChangeRecord};

/// A recorded value as a short line: strings bare, files by name, anything else as JSON.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(o) => match o.get("name") {
            Some(Value::String(name)) => name.clone(),
            _ => value.to_string(),
        },
        other => other.to_string(),
    }
}

/// What a change did, in words.
fn describe(change: &ChangeRecord, tag_names: &dyn Fn(&str) -> String) -> String {
    let action = change.action;
    let thing = match action {
        Action::MetadataSet | Action::MetadataRemove => format!("metadata '{}'", change.subject),
        Action::TagSet | Action::TagRemove => format!("tag {}", tag_names(&change.subject)),
        Action::FileAdd | Action::FileUpdate | Action::FileDelete => "file".to_owned(),
        _ => String::new(),
    };
    // A resource's own records name its type as their subject ("site", "device", …).
    let verb = match action {
        Action::ResourceCreate => return format!("created the {}", change.subject),
        Action::ResourceImport => return format!("imported the {}", change.subject),
        Action::ResourceDelete => return format!("deleted the {}", change.subject),
        Action::ResourceParent => "changed the parent",
        Action::MetadataSet | Action::TagSet => "set",
        Action::MetadataRemove | Action::TagRemove => "removed",
        Action::FileAdd => "added",
        Action::FileUpdate => "changed",
        Action::FileDelete => "deleted",
        other => other.as_str(),
    };
    format!("{verb} {thing}").trim().to_owned()
}

/// One change set's line in the history: "Imported by alice from sites.csv: 412 changes on 412
/// resources · comment".
fn heading(set: Option<&ChangeSetSummary>, who: &str, records: usize) -> String {
    let Some(set) = set else {
        return who.to_owned();
    };
    let size = if set.resources > 1 {
        format!("{} changes on {} resources", set.records, set.resources)
    } else if set.records > 1 {
        format!("{} changes", set.records)
    } else {
        format!("{records} change")
    };
    let comment = set
        .comment
        .as_deref()
        .map(|c| format!(" · “{c}”"))
        .unwrap_or_default();
    let source = set
        .source
        .as_deref()
        .map(|file| format!(" from {file}"))
        .unwrap_or_default();
    format!("{} by {who}{source}: {size}{comment}", set.via.verb())
}

/// The site's changes, newest first, grouped by change set (one request, import or revert
/// each): who, how, what, old → new; each set with "Revert…" for those who may. `cut` says
/// older ones were left out.
#[component]
pub fn History(
    changes: Vec<ChangeRecord>,
    sets: Vec<ChangeSetSummary>,
    cut: bool,
    tag_names: Vec<(String, String)>,
    expanded: Expanded,
) -> impl IntoView {
    let site = use_site();
    let name_of = move |id: &str| {
        tag_names
            .iter()
            .find(|(tag, _)| tag == id)
            .map(|(_, name)| format!("'{name}'"))
            .unwrap_or_else(|| id.to_owned())
    };
    let empty = changes.is_empty();
    let more = cut.then(|| {
        if expanded.history {
            view! {
                <p class="more">
                    {format!("The latest {HISTORY_MOST} changes; the API's /api/v1/change-sets?resource={} has them all.", site.site)}
                </p>
            }
            .into_any()
        } else {
            let all = Expanded {
                history: true,
                ..expanded
            };
            view! { <p class="more"><a href=all.query()>"Show older changes"</a></p> }.into_any()
        }
    });
    // Consecutive records of one set (newest first, so a set's records are together).
    let mut groups: Vec<(Option<String>, Vec<ChangeRecord>)> = Vec::new();
    for change in changes {
        match groups.last_mut() {
            Some((set, records)) if set.is_some() && *set == change.change_set => {
                records.push(change)
            }
            _ => groups.push((change.change_set.clone(), vec![change])),
        }
    }
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            {empty.then(|| view! { <p class="empty">"No changes recorded."</p> })}
            <ol class="timeline">
                {groups.into_iter().map(|(set_id, records)| {
                    let summary = sets.iter().find(|s| Some(s.id.as_str()) == set_id.as_deref());
                    let who = site.who(&records[0].actor_id);
                    let title = heading(summary, &who, records.len());
                    let at = records[0].at;
                    let revertible = site.can_edit && set_id.is_some();
                    view! {
                        <li class="change-set" data-change-set=set_id.clone().unwrap_or_default()>
                            <div class="change-set-head">
                                <Timestamp at />
                                <span class="how">{title}</span>
                                {revertible.then(|| view! { <RevertChangeSet set=set_id.clone().unwrap_or_default() /> })}
                            </div>
                            <ol class="change-set-records">
                                {records.into_iter().map(|change| {
                                    let what = describe(&change, &name_of);
                                    let old = change.old.as_ref().map(show);
                                    let new = change.new.as_ref().map(show);
                                    view! {
                                        <li>
                                            <span class="what">{what}</span>
                                            {(old.is_some() || new.is_some()).then(|| view! {
                                                <span class="values">
                                                    {old.map(|o| view! { <del>{o}</del> })}
                                                    {(change.old.is_some() && change.new.is_some()).then_some(" → ")}
                                                    {new.map(|n| view! { <ins>{n}</ins> })}
                                                </span>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {more}
        </section>
    }
    .into_any()
}

/// "Revert…": shows what reverting the set would put back, and anything changed again since,
/// before the person confirms; conflicts turn the button into "Revert anyway".
#[component]
fn RevertChangeSet(set: String) -> impl IntoView {
    let site = use_site();
    let set = StoredValue::new(set);
    let preview = leptos::prelude::Action::new(move |_: &()| {
        let set = set.get_value();
        async move { revert_preview(set).await }
    });
    let revert = leptos::prelude::Action::new(move |force: &bool| {
        let (site, set, force) = (site.clone(), set.get_value(), *force);
        async move { site.reload_if_ok(revert_change_set(set, force, site.csrf.to_string()).await) }
    });
    let open = RwSignal::new(false);
    view! {
        <button
            class="link revert-open"
            disabled=move || preview.pending().get()
            on:click=move |_| {
                open.set(true);
                preview.dispatch(());
            }
        >"Revert…"</button>
        {move || (open.get()).then(|| match preview.value().get() {
            None => view! { <div class="revert-preview" role="status">"Looking at what would change…"</div> }.into_any(),
            Some(Err(e)) => view! { <div class="revert-preview"><p class="form-error" role="alert">{e.to_string()}</p></div> }.into_any(),
            Some(Ok(plan)) => {
                let conflicted = !plan.conflicts.is_empty();
                let nothing = plan.steps.is_empty();
                view! {
                    <div class="revert-preview" role="dialog" aria-label="Revert this change">
                        {nothing.then(|| view! { <p>"Everything this change did is already undone."</p> })}
                        {(!nothing).then(|| view! {
                            <p>"Reverting puts back:"</p>
                            <ul class="revert-steps">
                                {plan.steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                            </ul>
                            {(plan.more_steps > 0).then(|| view! {
                                <p class="muted">{format!("…and {} more.", plan.more_steps)}</p>
                            })}
                        })}
                        {conflicted.then(|| view! {
                            <p class="warning" role="alert">"Changed again since — reverting would undo these too:"</p>
                            <ul class="revert-conflicts">
                                {plan.conflicts.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                            </ul>
                            {(plan.more_conflicts > 0).then(|| view! {
                                <p class="muted">{format!("…and {} more.", plan.more_conflicts)}</p>
                            })}
                        })}
                        <div class="actions">
                            {(!nothing).then(|| view! {
                                <button
                                    class=if conflicted { "danger" } else { "" }
                                    disabled=move || revert.pending().get()
                                    on:click=move |_| { revert.dispatch(conflicted); }
                                >{if conflicted { "Revert anyway" } else { "Revert" }}</button>
                            })}
                            <button class="link" on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                        {move || revert.value().get().and_then(|r| r.err()).map(|e| view! {
                            <p class="form-error" role="alert">{e.to_string()}</p>
                        })}
                    </div>
                }
                .into_any()
            }
        })}
    }
    .into_any()
}
