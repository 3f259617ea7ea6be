use leptos::prelude::*;

use super::FnError;
use crate::core::resources::Resource;

// Server functions live under /rpc with fixed names, keeping /api free for the REST API and
// giving scripts and tests stable URLs.

/// Creates a site. The name is checked by the core's rules; nothing is written when it fails.
#[server(prefix = "/rpc", endpoint = "create_site")]
pub async fn create_site(name: String, csrf: String) -> Result<Resource, FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::resources::{ResourceName, ResourceType};

    let actor = actor_for_change(&csrf).await?;
    store()?
        .create_resource(
            &actor,
            &ResourceType::site(),
            ResourceName::parse(&name),
            crate::core::random::id_bits(),
        )
        .await
        .map_err(fail)
}

/// A page of the site list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SiteListing {
    pub rows: Vec<crate::core::listing::ListedResource>,
    /// The cursor of the next page, when there is one.
    pub next: Option<i64>,
    /// User and token ids to the names people know them by.
    pub names: std::collections::HashMap<String, String>,
    /// Tags that apply to sites and have fixed values: the list's filter chips.
    pub filters: Vec<super::site_overview::TagChoice>,
    /// The types the tenant has resources of: the list's type chips.
    pub types: Vec<String>,
    /// The query the list ran, its default `type:site` included: what "Export" exports.
    pub searched: String,
}

/// Sites per page of the list.
pub const SITES_PER_PAGE: u32 = 50;

/// Resources matching a query in the search language, a page at a time: sites only unless the
/// query names a type (`type:device`), so the list stays the site list people know.
#[server(prefix = "/rpc", endpoint = "search_sites")]
pub async fn search_sites(q: String, after: i64) -> Result<SiteListing, FnError> {
    use super::server_context::{actor, fail, store};
    use super::site_overview::TagChoice;
    use crate::core::resources::ResourceType;
    use crate::core::search::{Query, Term, parse};
    use crate::core::tags::CorrelationType;

    let actor = actor().await?;
    let store = store()?;
    let sites = Query::Term(Term::Type(ResourceType::SITE.to_owned()));
    let site_term = format!("type:{}", ResourceType::SITE);
    let (query, searched) = match parse(&q).map_err(|e| fail(e.into()))? {
        Some(parsed) if parsed.names_a_type() => (parsed, q.trim().to_owned()),
        Some(parsed) => (
            Query::All(vec![sites, parsed]),
            format!("{site_term} AND ({})", q.trim()),
        ),
        None => (sites, site_term),
    };
    let (found, names, tags, types) = tokio::join!(
        store.list_with_summaries(&actor, Some(&query), after, SITES_PER_PAGE + 1),
        store.principal_names(&actor),
        store.tags_for(&actor, CorrelationType::Site),
        store.resource_types(&actor),
    );
    let mut rows = found.map_err(fail)?;
    let next = (rows.len() > SITES_PER_PAGE as usize).then(|| {
        rows.truncate(SITES_PER_PAGE as usize);
        rows.last().map_or(0, |r| r.cursor)
    });
    let filters = tags
        .map_err(fail)?
        .into_iter()
        .filter(|tag| tag.allowed_values.is_some())
        .map(TagChoice::of)
        .collect();
    Ok(SiteListing {
        rows,
        next,
        names: names.map_err(fail)?,
        filters,
        types: types
            .map_err(fail)?
            .into_iter()
            .map(|kind| kind.as_str().to_owned())
            .collect(),
        searched,
    })
}
