use std::collections::HashMap;

use leptos::prelude::*;

use super::{Timestamp, resource_href};
use crate::core::listing::ListedResource;

/// The list's table (sites, or the types a search asks for): name, type, tag chips, file
/// count, last change.
#[component]
pub fn SiteTable(
    rows: Vec<ListedResource>,
    names: HashMap<String, String>,
    searching: bool,
) -> impl IntoView {
    if rows.is_empty() {
        let message = if searching {
            "Nothing matches this search."
        } else {
            "No sites yet. Create the first one above."
        };
        return view! { <p class="empty">{message}</p> }.into_any();
    }
    let who = move |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    view! {
        <table class="sites">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Tags"</th>
                    <th scope="col">"Files"</th>
                    <th scope="col">"Last change"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let site = row.resource;
                        let last = row.last_change.map(|(at, by)| (at, who(&by)));
                        view! {
                            <tr>
                                <td>
                                    <a href=resource_href(site.kind.as_str(), site.id.as_str())>{site.name}</a>
                                </td>
                                <td>
                                    <span class="badge">{site.kind.to_string()}</span>
                                </td>
                                <td>
                                    <ul class="chips compact">
                                        {row.tags.into_iter().map(|tag| view! {
                                            <li class="chip" style=format!("--chip: {}", tag.colour.as_str())>
                                                <span class="chip-name">{tag.tag_name}</span>
                                                <span class="chip-value">{tag.value.value}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </td>
                                <td class="count">{row.files}</td>
                                <td>
                                    {match last {
                                        Some((at, by)) => view! { <Timestamp at /> <span class="muted">{format!(" by {by}")}</span> }.into_any(),
                                        None => view! { <Timestamp at=site.updated_at /> }.into_any(),
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
