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
}

/// Sites per page of the list.
pub const SITES_PER_PAGE: u32 = 50;

/// Sites matching a query in the search language (all sites for an empty one), a page at a time.
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
    let query = match parse(&q).map_err(|e| fail(e.into()))? {
        Some(parsed) => Query::All(vec![sites, parsed]),
        None => sites,
    };
    let (found, names, tags) = tokio::join!(
        store.list_with_summaries(&actor, Some(&query), after, SITES_PER_PAGE + 1),
        store.principal_names(&actor),
        store.tags_for(&actor, CorrelationType::Site),
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
    })
}
