use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::FromRow;

use super::batch::{Args, Batch};
use super::db::{Conn, Sql, sql};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::change_sets::ChangeSetId;
use crate::core::changes::{Action, ChangeRecord};
use crate::core::resources::ResourceId;

/// A record names its set by the set's key, found by the set's id (`?` the tenant and the id,
/// the last two columns): the set's header is written before its first record.
pub(super) const APPEND: &str = "INSERT INTO changes (tenant_id, resource_id, action, subject, \
                      old_value, new_value, at, set_pk) \
                      VALUES (?, ?, ?, ?, ?, ?, ?, \
                      (SELECT pk FROM change_sets WHERE tenant_id = ? AND id = ?))";

/// [`APPEND`] for either engine.
const APPENDED: Sql = sql!(APPEND);

/// The header of the actor's change set, written with its first record (a request's later
/// transactions find it there and leave it).
const OPEN_SET: &str = "INSERT INTO change_sets (tenant_id, id, actor_id, actor_type, via, comment, \
                        reverts, source, request_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                        ON CONFLICT (tenant_id, id) DO NOTHING";

/// The change-set header's columns, in [`OPEN_SET`]'s order.
fn header_columns(args: &mut impl Args, actor: &Actor, at: DateTime<Utc>) {
    args.text(actor.tenant.as_str());
    args.text(actor.change.id.as_str());
    args.text(&actor.id);
    args.text(actor.creator_type.as_str());
    args.text(actor.change.via.as_str());
    args.maybe_text(actor.change.comment());
    args.maybe_text(actor.change.reverts().map(ChangeSetId::as_str));
    args.maybe_text(actor.change.source());
    args.maybe_text(actor.request_id.as_deref());
    args.time(at);
}

/// Opens the actor's change set inside the caller's transaction, unless it is open already:
/// for statements that write records themselves (a tag's removal from every resource).
pub(super) async fn open_set<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), CoreError> {
    let mut conn = conn.into();
    let mut query = conn.query(sql!(OPEN_SET));
    header_columns(&mut query, actor, at);
    query.execute(&mut conn).await.map_err(storage)?;
    Ok(())
}

fn stage_open(batch: &mut Batch, actor: &Actor, at: DateTime<Utc>) {
    batch.statement(OPEN_SET);
    header_columns(batch, actor, at);
}

/// A change record's columns, in [`APPEND`]'s order.
#[allow(clippy::too_many_arguments)] // Each argument is one column of the record.
fn columns(
    args: &mut impl Args,
    actor: &Actor,
    resource_id: &str,
    action: Action,
    subject: &str,
    old: Option<Value>,
    new: Option<Value>,
    at: DateTime<Utc>,
) {
    args.text(actor.tenant.as_str());
    args.text(resource_id);
    args.text(action.as_str());
    args.text(subject);
    args.made_text(old.map(|v| v.to_string()));
    args.made_text(new.map(|v| v.to_string()));
    args.time(at);
    args.text(actor.tenant.as_str());
    args.text(actor.change.id.as_str());
}

/// Adds a change record to a batch (see [`append`]).
#[allow(clippy::too_many_arguments)] // Each argument is one column of the record.
pub(super) fn stage(
    batch: &mut Batch,
    actor: &Actor,
    resource_id: &str,
    action: Action,
    subject: &str,
    old: Option<Value>,
    new: Option<Value>,
    at: DateTime<Utc>,
) {
    if !batch.records() {
        return;
    }
    if batch.opens_set(&actor.change.id) {
        stage_open(batch, actor, at);
    }
    batch.row(APPEND);
    columns(batch, actor, resource_id, action, subject, old, new, at);
}

/// Appends one change record inside the caller's transaction, so a change and its record are
/// committed (or lost) together.
#[allow(clippy::too_many_arguments)] // Each argument is one column of the record.
pub(super) async fn append<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    resource_id: &str,
    action: Action,
    subject: &str,
    old: Option<Value>,
    new: Option<Value>,
    at: DateTime<Utc>,
) -> Result<(), CoreError> {
    let mut conn = conn.into();
    open_set(conn.reborrow(), actor, at).await?;
    let mut query = conn.query(APPENDED);
    columns(
        &mut query,
        actor,
        resource_id,
        action,
        subject,
        old,
        new,
        at,
    );
    query.execute(&mut conn).await.map_err(storage)?;
    Ok(())
}

/// A select of [`ChangeRow`]s (`c` the record, `cs` its set), then `$tail`: who made a record
/// and in which request are its set's.
macro_rules! select_records {
    ($tail:literal) => {
        concat!(
            "SELECT c.seq, c.resource_id, cs.actor_id, cs.actor_type, c.action, c.subject, \
             c.old_value, c.new_value, cs.request_id, c.at, cs.id AS change_set \
             FROM changes c JOIN change_sets cs ON cs.pk = c.set_pk ",
            $tail
        )
    };
}
pub(super) use select_records;

/// A change set's records in order; `?` the tenant and the set's id.
pub(super) const SELECT_RECORDS: &str =
    select_records!("WHERE cs.tenant_id = ? AND cs.id = ? ORDER BY c.seq");

#[derive(FromRow)]
pub(super) struct ChangeRow {
    seq: i64,
    resource_id: String,
    actor_id: String,
    actor_type: String,
    action: String,
    subject: String,
    old_value: Option<String>,
    new_value: Option<String>,
    request_id: Option<String>,
    at: DateTime<Utc>,
    change_set: Option<String>,
}

impl ChangeRow {
    pub(super) fn resource_id(&self) -> &str {
        &self.resource_id
    }

    /// The action, unless the record is damaged (which [`ChangeRow::into_record`] reports).
    pub(super) fn action(&self) -> Option<Action> {
        Action::parse(&self.action)
    }

    pub(super) fn into_record(self) -> Result<ChangeRecord, CoreError> {
        let parse = |text: Option<String>| {
            text.map(|t| serde_json::from_str(&t))
                .transpose()
                .map_err(|e| CoreError::Storage(format!("damaged change record: {e}")))
        };
        Ok(ChangeRecord {
            seq: self.seq,
            resource_id: self.resource_id,
            actor_id: self.actor_id,
            actor_type: self.actor_type,
            action: Action::parse(&self.action).ok_or_else(|| {
                CoreError::Storage(format!("damaged change record: action '{}'", self.action))
            })?,
            subject: self.subject,
            old: parse(self.old_value)?,
            new: parse(self.new_value)?,
            request_id: self.request_id,
            change_set: self.change_set,
            at: self.at,
        })
    }
}

/// The records `sql` (a [`ChangeRow`] select) finds for `params`, on the metadata writer's
/// connection.
pub(super) fn records_in_writer(
    db: &rusqlite::Connection,
    sql: &'static str,
    params: impl rusqlite::Params,
) -> Result<Vec<ChangeRecord>, CoreError> {
    let mut records = Vec::new();
    each_record_in_writer(db, sql, params, |row| {
        records.push(row.into_record()?);
        Ok(())
    })?;
    Ok(records)
}

/// Hands each record `sql` reads to `take` as it is read, holding none of them (a change set
/// of an import has millions), and reading its values only if `take` asks.
pub(super) fn each_record_in_writer(
    db: &rusqlite::Connection,
    sql: &'static str,
    params: impl rusqlite::Params,
    mut take: impl FnMut(ChangeRow) -> Result<(), CoreError>,
) -> Result<(), CoreError> {
    let mut statement = db
        .prepare_cached(sql)
        .map_err(super::sqlite::batch::failed)?;
    let mut rows = statement
        .query(params)
        .map_err(super::sqlite::batch::failed)?;
    while let Some(r) = rows.next().map_err(super::sqlite::batch::failed)? {
        let row = (|| {
            Ok::<_, rusqlite::Error>(ChangeRow {
                seq: r.get(0)?,
                resource_id: r.get(1)?,
                actor_id: r.get(2)?,
                actor_type: r.get(3)?,
                action: r.get(4)?,
                subject: r.get(5)?,
                old_value: r.get(6)?,
                new_value: r.get(7)?,
                request_id: r.get(8)?,
                at: super::sqlite::batch::time_column(r, 9)?,
                change_set: r.get(10)?,
            })
        })()
        .map_err(super::sqlite::batch::failed)?;
        take(row)?;
    }
    Ok(())
}

/// Opens the actor's change set in a batch, unless the batch has already: for a change set
/// that may record nothing (a revert of what is already so).
pub(super) fn stage_open_set(batch: &mut Batch, actor: &Actor, at: DateTime<Utc>) {
    if batch.opens_set(&actor.change.id) {
        stage_open(batch, actor, at);
    }
}

/// Anyone may read a resource's history; what is recorded under a user's or API token's id
/// (role and grant changes) only admins may.
fn require_history_reader(actor: &Actor, id: &ResourceId) -> Result<(), CoreError> {
    actor.require_read()?;
    if id.names_principal() {
        actor.require_admin()?;
    }
    Ok(())
}

impl Store {
    /// A resource's history, oldest first, after the record `after` (0 for the start), at most
    /// `limit` records. The history outlives the resource; an id with no history is not found.
    pub async fn list_changes(
        &self,
        actor: &Actor,
        resource_id: &ResourceId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChangeRecord>, CoreError> {
        require_history_reader(actor, resource_id)?;
        let rows: Vec<ChangeRow> = self
            .db
            .query(sql!(select_records!(
                "WHERE c.tenant_id = ? AND c.resource_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?"
            )))
            .bind(actor.tenant.as_str())
            .bind(resource_id.as_str())
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        if rows.is_empty() && after == 0 {
            return Err(CoreError::NotFound {
                what: "resource",
                id: resource_id.to_string(),
            });
        }
        rows.into_iter().map(ChangeRow::into_record).collect()
    }

    /// A resource's latest `limit` changes, newest first: the history a page shows. Unlike
    /// [`Store::list_changes`], a resource without history yet is an empty list.
    pub async fn recent_changes(
        &self,
        actor: &Actor,
        resource_id: &ResourceId,
        limit: u32,
    ) -> Result<Vec<ChangeRecord>, CoreError> {
        require_history_reader(actor, resource_id)?;
        self.db
            .query(sql!(select_records!(
                "WHERE c.tenant_id = ? AND c.resource_id = ? ORDER BY c.seq DESC LIMIT ?"
            )))
            .bind(actor.tenant.as_str())
            .bind(resource_id.as_str())
            .bind(i64::from(limit))
            .fetch_all::<ChangeRow>(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(ChangeRow::into_record)
            .collect()
    }
}
