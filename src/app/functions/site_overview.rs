//! Everything a resource's page (the site page among them) shows, read in one call so the
//! server renders it in one pass.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;
use crate::core::change_sets::ChangeSetSummary;
use crate::core::changes::ChangeRecord;
use crate::core::files::SiteFile;
use crate::core::metadata::MetadataEntry;
use crate::core::resources::Resource;
use crate::core::tags::AppliedTag;

/// A tag the picker may offer: it applies to sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagChoice {
    pub id: String,
    pub name: String,
    pub colour: String,
    /// `None`: any value may be typed.
    pub allowed_values: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteOverview {
    pub site: Resource,
    /// The resource's parent, when it has one.
    pub parent: Option<ParentLink>,
    pub metadata: Vec<MetadataEntry>,
    pub tags: Vec<AppliedTag>,
    pub tag_choices: Vec<TagChoice>,
    /// Newest first: the first [`FILES_SHOWN`], or all of them when asked.
    pub files: Vec<SiteFile>,
    /// How many files the site has in all.
    pub file_count: u64,
    /// Newest first: the latest [`HISTORY_SHOWN`], or up to [`HISTORY_MOST`] when asked.
    pub history: Vec<ChangeRecord>,
    /// Whether older changes were left out.
    pub history_cut: bool,
    /// The change sets the history's records belong to, for its grouping.
    pub change_sets: Vec<ChangeSetSummary>,
    /// User and token ids to the names people know them by.
    pub names: HashMap<String, String>,
    /// The first [`UNDER_SHOWN`] resources directly under the site (devices, Nova servers, Data
    /// Hub streams…), by name, each with its metadata.
    pub under: Vec<ResourceUnder>,
    /// How many resources are directly under the site in all.
    pub under_count: u64,
    /// Whether the signed-in person may change this site (the core checks again on every call).
    pub can_edit: bool,
    pub csrf: String,
}

/// What a page needs to link a resource's parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentLink {
    pub id: String,
    pub kind: String,
    pub name: String,
}

/// A resource under the site, with its metadata, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceUnder {
    pub resource: Resource,
    pub metadata: Vec<MetadataEntry>,
}

/// What the page shows at first. A site with hundreds of files or changes would otherwise
/// send them all (twice: as HTML and as the data the browser hydrates from) on every visit.
pub const FILES_SHOWN: u32 = 50;
pub const HISTORY_SHOWN: u32 = 25;
pub const UNDER_SHOWN: u32 = 50;
/// The longest timeline the page shows when asked for the whole history; the API pages
/// through all of it.
pub const HISTORY_MOST: u32 = 1000;

/// Which of the page's long lists to show in full (`?files=all`, `?history=all`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expanded {
    pub files: bool,
    pub history: bool,
}

impl Expanded {
    pub fn from_query(files: Option<&str>, history: Option<&str>) -> Self {
        Self {
            files: files == Some("all"),
            history: history == Some("all"),
        }
    }

    /// The page's query string with these lists expanded (empty when none is).
    pub fn query(self) -> String {
        match (self.files, self.history) {
            (false, false) => String::new(),
            (true, false) => "?files=all".to_owned(),
            (false, true) => "?history=all".to_owned(),
            (true, true) => "?files=all&history=all".to_owned(),
        }
    }
}

impl TagChoice {
    pub fn of(tag: crate::core::tags::TagDefinition) -> Self {
        Self {
            id: tag.id.as_str().to_owned(),
            name: tag.name,
            colour: tag.colour.as_str().to_owned(),
            allowed_values: tag.allowed_values,
        }
    }
}

impl SiteOverview {
    /// The name of whoever an actor id stands for; the id itself when it is unknown (the
    /// operator, or a deleted user).
    pub fn who(&self, actor_id: &str) -> String {
        self.names
            .get(actor_id)
            .cloned()
            .unwrap_or_else(|| actor_id.to_owned())
    }
}

/// A page's data: the site page's (`any_type` false: `None` for an id that is not a site of the
/// caller's tenant) or any resource's (`/resources/{id}`; files only where the type holds
/// them, sites).
#[server(prefix = "/rpc", endpoint = "site_overview")]
pub async fn get_site_overview(
    id: String,
    expanded: Expanded,
    #[server(default)] any_type: bool,
) -> Result<Option<SiteOverview>, FnError> {
    use super::server_context::{fail, session, store};
    use crate::core::CoreError;
    use crate::core::change_sets::ChangeSetId;
    use crate::core::resources::{ResourceId, ResourceType};
    use crate::core::tags::CorrelationType;

    let session = session().await?;
    let actor = &session.actor;
    let store = store()?;
    let id = ResourceId::from_path(id);
    let found = if any_type {
        match store.get_resource(actor, &id).await {
            Ok(resource) => Some(resource),
            Err(CoreError::NotFound { .. }) => None,
            Err(other) => return Err(fail(other)),
        }
    } else {
        store
            .find_resource(actor, &ResourceType::site(), &id)
            .await
            .map_err(fail)?
    };
    let Some(site) = found else {
        return Ok(None);
    };
    let holds_files = site.kind.is_site();
    // Tags are defined for some types only (a device has none to offer).
    let correlation = CorrelationType::parse(site.kind.as_str()).ok();
    let file_limit = if expanded.files {
        u32::MAX
    } else {
        FILES_SHOWN
    };
    let history_limit = if expanded.history {
        HISTORY_MOST
    } else {
        HISTORY_SHOWN
    };
    // Independent reads; run together so the page waits for the slowest, not their sum. One
    // change more than shown tells whether older ones were left out.
    let (metadata, tags, definitions, files, history, names, under) = tokio::join!(
        store.read_metadata_shared(actor, &id),
        store.resource_tags(actor, &id),
        async {
            match correlation {
                Some(kind) => store.tags_for(actor, kind).await,
                None => Ok(Vec::new()),
            }
        },
        async {
            if holds_files {
                store.recent_files(actor, &id, file_limit).await
            } else {
                Ok((Vec::new(), 0))
            }
        },
        store.recent_changes(actor, &id, history_limit + 1),
        store.principal_names(actor),
        store.resources_under(actor, &id, UNDER_SHOWN),
    );
    let (under, under_count) = under.map_err(fail)?;
    let under = under
        .iter()
        .map(|record| ResourceUnder {
            resource: record.resource.clone(),
            metadata: record.entries.clone(),
        })
        .collect();
    let (files, file_count) = files.map_err(fail)?;
    let mut history = history.map_err(fail)?;
    let history_cut = history.len() > history_limit as usize;
    history.truncate(history_limit as usize);
    let mut set_ids: Vec<ChangeSetId> = history
        .iter()
        .filter_map(|c| c.change_set.as_deref().and_then(ChangeSetId::parse))
        .collect();
    set_ids.dedup();
    let change_sets = store
        .change_set_summaries(actor, &set_ids)
        .await
        .map_err(fail)?;
    let parent = match &site.parent {
        Some(parent_id) => store
            .get_resource(actor, parent_id)
            .await
            .ok()
            .map(|p| ParentLink {
                id: p.id.to_string(),
                kind: p.kind.as_str().to_owned(),
                name: p.name,
            }),
        None => None,
    };
    let can_edit = actor.require_write(Some(&site.id)).is_ok();
    // Only the tag picker uses the choices, and only those who may edit see it.
    let tag_choices = match definitions.map_err(fail)? {
        definitions if can_edit => definitions.into_iter().map(TagChoice::of).collect(),
        _ => Vec::new(),
    };
    Ok(Some(SiteOverview {
        can_edit,
        parent,
        metadata: metadata.map_err(fail)?.entries.clone(),
        tags: tags.map_err(fail)?,
        tag_choices,
        files,
        file_count,
        history,
        history_cut,
        change_sets,
        names: names.map_err(fail)?,
        under,
        under_count,
        csrf: session.csrf_token,
        site,
    }))
}
