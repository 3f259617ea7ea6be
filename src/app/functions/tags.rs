//! Tags from the browser: staff apply them to a site; admins define them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;
use crate::core::tags::TagDefinition;

/// Applies a tag to a site with a value, or changes the value it has there.
#[server(prefix = "/rpc", endpoint = "apply_tag")]
pub async fn apply_tag(
    site: String,
    tag: String,
    value: String,
    csrf: String,
) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::resources::ResourceId;
    use crate::core::tags::{CorrelationType, TagId};

    let actor = actor_for_change(&csrf).await?;
    store()?
        .set_tag_value(
            &actor,
            &TagId::from_path(tag),
            &ResourceId::from_path(site),
            CorrelationType::Site,
            &value,
            None,
        )
        .await
        .map(|_| ())
        .map_err(fail)
}

/// Takes a tag off a site.
#[server(prefix = "/rpc", endpoint = "remove_tag")]
pub async fn remove_tag(site: String, tag: String, csrf: String) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::resources::ResourceId;
    use crate::core::tags::TagId;

    let actor = actor_for_change(&csrf).await?;
    store()?
        .delete_tag_value(
            &actor,
            &TagId::from_path(tag),
            &ResourceId::from_path(site),
            None,
        )
        .await
        .map_err(fail)
}

/// A definition with how many resources carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagInUse {
    pub tag: TagDefinition,
    pub resources: i64,
}

/// Every tag definition of the tenant, by name.
#[server(prefix = "/rpc", endpoint = "tag_definitions")]
pub async fn tag_definitions() -> Result<Vec<TagInUse>, FnError> {
    use super::server_context::{actor, fail, store};

    Ok(store()?
        .list_tags(&actor().await?)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(tag, resources)| TagInUse { tag, resources })
        .collect())
}

/// What the admin form sends. `applies_to` is comma-separated; `allowed_values` has one value
/// per line, and an empty one means any value is allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagForm {
    pub name: String,
    pub description: String,
    pub colour: String,
    pub applies_to: String,
    pub allowed_values: String,
}

impl TagForm {
    pub fn of(tag: &TagDefinition) -> Self {
        Self {
            name: tag.name.clone(),
            description: tag.description.clone(),
            colour: tag.colour.as_str().to_owned(),
            applies_to: tag
                .applies_to
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(","),
            allowed_values: tag.allowed_values.clone().unwrap_or_default().join("\n"),
        }
    }

    pub fn applies_to_list(&self) -> Vec<String> {
        self.applies_to
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Blank lines are skipped, so a trailing newline does not count as a value.
    pub fn allowed_list(&self) -> Option<Vec<String>> {
        let values: Vec<String> = self
            .allowed_values
            .lines()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        (!values.is_empty()).then_some(values)
    }
}

/// Creates a tag (`id` empty) or changes one (`version` is the one the form was filled from).
#[server(prefix = "/rpc", endpoint = "save_tag")]
pub async fn save_tag(
    id: String,
    version: i64,
    form: TagForm,
    csrf: String,
) -> Result<TagDefinition, FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::tags::{TagDraft, TagId, TagPatch};

    let actor = actor_for_change(&csrf).await?;
    let store = store()?;
    let applies_to = form.applies_to_list();
    let allowed = form.allowed_list();
    if id.is_empty() {
        let draft = TagDraft::new(
            &form.name,
            &form.description,
            &form.colour,
            &applies_to,
            allowed.as_deref(),
        );
        store
            .create_tag(&actor, draft, crate::core::random::id_bits())
            .await
            .map_err(fail)
    } else {
        let patch = TagPatch {
            name: Some(form.name),
            description: Some(form.description),
            colour: Some(form.colour),
            applies_to: Some(applies_to),
            allowed_values: Some(allowed),
        };
        store
            .update_tag(&actor, &TagId::from_path(id), Some(version), &patch)
            .await
            .map_err(fail)
    }
}

/// Deletes a tag and every value of it; answers how many resources lost it.
#[server(prefix = "/rpc", endpoint = "delete_tag")]
pub async fn delete_tag(id: String, version: i64, csrf: String) -> Result<u64, FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::tags::TagId;

    let actor = actor_for_change(&csrf).await?;
    store()?
        .delete_tag(&actor, &TagId::from_path(id), Some(version))
        .await
        .map_err(fail)
}
