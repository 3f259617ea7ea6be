use leptos::prelude::*;
use serde_json::Value;

use super::use_site;
use crate::app::components::Timestamp;
use crate::app::functions::site_overview::{Expanded, HISTORY_MOST};
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
    let verb = match action {
        Action::ResourceCreate => "created the site",
        Action::ResourceImport => "imported the site",
        Action::ResourceDelete => "deleted the site",
        Action::ResourceParent => "moved the site",
        Action::MetadataSet | Action::TagSet => "set",
        Action::MetadataRemove | Action::TagRemove => "removed",
        Action::FileAdd => "added",
        Action::FileUpdate => "changed",
        Action::FileDelete => "deleted",
        other => other.as_str(),
    };
    format!("{verb} {thing}").trim().to_owned()
}

/// The site's changes, newest first: what, old → new, who and when. `cut` says older ones
/// were left out.
#[component]
pub fn History(
    changes: Vec<ChangeRecord>,
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
                    {format!("The latest {HISTORY_MOST} changes; the API's /api/v1/metadata/{}/changes has them all.", site.site)}
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
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            {empty.then(|| view! { <p class="empty">"No changes recorded."</p> })}
            <ol class="timeline">
                {changes.into_iter().map(|change| {
                    let what = describe(&change, &name_of);
                    let old = change.old.as_ref().map(show);
                    let new = change.new.as_ref().map(show);
                    view! {
                        <li>
                            <Timestamp at=change.at />
                            <span class="who">{site.who(&change.actor_id)}</span>
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
            {more}
        </section>
    }
    .into_any()
}
