use std::sync::Arc;

use crate::core::error::Clash;
use crate::store::unchecked::Unchecked;
use chrono::{DateTime, Utc};

use super::batch::{Args, Batch};
use super::db::{Conn, Engine, PoolConn, Query, Sql, sql};
use super::metadata::plan::Current;
use super::removal::{Deleted, delete_on};
use super::rows::{ResourceRow, select_resources};
use super::search::off_the_workers;
use super::sqlite::batch::{Bound, failed, time_column, unique_violation};
use super::sqlite::metadata_writer::load;
use super::{Store, changes, check_version, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::listing::{PageKey, PageOrder};
use crate::core::metadata::MetadataRecord;
use crate::core::openstack::{ServerFilter, TagFilter};
use crate::core::resources::{
    ANCESTRY_READ, Resource, ResourceId, ResourceName, ResourceType, refuse_loop,
};
use crate::core::tenancy::TenantId;

/// One resource of the tenant by id, whatever its type, inside a transaction.
pub(super) async fn find_row<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    id: &ResourceId,
) -> Result<Option<ResourceRow>, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(select_resources!(
        "WHERE r.tenant_id = ? AND r.id = ?"
    )))
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut conn)
    .await
    .map_err(storage)
}

const INSERT: &str = "INSERT INTO resources (tenant_id, id, type, name, created_at, updated_at) \
                      VALUES (?, ?, ?, ?, ?, ?)";

/// A new resource's columns, in [`INSERT`]'s order.
fn insert_columns(
    args: &mut impl Args,
    actor: &Actor,
    id: &ResourceId,
    kind: &ResourceType,
    name: &ResourceName,
    now: DateTime<Utc>,
) {
    args.text(actor.tenant.as_str());
    args.text(id.as_str());
    args.text(kind.as_str());
    args.text(name.as_str());
    args.time(now);
    args.time(now);
}

/// The new value in the change record of a resource's creation.
fn creation_record(kind: &ResourceType, name: &ResourceName) -> serde_json::Value {
    serde_json::json!({ "type": kind.as_str(), "name": name.as_str() })
}

/// One resource of the tenant by id with its metadata, on the metadata writer's connection.
pub(super) fn current_in_writer(
    db: &rusqlite::Connection,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<Current>, CoreError> {
    let key = (tenant.as_str().to_owned(), id.to_owned());
    Ok(load(db, &[&key])?.pop().map(|(_, current)| current))
}

/// The resources of `tenant` among `ids`, without their metadata, on the metadata writer's
/// connection: for work that needs only the rows (a revert deleting thousands).
pub(super) fn rows_in_writer(
    db: &rusqlite::Connection,
    tenant: &TenantId,
    ids: &[&str],
) -> Result<Vec<ResourceRow>, CoreError> {
    let ids = serde_json::to_string(ids)
        .map_err(|e| CoreError::Storage(format!("cannot list the resources to read: {e}")))?;
    let mut statement = db
        .prepare_cached(select_resources!(
            "WHERE r.tenant_id = ? AND r.id IN (SELECT value FROM json_each(?))"
        ))
        .map_err(failed)?;
    let rows = statement
        .query_map((tenant.as_str(), ids), |r| {
            Ok(ResourceRow {
                pk: r.get(0)?,
                id: r.get(1)?,
                kind: r.get(2)?,
                name: r.get(3)?,
                parent_id: r.get(4)?,
                site_above: r.get(5)?,
                version: r.get(6)?,
                created_at: time_column(r, 7)?,
                updated_at: time_column(r, 8)?,
            })
        })
        .map_err(failed)?;
    rows.collect::<Result<_, _>>().map_err(failed)
}

/// Puts `row` under `parent` (or nowhere) inside the metadata writer's transaction, with its
/// record (see [`stage_move`]). Answers whether anything is under it (whose governing site
/// may have changed with it).
pub(super) fn reparent(
    db: &rusqlite::Connection,
    actor: &Actor,
    row: &ResourceRow,
    parent: Option<&ResourceId>,
    now: DateTime<Utc>,
) -> Result<bool, CoreError> {
    actor.require_write_of(&row.kind, row.site().as_ref())?;
    let target = match parent {
        None => None,
        Some(parent_id) => {
            let parent_row = current_in_writer(db, &actor.tenant, parent_id.as_str())?
                .ok_or_else(|| parent_not_found(parent_id))?
                .row;
            let ancestry: Vec<(i64,)> = db
                .prepare_cached(ANCESTRY)
                .and_then(|mut statement| {
                    statement
                        .query_map([parent_row.pk, ANCESTRY_READ as i64], |r| Ok((r.get(0)?,)))?
                        .collect()
                })
                .map_err(failed)?;
            Some(MoveTarget {
                id: parent_id,
                row: parent_row,
                ancestry,
            })
        }
    };
    let had_children = db
        .prepare_cached(HAS_CHILDREN)
        .and_then(|mut statement| statement.query_row([row.pk], |r| r.get::<_, bool>(0)))
        .map_err(failed)?;
    let mut batch = Batch::default();
    stage_move(&mut batch, actor, row, target.as_ref(), now)?;
    batch.run(db).map_err(failed)?;
    Ok(had_children)
}

/// [`reparent`] inside a write transaction of either engine.
pub(super) async fn reparent_on(
    mut conn: Conn<'_>,
    actor: &Actor,
    row: &ResourceRow,
    parent: Option<&ResourceId>,
    now: DateTime<Utc>,
) -> Result<bool, CoreError> {
    actor.require_write_of(&row.kind, row.site().as_ref())?;
    let target = match parent {
        None => None,
        Some(parent_id) => {
            let parent_row = find_row(conn.reborrow(), &actor.tenant, parent_id)
                .await?
                .ok_or_else(|| parent_not_found(parent_id))?;
            let ancestry: Vec<(i64,)> = conn
                .query(sql!(ANCESTRY))
                .bind(parent_row.pk)
                .bind(ANCESTRY_READ as i64)
                .fetch_all(&mut conn)
                .await
                .map_err(storage)?;
            Some(MoveTarget {
                id: parent_id,
                row: parent_row,
                ancestry,
            })
        }
    };
    let had_children: bool = conn
        .query(sql!(HAS_CHILDREN))
        .bind(row.pk)
        .fetch_scalar(&mut conn)
        .await
        .map_err(storage)?;
    let mut batch = Batch::default();
    stage_move(&mut batch, actor, row, target.as_ref(), now)?;
    batch.run_on(conn).await.map_err(storage)?;
    Ok(had_children)
}

const HAS_CHILDREN: &str = "SELECT EXISTS (SELECT 1 FROM resources WHERE parent_pk = ?)";

fn parent_not_found(id: &ResourceId) -> CoreError {
    CoreError::NotFound {
        what: "parent resource",
        id: id.to_string(),
    }
}

/// Where a move takes a resource: the new parent, and its ancestors' keys (nearest first).
pub(super) struct MoveTarget<'a> {
    id: &'a ResourceId,
    row: ResourceRow,
    ancestry: Vec<(i64,)>,
}

/// The rules of a move, and its statements staged: the actor must be allowed to write the
/// resource where it goes (as where it is, checked before anything was read), and a resource
/// never ends up under itself.
fn stage_move(
    batch: &mut Batch,
    actor: &Actor,
    row: &ResourceRow,
    target: Option<&MoveTarget<'_>>,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let id = ResourceId::from_path(row.id.clone());
    if let Some(target) = target {
        refuse_loop(&id, target.id, &(row.pk,), &target.ancestry)?;
    }
    let new_parent = target.map(|t| &t.row);
    // The parent's own governing site is the nearest site at or above it.
    let moved_to = Resource::governing_site(
        &row.kind,
        &row.id,
        new_parent
            .and_then(ResourceRow::site)
            .as_ref()
            .map(ResourceId::as_str),
    );
    actor.require_move(row.site().as_ref(), moved_to.as_ref())?;
    batch.statement(
        "UPDATE resources SET parent_pk = ?, version = version + 1, updated_at = ? WHERE pk = ?",
    );
    batch.arg(new_parent.map(|p| p.pk));
    batch.time(now);
    batch.arg(row.pk);
    changes::stage(
        batch,
        actor,
        id.as_str(),
        Action::ResourceParent,
        "parent",
        row.parent_id.clone().map(serde_json::Value::from),
        new_parent.map(|p| serde_json::Value::from(p.id.clone())),
        now,
    );
    Ok(())
}

/// Inserts a resource and records its creation; a taken site name is a conflict.
pub(super) async fn insert<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    id: &ResourceId,
    kind: &ResourceType,
    name: &ResourceName,
    now: DateTime<Utc>,
) -> Result<ResourceRow, CoreError> {
    let mut conn = conn.into();
    let mut query = conn.query(sql!(INSERT));
    insert_columns(&mut query, actor, id, kind, name, now);
    let inserted = query.execute(&mut conn).await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(taken(kind, name.as_str(), db.message()));
        }
        Err(e) => return Err(storage(e)),
    }
    changes::append(
        conn.reborrow(),
        actor,
        id.as_str(),
        Action::ResourceCreate,
        kind.as_str(),
        None,
        Some(creation_record(kind, name)),
        now,
    )
    .await?;
    find_row(conn, &actor.tenant, id)
        .await?
        .ok_or_else(|| CoreError::Storage("a resource vanished inside its transaction".into()))
}

/// Inserts a resource on the metadata writer's connection, inside its transaction, and stages
/// the record of its creation; its key. A taken id or site name is a conflict.
pub(super) fn insert_in_writer(
    db: &rusqlite::Connection,
    batch: &mut Batch,
    actor: &Actor,
    id: &ResourceId,
    kind: &ResourceType,
    name: &ResourceName,
    now: DateTime<Utc>,
) -> Result<i64, CoreError> {
    let pk =
        insert_row_in_writer(db, actor, id, kind, name, now).map_err(
            |e| match unique_violation(&e) {
                Some(detail) => taken(kind, name.as_str(), detail),
                None => failed(e),
            },
        )?;
    changes::stage(
        batch,
        actor,
        id.as_str(),
        Action::ResourceCreate,
        kind.as_str(),
        None,
        Some(creation_record(kind, name)),
        now,
    );
    Ok(pk)
}

/// Inserts a resource's row on the metadata writer's connection, and nothing else; its key.
pub(super) fn insert_row_in_writer(
    db: &rusqlite::Connection,
    actor: &Actor,
    id: &ResourceId,
    kind: &ResourceType,
    name: &ResourceName,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    let mut statement = db.prepare_cached(INSERT)?;
    let mut args = Bound::new(&mut statement);
    insert_columns(&mut args, actor, id, kind, name, now);
    args.execute()?;
    Ok(db.last_insert_rowid())
}

/// Adds the version bump (and the rename, if asked) after a change to the resource or its
/// metadata to a batch.
pub(super) fn stage_touch(
    batch: &mut Batch,
    row: &ResourceRow,
    rename: Option<&ResourceName>,
    now: DateTime<Utc>,
) {
    // Without a rename the name is left out of the statement, not set to itself: SQLite
    // rewrites the entry of every index on a column the statement sets, and the two name
    // indexes would add two random pages to every metadata write.
    batch.statement(match rename {
        Some(_) => {
            "UPDATE resources SET version = version + 1, updated_at = ?, name = ? WHERE pk = ?"
        }
        None => "UPDATE resources SET version = version + 1, updated_at = ? WHERE pk = ?",
    });
    batch.time(now);
    if let Some(name) = rename {
        batch.arg(name.as_str().to_owned());
    }
    batch.arg(row.pk);
}

/// A unique violation, with SQLite's message `detail`: the id taken, or the name of a site
/// (`renamed` to, when a rename caused it).
pub(super) fn taken_by_write(
    kind: &ResourceType,
    renamed: Option<&ResourceName>,
    detail: &str,
) -> CoreError {
    taken(kind, renamed.map_or("", ResourceName::as_str), detail)
}

fn kind_name(kind: &ResourceType) -> &'static str {
    kind_name_of(kind.as_str())
}

fn kind_name_of(kind: &str) -> &'static str {
    if kind == ResourceType::SITE {
        ResourceType::SITE
    } else {
        "resource"
    }
}

fn taken(kind: &ResourceType, name: &str, detail: &str) -> CoreError {
    if detail.contains("resources.id") || detail.contains("resources_tenant_id") {
        CoreError::Conflict(
            Clash::IdTaken,
            "A resource with this id already exists.".to_owned(),
        )
    } else {
        CoreError::Conflict(
            Clash::NameTaken,
            format!("A {kind} named '{name}' already exists."),
        )
    }
}

/// A resource's key and its ancestors' keys, nearest first, at most `?2` of them: the chain
/// [`refuse_loop`] checks, loaded in one query.
const ANCESTRY: &str = "WITH RECURSIVE chain (pk, depth) AS (SELECT ?1, 1 UNION ALL \
                        SELECT r.parent_pk, c.depth + 1 FROM chain c JOIN resources r ON r.pk = c.pk \
                        WHERE r.parent_pk IS NOT NULL AND c.depth < ?2) \
                        SELECT pk FROM chain ORDER BY depth";

/// The most types [`Store::resource_types`] answers: a tenant with more has made types by
/// script, and a page of chips stops being a help long before this.
const MAX_TYPES_LISTED: i64 = 100;

impl Store {
    /// Creates a resource with a freshly minted id. The name is already valid by construction;
    /// the database still has the last word on uniqueness, so two racing creates cannot both win.
    pub async fn create_resource(
        &self,
        actor: &Actor,
        kind: &ResourceType,
        name: impl Into<Unchecked<ResourceName>>,
        random: u128,
    ) -> Result<Resource, CoreError> {
        // A brand-new resource belongs to no site yet, so only unlimited writers may create one.
        actor.require_write(None)?;
        let name = &name.into().check()?;
        let now = crate::store::now();
        let id = ResourceId::mint(kind, random);
        let mut tx = self.write_tx().await?;
        let row = insert(&mut tx, actor, &id, kind, name, now).await?;
        tx.commit().await.map_err(storage)?;
        row.into_resource()
    }

    /// All resources of one type in the tenant, by name.
    pub async fn list_resources(
        &self,
        actor: &Actor,
        kind: &ResourceType,
    ) -> Result<Vec<Resource>, CoreError> {
        actor.require_read()?;
        const BY_NAME: Sql = Sql::each(
            select_resources!(
                "WHERE r.tenant_id = ? AND r.type = ? ORDER BY r.name COLLATE NOCASE, r.id"
            ),
            sql!(select_resources!(
                "WHERE r.tenant_id = ? AND r.type = ? ORDER BY lower(r.name), r.id"
            ))
            .postgres(),
        );
        self.db
            .query(BY_NAME)
            .bind(actor.tenant.as_str())
            .bind(kind.as_str())
            .fetch_all::<ResourceRow>(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(ResourceRow::into_resource)
            .collect()
    }

    /// A page of one type's resources by id, after the id `after`, at most `limit`.
    pub async fn page_resources(
        &self,
        actor: &Actor,
        kind: &ResourceType,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Resource>, CoreError> {
        actor.require_read()?;
        self.db
            .query(sql!(select_resources!(
                "WHERE r.tenant_id = ? AND r.type = ? AND r.id > ? ORDER BY r.id LIMIT ?"
            )))
            .bind(actor.tenant.as_str())
            .bind(kind.as_str())
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all::<ResourceRow>(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(ResourceRow::into_resource)
            .collect()
    }

    /// A page of one type's resources in `order`, after the resource `marker` when given (not
    /// found when the tenant has no such resource of the type), keeping only those `filter`
    /// matches, at most `limit`.
    pub async fn page_of_type(
        &self,
        actor: &Actor,
        kind: &ResourceType,
        filter: Option<&ServerFilter>,
        order: PageOrder,
        marker: Option<&ResourceId>,
        limit: u32,
    ) -> Result<Vec<Resource>, CoreError> {
        let filter = filter.filter(|f| !f.is_empty());
        actor.require_read()?;
        // A filtered list may walk every server of the tenant, so it runs as a search does:
        // on the searches' own connections, under their deadline, its matching off the async
        // workers (32 lists over 300,000 servers once starved the main pool).
        // On PostgreSQL the chunks' statements are bounded by their LIMIT and the index, and
        // the matching checks the deadline between them.
        let (mut pooled, deadline) = match (filter, self.db.engine()) {
            (Some(_), Engine::Sqlite) => {
                let (conn, deadline) = self.search_connection().await?;
                (PoolConn::Sqlite(conn), Some(deadline))
            }
            (Some(_), Engine::Postgres) => (
                self.db.acquire().await.map_err(storage)?,
                Some(self.search_deadline()),
            ),
            (None, _) => (self.db.acquire().await.map_err(storage)?, None),
        };
        let mut conn = pooled.conn();
        let failed = |e: sqlx::Error| match deadline {
            Some(deadline) => deadline.error(e),
            None => storage(e),
        };
        let mut after = match marker {
            None => PageCursor::start(order),
            Some(marker) => {
                let row = find_row(conn.reborrow(), &actor.tenant, marker)
                    .await?
                    .filter(|row| row.kind == kind.as_str())
                    .ok_or_else(|| CoreError::NotFound {
                        what: "marker",
                        id: marker.to_string(),
                    })?;
                PageCursor::at(order, &row)
            }
        };
        // A filter is matched here, by the core's rule, so rows are read in chunks until the
        // page is full or the type has no more.
        const CHUNK: u32 = 500;
        let mut page = Vec::new();
        while page.len() < limit as usize {
            let chunk = if filter.is_some() { CHUNK } else { limit };
            let rows = after
                .query(&conn, order, actor.tenant.as_str(), kind.as_str(), chunk)
                .fetch_all::<ResourceRow>(&mut conn)
                .await
                .map_err(failed)?;
            let Some(last) = rows.last() else { break };
            after = PageCursor::at(order, last);
            let exhausted = rows.len() < chunk as usize;
            let rows = match (filter, deadline) {
                (Some(filter), Some(deadline)) => {
                    let filter = filter.clone();
                    off_the_workers(deadline, move || {
                        deadline.check()?;
                        Ok(rows
                            .into_iter()
                            .filter(|row| filter.matches(&row.name, row.updated_at))
                            .collect::<Vec<_>>())
                    })
                    .await?
                }
                _ => rows,
            };
            let rows = match filter.and_then(|f| f.named_by.as_deref()) {
                Some(principal) => named_by(conn.reborrow(), rows, principal)
                    .await
                    .map_err(failed)?,
                None => rows,
            };
            let rows = match filter.map(|f| &f.tags).filter(|t| !t.is_empty()) {
                Some(tags) => tagged(conn.reborrow(), rows, tags).await.map_err(failed)?,
                None => rows,
            };
            for row in rows {
                if page.len() < limit as usize {
                    page.push(row.into_resource()?);
                }
            }
            if filter.is_none() || exhausted {
                break;
            }
        }
        Ok(page)
    }

    /// Deletes a resource with its metadata and tag values; its history stays. Resources
    /// under it lose their parent rather than being deleted with it.
    pub async fn delete_resource(
        &self,
        actor: &Actor,
        kind: &ResourceType,
        id: &ResourceId,
        expected_version: Option<i64>,
    ) -> Result<(), CoreError> {
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let row = find_row(conn.reborrow(), &actor.tenant, id)
            .await?
            .filter(|row| row.kind == kind.as_str())
            .ok_or_else(|| CoreError::NotFound {
                what: "resource",
                id: id.to_string(),
            })?;
        actor.require_delete(&row.kind, row.site().as_ref())?;
        check_version(kind_name(kind), row.version, expected_version)?;
        let gone = delete_on(conn, actor, &row, now).await?;
        tx.commit().await.map_err(storage)?;
        self.after_deletes(actor, &[gone]).await;
        Ok(())
    }

    /// What the store keeps beside the database once deletions are committed: the cached
    /// records, and the blobs no file refers to any more.
    pub(super) async fn after_deletes(&self, actor: &Actor, gone: &[Deleted]) {
        for deleted in gone {
            self.cache.forget_record(actor.tenant.as_str(), &deleted.id);
            if deleted.had_children {
                // Those under it lost their parent, and maybe the site that governed them.
                self.cache.forget_records();
            }
            if deleted.was_stream {
                self.cache.forget_streams();
            }
        }
        for deleted in gone {
            for sha256 in &deleted.blobs {
                self.collect_blob_after_commit(sha256).await;
            }
        }
    }

    /// Any resource of the tenant, whatever its type.
    pub async fn get_resource(
        &self,
        actor: &Actor,
        id: &ResourceId,
    ) -> Result<Resource, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        find_row(&mut pooled, &actor.tenant, id)
            .await?
            .ok_or_else(|| CoreError::NotFound {
                what: "resource",
                id: id.to_string(),
            })?
            .into_resource()
    }

    /// The records (resource and metadata) of the resources directly under `parent` (a site's
    /// devices, servers and streams), by name, at most `limit` of them, with how many there
    /// are in all. Each record is read through the record cache, where the API reads of those
    /// resources usually left it; `limit` bounds the misses.
    pub async fn resources_under(
        &self,
        actor: &Actor,
        parent: &ResourceId,
        limit: u32,
    ) -> Result<(Vec<Arc<MetadataRecord>>, u64), CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let ids: Vec<String> = conn
            .query(Sql::each(
                "SELECT id FROM resources \
                 WHERE parent_pk = (SELECT pk FROM resources WHERE tenant_id = ? AND id = ?) \
                 ORDER BY name COLLATE NOCASE, id LIMIT ?",
                "SELECT id FROM resources \
                 WHERE parent_pk = (SELECT pk FROM resources WHERE tenant_id = $1 AND id = $2) \
                 ORDER BY lower(name), id LIMIT $3",
            ))
            .bind(actor.tenant.as_str())
            .bind(parent.as_str())
            .bind(i64::from(limit))
            .fetch_column(&mut conn)
            .await
            .map_err(storage)?;
        // Counted only when the page is full: most sites have fewer than a page under them.
        let total = if ids.len() < limit as usize {
            ids.len() as i64
        } else {
            conn.query(sql!(
                "SELECT COUNT(*) FROM resources \
                 WHERE parent_pk = (SELECT pk FROM resources WHERE tenant_id = ? AND id = ?)"
            ))
            .bind(actor.tenant.as_str())
            .bind(parent.as_str())
            .fetch_scalar::<i64>(&mut conn)
            .await
            .map_err(storage)?
        };
        drop(pooled);
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            records.push(
                self.read_metadata_shared(actor, &ResourceId::from_path(id))
                    .await?,
            );
        }
        Ok((records, u64::try_from(total).unwrap_or_default()))
    }

    /// Puts a resource under another (a device under its site), or nowhere (`None`). The actor
    /// must be allowed to write both where the resource is and where it goes, and a resource
    /// can never end up under itself.
    pub async fn set_parent(
        &self,
        actor: &Actor,
        id: &ResourceId,
        parent: Option<&ResourceId>,
        expected_version: Option<i64>,
    ) -> Result<Resource, CoreError> {
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let row = find_row(conn.reborrow(), &actor.tenant, id)
            .await?
            .ok_or_else(|| CoreError::NotFound {
                what: "resource",
                id: id.to_string(),
            })?;
        check_version(kind_name_of(&row.kind), row.version, expected_version)?;
        let had_children = reparent_on(conn.reborrow(), actor, &row, parent, now).await?;
        let updated = find_row(conn, &actor.tenant, id).await?.ok_or_else(|| {
            CoreError::Storage("a resource vanished inside its transaction".into())
        })?;
        tx.commit().await.map_err(storage)?;
        self.cache
            .forget_record(actor.tenant.as_str(), updated.id());
        if had_children {
            // Those under it may have changed governing site with it.
            self.cache.forget_records();
        }
        updated.into_resource()
    }

    /// The types the tenant has resources of, by name: the list page's type chips. Each step
    /// is one seek on the `(tenant_id, type, name)` index to the next type, so the cost grows
    /// with the number of types, not of resources.
    pub async fn resource_types(&self, actor: &Actor) -> Result<Vec<ResourceType>, CoreError> {
        actor.require_read()?;
        let types: Vec<String> = self
            .db
            .query(sql!(
                "WITH RECURSIVE present(type) AS ( \
                   SELECT min(type) FROM resources WHERE tenant_id = ?1 \
                   UNION ALL \
                   SELECT (SELECT min(type) FROM resources WHERE tenant_id = ?1 AND type > present.type) \
                   FROM present WHERE present.type IS NOT NULL) \
                 SELECT type FROM present WHERE type IS NOT NULL LIMIT ?2"
            ))
            .bind(actor.tenant.as_str())
            .bind(MAX_TYPES_LISTED)
            .fetch_column(&self.db)
            .await
            .map_err(storage)?;
        Ok(types
            .into_iter()
            .filter_map(|kind| ResourceType::parse(&kind).ok())
            .collect())
    }

    /// One resource of the given type, or `None` when the tenant has no such resource.
    pub async fn find_resource(
        &self,
        actor: &Actor,
        kind: &ResourceType,
        id: &ResourceId,
    ) -> Result<Option<Resource>, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        match find_row(&mut pooled, &actor.tenant, id).await? {
            Some(row) if row.kind == kind.as_str() => row.into_resource().map(Some),
            _ => Ok(None),
        }
    }
}

/// The rows whose `name` key `principal` last wrote (who named the resource: Nova's server
/// `user_id`), in one query for the chunk.
async fn named_by(
    mut conn: Conn<'_>,
    rows: Vec<ResourceRow>,
    principal: &str,
) -> Result<Vec<ResourceRow>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let pks = serde_json::to_string(&rows.iter().map(|r| r.pk).collect::<Vec<_>>())
        .expect("integers serialise");
    let named: Vec<i64> = conn
        .query(Sql::each(
            "SELECT resource_pk FROM metadata WHERE key = 'name' AND changed_by = ? \
             AND resource_pk IN (SELECT value FROM json_each(?))",
            "SELECT resource_pk FROM metadata WHERE key = 'name' AND changed_by = $1 \
             AND resource_pk IN (SELECT jsonb_array_elements_text(CAST($2 AS jsonb))::bigint)",
        ))
        .bind(principal)
        .bind(pks)
        .fetch_column(&mut conn)
        .await?;
    let named: std::collections::HashSet<i64> = named.into_iter().collect();
    Ok(rows.into_iter().filter(|r| named.contains(&r.pk)).collect())
}

/// The rows whose tags pass Nova's tag filters, their tags read in one query for the chunk.
async fn tagged(
    mut conn: Conn<'_>,
    rows: Vec<ResourceRow>,
    filter: &TagFilter,
) -> Result<Vec<ResourceRow>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let pks = serde_json::to_string(&rows.iter().map(|r| r.pk).collect::<Vec<_>>())
        .expect("integers serialise");
    let pairs: Vec<(i64, String)> = conn
        .query(Sql::each(
            "SELECT v.resource_pk, t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
             WHERE v.resource_pk IN (SELECT value FROM json_each(?))",
            "SELECT v.resource_pk, t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
             WHERE v.resource_pk IN (SELECT jsonb_array_elements_text(CAST($1 AS jsonb))::bigint)",
        ))
        .bind(pks)
        .fetch_all(&mut conn)
        .await?;
    let mut names: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for (pk, name) in pairs {
        names.entry(pk).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .filter(|r| filter.matches(names.get(&r.pk).map_or(&[][..], Vec::as_slice)))
        .collect())
}

/// New Year of `year`, UTC: a time no stored one comes before (1) or after (9999).
fn far(year: i32) -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .single()
        .expect("New Year at midnight UTC exists")
}

/// Where a page resumes: after the row with this sort value (none for the creation order,
/// which is the primary key's) and this primary key.
struct PageCursor {
    value: CursorValue,
    pk: i64,
}

enum CursorValue {
    None,
    Text(String),
    Time(DateTime<Utc>),
}

/// The page queries, one per key and direction (sqlx takes only static SQL). Each compares
/// the sort value, then the primary key, in the same direction, as the index orders them.
/// `$value` is how the cursor's value is compared with the column: `?`, or on PostgreSQL
/// `lower(?)` where the column is `lower(r.name)` (SQLite's `COLLATE NOCASE` folds both sides).
macro_rules! page_after {
    ($column:literal, $value:literal, $cmp:literal, $dir:literal) => {
        select_resources!(
            "WHERE r.tenant_id = ? AND r.type = ? AND (",
            $column,
            " ",
            $cmp,
            " ",
            $value,
            " OR (",
            $column,
            " = ",
            $value,
            " AND r.pk ",
            $cmp,
            " ?)) ORDER BY ",
            $column,
            " ",
            $dir,
            ", r.pk ",
            $dir,
            " LIMIT ?"
        )
    };
    ($column:literal, $cmp:literal, $dir:literal) => {
        sql!(page_after!($column, "?", $cmp, $dir))
    };
}

/// A page by name: ignoring case, as SQLite's `COLLATE NOCASE` and PostgreSQL's `lower()`.
macro_rules! page_by_name {
    ($cmp:literal, $dir:literal) => {
        Sql::each(
            page_after!("r.name COLLATE NOCASE", "?", $cmp, $dir),
            sql!(page_after!("lower(r.name)", "lower(?)", $cmp, $dir)).postgres(),
        )
    };
}

impl PageCursor {
    /// Before every row in `order`: a value no stored one sorts beyond (names and ids are
    /// never empty, no text sorts after U+10FFFF's bytes, and times lie between years 1 and
    /// 9999).
    fn start(order: PageOrder) -> Self {
        let value = match (order.key, order.descending) {
            (PageKey::Created, _) => CursorValue::None,
            // Times within both engines' range (PostgreSQL's ends in year 294276), before or
            // after any a resource can have.
            (PageKey::Updated, false) => CursorValue::Time(far(1)),
            (PageKey::Updated, true) => CursorValue::Time(far(9999)),
            (_, false) => CursorValue::Text(String::new()),
            (_, true) => CursorValue::Text("\u{10FFFF}".to_owned()),
        };
        let pk = if order.descending { i64::MAX } else { i64::MIN };
        Self { value, pk }
    }

    fn at(order: PageOrder, row: &ResourceRow) -> Self {
        let value = match order.key {
            PageKey::Created => CursorValue::None,
            PageKey::Name => CursorValue::Text(row.name.clone()),
            PageKey::Id => CursorValue::Text(row.id.clone()),
            PageKey::Updated => CursorValue::Time(row.updated_at),
        };
        Self { value, pk: row.pk }
    }

    fn query(
        &self,
        conn: &Conn<'_>,
        order: PageOrder,
        tenant: &str,
        kind: &str,
        limit: u32,
    ) -> Query {
        let sql = match (order.key, order.descending) {
            (PageKey::Created, true) => sql!(select_resources!(
                "WHERE r.tenant_id = ? AND r.type = ? AND r.pk < ? ORDER BY r.pk DESC LIMIT ?"
            )),
            (PageKey::Created, false) => sql!(select_resources!(
                "WHERE r.tenant_id = ? AND r.type = ? AND r.pk > ? ORDER BY r.pk LIMIT ?"
            )),
            (PageKey::Name, true) => page_by_name!("<", "DESC"),
            (PageKey::Name, false) => page_by_name!(">", "ASC"),
            (PageKey::Updated, true) => page_after!("r.updated_at", "<", "DESC"),
            (PageKey::Updated, false) => page_after!("r.updated_at", ">", "ASC"),
            (PageKey::Id, true) => page_after!("r.id", "<", "DESC"),
            (PageKey::Id, false) => page_after!("r.id", ">", "ASC"),
        };
        let query = conn.query(sql).bind(tenant).bind(kind);
        let query = match &self.value {
            CursorValue::None => query,
            CursorValue::Text(text) => query.bind(text.as_str()).bind(text.as_str()),
            CursorValue::Time(at) => query.bind(*at).bind(*at),
        };
        query.bind(self.pk).bind(i64::from(limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{actor_of, each_engine, manager, staff, temp_store};

    fn name(s: &str) -> ResourceName {
        ResourceName::parse(s).unwrap()
    }

    #[tokio::test]
    async fn a_created_site_is_listed_and_found() {
        for (_dir, store) in each_engine().await {
            let site = ResourceType::site();
            let created = store
                .create_resource(&manager(), &site, &name("Main Office"), 7)
                .await
                .unwrap();
            assert_eq!(created.id.as_str(), "site_00000000000000000000000000000007");
            assert_eq!(created.version, 1);

            let listed = store.list_resources(&staff(), &site).await.unwrap();
            assert_eq!(listed, vec![created.clone()]);
            assert_eq!(
                store
                    .find_resource(&staff(), &site, &created.id)
                    .await
                    .unwrap(),
                Some(created)
            );
        }
    }

    #[tokio::test]
    async fn creating_a_resource_records_who_created_it() {
        for (_dir, store) in each_engine().await {
            let created = store
                .create_resource(&manager(), &ResourceType::site(), &name("HQ"), 1)
                .await
                .unwrap();
            let history = store
                .list_changes(&staff(), &created.id, 0, 10)
                .await
                .unwrap();
            assert_eq!(history.len(), 1);
            assert_eq!(history[0].action, Action::ResourceCreate);
            assert_eq!(history[0].actor_id, manager().id);
            assert_eq!(history[0].new.as_ref().unwrap()["name"], "HQ");
        }
    }

    #[tokio::test]
    async fn staff_cannot_create_and_nothing_is_written() {
        for (_dir, store) in each_engine().await {
            let err = store
                .create_resource(&staff(), &ResourceType::site(), &name("HQ"), 1)
                .await
                .unwrap_err();
            assert!(matches!(err, CoreError::Forbidden(_)), "{err:?}");
            assert!(
                store
                    .list_resources(&staff(), &ResourceType::site())
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
    }

    #[tokio::test]
    async fn an_unknown_id_is_not_found() {
        for (_dir, store) in each_engine().await {
            let missing = ResourceId::from_path("site_nope");
            assert_eq!(
                store
                    .find_resource(&staff(), &ResourceType::site(), &missing)
                    .await
                    .unwrap(),
                None
            );
        }
    }

    #[tokio::test]
    async fn another_tenants_resources_are_invisible() {
        for (_dir, store) in each_engine().await {
            let other = actor_of("acme", crate::core::access::Role::Admin);
            store.create_tenant(&other.tenant, "Acme").await.unwrap();
            let theirs = store
                .create_resource(&other, &ResourceType::site(), &name("HQ"), 1)
                .await
                .unwrap();
            assert_eq!(
                store
                    .find_resource(&staff(), &ResourceType::site(), &theirs.id)
                    .await
                    .unwrap(),
                None
            );
            assert!(
                store
                    .list_resources(&staff(), &ResourceType::site())
                    .await
                    .unwrap()
                    .is_empty()
            );
            // The same site name is free in the default tenant.
            assert!(
                store
                    .create_resource(&manager(), &ResourceType::site(), &name("HQ"), 2)
                    .await
                    .is_ok()
            );
        }
    }

    #[tokio::test]
    async fn a_resource_of_another_type_is_not_found_as_a_site() {
        for (_dir, store) in each_engine().await {
            let device = ResourceType::parse("mikrotik.device").unwrap();
            let router = store
                .create_resource(&manager(), &device, &name("Edge 1"), 1)
                .await
                .unwrap();
            assert_eq!(
                store
                    .find_resource(&staff(), &ResourceType::site(), &router.id)
                    .await
                    .unwrap(),
                None
            );
        }
    }

    #[tokio::test]
    async fn a_duplicate_site_name_conflicts_ignoring_case_and_writes_nothing() {
        for (_dir, store) in each_engine().await {
            let site = ResourceType::site();
            store
                .create_resource(&manager(), &site, &name("Main Office"), 1)
                .await
                .unwrap();
            let err = store
                .create_resource(&manager(), &site, &name("MAIN office"), 2)
                .await
                .unwrap_err();
            assert!(
                matches!(&err, CoreError::Conflict(_, m) if m.contains("MAIN office")),
                "{err:?}"
            );
            assert_eq!(
                store.list_resources(&staff(), &site).await.unwrap().len(),
                1
            );
        }
    }

    #[tokio::test]
    async fn devices_may_share_a_name() {
        for (_dir, store) in each_engine().await {
            let device = ResourceType::parse("mikrotik.device").unwrap();
            for i in 0..2 {
                store
                    .create_resource(&manager(), &device, &name("Router"), i)
                    .await
                    .unwrap();
            }
            assert_eq!(
                store.list_resources(&staff(), &device).await.unwrap().len(),
                2
            );
        }
    }

    #[tokio::test]
    async fn a_device_goes_under_a_site_and_never_under_itself() {
        for (_dir, store) in each_engine().await {
            let device = ResourceType::parse("mikrotik.device").unwrap();
            let hq = store
                .create_resource(&manager(), &ResourceType::site(), &name("HQ"), 1)
                .await
                .unwrap();
            let router = store
                .create_resource(&manager(), &device, &name("Edge"), 2)
                .await
                .unwrap();
            let port = store
                .create_resource(&manager(), &device, &name("Port 1"), 3)
                .await
                .unwrap();
            let placed = store
                .set_parent(&manager(), &router.id, Some(&hq.id), Some(1))
                .await
                .unwrap();
            assert_eq!(placed.parent, Some(hq.id.clone()));
            assert_eq!(placed.version, 2);
            store
                .set_parent(&manager(), &port.id, Some(&router.id), None)
                .await
                .unwrap();
            for (child, parent) in [(&router.id, &router.id), (&router.id, &port.id)] {
                assert!(matches!(
                    store
                        .set_parent(&manager(), child, Some(parent), None)
                        .await,
                    Err(CoreError::Conflict(..))
                ));
            }
            assert!(matches!(
                store
                    .set_parent(
                        &manager(),
                        &router.id,
                        Some(&ResourceId::from_path("nope")),
                        None
                    )
                    .await,
                Err(CoreError::NotFound { .. })
            ));
            assert!(matches!(
                store
                    .set_parent(&manager(), &router.id, None, Some(1))
                    .await,
                Err(CoreError::PreconditionFailed { current: 2, .. })
            ));
            // A manager limited to HQ now manages the router, and may not move it elsewhere.
            let mut limited = manager();
            limited.sites = crate::core::access::SiteScope::Only(vec![hq.id.clone()]);
            let other = store
                .create_resource(&manager(), &ResourceType::site(), &name("Branch"), 4)
                .await
                .unwrap();
            assert!(matches!(
                store
                    .set_parent(&limited, &router.id, Some(&other.id), None)
                    .await,
                Err(CoreError::Forbidden(_))
            ));
            // Nor take it out of every site, where they could no longer reach it.
            assert!(matches!(
                store.set_parent(&limited, &router.id, None, None).await,
                Err(CoreError::Forbidden(m)) if m.contains("out of the sites")
            ));
            assert_eq!(
                store
                    .get_resource(&staff(), &router.id)
                    .await
                    .unwrap()
                    .parent,
                Some(hq.id.clone())
            );
            // The port under the router is under HQ too, one level further down: theirs to move
            // within HQ, and to write.
            assert!(
                store
                    .set_parent(&limited, &port.id, Some(&hq.id), None)
                    .await
                    .is_ok()
            );
        }
    }

    #[tokio::test]
    async fn a_manager_limited_to_a_site_manages_what_is_under_it_however_deep() {
        for (_dir, store) in each_engine().await {
            let device = ResourceType::parse("mikrotik.device").unwrap();
            let port_type = ResourceType::parse("mikrotik.port").unwrap();
            let hq = store
                .create_resource(&manager(), &ResourceType::site(), &name("HQ"), 1)
                .await
                .unwrap();
            let router = store
                .create_resource(&manager(), &device, &name("r1"), 2)
                .await
                .unwrap();
            let port = store
                .create_resource(&manager(), &port_type, &name("ether1"), 3)
                .await
                .unwrap();
            store
                .set_parent(&manager(), &router.id, Some(&hq.id), None)
                .await
                .unwrap();
            store
                .set_parent(&manager(), &port.id, Some(&router.id), None)
                .await
                .unwrap();
            let mut limited = manager();
            limited.sites = crate::core::access::SiteScope::Only(vec![hq.id.clone()]);
            let speed = (
                crate::core::metadata::MetaKey::parse("speed").unwrap(),
                crate::core::metadata::MetaValue::Integer(1000),
            );
            let written = store
                .put_metadata_key(
                    &limited,
                    &port.id,
                    speed.into(),
                    &crate::core::metadata::Precondition::Any,
                    Default::default(),
                )
                .await;
            assert!(written.is_ok(), "{written:?}");

            // Moving the router to another site takes the port with it, out of the grant: the
            // cached record of the port must not keep the old site.
            let branch = store
                .create_resource(&manager(), &ResourceType::site(), &name("Branch"), 4)
                .await
                .unwrap();
            store
                .set_parent(&manager(), &router.id, Some(&branch.id), None)
                .await
                .unwrap();
            assert!(matches!(
                store
                    .delete_resource(&limited, &port_type, &port.id, None)
                    .await,
                Err(CoreError::Forbidden(_))
            ));
            store
                .set_parent(&manager(), &router.id, Some(&hq.id), None)
                .await
                .unwrap();
            store
                .delete_resource(&limited, &port_type, &port.id, None)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_manager_limited_to_a_site_cannot_delete_it() {
        for (_dir, store) in each_engine().await {
            let hq = store
                .create_resource(&manager(), &ResourceType::site(), &name("HQ"), 1)
                .await
                .unwrap();
            let mut limited = manager();
            limited.sites = crate::core::access::SiteScope::Only(vec![hq.id.clone()]);
            assert!(matches!(
                store
                    .delete_resource(&limited, &ResourceType::site(), &hq.id, None)
                    .await,
                Err(CoreError::Forbidden(_))
            ));
            assert!(
                store
                    .find_resource(&staff(), &ResourceType::site(), &hq.id)
                    .await
                    .unwrap()
                    .is_some()
            );
            store
                .delete_resource(&manager(), &ResourceType::site(), &hq.id, None)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_newest_first_page_starts_after_its_marker_and_keeps_matching_names() {
        let (_dir, store) = temp_store().await;
        let server = ResourceType::parse("openstack.server").unwrap();
        let mut made = Vec::new();
        for (i, n) in ["web-1", "db-1", "WEB-2", "web-3"].into_iter().enumerate() {
            let created = store
                .create_resource(&manager(), &server, &name(n), i as u128)
                .await
                .unwrap();
            made.push(created.id);
        }
        let names = |page: Vec<Resource>| page.into_iter().map(|r| r.name).collect::<Vec<_>>();
        let all = store
            .page_of_type(&staff(), &server, None, PageOrder::NEWEST_FIRST, None, 10)
            .await
            .unwrap();
        assert_eq!(names(all), ["web-3", "WEB-2", "db-1", "web-1"]);
        let web = ServerFilter {
            name: Some(crate::core::openstack::NameFilter::parse("web").unwrap()),
            ..ServerFilter::default()
        };
        let first = store
            .page_of_type(
                &staff(),
                &server,
                Some(&web),
                PageOrder::NEWEST_FIRST,
                None,
                2,
            )
            .await
            .unwrap();
        assert_eq!(names(first), ["web-3", "WEB-2"]);
        let rest = store
            .page_of_type(
                &staff(),
                &server,
                Some(&web),
                PageOrder::NEWEST_FIRST,
                Some(&made[2]),
                2,
            )
            .await
            .unwrap();
        assert_eq!(names(rest), ["web-1"]);
        // A filtered list walks the servers as a search does, on the searches' connections:
        // with every one of them held, it waits its turn and is told to come back, while an
        // unfiltered page (one indexed read) still answers from the main pool.
        let pool = store.search_pool();
        let mut held = Vec::new();
        for _ in 0..pool.options().get_max_connections() {
            held.push(pool.acquire().await.unwrap());
        }
        assert!(matches!(
            store
                .page_of_type(
                    &staff(),
                    &server,
                    Some(&web),
                    PageOrder::NEWEST_FIRST,
                    None,
                    2
                )
                .await,
            Err(CoreError::TryLater { .. })
        ));
        assert!(
            store
                .page_of_type(&staff(), &server, None, PageOrder::NEWEST_FIRST, None, 2)
                .await
                .is_ok()
        );
        drop(held);
        let missing = store
            .page_of_type(
                &staff(),
                &server,
                None,
                PageOrder::NEWEST_FIRST,
                Some(&ResourceId::from_path("nope")),
                2,
            )
            .await;
        assert!(matches!(
            missing,
            Err(CoreError::NotFound { what: "marker", .. })
        ));
    }

    #[tokio::test]
    async fn pages_come_in_the_order_asked_and_resume_after_their_marker() {
        for (_dir, store) in each_engine().await {
            let server = ResourceType::parse("openstack.server").unwrap();
            let mut made = Vec::new();
            for (i, n) in ["bravo", "Alpha", "delta", "charlie"]
                .into_iter()
                .enumerate()
            {
                let created = store
                    .create_resource(&manager(), &server, &name(n), i as u128)
                    .await
                    .unwrap();
                made.push(created.id);
            }
            // Touch alpha last, so it is the most recently updated.
            store
                .put_metadata_key(
                    &manager(),
                    &made[1],
                    crate::store::unchecked::Unchecked::from((
                        crate::core::metadata::MetaKey::parse("role").unwrap(),
                        crate::core::metadata::MetaValue::Text("db".into()),
                    )),
                    &crate::core::metadata::Precondition::Any,
                    crate::core::metadata::MetadataLimits { max_keys: 10 },
                )
                .await
                .unwrap();
            let names = |page: Vec<Resource>| page.into_iter().map(|r| r.name).collect::<Vec<_>>();
            let read = |key, descending, marker: Option<usize>, limit| {
                let store = store.clone();
                let server = server.clone();
                let marker = marker.map(|i| made[i].clone());
                async move {
                    let order = PageOrder { key, descending };
                    names(
                        store
                            .page_of_type(&staff(), &server, None, order, marker.as_ref(), limit)
                            .await
                            .unwrap(),
                    )
                }
            };
            assert_eq!(
                read(PageKey::Name, false, None, 10).await,
                ["Alpha", "bravo", "charlie", "delta"]
            );
            // After bravo (made[0]), two more by name.
            assert_eq!(
                read(PageKey::Name, false, Some(0), 2).await,
                ["charlie", "delta"]
            );
            assert_eq!(
                read(PageKey::Name, true, Some(3), 10).await,
                ["bravo", "Alpha"]
            );
            assert_eq!(
                read(PageKey::Created, false, None, 10).await,
                ["bravo", "Alpha", "delta", "charlie"]
            );
            assert_eq!(read(PageKey::Updated, true, None, 1).await, ["Alpha"]);
            assert_eq!(
                read(PageKey::Updated, false, Some(0), 10).await,
                ["delta", "charlie", "Alpha"]
            );
            let ids = read(PageKey::Id, false, None, 10).await;
            assert_eq!(ids.len(), 4);
        }
    }

    #[tokio::test]
    async fn sites_are_listed_by_name_ignoring_case() {
        for (_dir, store) in each_engine().await {
            let site = ResourceType::site();
            for (i, n) in ["bravo", "Alpha", "charlie"].into_iter().enumerate() {
                store
                    .create_resource(&manager(), &site, &name(n), i as u128)
                    .await
                    .unwrap();
            }
            let names: Vec<_> = store
                .list_resources(&staff(), &site)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.name)
                .collect();
            assert_eq!(names, ["Alpha", "bravo", "charlie"]);
        }
    }

    #[tokio::test]
    async fn the_database_uses_wal_and_foreign_keys_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reopen.db");
        let store = Store::open_file(&path).await.unwrap();
        let settings = store.settings().await.unwrap();
        assert_eq!(settings.journal_mode, "wal");
        assert!(settings.foreign_keys);
        store
            .create_resource(&manager(), &ResourceType::site(), &name("Kept"), 1)
            .await
            .unwrap();
        store.close().await;

        // Reopening runs the migrator again; it must be a no-op and keep the data.
        let reopened = Store::open_file(&path).await.unwrap();
        assert_eq!(
            reopened
                .list_resources(&staff(), &ResourceType::site())
                .await
                .unwrap()
                .len(),
            1
        );
    }
}
