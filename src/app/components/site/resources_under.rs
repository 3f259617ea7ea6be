use leptos::prelude::*;

use crate::app::components::resource_href;
use crate::app::functions::site_overview::ResourceUnder;

/// The resources directly under this one (a site's devices, Nova servers, Data Hub streams…),
/// each with its metadata and a link to its own page: what scripts write through any API face
/// shows up here.
#[component]
pub fn ResourcesUnder(
    resources: Vec<ResourceUnder>,
    total: u64,
    /// The type of the resource they are under, for the heading.
    kind: String,
) -> impl IntoView {
    if resources.is_empty() {
        return ().into_any();
    }
    let shown = resources.len() as u64;
    view! {
        <section class="panel" aria-labelledby="under-heading">
            <h2 id="under-heading">{format!("Under this {kind}")}</h2>
            <ul class="resources-under">
                {resources.into_iter().map(|under| view! { <ResourceCard under /> }).collect_view()}
            </ul>
            {(total > shown).then(|| view! {
                <p class="muted">{format!("The first {shown} of {total}, by name.")}</p>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn ResourceCard(under: ResourceUnder) -> impl IntoView {
    let resource = under.resource;
    let id = resource.id.to_string();
    let id_text = id.clone();
    view! {
        <li class="resource-under" data-id=id>
            <h3>
                <a href=resource_href(resource.kind.as_str(), &id)>{resource.name}</a>
                " "
                <span class="badge">{resource.kind.to_string()}</span>
            </h3>
            <code class="muted">{id_text}</code>
            {(!under.metadata.is_empty()).then(|| view! {
                <dl class="facts">
                    {under.metadata.into_iter().map(|entry| {
                        let key = entry.key.as_str().to_owned();
                        let key_text = key.clone();
                        view! {
                            <dt data-key=key>{key_text}</dt>
                            <dd>{entry.value.to_text()}</dd>
                        }
                    }).collect_view()}
                </dl>
            })}
        </li>
    }
    .into_any()
}
