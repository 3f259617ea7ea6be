//! The resources a group of metadata writes touches, each with its keys, read in one
//! statement on the writer's connection.

use crate::core::CoreError;
use crate::store::metadata::plan::{Current, WriteKey};
use crate::store::rows::{LoadedRecord, from_json, resource_with_keys_json};
use crate::store::sqlite::batch::failed;

/// Reads resources, each with its keys, as one JSON array (see [`resource_with_keys_json`]
/// for why not rows). The array is joined as text by `group_concat`, for the reason the
/// resources are: `json_group_array` would parse each resource's JSON again to nest it.
const LOAD: &str = concat!(
    "SELECT '[' || coalesce(group_concat(",
    resource_with_keys_json!(),
    ", ','), '') || ']' FROM json_each(?) w \
     JOIN resources r ON r.tenant_id = w.value ->> 0 AND r.id = w.value ->> 1 \
     LEFT JOIN resources p ON p.pk = r.parent_pk"
);

/// The `wanted` resources the tenants have, with their metadata.
pub(in crate::store) fn load(
    db: &rusqlite::Connection,
    wanted: &[&WriteKey],
) -> Result<Vec<(WriteKey, Current)>, CoreError> {
    let wanted = serde_json::to_string(wanted)
        .map_err(|e| CoreError::Storage(format!("cannot list the resources to load: {e}")))?;
    let loaded: String = db
        .prepare_cached(LOAD)
        .and_then(|mut statement| statement.query_row([wanted], |row| row.get(0)))
        .map_err(failed)?;
    from_json::<Vec<LoadedRecord>>(&loaded)?
        .into_iter()
        .map(|loaded| {
            let (tenant, row, entries) = loaded.into_parts()?;
            Ok(((tenant, row.id().to_owned()), Current { row, entries }))
        })
        .collect()
}
