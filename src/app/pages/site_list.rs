use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::{NewSiteForm, SiteTable};
use crate::app::functions::sites::{CreateSite, list_sites};

/// `/`: every site, and the form that creates one.
#[component]
pub fn SiteListPage() -> impl IntoView {
    let create = ServerAction::<CreateSite>::new();
    // Refetches whenever a create finishes, so a new site appears without a page load.
    let sites = Resource::new(move || create.version().get(), |_| list_sites());

    view! {
        <Title text="Sites" />
        <h1>"Sites"</h1>
        <NewSiteForm action=create />
        <Transition fallback=|| view! { <p class="muted">"Loading sites…"</p> }>
            {move || Suspend::new(async move {
                match sites.await {
                    Ok(list) => view! { <SiteTable sites=list /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
