//! Bulk import: many new resources with their metadata and tags in one transaction, for teams
//! moving their spreadsheets in (and for seeding benchmarks). The same rules as one-by-one
//! writes, minus the per-key history: each resource gets one `resource.import` record.
//!
//! Every item is checked first, reading only the tag definitions it names; then the writes
//! run as one transaction on the metadata writer's thread (see `Writer::transaction`).

use crate::core::error::Clash;
use std::collections::HashMap;

use super::batch::Batch;
use super::metadata::stage_entry;
use super::resources::insert_row_in_writer;
use super::sqlite::batch::{failed, unique_violation};
use super::tags::find_tag;
use super::{Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::metadata::{Metadata, MetadataLimits};
use crate::core::resources::{ResourceId, ResourceName, ResourceType};
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

/// An item that passed every check: its name, and its tag values by tag key.
struct Checked {
    item: ImportItem,
    name: ResourceName,
    tag_values: Vec<(i64, String)>,
}

const INSERT_TAG_VALUE: &str = "INSERT INTO tag_values (tag_pk, resource_pk, value, changed_by, \
                                created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)";

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
        let checked = self.check_import(actor, items, limits).await?;
        let actor = actor.clone();
        self.writer
            .transaction(move |db| {
                let now = crate::store::now();
                for Checked {
                    item,
                    name,
                    tag_values,
                } in &checked
                {
                    let pk = insert_row_in_writer(db, &actor, &item.id, &item.kind, name, now)
                        .map_err(|e| match unique_violation(&e) {
                            Some(_) => CoreError::Conflict(
                                Clash::Other,
                                format!(
                                    "'{}' clashes with an existing resource (same id, or a site of \
                                 the same name).",
                                    item.id
                                ),
                            ),
                            None => failed(e),
                        })?;
                    let mut batch = Batch::default();
                    for (key, value) in item.metadata.iter() {
                        stage_entry(&mut batch, &actor, pk, key, value, 1, now);
                    }
                    for (tag_pk, value) in tag_values {
                        batch.statement(INSERT_TAG_VALUE);
                        batch.arg(*tag_pk);
                        batch.arg(pk);
                        batch.arg(value.clone());
                        batch.arg(actor.id.clone());
                        batch.time(now);
                        batch.time(now);
                    }
                    changes::stage(
                        &mut batch,
                        &actor,
                        item.id.as_str(),
                        Action::ResourceImport,
                        item.kind.as_str(),
                        None,
                        Some(item.metadata.to_json()),
                        now,
                    );
                    batch.run(db).map_err(|e| match &e {
                        // Tag values are the only rows here with a foreign key that can fail:
                        // their tag was deleted after the check.
                        rusqlite::Error::SqliteFailure(failure, _)
                            if failure.extended_code
                                == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
                        {
                            CoreError::Conflict(
                                Clash::Other,
                                format!(
                                    "A tag that '{}' names was deleted while the import ran; \
                                 nothing was imported.",
                                    item.id
                                ),
                            )
                        }
                        _ => failed(e),
                    })?;
                }
                Ok(checked.len())
            })
            .await
    }

    /// Every item against the rules, and each tag value against its tag's definition.
    async fn check_import(
        &self,
        actor: &Actor,
        items: &[ImportItem],
        limits: MetadataLimits,
    ) -> Result<Vec<Checked>, CoreError> {
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let mut tags: HashMap<TagId, (i64, TagDraft)> = HashMap::new();
        let mut checked = Vec::with_capacity(items.len());
        for item in items {
            let name = item.metadata.new_resource_name(limits)?;
            let mut tag_values = Vec::with_capacity(item.tags.len());
            for (n, (tag_id, value)) in item.tags.iter().enumerate() {
                if item.tags[..n].iter().any(|(earlier, _)| earlier == tag_id) {
                    return Err(CoreError::Conflict(
                        Clash::Other,
                        format!(
                            "'{}' gives the tag '{tag_id}' more than one value.",
                            item.id
                        ),
                    ));
                }
                if !tags.contains_key(tag_id) {
                    let row = find_tag(&mut conn, &actor.tenant, tag_id).await?;
                    tags.insert(tag_id.clone(), (row.pk, row.into_definition()?.draft()));
                }
                let (tag_pk, draft) = &tags[tag_id];
                let correlation = CorrelationType::parse(item.kind.as_str())?;
                let value = draft.check_value(correlation, value)?;
                tag_values.push((*tag_pk, value.as_str().to_owned()));
            }
            checked.push(Checked {
                item: item.clone(),
                name,
                tag_values,
            });
        }
        Ok(checked)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::core::error::ValidationError;
    use crate::store::testing::{admin, staff, temp_store};

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

    /// Imports `items`, whose first is `s1`, expecting a conflict that mentions `fragment`,
    /// and checks that `s1` was not written.
    async fn refused_leaving_no_s1(store: &Store, items: &[ImportItem], fragment: &str) {
        let refused = store
            .import_resources(&admin(), items, MetadataLimits::default())
            .await;
        assert!(
            matches!(&refused, Err(CoreError::Conflict(_, m)) if m.contains(fragment)),
            "{refused:?}"
        );
        assert!(
            store
                .read_metadata(&staff(), &ResourceId::from_path("s1"))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn an_item_with_two_values_for_one_tag_is_refused_before_anything_is_written() {
        let (_dir, store) = temp_store().await;
        let draft = TagDraft::new("Owner", "", "#000000", &["site".into()], None).unwrap();
        let owner = store.create_tag(&admin(), &draft, 1).await.unwrap();
        let items = vec![
            item("s1", json!({"name": "One"}), vec![]),
            item(
                "s2",
                json!({"name": "Two"}),
                vec![
                    (owner.id.clone(), "a".into()),
                    (owner.id.clone(), "b".into()),
                ],
            ),
        ];
        refused_leaving_no_s1(&store, &items, "more than one value").await;
    }

    /// A clash is found only by the insert, inside the transaction, after earlier items of the
    /// same import were written: those go too.
    #[tokio::test]
    async fn a_clash_late_in_an_import_leaves_nothing_of_it() {
        let (_dir, store) = temp_store().await;
        let taken = vec![item("s2", json!({"name": "Taken"}), vec![])];
        store
            .import_resources(&admin(), &taken, MetadataLimits::default())
            .await
            .unwrap();
        let clashing = vec![
            item("s1", json!({"name": "One", "rack_units": 2}), vec![]),
            item("s2", json!({"name": "Two"}), vec![]),
        ];
        refused_leaving_no_s1(&store, &clashing, "'s2'").await;
        let kept = store
            .read_metadata(&staff(), &ResourceId::from_path("s2"))
            .await
            .unwrap();
        assert_eq!(kept.metadata().to_json(), json!({"name": "Taken"}));
    }

    /// Imports and metadata writes share the writer thread; one of each kind queued behind the
    /// other must neither be lost nor answered before it ran.
    #[tokio::test]
    async fn imports_between_metadata_writes_all_land() {
        let (_dir, store) = temp_store().await;
        let first = vec![item("s0", json!({"name": "Zero"}), vec![])];
        store
            .import_resources(&admin(), &first, MetadataLimits::default())
            .await
            .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for n in 1..=20 {
            let importer = store.clone();
            tasks.spawn(async move {
                let batch = vec![item(
                    &format!("s{n}"),
                    json!({"name": format!("N{n}")}),
                    vec![],
                )];
                importer
                    .import_resources(&admin(), &batch, MetadataLimits::default())
                    .await
                    .map(|_| ())
            });
            let writer = store.clone();
            tasks.spawn(async move {
                let body = json!({ format!("k{n}"): n });
                writer
                    .change_metadata(
                        &admin(),
                        crate::store::MetadataTarget::Existing(&ResourceId::from_path("s0")),
                        &crate::core::metadata::Precondition::Any,
                        move |current| {
                            let current = current.cloned().unwrap_or_default();
                            Ok(current.merge(&body, MetadataLimits::default())?)
                        },
                    )
                    .await
                    .map(|_| ())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
        let zero = store
            .read_metadata(&staff(), &ResourceId::from_path("s0"))
            .await
            .unwrap();
        assert_eq!(zero.metadata().len(), 21, "{:?}", zero.metadata().to_json());
        for n in 1..=20 {
            let one = store
                .read_metadata(&staff(), &ResourceId::from_path(format!("s{n}")))
                .await
                .unwrap();
            assert_eq!(one.metadata().to_json(), json!({"name": format!("N{n}")}));
        }
    }
}
