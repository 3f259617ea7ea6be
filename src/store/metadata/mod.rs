pub(super) mod plan;

use chrono::{DateTime, Utc};

use super::batch::{Arg, Batch};
use super::db::{Conn, Engine};
use super::resources;
use super::rows::{LoadedRecord, ResourceRow, from_json, resource_with_keys_json};
use super::{Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::metadata::untyped::UntypedWrite;
use crate::core::metadata::{
    MetaKey, MetaValue, Metadata, MetadataEntry, MetadataLimits, MetadataRecord, Outcome,
    Precondition,
};
use crate::core::resources::{ResourceId, ResourceType};
use crate::store::unchecked::Unchecked;
use plan::{KindRule, Write};

/// Which resource a metadata write is for.
#[derive(Debug, Clone, Copy)]
pub enum MetadataTarget<'a> {
    /// A resource that must already exist in the actor's tenant.
    Existing(&'a ResourceId),
    /// The Altostrat `POST /metadata`: the resource is created (named by the `name` key) when
    /// the tenant has none with this id, and must be of this type when it has.
    CreateOrExisting {
        id: &'a ResourceId,
        kind: &'a ResourceType,
    },
    /// A resource of this type; one of another type, or none, is not found (a face that
    /// serves one type: Nova's servers, Data Hub's streams).
    OfType {
        id: &'a ResourceId,
        kind: &'a ResourceType,
    },
}

const LOAD_RECORD: &str = concat!(
    "SELECT ",
    resource_with_keys_json!(),
    " FROM resources r LEFT JOIN resources p ON p.pk = r.parent_pk \
     WHERE r.tenant_id = ? AND r.id = ?"
);

/// A resource of `tenant` with its metadata in key order; `None` when the tenant has no such
/// resource.
pub(super) async fn load_record(
    conn: Conn<'_>,
    tenant: &crate::core::tenancy::TenantId,
    id: &ResourceId,
) -> Result<Option<(ResourceRow, Vec<MetadataEntry>)>, CoreError> {
    let conn = match conn {
        Conn::Sqlite(conn) => conn,
        Conn::Postgres(conn) => {
            return super::postgres::records::load(conn, tenant.as_str(), id.as_str()).await;
        }
    };
    let loaded: Option<(String,)> = sqlx::query_as(LOAD_RECORD)
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(conn)
        .await
        .map_err(storage)?;
    let Some((loaded,)) = loaded else {
        return Ok(None);
    };
    let (_, row, entries) = from_json::<LoadedRecord>(&loaded)?.into_parts()?;
    Ok(Some((row, entries)))
}

pub(super) fn value_type(value: &MetaValue) -> &'static str {
    match value {
        MetaValue::Text(_) => "string",
        MetaValue::Integer(_) => "integer",
        MetaValue::Float(_) => "float",
        MetaValue::Bool(_) => "boolean",
    }
}

pub(super) const UPSERT_ENTRY: &str = "INSERT INTO metadata (resource_pk, key, value_type, value, revision, \
                            changed_at, changed_by, creator_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
                            ON CONFLICT (resource_pk, key) DO UPDATE SET \
                            value_type = excluded.value_type, value = excluded.value, \
                            revision = excluded.revision, changed_at = excluded.changed_at, \
                            changed_by = excluded.changed_by, creator_type = excluded.creator_type";

/// Adds one key's value (replacing any earlier one), stamped with who and when, to a batch.
pub(super) fn stage_entry(
    batch: &mut Batch,
    actor: &Actor,
    resource_pk: i64,
    key: &MetaKey,
    value: &MetaValue,
    revision: i64,
    now: DateTime<Utc>,
) {
    batch.row(UPSERT_ENTRY);
    batch.arg(resource_pk);
    batch.arg(key.as_str().to_owned());
    batch.arg(value_type(value).to_owned());
    batch.arg(Arg::Meta(value.clone()));
    batch.arg(revision);
    batch.time(now);
    batch.arg(actor.id.clone());
    batch.arg(actor.creator_type.as_str().to_owned());
}

/// Adds one key's new value (or its removal) and its change record to a batch.
pub(super) fn stage_change(
    batch: &mut Batch,
    actor: &Actor,
    row: &ResourceRow,
    revision: i64,
    change: &crate::core::metadata::KeyChange,
    now: DateTime<Utc>,
) {
    match &change.new {
        Some(value) => stage_entry(batch, actor, row.pk, &change.key, value, revision, now),
        None => {
            batch.statement("DELETE FROM metadata WHERE resource_pk = ? AND key = ?");
            batch.arg(row.pk);
            batch.arg(change.key.as_str().to_owned());
        }
    }
    let verb = if change.new.is_some() {
        Action::MetadataSet
    } else {
        Action::MetadataRemove
    };
    changes::stage(
        batch,
        actor,
        row.id(),
        verb,
        change.key.as_str(),
        change.old.as_ref().map(MetaValue::to_json),
        change.new.as_ref().map(MetaValue::to_json),
        now,
    );
}

impl Store {
    /// A resource of the actor's tenant with its whole metadata (empty when it has none).
    pub async fn read_metadata(
        &self,
        actor: &Actor,
        id: &ResourceId,
    ) -> Result<MetadataRecord, CoreError> {
        self.read_metadata_shared(actor, id)
            .await
            .map(|shared| MetadataRecord::clone(&shared))
    }

    /// [`Self::read_metadata`] without copying a cached record.
    pub async fn read_metadata_shared(
        &self,
        actor: &Actor,
        id: &ResourceId,
    ) -> Result<std::sync::Arc<MetadataRecord>, CoreError> {
        actor.require_read()?;
        let tenant = actor.tenant.as_str();
        if let Some(hit) = self.cache.record(tenant, id.as_str()) {
            return Ok(hit);
        }
        // Boxed, so that the query's large future is not part of every read's, which is moved
        // from frame to frame on each request, cached or not.
        Box::pin(self.load_and_keep(actor, id)).await
    }

    /// A record the cache lacks, read and kept.
    async fn load_and_keep(
        &self,
        actor: &Actor,
        id: &ResourceId,
    ) -> Result<std::sync::Arc<MetadataRecord>, CoreError> {
        let read_at = self.cache.epoch();
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let (row, entries) = load_record(pooled.conn(), &actor.tenant, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let record = std::sync::Arc::new(MetadataRecord {
            resource: row.into_resource()?,
            entries,
        });
        self.cache
            .keep_record(actor.tenant.as_str(), record.clone(), read_at);
        Ok(record)
    }

    /// Creates a resource with the whole dictionary `operation` makes, or overwrites the
    /// dictionary of the one that exists (the Altostrat `createMetadata`). The id and type a
    /// face read are judged only once the caller is known to write at all.
    pub async fn create_or_change_metadata<F>(
        &self,
        actor: &Actor,
        id: Unchecked<ResourceId>,
        kind: Unchecked<ResourceType>,
        precondition: &Precondition,
        operation: F,
    ) -> Result<MetadataRecord, CoreError>
    where
        F: Fn(Option<&Metadata>) -> Result<Outcome, CoreError> + Send + Sync + 'static,
    {
        actor.require_writer()?;
        let (id, kind) = (id.check()?, kind.check()?);
        let target = MetadataTarget::CreateOrExisting {
            id: &id,
            kind: &kind,
        };
        self.change_metadata(actor, target, precondition, operation)
            .await
    }

    /// Runs one metadata operation atomically: checks the actor and the precondition, hands
    /// the current dictionary (`None` when the resource has none yet) to `operation`, writes
    /// the keys it changed with one change record each, and bumps the resource version. An
    /// operation that changes nothing writes nothing and keeps the version (and so the ETag).
    ///
    /// The write is committed with whatever other metadata writes are waiting (see
    /// `metadata_writer`), which is why `operation` owns what it uses and may run twice.
    pub async fn change_metadata<F>(
        &self,
        actor: &Actor,
        target: MetadataTarget<'_>,
        precondition: &Precondition,
        operation: F,
    ) -> Result<MetadataRecord, CoreError>
    where
        F: Fn(Option<&Metadata>) -> Result<Outcome, CoreError> + Send + Sync + 'static,
    {
        let (id, kind) = match target {
            MetadataTarget::Existing(id) => (id.clone(), KindRule::Any),
            MetadataTarget::CreateOrExisting { id, kind } => {
                (id.clone(), KindRule::CreateAs(kind.clone()))
            }
            MetadataTarget::OfType { id, kind } => (id.clone(), KindRule::OfType(kind.clone())),
        };
        let write = Write {
            actor: actor.clone(),
            id,
            kind,
            precondition: precondition.clone(),
            operation: Box::new(operation),
        };
        match self.db.engine() {
            Engine::Sqlite => self.writer.write(write).await,
            Engine::Postgres => self.write_on_postgres(write).await,
        }
    }
}

impl Store {
    /// A write in an untyped dialect (`untyped::UntypedWrite`: Nova's server metadata, Data
    /// Hub's stream metadata) to the resource `id`, which must be of type `kind`: one trip to
    /// the writer, which refuses another type (as not found) from the load it writes with.
    pub async fn write_untyped(
        &self,
        actor: &Actor,
        id: &ResourceId,
        kind: &ResourceType,
        write: UntypedWrite,
        precondition: &Precondition,
        limits: MetadataLimits,
    ) -> Result<MetadataRecord, CoreError> {
        actor.require_writer()?;
        self.change_metadata(
            actor,
            MetadataTarget::OfType { id, kind },
            precondition,
            move |current| write.apply(current.unwrap_or(&Metadata::default()), limits),
        )
        .await
    }

    /// Sets one key of an existing resource (the per-key PUT, and the site page's edits). The
    /// key and value are judged once the caller is known to write at all; their sites and the
    /// precondition are checked on the writer, as for every metadata write.
    pub async fn put_metadata_key(
        &self,
        actor: &Actor,
        id: &ResourceId,
        entry: Unchecked<(MetaKey, MetaValue)>,
        precondition: &Precondition,
        limits: MetadataLimits,
    ) -> Result<MetadataRecord, CoreError> {
        actor.require_writer()?;
        let (key, value) = entry.check()?;
        self.change_metadata(
            actor,
            MetadataTarget::Existing(id),
            precondition,
            move |current| {
                let current = current.cloned().unwrap_or_default();
                Ok(current.put(key.clone(), value.clone(), limits)?)
            },
        )
        .await
    }

    /// Removes one key of an existing resource; a key it does not have is not found.
    pub async fn delete_metadata_key(
        &self,
        actor: &Actor,
        id: &ResourceId,
        key: &MetaKey,
        precondition: &Precondition,
    ) -> Result<MetadataRecord, CoreError> {
        self.change_metadata(actor, MetadataTarget::Existing(id), precondition, {
            let key = key.clone();
            move |current| {
                current
                    .and_then(|m| m.remove(key.as_str()))
                    .ok_or_else(|| CoreError::NotFound {
                        what: "metadata key",
                        id: key.to_string(),
                    })
            }
        })
        .await
    }

    /// Renames a resource. The name lives in the `name` metadata key (the resource's name
    /// follows it), so a rename is that key's change, with its record and version bump.
    pub async fn rename_resource(
        &self,
        actor: &Actor,
        kind: &ResourceType,
        id: &ResourceId,
        name: impl Into<Unchecked<crate::core::resources::ResourceName>>,
        precondition: &Precondition,
    ) -> Result<MetadataRecord, CoreError> {
        actor.require_writer()?;
        let name = name.into().check()?;
        {
            let mut pooled = self.db.acquire().await.map_err(storage)?;
            let found = resources::find_row(&mut pooled, &actor.tenant, id).await?;
            if found.is_none_or(|row| row.kind() != kind.as_str()) {
                return Err(not_found(id));
            }
        }
        let key = MetaKey::parse("name").expect("'name' is a valid key");
        let value = MetaValue::Text(name.as_str().to_owned());
        self.change_metadata(
            actor,
            MetadataTarget::Existing(id),
            precondition,
            move |current| {
                let limits = MetadataLimits {
                    max_keys: usize::MAX,
                };
                Ok(current
                    .cloned()
                    .unwrap_or_default()
                    .put(key.clone(), value.clone(), limits)?)
            },
        )
        .await
    }
}

fn not_found(id: &ResourceId) -> CoreError {
    CoreError::NotFound {
        what: "resource",
        id: id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::core::access::{CreatorType, Role, SiteScope};
    use crate::core::error::ValidationError;
    use crate::core::metadata::MetadataLimits;
    use crate::core::resources::ResourceName;
    use crate::store::testing::{actor_of, each_engine, manager, staff, temp_store};

    const LIMITS: MetadataLimits = MetadataLimits { max_keys: 256 };

    fn device() -> ResourceType {
        ResourceType::parse("mikrotik.device").unwrap()
    }

    fn id(s: &str) -> ResourceId {
        ResourceId::parse(s).unwrap()
    }

    async fn replace(
        store: &Store,
        actor: &Actor,
        resource: &str,
        body: serde_json::Value,
    ) -> Result<MetadataRecord, CoreError> {
        let resource = id(resource);
        store
            .change_metadata(
                actor,
                MetadataTarget::CreateOrExisting {
                    id: &resource,
                    kind: &device(),
                },
                &Precondition::Any,
                move |current| Ok(Metadata::replace(current, &body, LIMITS)?),
            )
            .await
    }

    async fn merge(
        store: &Store,
        resource: &str,
        precondition: Precondition,
        body: serde_json::Value,
    ) -> Result<MetadataRecord, CoreError> {
        store
            .change_metadata(
                &manager(),
                MetadataTarget::Existing(&id(resource)),
                &precondition,
                move |current| Ok(current.cloned().unwrap_or_default().merge(&body, LIMITS)?),
            )
            .await
    }

    const UUID: &str = "9b52d930-f432-4c0a-bac0-4c12dff85544";

    #[tokio::test]
    async fn the_seed_example_creates_the_resource_and_typed_rows() {
        for (_dir, store) in each_engine().await {
            let record = replace(
                &store,
                &manager(),
                UUID,
                json!({"name": "Main Office Router", "rack_units": 2, "ratio": 0.5,
                   "is_critical": true, "big": 9007199254740993_i64}),
            )
            .await
            .unwrap();
            assert_eq!(record.resource.name, "Main Office Router");
            assert_eq!(record.resource.kind, device());
            let read = store.read_metadata(&staff(), &id(UUID)).await.unwrap();
            assert_eq!(read, record);
            assert_eq!(
                read.metadata().to_json(),
                json!({"name": "Main Office Router", "rack_units": 2, "ratio": 0.5,
                   "is_critical": true, "big": 9007199254740993_i64})
            );
            let entry = read.entry("rack_units").unwrap();
            assert_eq!(entry.value, MetaValue::Integer(2));
            assert_eq!(entry.changed_by, manager().id);
            assert_eq!(entry.creator_type, CreatorType::User);
        }
    }

    #[tokio::test]
    async fn a_text_that_looks_like_a_number_stays_text() {
        for (_dir, store) in each_engine().await {
            let record = replace(
                &store,
                &manager(),
                UUID,
                json!({"name": "R", "asn": "64512", "f": 1.0}),
            )
            .await
            .unwrap();
            let read = store
                .read_metadata(&staff(), &record.resource.id)
                .await
                .unwrap();
            assert_eq!(
                read.entry("asn").unwrap().value,
                MetaValue::Text("64512".into())
            );
            assert_eq!(read.entry("f").unwrap().value, MetaValue::Float(1.0));
        }
    }

    #[tokio::test]
    async fn creating_without_a_name_writes_nothing() {
        for (_dir, store) in each_engine().await {
            let err = replace(&store, &manager(), UUID, json!({"location": "Level 5"}))
                .await
                .unwrap_err();
            assert!(matches!(
                err,
                CoreError::Invalid(ValidationError::MetaNameRequired)
            ));
            assert!(matches!(
                store.read_metadata(&staff(), &id(UUID)).await,
                Err(CoreError::NotFound { .. })
            ));
        }
    }

    #[tokio::test]
    async fn a_write_bumps_the_version_and_a_no_op_does_not() {
        for (_dir, store) in each_engine().await {
            let created = replace(&store, &manager(), UUID, json!({"name": "R"}))
                .await
                .unwrap();
            let v = created.resource.version;
            let changed = merge(&store, UUID, Precondition::Any, json!({"a": 1}))
                .await
                .unwrap();
            assert_eq!(changed.resource.version, v + 1);
            assert_eq!(changed.entry("a").unwrap().revision, v + 1);
            assert_eq!(changed.entry("name").unwrap().revision, v);
            let same = merge(&store, UUID, Precondition::Any, json!({"a": 1}))
                .await
                .unwrap();
            assert_eq!(same.resource.version, v + 1);
        }
    }

    #[tokio::test]
    async fn a_stale_version_is_refused_and_changes_nothing() {
        for (_dir, store) in each_engine().await {
            let created = replace(&store, &manager(), UUID, json!({"name": "R"}))
                .await
                .unwrap();
            let v = created.resource.version;
            merge(&store, UUID, Precondition::Resource(v), json!({"a": 1}))
                .await
                .unwrap();
            let err = merge(&store, UUID, Precondition::Resource(v), json!({"a": 2}))
                .await
                .unwrap_err();
            assert!(
                matches!(err, CoreError::PreconditionFailed { current, .. } if current == v + 1)
            );
            let read = store.read_metadata(&staff(), &id(UUID)).await.unwrap();
            assert_eq!(read.entry("a").unwrap().value, MetaValue::Integer(1));
        }
    }

    #[tokio::test]
    async fn a_key_precondition_ignores_changes_to_other_keys() {
        for (_dir, store) in each_engine().await {
            replace(&store, &manager(), UUID, json!({"name": "R", "a": 1}))
                .await
                .unwrap();
            let read = store.read_metadata(&staff(), &id(UUID)).await.unwrap();
            let a_rev = read.entry("a").unwrap().revision;
            merge(&store, UUID, Precondition::Any, json!({"b": 1}))
                .await
                .unwrap();
            let key = MetaKey::parse("a").unwrap();
            merge(
                &store,
                UUID,
                Precondition::Key(key.clone(), a_rev),
                json!({"a": 2}),
            )
            .await
            .unwrap();
            let err = merge(&store, UUID, Precondition::Key(key, a_rev), json!({"a": 3}))
                .await
                .unwrap_err();
            assert!(matches!(err, CoreError::PreconditionFailed { .. }));
        }
    }

    #[tokio::test]
    async fn every_changed_key_is_recorded_with_old_and_new_values() {
        for (_dir, store) in each_engine().await {
            replace(
                &store,
                &manager(),
                UUID,
                json!({"name": "R", "a": 1, "b": true}),
            )
            .await
            .unwrap();
            merge(&store, UUID, Precondition::Any, json!({"a": 2, "b": null}))
                .await
                .unwrap();
            let history = store
                .list_changes(&staff(), &id(UUID), 0, 100)
                .await
                .unwrap();
            let summary: Vec<_> = history
                .iter()
                .map(|c| (c.action, c.subject.as_str(), c.old.clone(), c.new.clone()))
                .collect();
            assert_eq!(summary[0].0, Action::ResourceCreate);
            assert!(summary.contains(&(Action::MetadataSet, "a", Some(json!(1)), Some(json!(2)))));
            assert!(summary.contains(&(Action::MetadataRemove, "b", Some(json!(true)), None)));
            assert!(
                history
                    .iter()
                    .all(|c| c.request_id.as_deref() == Some("req-test"))
            );
            // Paging: records after the last one seen.
            let last = history.last().unwrap().seq;
            assert!(
                store
                    .list_changes(&staff(), &id(UUID), last, 100)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
    }

    #[tokio::test]
    async fn renaming_through_the_name_key_renames_the_resource() {
        for (_dir, store) in each_engine().await {
            replace(&store, &manager(), UUID, json!({"name": "Old"}))
                .await
                .unwrap();
            let record = merge(&store, UUID, Precondition::Any, json!({"name": "New"}))
                .await
                .unwrap();
            assert_eq!(record.resource.name, "New");
            let err = merge(&store, UUID, Precondition::Any, json!({"name": 5}))
                .await
                .unwrap_err();
            assert!(matches!(
                err,
                CoreError::Invalid(ValidationError::MetaNameNotText { .. })
            ));
        }
    }

    #[tokio::test]
    async fn a_site_rename_to_a_taken_name_conflicts() {
        for (_dir, store) in each_engine().await {
            let site = ResourceType::site();
            let a = store
                .create_resource(&manager(), &site, &ResourceName::parse("A").unwrap(), 1)
                .await
                .unwrap();
            store
                .create_resource(&manager(), &site, &ResourceName::parse("B").unwrap(), 2)
                .await
                .unwrap();
            let err = merge(
                &store,
                a.id.as_str(),
                Precondition::Any,
                json!({"name": "b"}),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, CoreError::Conflict(..)), "{err:?}");
            assert!(
                store
                    .read_metadata(&staff(), &a.id)
                    .await
                    .unwrap()
                    .entries
                    .is_empty()
            );
        }
    }

    #[tokio::test]
    async fn the_type_of_an_existing_resource_must_match() {
        for (_dir, store) in each_engine().await {
            let site = store
                .create_resource(
                    &manager(),
                    &ResourceType::site(),
                    &ResourceName::parse("A").unwrap(),
                    1,
                )
                .await
                .unwrap();
            let err = replace(&store, &manager(), site.id.as_str(), json!({"name": "A"}))
                .await
                .unwrap_err();
            assert!(matches!(err, CoreError::Conflict(_, m) if m.contains("is a site")));
        }
    }

    #[tokio::test]
    async fn staff_and_managers_of_other_sites_cannot_write() {
        for (_dir, store) in each_engine().await {
            let site = store
                .create_resource(
                    &manager(),
                    &ResourceType::site(),
                    &ResourceName::parse("A").unwrap(),
                    1,
                )
                .await
                .unwrap();
            let mut limited = actor_of("default", Role::Manager);
            limited.sites = SiteScope::Only(vec![ResourceId::from_path("site_other")]);
            for actor in [staff(), limited.clone()] {
                let err = store
                    .change_metadata(
                        &actor,
                        MetadataTarget::Existing(&site.id),
                        &Precondition::Any,
                        |c| {
                            Ok(c.cloned()
                                .unwrap_or_default()
                                .merge(&json!({"a": 1}), LIMITS)?)
                        },
                    )
                    .await
                    .unwrap_err();
                assert!(matches!(err, CoreError::Forbidden(_)), "{err:?}");
            }
            limited.sites = SiteScope::Only(vec![site.id.clone()]);
            assert!(
                store
                    .change_metadata(
                        &limited,
                        MetadataTarget::Existing(&site.id),
                        &Precondition::Any,
                        |c| {
                            Ok(c.cloned()
                                .unwrap_or_default()
                                .merge(&json!({"a": 1}), LIMITS)?)
                        }
                    )
                    .await
                    .is_ok()
            );
        }
    }

    #[tokio::test]
    async fn another_tenant_neither_sees_nor_blocks_an_id() {
        for (_dir, store) in each_engine().await {
            replace(&store, &manager(), UUID, json!({"name": "Ours"}))
                .await
                .unwrap();
            let other = actor_of("acme", Role::Manager);
            store
                .create_tenant(&crate::core::tenancy::TenantId::new("acme"), "Acme")
                .await
                .unwrap();
            assert!(matches!(
                store.read_metadata(&other, &id(UUID)).await,
                Err(CoreError::NotFound { .. })
            ));
            let theirs = replace(&store, &other, UUID, json!({"name": "Theirs"}))
                .await
                .unwrap();
            assert_eq!(theirs.resource.name, "Theirs");
            let ours = store.read_metadata(&staff(), &id(UUID)).await.unwrap();
            assert_eq!(ours.resource.name, "Ours");
            assert!(matches!(
                store
                    .list_changes(&other, &ResourceId::from_path("nope"), 0, 10)
                    .await,
                Err(CoreError::NotFound { .. })
            ));
        }
    }

    /// The table's checks, rewritten by a migration without `IN` lists, still hold.
    #[tokio::test]
    async fn the_table_refuses_an_unknown_value_type_or_creator_type() {
        let (_dir, store) = temp_store().await;
        replace(&store, &manager(), UUID, json!({"name": "Router"}))
            .await
            .unwrap();
        for change in [
            "UPDATE metadata SET value_type = 'blob'",
            "UPDATE metadata SET creator_type = 'robot'",
        ] {
            let refused = sqlx::query(change).execute(&store.pool).await.unwrap_err();
            assert!(refused.to_string().contains("CHECK"), "{refused}");
        }
        for kept in [
            "UPDATE metadata SET value_type = 'string'",
            "UPDATE metadata SET creator_type = 'rule'",
        ] {
            sqlx::query(kept).execute(&store.pool).await.unwrap();
        }
    }

    /// Nova's and Data Hub's writes name the type they serve, and the writer refuses another
    /// from the load it writes with: no read before the write.
    #[tokio::test]
    async fn an_untyped_write_finds_only_a_resource_of_its_type() {
        for (_dir, store) in each_engine().await {
            replace(
                &store,
                &manager(),
                "dev-1",
                json!({"name": "r1", "rack": 4}),
            )
            .await
            .unwrap();
            let merge = |key: &str, value: &str| UntypedWrite {
                change: crate::core::metadata::untyped::UntypedChange::Merge(vec![(
                    key.to_owned(),
                    Some(value.to_owned()),
                )]),
                max_items: Some(2),
            };
            let server = ResourceType::parse("openstack.server").unwrap();
            let refused = store
                .write_untyped(
                    &manager(),
                    &id("dev-1"),
                    &server,
                    merge("a", "1"),
                    &Precondition::Any,
                    LIMITS,
                )
                .await;
            assert!(
                matches!(refused, Err(CoreError::NotFound { .. })),
                "{refused:?}"
            );
            let written = store
                .write_untyped(
                    &manager(),
                    &id("dev-1"),
                    &device(),
                    merge("rack", "5"),
                    &Precondition::Any,
                    LIMITS,
                )
                .await
                .unwrap();
            assert_eq!(
                written.metadata().to_json(),
                json!({"name": "r1", "rack": 5})
            );
            let over = store
                .write_untyped(
                    &manager(),
                    &id("dev-1"),
                    &device(),
                    merge("b", "x"),
                    &Precondition::Any,
                    LIMITS,
                )
                .await;
            assert!(over.is_ok(), "two items is the quota: {over:?}");
            let over = store
                .write_untyped(
                    &manager(),
                    &id("dev-1"),
                    &device(),
                    merge("c", "x"),
                    &Precondition::Any,
                    LIMITS,
                )
                .await;
            assert!(
                matches!(
                    over,
                    Err(CoreError::Invalid(ValidationError::MetaItemsOverQuota {
                        max: 2,
                        actual: 3
                    }))
                ),
                "{over:?}"
            );
            assert!(
                store
                    .write_untyped(
                        &staff(),
                        &id("dev-1"),
                        &device(),
                        merge("a", "1"),
                        &Precondition::Any,
                        LIMITS
                    )
                    .await
                    .is_err()
            );
        }
    }
}
