//! Everything the site page shows, read in one call so the server renders it in one pass.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;
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
    /// The parent's id and name, when the site has one.
    pub parent: Option<(String, String)>,
    pub metadata: Vec<MetadataEntry>,
    pub tags: Vec<AppliedTag>,
    pub tag_choices: Vec<TagChoice>,
    pub files: Vec<SiteFile>,
    /// Newest first, at most [`HISTORY_LENGTH`].
    pub history: Vec<ChangeRecord>,
    /// User and token ids to the names people know them by.
    pub names: HashMap<String, String>,
    /// Whether the signed-in person may change this site (the core checks again on every call).
    pub can_edit: bool,
    pub csrf: String,
}

/// How many changes the page's timeline shows; the API pages through all of them.
pub const HISTORY_LENGTH: u32 = 100;

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

/// The site page's data, or `None` for an id that is not a site of the caller's tenant.
#[server(prefix = "/rpc", endpoint = "site_overview")]
pub async fn get_site_overview(id: String) -> Result<Option<SiteOverview>, FnError> {
    use super::server_context::{fail, session, store};
    use crate::core::resources::{ResourceId, ResourceType};
    use crate::core::tags::CorrelationType;

    let session = session().await?;
    let actor = &session.actor;
    let store = store()?;
    let id = ResourceId::from_path(id);
    let Some(site) = store
        .find_resource(actor, &ResourceType::site(), &id)
        .await
        .map_err(fail)?
    else {
        return Ok(None);
    };
    // Independent reads; run together so the page waits for the slowest, not their sum.
    let (metadata, tags, definitions, files, history, names) = tokio::join!(
        store.read_metadata_shared(actor, &id),
        store.resource_tags(actor, &id),
        store.list_tags(actor),
        store.list_files(actor, &id),
        store.recent_changes(actor, &id, HISTORY_LENGTH),
        store.principal_names(actor),
    );
    let parent = match &site.parent {
        Some(parent_id) => store
            .get_resource(actor, parent_id)
            .await
            .ok()
            .map(|p| (p.id.to_string(), p.name)),
        None => None,
    };
    let tag_choices = definitions
        .map_err(fail)?
        .into_iter()
        .filter(|(tag, _)| tag.applies_to.contains(&CorrelationType::Site))
        .map(|(tag, _)| TagChoice::of(tag))
        .collect();
    Ok(Some(SiteOverview {
        can_edit: actor.require_write(Some(&site.id)).is_ok(),
        parent,
        metadata: metadata.map_err(fail)?.entries.clone(),
        tags: tags.map_err(fail)?,
        tag_choices,
        files: files.map_err(fail)?,
        history: history.map_err(fail)?,
        names: names.map_err(fail)?,
        csrf: session.csrf_token,
        site,
    }))
}
