use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::NotFoundPage;
use crate::app::components::site::{
    FileList, History, MetadataTable, ResourcesUnder, SiteEditing, TagChips, UploadQueue,
};
use crate::app::components::{SignInPrompt, Timestamp, resource_href};
use crate::app::functions::FnError;
use crate::app::functions::site_overview::{Expanded, SiteOverview, get_site_overview};

/// `/sites/{id}`: one site with its tags, metadata, files and history; the not-found page
/// (status 404) for an unknown id.
#[component]
pub fn SitePage() -> impl IntoView {
    view! { <ResourcePage any_type=false /> }
}

/// `/resources/{id}`: any resource (a device, a Nova server, a Data Hub stream…) on the same
/// page as a site, with the files panel only where the type holds files.
#[component]
pub fn AnyResourcePage() -> impl IntoView {
    view! { <ResourcePage any_type=true /> }
}

#[component]
fn ResourcePage(any_type: bool) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // Every edit bumps this, and the page reads the site again: one source of truth, the core.
    let changes = RwSignal::new(0u64);
    UploadQueue::provide();
    let expanded = Memo::new(move |_| {
        let query = query.read();
        Expanded::from_query(query.get_str("files"), query.get_str("history"))
    });
    let overview = Resource::new(
        move || {
            let id = params.read().get("id").unwrap_or_default();
            (id, expanded.get(), changes.get())
        },
        move |(id, expanded, _)| get_site_overview(id, expanded, any_type),
    );

    view! {
        // A Transition keeps the current page on screen while an edit's reload is under way.
        <Transition fallback=|| view! { <p class="muted">"Loading site…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(Some(data)) => view! { <SiteDetails data changes expanded=expanded.get_untracked() /> }.into_any(),
                    Ok(None) => view! { <NotFoundPage /> }.into_any(),
                    Err(FnError::Denied(_)) => view! { <SignInPrompt /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn SiteDetails(data: SiteOverview, changes: RwSignal<u64>, expanded: Expanded) -> impl IntoView {
    let last = data.history.first().map(|c| (c.at, data.who(&c.actor_id)));
    let tag_names = data
        .tag_choices
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .chain(
            data.tags
                .iter()
                .map(|t| (t.value.tag_id.to_string(), t.tag_name.clone())),
        )
        .collect();
    provide_context(SiteEditing {
        site: Arc::from(data.site.id.as_str()),
        csrf: Arc::from(data.csrf.as_str()),
        can_edit: data.can_edit,
        changes,
        names: Arc::new(data.names),
    });
    let site = data.site;
    let is_site = site.kind.is_site();
    let kind = site.kind.to_string();
    view! {
        <Title text=site.name.clone() />
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Sites"</a>
            {(!is_site).then(|| view! {
                " › " <a href=format!("/?q=type%3A{kind}")>{kind.clone()}</a>
            })}
        </nav>
        <header class="site-header">
            <h1>{site.name}</h1>
            <dl class="facts">
                <dt>"Type"</dt>
                <dd><span class="badge">{site.kind.to_string()}</span></dd>
                {data.parent.map(|parent| view! {
                    <dt>"Parent"</dt>
                    <dd><a href=resource_href(&parent.kind, &parent.id)>{parent.name}</a></dd>
                })}
                <dt>"Id"</dt>
                <dd><code>{site.id.to_string()}</code></dd>
                <dt>"Last changed"</dt>
                <dd class="last-change">
                    {match last {
                        Some((at, who)) => view! { <Timestamp at /> " by " <span>{who}</span> }.into_any(),
                        None => view! { <Timestamp at=site.updated_at /> }.into_any(),
                    }}
                </dd>
            </dl>
        </header>
        <TagChips tags=data.tags choices=data.tag_choices />
        <MetadataTable entries=data.metadata />
        <ResourcesUnder resources=data.under total=data.under_count kind=kind.clone() />
        {is_site.then(|| view! { <FileList files=data.files total=data.file_count expanded /> })}
        <History changes=data.history sets=data.change_sets cut=data.history_cut tag_names expanded />
    }
    .into_any()
}
