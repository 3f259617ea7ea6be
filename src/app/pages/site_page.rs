use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::NotFoundPage;
use crate::app::components::{SignInPrompt, Timestamp};
use crate::app::functions::sites::get_site;
use crate::core::resources::Resource as Site;

/// `/sites/{id}`: one site; the not-found page (status 404) for an unknown id.
#[component]
pub fn SitePage() -> impl IntoView {
    let params = use_params_map();
    let site = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_site,
    );

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading site…"</p> }>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(Some(site)) => view! { <SiteDetails site /> }.into_any(),
                    Ok(None) => view! { <NotFoundPage /> }.into_any(),
                    Err(crate::app::functions::FnError::Denied(_)) => {
                        view! { <SignInPrompt /> }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SiteDetails(site: Site) -> impl IntoView {
    view! {
        <Title text=site.name.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Sites"</a>
        </nav>
        <h1>{site.name}</h1>
        <dl class="facts">
            <dt>"Type"</dt>
            <dd>
                <span class="badge">{site.kind.to_string()}</span>
            </dd>
            <dt>"Id"</dt>
            <dd>
                <code>{site.id.to_string()}</code>
            </dd>
            <dt>"Created"</dt>
            <dd>
                <Timestamp at=site.created_at />
            </dd>
            <dt>"Last changed"</dt>
            <dd>
                <Timestamp at=site.updated_at />
            </dd>
        </dl>
    }
}
