use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::{NewSiteForm, SignInPrompt, SiteTable};
use crate::app::functions::session::current_user;
use crate::app::functions::sites::{CreateSite, list_sites};

/// `/`: every site, and the form that creates one.
#[component]
pub fn SiteListPage() -> impl IntoView {
    let create = ServerAction::<CreateSite>::new();
    // Refetches whenever a create finishes, so a new site appears without a page load.
    let sites = Resource::new(move || create.version().get(), |_| list_sites());
    let user = Resource::new(|| (), |_| current_user());

    view! {
        <Title text="Sites" />
        <h1>"Sites"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    // Staff read only, so they get no form.
                    Ok(Some(user)) if user.role != "staff" => {
                        view! { <NewSiteForm action=create csrf=user.csrf /> }.into_any()
                    }
                    Ok(Some(_)) => ().into_any(),
                    _ => view! { <SignInPrompt /> }.into_any(),
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="muted">"Loading sites…"</p> }>
            {move || Suspend::new(async move {
                match sites.await {
                    Ok(list) => view! { <SiteTable sites=list /> }.into_any(),
                    // Not signed in: the prompt above says what to do.
                    Err(crate::app::functions::FnError::Denied(_)) => ().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
