//! Editing a site's metadata from its page, one key at a time.

use leptos::prelude::*;

use super::FnError;
use crate::core::metadata::MetadataEntry;

/// Sets one key to the text typed, read as the type picked (`string`, `number`, `boolean`).
/// `revision` is the key's revision the person edited (0 for a key they are adding), so a value
/// someone else changed meanwhile is refused with a message naming it, never overwritten.
#[server(prefix = "/rpc", endpoint = "set_metadata")]
pub async fn set_metadata(
    site: String,
    key: String,
    kind: String,
    text: String,
    revision: i64,
    csrf: String,
) -> Result<MetadataEntry, FnError> {
    use super::server_context::{actor_for_change, app_state, fail};
    use crate::core::metadata::{MetaKey, MetaValue, MetaValueType, Precondition};
    use crate::core::resources::ResourceId;

    let actor = actor_for_change(&csrf).await?;
    let state = app_state()?;
    let key = MetaKey::parse(&key).map_err(|e| fail(e.into()))?;
    let entry = MetaValue::from_text(&key, MetaValueType::parse(&kind), &text)
        .map(|value| (key.clone(), value));
    let id = ResourceId::from_path(site);
    let precondition = Precondition::Key(key.clone(), revision);
    let written = state
        .store
        .put_metadata_key(
            &actor,
            &id,
            entry.into(),
            &precondition,
            state.settings.limits,
        )
        .await;
    match written {
        Ok(record) => record
            .entries
            .into_iter()
            .find(|e| e.key == key)
            .ok_or(FnError::Internal),
        Err(crate::core::CoreError::PreconditionFailed { .. }) => {
            Err(stale::explain(&state.store, &actor, &id, &key).await)
        }
        Err(e) => Err(fail(e)),
    }
}

/// Removes one key, unless someone changed it since `revision`.
#[server(prefix = "/rpc", endpoint = "delete_metadata")]
pub async fn delete_metadata(
    site: String,
    key: String,
    revision: i64,
    csrf: String,
) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::metadata::{MetaKey, Precondition};
    use crate::core::resources::ResourceId;

    let actor = actor_for_change(&csrf).await?;
    let store = store()?;
    let key = MetaKey::parse(&key).map_err(|e| fail(e.into()))?;
    let id = ResourceId::from_path(site);
    let removed = store
        .delete_metadata_key(&actor, &id, &key, &Precondition::Key(key.clone(), revision))
        .await;
    match removed {
        Ok(_) => Ok(()),
        Err(crate::core::CoreError::PreconditionFailed { .. }) => {
            Err(stale::explain(&store, &actor, &id, &key).await)
        }
        Err(e) => Err(fail(e)),
    }
}

#[cfg(feature = "ssr")]
mod stale {
    use super::FnError;
    use crate::core::access::Actor;
    use crate::core::metadata::MetaKey;
    use crate::core::resources::ResourceId;
    use crate::store::Store;

    /// The message for an edit made on a stale copy: what the key holds now and who put it
    /// there, so the person can decide again with the facts in front of them.
    pub async fn explain(store: &Store, actor: &Actor, id: &ResourceId, key: &MetaKey) -> FnError {
        let now = store.read_metadata(actor, id).await;
        let names = store.principal_names(actor).await.unwrap_or_default();
        let who = |actor_id: &str| names.get(actor_id).cloned().unwrap_or(actor_id.to_owned());
        let message = match now
            .as_ref()
            .ok()
            .and_then(|r| r.entries.iter().find(|e| &e.key == key))
        {
            Some(entry) => format!(
                "'{key}' was changed by {} at {} while you were editing: it is now {} ({}). \
                 Your change was not saved; edit it again if it should still apply.",
                who(&entry.changed_by),
                entry.changed_at.format("%Y-%m-%d %H:%M UTC"),
                entry.value.to_json(),
                entry.value.type_name(),
                key = key.as_str(),
            ),
            None => {
                let remover = store
                    .recent_changes(actor, id, 200)
                    .await
                    .ok()
                    .and_then(|h| h.into_iter().find(|c| c.subject == key.as_str()))
                    .map(|c| who(&c.actor_id))
                    .unwrap_or_else(|| "someone else".to_owned());
                format!(
                    "'{}' was removed by {remover} while you were editing. Your change was not \
                     saved; add the key again if it should still exist.",
                    key.as_str()
                )
            }
        };
        crate::app::response_status::server_fn_failed(412);
        FnError::Conflict(message)
    }
}
