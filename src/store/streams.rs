//! Data Hub's namespaces, types and streams (see `core::streams`). A stream is a resource, so
//! its metadata, tags, history and deletion go through the same calls as every resource's;
//! here is only what Data Hub adds.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::batch::{Arg, bind_arg};
use super::cache::StreamKeyRef;
use super::db::{Conn, sql};
use super::metadata::UPSERT_ENTRY;
use super::resources::{find_row, insert};
use super::rows::{ResourceRow, select_resources};
use super::{Store, changes, storage, unique_or};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::error::Clash;
use crate::core::metadata::untyped::UntypedWrite;
use crate::core::metadata::{MetaValue, MetadataLimits, MetadataRecord, Precondition};
use crate::core::resources::{Resource, ResourceId, ResourceName, ResourceType};
use crate::core::streams::{DEFAULT_NAMESPACE, NamespaceId, STREAM_TYPE, SdsId, SdsType, Stream};
use crate::store::unchecked::Unchecked;

/// The item that is a resource's name (`core::metadata`'s rule, seen by every face).
const NAME_KEY: &str = "name";

/// A namespace as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    pub id: String,
    pub description: String,
}

/// A type with the time it was defined (types never change; to change one, delete it).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredType {
    pub sds_type: SdsType,
    pub created_at: DateTime<Utc>,
}

/// A type as a list finds it: its definition kept as the stored text, so that a list costs
/// what the definitions weigh and no more (see [`SdsType::answer_from_stored`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedType {
    pub id: SdsId,
    pub definition: String,
    pub created_at: DateTime<Utc>,
}

impl ListedType {
    /// The type as Data Hub answers it, as JSON text.
    pub fn answer(&self, created: &str) -> Result<String, CoreError> {
        SdsType::answer_from_stored(&self.id, &self.definition, created, created)
            .map_err(|e| CoreError::Storage(format!("a stored type: {e}")))
    }
}

/// A stream with the resource it is.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStream {
    pub stream: Stream,
    pub resource: Resource,
}

#[derive(sqlx::FromRow)]
pub(super) struct StreamRow {
    pub(super) resource_pk: i64,
    pub(super) id: String,
    pub(super) type_id: String,
    pub(super) display_name: Option<String>,
    pub(super) description: Option<String>,
    settings: String,
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, CoreError> {
    serde_json::from_str(text)
        .map_err(|e| CoreError::Storage(format!("a stored stream field: {e}")))
}

fn stored_id(what: &'static str, raw: &str) -> Result<SdsId, CoreError> {
    SdsId::parse(what, raw).map_err(|e| CoreError::Storage(e.to_string()))
}

pub(super) fn stream_missing(id: &str) -> CoreError {
    CoreError::NotFound {
        what: "stream",
        id: id.to_owned(),
    }
}

fn type_missing(id: &str) -> CoreError {
    CoreError::NotFound {
        what: "type",
        id: id.to_owned(),
    }
}

const SELECT_TYPE: &str = "SELECT id, definition, created_at FROM stream_types \
                           WHERE tenant_id = ? AND namespace_id = ? AND id = ?";

const SELECT_STREAM: &str = "SELECT resource_pk, id, type_id, display_name, description, settings \
                             FROM streams WHERE tenant_id = ? AND namespace_id = ? AND id = ?";

pub(super) async fn stream_row<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    namespace: &str,
    id: &str,
) -> Result<Option<StreamRow>, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(SELECT_STREAM))
        .bind(actor.tenant.as_str())
        .bind_nocase(namespace)
        .bind_nocase(id)
        .fetch_optional::<StreamRow>(&mut conn)
        .await
        .map_err(storage)
}

pub(super) async fn load_stream<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    row: StreamRow,
) -> Result<StoredStream, CoreError> {
    load_stream_and_site(conn, actor, row).await.map(|(s, _)| s)
}

/// The stream, and the site whose grants cover it.
pub(super) async fn load_stream_and_site<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    row: StreamRow,
) -> Result<(StoredStream, Option<ResourceId>), CoreError> {
    let mut conn = conn.into();
    // By the row's key, in one query: lists load every stream of a page this way.
    let resource_row = conn
        .query(sql!(select_resources!(
            "WHERE r.tenant_id = ? AND r.pk = ?"
        )))
        .bind(actor.tenant.as_str())
        .bind(row.resource_pk)
        .fetch_optional::<ResourceRow>(&mut conn)
        .await
        .map_err(storage)?
        .ok_or_else(|| stream_missing(&row.id))?;
    let site = resource_row.site();
    let resource = resource_row.into_resource()?;
    let stream = StoredStream {
        stream: Stream {
            id: stored_id("stream", &row.id)?,
            name: row.display_name,
            description: row.description,
            type_id: stored_id("type", &row.type_id)?,
            settings: decode(&row.settings)?,
        },
        resource,
    };
    Ok((stream, site))
}

/// The native id of a new stream: its Data Hub id where a native id can be that (see
/// [`SdsId::native_id`]) and no other resource has it; otherwise a minted one.
async fn new_stream_id(
    conn: Conn<'_>,
    actor: &Actor,
    namespace: &str,
    stream: &SdsId,
    kind: &ResourceType,
    random: u128,
) -> Result<ResourceId, CoreError> {
    if let Some(id) = stream.native_id(namespace)
        && find_row(conn, &actor.tenant, &id).await?.is_none()
    {
        return Ok(id);
    }
    Ok(ResourceId::mint(kind, random))
}

/// Puts a resource just created under `site` (where [`Actor::site_for_unplaced`] sends it),
/// recorded as a move so its history says where it went and why it can be reached.
async fn place_under(
    mut conn: Conn<'_>,
    actor: &Actor,
    row: &ResourceRow,
    site: &ResourceId,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let site_row = find_row(conn.reborrow(), &actor.tenant, site)
        .await?
        .filter(|found| found.kind() == ResourceType::SITE)
        .ok_or_else(|| CoreError::NotFound {
            what: "site",
            id: site.to_string(),
        })?;
    conn.query(sql!("UPDATE resources SET parent_pk = ? WHERE pk = ?"))
        .bind(site_row.pk)
        .bind(row.pk)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
    changes::append(
        conn,
        actor,
        row.id(),
        Action::ResourceParent,
        "parent",
        None,
        Some(Value::from(site.as_str())),
        now,
    )
    .await
}

/// Sets the `name` item to the stream's name, as every resource's `name` item is its name:
/// a Data Hub write of `Name` is the same change a native rename is, recorded as one.
async fn set_name_item(
    mut conn: Conn<'_>,
    actor: &Actor,
    row: &ResourceRow,
    old: Option<&ResourceName>,
    name: &ResourceName,
    revision: i64,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let mut query = conn
        .query(sql!(UPSERT_ENTRY))
        .bind(row.pk)
        .bind(NAME_KEY)
        .bind("string");
    bind_arg(
        &mut query,
        Arg::Meta(MetaValue::Text(name.as_str().to_owned())),
    );
    query
        .bind(revision)
        .bind(now)
        .bind(&actor.id)
        .bind(actor.creator_type.as_str())
        .execute(&mut conn)
        .await
        .map_err(storage)?;
    changes::append(
        conn,
        actor,
        row.id(),
        Action::MetadataSet,
        NAME_KEY,
        old.map(|n| Value::from(n.as_str())),
        Some(Value::from(name.as_str())),
        now,
    )
    .await
}

impl Store {
    /// The namespace `id` names (ignoring case), or not found.
    pub async fn namespace(&self, actor: &Actor, id: &str) -> Result<Namespace, CoreError> {
        actor.require_read()?;
        if id.eq_ignore_ascii_case(DEFAULT_NAMESPACE) {
            return Ok(Namespace {
                id: DEFAULT_NAMESPACE.to_owned(),
                description: String::new(),
            });
        }
        let row: Option<(String, String)> = self
            .db
            .query(sql!(
                "SELECT id, description FROM stream_namespaces WHERE tenant_id = ? AND id = ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(id)
            .fetch_optional(&self.db)
            .await
            .map_err(storage)?;
        row.map(|(id, description)| Namespace { id, description })
            .ok_or_else(|| CoreError::NotFound {
                what: "namespace",
                id: id.to_owned(),
            })
    }

    /// Every namespace of the tenant, `default` first.
    pub async fn list_namespaces(&self, actor: &Actor) -> Result<Vec<Namespace>, CoreError> {
        actor.require_read()?;
        let rows: Vec<(String, String)> = self
            .db
            .query(sql!(
                "SELECT id, description FROM stream_namespaces WHERE tenant_id = ? ORDER BY id"
            ))
            .bind(actor.tenant.as_str())
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        let default = Namespace {
            id: DEFAULT_NAMESPACE.to_owned(),
            description: String::new(),
        };
        Ok(std::iter::once(default)
            .chain(
                rows.into_iter()
                    .map(|(id, description)| Namespace { id, description }),
            )
            .collect())
    }

    /// Adds a namespace. Admins only.
    pub async fn create_namespace(
        &self,
        actor: &Actor,
        id: impl Into<Unchecked<NamespaceId>>,
        description: &str,
    ) -> Result<Namespace, CoreError> {
        actor.require_admin()?;
        let id = id.into().check()?;
        let taken = || {
            CoreError::Conflict(
                Clash::IdTaken,
                format!("A namespace with the id '{}' already exists.", id.as_str()),
            )
        };
        if id.as_str().eq_ignore_ascii_case(DEFAULT_NAMESPACE) {
            return Err(taken());
        }
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        conn.query(sql!(
            "INSERT INTO stream_namespaces (tenant_id, id, description, created_at) \
             VALUES (?, ?, ?, ?)"
        ))
        .bind(actor.tenant.as_str())
        .bind(id.as_str())
        .bind(description)
        .bind(crate::store::now())
        .execute(&mut conn)
        .await
        .map_err(unique_or(taken))?;
        tx.commit().await.map_err(storage)?;
        Ok(Namespace {
            id: id.as_str().to_owned(),
            description: description.to_owned(),
        })
    }

    /// One type of the namespace, by id ignoring case.
    pub async fn stream_type(
        &self,
        actor: &Actor,
        namespace: &str,
        id: &str,
    ) -> Result<StoredType, CoreError> {
        actor.require_read()?;
        let row: Option<(String, String, DateTime<Utc>)> = self
            .db
            .query(sql!(SELECT_TYPE))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(id)
            .fetch_optional(&self.db)
            .await
            .map_err(storage)?;
        let (id, definition, created_at) = row.ok_or_else(|| type_missing(id))?;
        Ok(StoredType {
            sds_type: SdsType::stored(stored_id("type", &id)?, decode(&definition)?),
            created_at,
        })
    }

    /// A page of the namespace's types by id.
    pub async fn list_stream_types(
        &self,
        actor: &Actor,
        namespace: &str,
        skip: u32,
        count: u32,
    ) -> Result<Vec<ListedType>, CoreError> {
        actor.require_read()?;
        let rows: Vec<(String, String, DateTime<Utc>)> = self
            .db
            .query(sql!(
                "SELECT id, definition, created_at FROM stream_types \
                 WHERE tenant_id = ? AND namespace_id = ? ORDER BY id LIMIT ? OFFSET ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind(i64::from(count))
            .bind(i64::from(skip))
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|(id, definition, created_at)| {
                Ok(ListedType {
                    id: stored_id("type", &id)?,
                    definition,
                    created_at,
                })
            })
            .collect()
    }

    /// Defines a type, or answers the one defined already when it is the same; a different
    /// definition under the same id conflicts (types never change). `true` when created.
    pub async fn get_or_create_stream_type(
        &self,
        actor: &Actor,
        namespace: &str,
        sds_type: impl Into<Unchecked<SdsType>>,
    ) -> Result<(StoredType, bool), CoreError> {
        // A type belongs to no site, and a writer limited to sites needs one to create a
        // stream under them; it never changes, and only writers not limited to sites delete it.
        actor.require_writer()?;
        let sds_type = sds_type.into().check()?;
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let existing: Option<(String, String, DateTime<Utc>)> = conn
            .query(sql!(SELECT_TYPE))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(sds_type.id.as_str())
            .fetch_optional(&mut conn)
            .await
            .map_err(storage)?;
        if let Some((id, definition, created_at)) = existing {
            let stored = SdsType::stored(stored_id("type", &id)?, decode(&definition)?);
            let mut asked = sds_type.definition.clone();
            asked["Id"] = Value::from(id.as_str());
            if stored.definition != asked {
                return Err(CoreError::Conflict(
                    Clash::IdTaken,
                    format!(
                        "A different type with the id '{id}' exists; types cannot change, so \
                         delete it first or use another id."
                    ),
                ));
            }
            return Ok((
                StoredType {
                    sds_type: stored,
                    created_at,
                },
                false,
            ));
        }
        let now = crate::store::now();
        conn.query(sql!(
            "INSERT INTO stream_types (tenant_id, namespace_id, id, definition, created_at) \
             VALUES (?, ?, ?, ?, ?)"
        ))
        .bind(actor.tenant.as_str())
        .bind(namespace)
        .bind(sds_type.id.as_str())
        .bind(sds_type.definition.to_string())
        .bind(now)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        tx.commit().await.map_err(storage)?;
        Ok((
            StoredType {
                sds_type,
                created_at: now,
            },
            true,
        ))
    }

    /// Deletes a type no stream uses.
    pub async fn delete_stream_type(
        &self,
        actor: &Actor,
        namespace: &str,
        id: &str,
    ) -> Result<(), CoreError> {
        actor.require_write(None)?;
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let users: Vec<(String,)> = conn
            .query(sql!(
                "SELECT id FROM streams WHERE tenant_id = ? AND namespace_id = ? AND type_id = ? \
                 ORDER BY id LIMIT 5"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(id)
            .fetch_all(&mut conn)
            .await
            .map_err(storage)?;
        if !users.is_empty() {
            let names: Vec<String> = users.into_iter().map(|(s,)| format!("'{s}'")).collect();
            return Err(CoreError::Conflict(
                Clash::Other,
                format!(
                    "The type '{id}' is used by the streams {}; delete them first.",
                    names.join(", ")
                ),
            ));
        }
        let deleted = conn
            .query(sql!(
                "DELETE FROM stream_types WHERE tenant_id = ? AND namespace_id = ? AND id = ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(id)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        if deleted == 0 {
            return Err(type_missing(id));
        }
        tx.commit().await.map_err(storage)
    }

    /// One stream of the namespace, by id ignoring case.
    pub async fn stream(
        &self,
        actor: &Actor,
        namespace: &str,
        id: &str,
    ) -> Result<StoredStream, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let row = stream_row(&mut pooled, actor, namespace, id)
            .await?
            .ok_or_else(|| stream_missing(id))?;
        load_stream(&mut pooled, actor, row).await
    }

    /// The resource a stream of the namespace is, by the stream's id ignoring case: what the
    /// metadata and tag calls need, in one indexed query.
    pub async fn stream_resource(
        &self,
        actor: &Actor,
        namespace: &str,
        id: &str,
    ) -> Result<ResourceId, CoreError> {
        actor.require_read()?;
        let found: Option<(String,)> = self
            .db
            .query(sql!(
                "SELECT r.id FROM streams s JOIN resources r ON r.pk = s.resource_pk \
                 WHERE s.tenant_id = ? AND s.namespace_id = ? AND s.id = ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(id)
            .fetch_optional(&self.db)
            .await
            .map_err(storage)?;
        found
            .map(|(id,)| ResourceId::from_path(id))
            .ok_or_else(|| stream_missing(id))
    }

    /// The metadata of a stream named by its namespace and id as a Data Hub path names them
    /// (any case): the hot read of the Data Hub face. Which resource the stream is, is kept
    /// in memory after the first time, so a repeated read is as cheap as a native one.
    pub async fn read_stream_metadata(
        &self,
        actor: &Actor,
        namespace: &str,
        stream: &str,
    ) -> Result<Arc<MetadataRecord>, CoreError> {
        actor.require_read()?;
        let key = StreamKeyRef {
            tenant: actor.tenant.as_str(),
            namespace,
            stream,
        };
        if let Some(id) = self.cache.stream(&key) {
            match self.read_metadata_shared(actor, &id).await {
                // Not a stream any more (deleted since): look it up again below.
                Err(CoreError::NotFound { .. }) => {}
                Ok(record) if record.resource.kind.as_str() != STREAM_TYPE => {}
                found => return found,
            }
        }
        let read_at = self.cache.epoch();
        let found = self.namespace(actor, namespace).await?;
        let id = self.stream_resource(actor, &found.id, stream).await?;
        let record = self.read_metadata_shared(actor, &id).await?;
        self.cache.keep_stream(key.to_owned(), id, read_at);
        Ok(record)
    }

    /// A Data Hub write to a stream's metadata (`PUT`, `PATCH`, `DELETE Metadata`): one trip to
    /// the writer when the stream's resource is known from an earlier call (the writer
    /// refuses a resource that is no longer a stream); otherwise, or when it was deleted
    /// since, the stream is looked up first.
    pub async fn write_stream_metadata(
        &self,
        actor: &Actor,
        namespace: &str,
        stream: &str,
        write: UntypedWrite,
        precondition: &Precondition,
        limits: MetadataLimits,
    ) -> Result<MetadataRecord, CoreError> {
        actor.require_writer()?;
        let key = StreamKeyRef {
            tenant: actor.tenant.as_str(),
            namespace,
            stream,
        };
        let kind = ResourceType::parse(STREAM_TYPE).expect("the stream type is a valid type");
        if let Some(id) = self.cache.stream(&key) {
            match self
                .write_untyped(actor, &id, &kind, write.clone(), precondition, limits)
                .await
            {
                Err(CoreError::NotFound {
                    what: "resource", ..
                }) => {}
                done => return done,
            }
        }
        let read_at = self.cache.epoch();
        let found = self.namespace(actor, namespace).await?;
        let id = self.stream_resource(actor, &found.id, stream).await?;
        self.cache.keep_stream(key.to_owned(), id.clone(), read_at);
        self.write_untyped(actor, &id, &kind, write, precondition, limits)
            .await
    }

    /// A page of the namespace's streams by id.
    pub async fn list_streams(
        &self,
        actor: &Actor,
        namespace: &str,
        skip: u32,
        count: u32,
    ) -> Result<Vec<StoredStream>, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let rows = conn
            .query(sql!(
                "SELECT resource_pk, id, type_id, display_name, description, settings \
                 FROM streams WHERE tenant_id = ? AND namespace_id = ? \
                 ORDER BY id LIMIT ? OFFSET ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind(i64::from(count))
            .bind(i64::from(skip))
            .fetch_all::<StreamRow>(&mut conn)
            .await
            .map_err(storage)?;
        let mut streams = Vec::with_capacity(rows.len());
        for row in rows {
            streams.push(load_stream(conn.reborrow(), actor, row).await?);
        }
        Ok(streams)
    }

    /// Creates a stream, or (with `update`) changes the one of that id: its name, description,
    /// indexes and modes, never its type. Without `update` an existing stream is answered when
    /// it is the same and conflicts when it differs. `true` when created.
    pub async fn put_stream(
        &self,
        actor: &Actor,
        namespace: &str,
        stream: impl Into<Unchecked<Stream>>,
        update: bool,
        random: u128,
    ) -> Result<(StoredStream, bool), CoreError> {
        actor.require_writer()?;
        let stream = stream.into().check()?;
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let type_known: Option<(String,)> = conn
            .query(sql!(
                "SELECT id FROM stream_types WHERE tenant_id = ? AND namespace_id = ? AND id = ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(stream.type_id.as_str())
            .fetch_optional(&mut conn)
            .await
            .map_err(storage)?;
        if type_known.is_none() {
            return Err(type_missing(stream.type_id.as_str()));
        }
        if let Some(row) = stream_row(conn.reborrow(), actor, namespace, stream.id.as_str()).await?
        {
            let pk = row.resource_pk;
            let (current, site) = load_stream_and_site(conn.reborrow(), actor, row).await?;
            actor.require_write(site.as_ref())?;
            if !current.stream.type_id.same_as(stream.type_id.as_str()) {
                return Err(CoreError::Conflict(
                    Clash::TypeMismatch,
                    format!(
                        "The stream '{}' is of the type '{}'; a stream's type cannot change.",
                        current.stream.id.as_str(),
                        current.stream.type_id.as_str()
                    ),
                ));
            }
            if !update {
                if current.stream.same_as(&stream) {
                    return Ok((current, false));
                }
                return Err(CoreError::Conflict(
                    Clash::IdTaken,
                    format!(
                        "A different stream with the id '{}' exists; change it with PUT.",
                        current.stream.id.as_str()
                    ),
                ));
            }
            let name = stream.resource_name()?;
            let now = crate::store::now();
            conn.query(sql!(
                "UPDATE streams SET display_name = ?, description = ?, settings = ? \
                 WHERE resource_pk = ?"
            ))
            .bind(&stream.name)
            .bind(&stream.description)
            .bind(stream.settings.to_string())
            .bind(pk)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
            if name.as_str() == current.resource.name {
                conn.query(sql!("UPDATE resources SET updated_at = ? WHERE pk = ?"))
                    .bind(now)
                    .bind(pk)
                    .execute(&mut conn)
                    .await
                    .map_err(storage)?;
            } else {
                // The name is also the `name` item, so the metadata's version (its ETag)
                // moves with it.
                let version: i64 = conn
                    .query(sql!(
                        "UPDATE resources SET name = ?, updated_at = ?, version = version + 1 \
                         WHERE pk = ? RETURNING version"
                    ))
                    .bind(name.as_str())
                    .bind(now)
                    .bind(pk)
                    .fetch_scalar(&mut conn)
                    .await
                    .map_err(storage)?;
                let row = find_row(conn.reborrow(), &actor.tenant, &current.resource.id)
                    .await?
                    .ok_or_else(|| stream_missing(stream.id.as_str()))?;
                let old = ResourceName::parse(&current.resource.name).ok();
                set_name_item(
                    conn.reborrow(),
                    actor,
                    &row,
                    old.as_ref(),
                    &name,
                    version,
                    now,
                )
                .await?;
            }
            let row = stream_row(conn.reborrow(), actor, namespace, stream.id.as_str())
                .await?
                .ok_or_else(|| stream_missing(stream.id.as_str()))?;
            let updated = load_stream(conn, actor, row).await?;
            tx.commit().await.map_err(storage)?;
            self.cache
                .forget_record(actor.tenant.as_str(), updated.resource.id.as_str());
            return Ok((updated, false));
        }
        let site = actor.site_for_unplaced()?.cloned();
        let kind = ResourceType::parse(STREAM_TYPE)?;
        let id =
            new_stream_id(conn.reborrow(), actor, namespace, &stream.id, &kind, random).await?;
        let name = stream.resource_name()?;
        let now = crate::store::now();
        let row = insert(conn.reborrow(), actor, &id, &kind, &name, now).await?;
        if let Some(site) = &site {
            place_under(conn.reborrow(), actor, &row, site, now).await?;
        }
        set_name_item(conn.reborrow(), actor, &row, None, &name, row.version, now).await?;
        conn.query(sql!(
            "INSERT INTO streams (resource_pk, tenant_id, namespace_id, id, type_id, \
             display_name, description, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(row.pk)
        .bind(actor.tenant.as_str())
        .bind(namespace)
        .bind(stream.id.as_str())
        .bind(stream.type_id.as_str())
        .bind(&stream.name)
        .bind(&stream.description)
        .bind(stream.settings.to_string())
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        let resource = find_row(conn, &actor.tenant, &id)
            .await?
            .ok_or_else(|| stream_missing(stream.id.as_str()))?
            .into_resource()?;
        tx.commit().await.map_err(storage)?;
        Ok((StoredStream { stream, resource }, true))
    }

    /// How many streams of the namespace use the type.
    pub async fn count_streams_of_type(
        &self,
        actor: &Actor,
        namespace: &str,
        type_id: &str,
    ) -> Result<i64, CoreError> {
        actor.require_read()?;
        self.db
            .query(sql!(
                "SELECT count(*) FROM streams \
                 WHERE tenant_id = ? AND namespace_id = ? AND type_id = ?"
            ))
            .bind(actor.tenant.as_str())
            .bind_nocase(namespace)
            .bind_nocase(type_id)
            .fetch_scalar(&self.db)
            .await
            .map_err(storage)
    }

    /// Deletes a stream with its metadata and tags (its history stays).
    pub async fn delete_stream(
        &self,
        actor: &Actor,
        namespace: &str,
        id: &str,
    ) -> Result<(), CoreError> {
        let stored = self.stream(actor, namespace, id).await?;
        self.delete_resource(actor, &stored.resource.kind, &stored.resource.id, None)
            .await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::testing::{admin, each_engine, manager, staff};

    fn level_type() -> SdsType {
        let id = SdsId::parse("type", "Level").unwrap();
        SdsType::parse(
            &id,
            &json!({"Id": "Level", "SdsTypeCode": "Object", "Properties": [
                {"Id": "Time", "IsKey": true, "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}]}),
        )
        .unwrap()
    }

    fn stream(id: &str, name: &str) -> Stream {
        let sds = SdsId::parse("stream", id).unwrap();
        Stream::parse(&sds, &json!({"Id": id, "TypeId": "level", "Name": name})).unwrap()
    }

    /// Data Hub's ids compare ignoring case on both engines (PostgreSQL's CITEXT only does
    /// when what it is compared with is citext too), and a stream is a resource whose name
    /// follows its Data Hub `Name`.
    #[tokio::test]
    async fn namespaces_types_and_streams_are_found_ignoring_case_and_renamed_as_resources() {
        for (_dir, store) in each_engine().await {
            store
                .create_namespace(&admin(), NamespaceId::parse("Plant").unwrap(), "site")
                .await
                .unwrap();
            assert_eq!(
                store.namespace(&staff(), "PLANT").await.unwrap().id,
                "Plant"
            );
            let taken = store
                .create_namespace(&admin(), NamespaceId::parse("plant").unwrap(), "")
                .await;
            assert!(matches!(taken, Err(CoreError::Conflict(Clash::IdTaken, _))));

            let (_, created) = store
                .get_or_create_stream_type(&manager(), "plant", level_type())
                .await
                .unwrap();
            assert!(created);
            let (_, again) = store
                .get_or_create_stream_type(&manager(), "PLANT", level_type())
                .await
                .unwrap();
            assert!(!again);
            assert_eq!(
                store
                    .stream_type(&staff(), "plant", "LEVEL")
                    .await
                    .unwrap()
                    .sds_type
                    .id
                    .as_str(),
                "Level"
            );

            let (made, created) = store
                .put_stream(&manager(), "plant", stream("Tank1", "Tank one"), false, 7)
                .await
                .unwrap();
            assert!(created);
            assert_eq!(made.resource.name, "Tank one");
            let found = store.stream(&staff(), "PLANT", "tank1").await.unwrap();
            assert_eq!(found.resource.id, made.resource.id);
            let (renamed, created) = store
                .put_stream(&manager(), "plant", stream("TANK1", "Tank 1"), true, 8)
                .await
                .unwrap();
            assert!(!created);
            assert_eq!(renamed.resource.name, "Tank 1");
            assert_eq!(renamed.resource.version, made.resource.version + 1);
            let record = store
                .read_stream_metadata(&staff(), "plant", "tank1")
                .await
                .unwrap();
            assert_eq!(
                record.entry("name").unwrap().value,
                crate::core::metadata::MetaValue::Text("Tank 1".into())
            );

            let listed = store.list_streams(&staff(), "Plant", 0, 10).await.unwrap();
            assert_eq!(listed.len(), 1);
            assert_eq!(
                store
                    .count_streams_of_type(&staff(), "plant", "LEVEL")
                    .await
                    .unwrap(),
                1
            );
            let in_use = store.delete_stream_type(&manager(), "plant", "level").await;
            assert!(matches!(in_use, Err(CoreError::Conflict(..))), "{in_use:?}");
            store
                .delete_stream(&manager(), "plant", "tank1")
                .await
                .unwrap();
            store
                .delete_stream_type(&manager(), "plant", "level")
                .await
                .unwrap();
            assert!(matches!(
                store.stream_type(&staff(), "plant", "level").await,
                Err(CoreError::NotFound { .. })
            ));
        }
    }
}
