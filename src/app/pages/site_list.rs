use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::app::components::{NewSiteForm, SignInPrompt, SiteTable};
use crate::app::functions::FnError;
use crate::app::functions::session::current_user;
use crate::app::functions::site_overview::TagChoice;
use crate::app::functions::sites::{CreateSite, search_sites};
use crate::core::resources::ResourceType;

/// A link to the list showing this query's results from the cursor `after`.
fn list_url(q: &str, after: i64) -> String {
    let mut url = format!("/?q={}", utf8_percent_encode(q, NON_ALPHANUMERIC));
    if after > 0 {
        url.push_str(&format!("&after={after}"));
    }
    url
}

/// The search term a filter chip stands for; names with spaces are quoted.
fn tag_term(tag: &str, value: &str) -> String {
    let quote = |s: &str| {
        if s.contains(' ') {
            format!("\"{s}\"")
        } else {
            s.to_owned()
        }
    };
    format!("tag:{}={}", quote(tag), quote(value))
}

/// `/`: the sites, searchable with the query language, with filter chips and pages; the form
/// that creates a site for those who may.
#[component]
pub fn SiteListPage() -> impl IntoView {
    let create = ServerAction::<CreateSite>::new();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let after = move || {
        query
            .read()
            .get("after")
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or(0)
    };
    // Refetches whenever the search changes or a create finishes.
    let sites = Resource::new(
        move || (q(), after(), create.version().get()),
        |(q, after, _)| search_sites(q, after),
    );
    let user = Resource::new(|| (), |_| current_user());

    view! {
        <Title text="Sites" />
        <h1>"Sites"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    // Staff read only, so they get no form.
                    Ok(Some(user)) if user.role != "staff" => {
                        view! {
                            <NewSiteForm action=create csrf=user.csrf />
                            <p><a class="button secondary" href="/import">"Import a file…"</a></p>
                        }.into_any()
                    }
                    Ok(Some(_)) => ().into_any(),
                    _ => view! { <SignInPrompt /> }.into_any(),
                }
            })}
        </Suspense>
        <Form method="GET" action="/" attr:class="search" attr:role="search">
            <label for="site-search">"Search sites"</label>
            <div class="row">
                <input id="site-search" type="search" name="q" prop:value=q placeholder="e.g. tag:Region=APAC AND meta.is_critical=true" aria-describedby="search-help" />
                <button type="submit">"Search"</button>
            </div>
            <details id="search-help" class="search-help">
                <summary>"How to search"</summary>
                <ul>
                    <li><code>"router"</code>" or "<code>"name:router*"</code>": by name ("<code>"*"</code>" matches anything)"</li>
                    <li><code>"type:device"</code>": resources of another type (sites are shown unless a type is named)"</li>
                    <li><code>"tag:Region=APAC"</code>", "<code>"tag:Region"</code>", "<code>"-tag:Tier=Gold"</code>": by tag value, any value, or without it"</li>
                    <li><code>"meta.is_critical=true"</code>", "<code>"meta.rack_units>=2"</code>", "<code>"has:meta.circuit_id"</code>": by metadata"</li>
                    <li>"Combine with "<code>"AND"</code>", "<code>"OR"</code>" and parentheses."</li>
                </ul>
            </details>
        </Form>
        <Transition fallback=|| view! { <p class="muted">"Loading sites…"</p> }>
            {move || Suspend::new(async move {
                match sites.await {
                    Ok(listing) => {
                        let current = q();
                        let next = listing.next.map(|cursor| list_url(&current, cursor));
                        let searching = !current.is_empty();
                        let exports = export_links(&listing.searched);
                        view! {
                            <TypeChips types=listing.types current=current.clone() />
                            <FilterChips filters=listing.filters current=current.clone() />
                            {exports}
                            <SiteTable rows=listing.rows names=listing.names searching />
                            <nav class="pages" aria-label="Pages">
                                {(after() > 0).then(|| view! { <a href=list_url(&current, 0)>"First page"</a> })}
                                {next.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
                            </nav>
                        }.into_any()
                    }
                    // Not signed in: the prompt above says what to do.
                    Err(FnError::Denied(_)) => ().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The export of what the list shows (`searched`: its query, the default `type:site`
/// included), in both of the API's formats; the browser downloads it with the session.
fn export_links(searched: &str) -> impl IntoView + use<> {
    let href = |format: &str| {
        format!(
            "/api/v1/resources/export?q={}&format={format}",
            utf8_percent_encode(searched, NON_ALPHANUMERIC)
        )
    };
    view! {
        <p class="exports">
            <a class="button secondary" href=href("csv") download>"Export CSV"</a>
            " "
            <a class="button secondary" href=href("jsonl") download>"Export JSON Lines"</a>
        </p>
    }
}

/// One chip per resource type the tenant has: the list shows sites until one is chosen.
#[component]
fn TypeChips(types: Vec<String>, current: String) -> impl IntoView {
    if types.len() < 2 {
        return ().into_any();
    }
    view! {
        <ul class="chips types" aria-label="Show type">
            {types.into_iter().map(|kind| {
                let term = format!("type:{kind}");
                let active = current == term || (current.is_empty() && kind == ResourceType::SITE);
                view! {
                    <li class="chip" class:active=active>
                        <a href=list_url(&term, 0) aria-current=active.then_some("true")>{kind}</a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One link per allowed value of each site tag; the active one is marked and clears the filter.
#[component]
fn FilterChips(filters: Vec<TagChoice>, current: String) -> impl IntoView {
    if filters.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="chips filters" aria-label="Filter by tag">
            {filters.into_iter().flat_map(|tag| {
                let current = current.clone();
                tag.allowed_values.clone().unwrap_or_default().into_iter().map(move |value| {
                    let term = tag_term(&tag.name, &value);
                    let active = current == term;
                    let href = if active { list_url("", 0) } else { list_url(&term, 0) };
                    view! {
                        <li class="chip" class:active=active style=format!("--chip: {}", tag.colour)>
                            <a href=href aria-current=active.then_some("true")>
                                <span class="chip-name">{tag.name.clone()}</span>
                                <span class="chip-value">{value}</span>
                            </a>
                        </li>
                    }
                })
            }).collect_view()}
        </ul>
    }
    .into_any()
}
