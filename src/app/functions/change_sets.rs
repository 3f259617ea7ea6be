//! A history's "Revert…": what reverting a change set would do (shown first), and doing it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;

/// What reverting a change set would do, in words, and what stands in its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertOutline {
    /// One line per thing put back ("HQ: 'rack_units' back to 42").
    pub steps: Vec<String>,
    /// One line per thing changed again since ("'rack_units' on HQ: this change left 48,
    /// alice has since made it 50").
    pub conflicts: Vec<String>,
    /// Steps and conflicts past the first [`OUTLINED`] of each, counted but not worded: a
    /// revert of an import of 100,000 rows is not a page of 100,000 lines.
    pub more_steps: usize,
    pub more_conflicts: usize,
}

/// How many steps, and how many conflicts, an outline words.
pub const OUTLINED: usize = 100;

/// What reverting change set `change_set` would do now; nothing is written.
#[server(prefix = "/rpc", endpoint = "revert_preview")]
pub async fn revert_preview(change_set: String) -> Result<RevertOutline, FnError> {
    use super::server_context::{actor, fail, store};
    use crate::core::change_sets::ChangeSetId;

    let actor = actor().await?;
    let store = store()?;
    let id = ChangeSetId::parse(&change_set)
        .ok_or_else(|| FnError::NotFound(format!("No change set has the id '{change_set}'.")))?;
    let plan = store.plan_revert(&actor, &id).await.map_err(fail)?;
    let words = words::Words::load(&store, &actor).await.map_err(fail)?;
    Ok(RevertOutline {
        steps: plan
            .steps
            .iter()
            .take(OUTLINED)
            .map(|s| words.step(s))
            .collect(),
        conflicts: plan
            .conflicts
            .iter()
            .take(OUTLINED)
            .map(|c| words.conflict(c))
            .collect(),
        more_steps: plan.steps.len().saturating_sub(OUTLINED),
        more_conflicts: plan.conflicts.len().saturating_sub(OUTLINED),
    })
}

/// Reverts change set `change_set` (past conflicts when `force`); answers the new set's id.
#[server(prefix = "/rpc", endpoint = "revert_change_set")]
pub async fn revert_change_set(
    change_set: String,
    force: bool,
    csrf: String,
) -> Result<String, FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::change_sets::ChangeSetId;
    use crate::store::Reverted;

    let actor = actor_for_change(&csrf).await?;
    let id = ChangeSetId::parse(&change_set)
        .ok_or_else(|| FnError::NotFound(format!("No change set has the id '{change_set}'.")))?;
    match store()?
        .revert_change_set(&actor, &id, force, None)
        .await
        .map_err(fail)?
    {
        Reverted::Done { change_set, .. } => Ok(change_set.id.to_string()),
        Reverted::Conflicts(conflicts) => {
            crate::app::response_status::server_fn_failed(409);
            Err(FnError::Conflict(format!(
                "{} of these were changed again meanwhile; look again before reverting.",
                conflicts.len()
            )))
        }
    }
}

#[cfg(feature = "ssr")]
mod words {
    use std::collections::HashMap;

    use serde_json::Value;

    use crate::core::CoreError;
    use crate::core::access::Actor;
    use crate::core::change_sets::revert::{Conflict, Step};
    use crate::store::Store;

    /// Names for the ids a plan holds: people, tags.
    pub struct Words {
        people: HashMap<String, String>,
        tags: HashMap<String, String>,
    }

    fn value(value: Option<&Value>) -> String {
        match value {
            None => "nothing".to_owned(),
            Some(Value::String(s)) => format!("'{s}'"),
            Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map_or_else(
                || Value::Object(o.clone()).to_string(),
                |n| format!("'{n}'"),
            ),
            Some(other) => other.to_string(),
        }
    }

    impl Words {
        pub async fn load(store: &Store, actor: &Actor) -> Result<Self, CoreError> {
            let people = store.principal_names(actor).await?;
            let tags = store
                .list_tags(actor)
                .await?
                .into_iter()
                .map(|(tag, _)| (tag.id.as_str().to_owned(), tag.name))
                .collect();
            Ok(Self { people, tags })
        }

        fn tag(&self, id: &str) -> String {
            self.tags.get(id).cloned().unwrap_or_else(|| id.to_owned())
        }

        fn what(&self, what: &str) -> String {
            match what.split_once(':') {
                Some(("key", key)) => format!("'{key}'"),
                Some(("tag", tag)) => format!("tag {}", self.tag(tag)),
                Some(("file", file)) => format!("file {file}"),
                _ => what.to_owned(),
            }
        }

        pub fn step(&self, step: &Step) -> String {
            match step {
                Step::Recreate {
                    resource_id,
                    kind,
                    name,
                    ..
                } => format!("Bring back {kind} '{name}' ({resource_id})"),
                Step::Delete { resource_id } => format!("Delete {resource_id}"),
                Step::Parent {
                    resource_id,
                    parent,
                } => match parent {
                    Some(parent) => format!("{resource_id}: back under {parent}"),
                    None => format!("{resource_id}: back to under nothing"),
                },
                Step::Key {
                    resource_id,
                    key,
                    value: Some(v),
                } => format!("{resource_id}: '{key}' back to {}", value(Some(v))),
                Step::Key {
                    resource_id, key, ..
                } => format!("{resource_id}: remove '{key}'"),
                Step::Tag {
                    resource_id,
                    tag_id,
                    value: Some(v),
                } => format!("{resource_id}: tag {} back to '{v}'", self.tag(tag_id)),
                Step::Tag {
                    resource_id,
                    tag_id,
                    ..
                } => format!("{resource_id}: remove tag {}", self.tag(tag_id)),
                Step::File {
                    site_id,
                    summary: Some(summary),
                    ..
                } => format!("{site_id}: file {} back", value(Some(summary))),
                Step::File {
                    site_id, file_id, ..
                } => format!("{site_id}: remove file {file_id}"),
            }
        }

        pub fn conflict(&self, conflict: &Conflict) -> String {
            let who = self
                .people
                .get(&conflict.changed_by)
                .cloned()
                .unwrap_or_else(|| conflict.changed_by.clone());
            format!(
                "{} on {}: this change left {}, {who} has since made it {} ({})",
                self.what(&conflict.what),
                conflict.resource_id,
                value(conflict.set_wrote.as_ref()),
                value(conflict.now.as_ref()),
                conflict.at.format("%Y-%m-%d %H:%M UTC"),
            )
        }
    }
}
