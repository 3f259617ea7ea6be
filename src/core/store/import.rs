//! Bulk import: many new resources with their metadata and tags in one transaction, for teams
//! moving their spreadsheets in (and for seeding benchmarks). The same rules as one-by-one
//! writes, minus the per-key history: each resource gets one `resource.import` record.

use std::collections::HashMap;

use chrono::Utc;

use super::metadata::upsert_entry;
use super::tags::find_tag;
use super::{Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::metadata::{Metadata, MetadataLimits};
use crate::core::resources::{ResourceId, ResourceType};
use crate::core::tags::{CorrelationType, TagDraft, TagId};

/// One resource to import.
#[derive(Debug, Clone)]
pub struct ImportItem {
    pub id: ResourceId,
    pub kind: ResourceType,
    /// Must include `name`, which names the resource.
    pub metadata: Metadata,
    /// Tag values by tag id.
    pub tags: Vec<(TagId, String)>,
}

impl Store {
    /// Imports new resources, all or nothing: the first item that breaks a rule (or whose id
    /// or site name is taken) aborts the whole import, which writes nothing.
    pub async fn import_resources(
        &self,
        actor: &Actor,
        items: &[ImportItem],
        limits: MetadataLimits,
    ) -> Result<usize, CoreError> {
        actor.require_write(None)?;
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let mut tags: HashMap<TagId, (i64, TagDraft)> = HashMap::new();
        for item in items {
            let name = item
                .metadata
                .resource_name()?
                .ok_or(ValidationError::MetaNameRequired)?;
            if item.metadata.len() > limits.max_keys {
                return Err(ValidationError::MetaTooManyKeys {
                    max: limits.max_keys,
                    actual: item.metadata.len(),
                }
                .into());
            }
            let inserted = sqlx::query(
                "INSERT INTO resources (tenant_id, id, type, name, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(actor.tenant.as_str())
            .bind(item.id.as_str())
            .bind(item.kind.as_str())
            .bind(name.as_str())
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await;
            let pk = match inserted {
                Ok(done) => done.last_insert_rowid(),
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    return Err(CoreError::Conflict(format!(
                        "'{}' clashes with an existing resource (same id, or a site of the same name).",
                        item.id
                    )));
                }
                Err(e) => return Err(storage(e)),
            };
            for (key, value) in item.metadata.iter() {
                upsert_entry(&mut tx, actor, pk, key, value, 1, now).await?;
            }
            for (tag_id, value) in &item.tags {
                if !tags.contains_key(tag_id) {
                    let row = find_tag(&mut tx, &actor.tenant, tag_id).await?;
                    let pk = row.pk;
                    tags.insert(tag_id.clone(), (pk, row.into_definition()?.draft()));
                }
                let (tag_pk, draft) = &tags[tag_id];
                let correlation = CorrelationType::parse(item.kind.as_str())?;
                let value = draft.check_value(correlation, value)?;
                sqlx::query(
                    "INSERT INTO tag_values (tag_pk, resource_pk, value, changed_by, created_at, \
                     updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(tag_pk)
                .bind(pk)
                .bind(value.as_str())
                .bind(&actor.id)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
            }
            changes::append(
                &mut tx,
                actor,
                item.id.as_str(),
                "resource.import",
                item.kind.as_str(),
                None,
                Some(item.metadata.to_json()),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(storage)?;
        Ok(items.len())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::core::store::testing::{admin, staff, temp_store};

    fn item(id: &str, meta: serde_json::Value, tags: Vec<(TagId, String)>) -> ImportItem {
        ImportItem {
            id: ResourceId::parse(id).unwrap(),
            kind: ResourceType::site(),
            metadata: Metadata::from_json(&meta).unwrap(),
            tags,
        }
    }

    #[tokio::test]
    async fn an_import_writes_resources_metadata_and_tags_or_nothing() {
        let (_dir, store) = temp_store().await;
        let region = store
            .create_tag(
                &admin(),
                &TagDraft::new(
                    "Region",
                    "",
                    "#000000",
                    &["site".into()],
                    Some(&["APAC".into()]),
                )
                .unwrap(),
                1,
            )
            .await
            .unwrap();
        let good = vec![
            item(
                "s1",
                json!({"name": "One", "rack_units": 2}),
                vec![(region.id.clone(), "APAC".into())],
            ),
            item("s2", json!({"name": "Two"}), vec![]),
        ];
        assert_eq!(
            store
                .import_resources(&admin(), &good, MetadataLimits::default())
                .await
                .unwrap(),
            2
        );
        let one = store
            .read_metadata(&staff(), &ResourceId::from_path("s1"))
            .await
            .unwrap();
        assert_eq!(
            one.metadata().to_json(),
            json!({"name": "One", "rack_units": 2})
        );
        assert_eq!(
            store
                .resource_tags(&staff(), &one.resource.id)
                .await
                .unwrap()
                .len(),
            1
        );

        let bad = vec![
            item("s3", json!({"name": "Three"}), vec![]),
            item(
                "s4",
                json!({"name": "Four"}),
                vec![(region.id.clone(), "EMEA".into())],
            ),
        ];
        assert!(matches!(
            store
                .import_resources(&admin(), &bad, MetadataLimits::default())
                .await,
            Err(CoreError::Invalid(
                ValidationError::TagValueNotAllowed { .. }
            ))
        ));
        assert!(
            store
                .read_metadata(&staff(), &ResourceId::from_path("s3"))
                .await
                .is_err()
        );
        let nameless = vec![item("s5", json!({"x": 1}), vec![])];
        assert!(
            store
                .import_resources(&admin(), &nameless, MetadataLimits::default())
                .await
                .is_err()
        );
        assert!(matches!(
            store
                .import_resources(&staff(), &good, MetadataLimits::default())
                .await,
            Err(CoreError::Forbidden(_))
        ));
    }
}
