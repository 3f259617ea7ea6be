//! Bare tags (Data Hub's stream tags, Nova's server tags) over Sitebook's tag definitions: each
//! name is the definition of that name (ignoring case) applying to the resource's type,
//! attached without a value (`core::tags::NO_VALUE`). A name nobody defined yet is defined on
//! first use, marked with who did, unless the tenant's setting turns that off. The list keeps
//! the order it was put in.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::db::{Conn, Sql, sql};
use super::rows::TagRow;
use super::{changes, settings, storage, unique_or};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::error::{Clash, ValidationError};
use crate::core::resources::ResourceId;
use crate::core::tags::{
    BareTags, CorrelationType, MAX_AUTO_DEFINED_PER_HOUR, MAX_AUTO_DEFINED_TAGS, NO_VALUE,
    TagDefinition, TagDraft, TagId,
};

/// The resource whose bare tags change, and the type its tags must apply to.
pub(super) struct BareTarget {
    pub(super) pk: i64,
    pub(super) id: ResourceId,
    pub(super) applies_to: CorrelationType,
}

macro_rules! tag_named {
    ($test:literal) => {
        concat!(
            "SELECT pk, id, name, description, colour, applies_to, allowed_values, \
             auto_defined_by, version, created_at, updated_at FROM tags WHERE ",
            $test
        )
    };
}

async fn tag_named(
    mut conn: Conn<'_>,
    actor: &Actor,
    name: &str,
) -> Result<Option<TagRow>, CoreError> {
    conn.query(Sql::each(
        tag_named!("tenant_id = ? AND name = ? COLLATE NOCASE"),
        tag_named!("tenant_id = $1 AND lower(name) = lower($2)"),
    ))
    .bind(actor.tenant.as_str())
    .bind(name)
    .fetch_optional::<TagRow>(&mut conn)
    .await
    .map_err(storage)
}

/// Whether `actor` may define `new` more tags on first use: the tenant holds at most
/// [`MAX_AUTO_DEFINED_TAGS`] made that way, and one principal makes at most
/// [`MAX_AUTO_DEFINED_PER_HOUR`] an hour. Without these a site-limited manager could define
/// tenant-wide tags without end (100,000 made every tag list slow for everyone).
async fn room_to_define(
    mut conn: Conn<'_>,
    actor: &Actor,
    new: usize,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let in_tenant: i64 = conn
        .query(sql!(
            "SELECT count(*) FROM tags WHERE tenant_id = ? AND auto_defined_by IS NOT NULL"
        ))
        .bind(actor.tenant.as_str())
        .fetch_scalar(&mut conn)
        .await
        .map_err(storage)?;
    if in_tenant as usize + new > MAX_AUTO_DEFINED_TAGS {
        return Err(ValidationError::TooManyAutoDefinedTags {
            max: MAX_AUTO_DEFINED_TAGS,
            per_hour: false,
        }
        .into());
    }
    let this_hour: i64 = conn
        .query(sql!(
            "SELECT count(*) FROM tags WHERE tenant_id = ? AND auto_defined_by = ? \
             AND created_at > ?"
        ))
        .bind(actor.tenant.as_str())
        .bind(&actor.id)
        .bind(now - chrono::Duration::hours(1))
        .fetch_scalar(&mut conn)
        .await
        .map_err(storage)?;
    if this_hour as usize + new > MAX_AUTO_DEFINED_PER_HOUR {
        return Err(ValidationError::TooManyAutoDefinedTags {
            max: MAX_AUTO_DEFINED_PER_HOUR,
            per_hour: true,
        }
        .into());
    }
    Ok(())
}

/// Defines `name` for the target's type on a client's first use of it.
async fn define_on_first_use(
    mut conn: Conn<'_>,
    actor: &Actor,
    name: &str,
    applies_to: CorrelationType,
    random: u128,
    now: DateTime<Utc>,
) -> Result<TagRow, CoreError> {
    let draft = TagDraft::for_client(name, applies_to)?;
    let id = TagId::mint(now.timestamp_millis().max(0) as u64, random);
    conn.query(sql!(
        "INSERT INTO tags (tenant_id, id, name, description, colour, applies_to, \
         allowed_values, auto_defined_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)"
    ))
    .bind(actor.tenant.as_str())
    .bind(id.as_str())
    .bind(&draft.name)
    .bind(&draft.description)
    .bind(draft.colour.as_str())
    .bind(serde_json::to_string(&draft.applies_to).map_err(|e| CoreError::Storage(e.to_string()))?)
    .bind(&actor.id)
    .bind(now)
    .bind(now)
    .execute(&mut conn)
    .await
    .map_err(unique_or(|| {
        CoreError::Conflict(
            Clash::NameTaken,
            format!("A tag named '{name}' was defined at the same time; send the tags again."),
        )
    }))?;
    changes::append(
        conn.reborrow(),
        actor,
        id.as_str(),
        Action::TagCreate,
        &draft.name,
        None,
        Some(json!({
            "name": draft.name,
            "description": draft.description,
            "colour": draft.colour.as_str(),
            "applies_to": draft.applies_to,
            "allowed_values": null,
            "auto_defined_by": actor.id,
        })),
        now,
    )
    .await?;
    tag_named(conn, actor, &draft.name)
        .await?
        .ok_or_else(|| CoreError::Storage(format!("the tag '{name}' just defined is missing")))
}

/// The names of the tags on a resource, in the order its face put them, then the others by name.
pub(super) async fn names_on<'c>(
    conn: impl Into<Conn<'c>>,
    resource_pk: i64,
) -> Result<Vec<String>, CoreError> {
    let mut conn = conn.into();
    conn.query(Sql::each(
        "SELECT t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk = ? \
         ORDER BY v.position IS NULL, v.position, t.name COLLATE NOCASE",
        "SELECT t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk = $1 \
         ORDER BY v.position IS NULL, v.position, lower(t.name)",
    ))
    .bind(resource_pk)
    .fetch_column(&mut conn)
    .await
    .map_err(storage)
}

/// Replaces the target's tags with `tags`, inside the caller's transaction, once the caller
/// may write it, and answers the list as stored:
/// - a name nobody defined yet is defined on first use for the target's type
///   (`TagDraft::for_client`), marked as the caller's, unless the tenant's
///   `datahub_auto_define_tags` is off (then `TagUnknown`);
/// - a definition that does not apply to the type is refused (`TagNotApplicable`);
/// - a tag the resource carries already keeps its value (one set in Sitebook stays), a new
///   one is attached without a value, which its definition must allow (`check_presence`);
/// - tags left out are removed, each with its change record.
///
/// `random` mints the ids of definitions made here.
pub(super) async fn replace_bare_tags<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    target: &BareTarget,
    tags: &BareTags,
    random: u128,
    now: DateTime<Utc>,
) -> Result<Vec<String>, CoreError> {
    let mut conn = conn.into();
    let auto_define = settings::read(conn.reborrow(), &actor.tenant)
        .await?
        .datahub_auto_define_tags;

    let mut found = Vec::with_capacity(tags.names().len());
    for name in tags.names() {
        found.push(tag_named(conn.reborrow(), actor, name).await?);
    }
    let new = found.iter().filter(|row| row.is_none()).count();
    if new > 0 {
        if !auto_define {
            let (name, _) = tags
                .names()
                .iter()
                .zip(&found)
                .find(|(_, row)| row.is_none())
                .expect("a name is new");
            return Err(ValidationError::TagUnknown(name.clone()).into());
        }
        room_to_define(conn.reborrow(), actor, new, now).await?;
    }
    let mut wanted: Vec<(i64, TagDefinition)> = Vec::with_capacity(tags.names().len());
    for (n, (name, row)) in tags.names().iter().zip(found).enumerate() {
        let row = match row {
            Some(row) => row,
            None => {
                define_on_first_use(
                    conn.reborrow(),
                    actor,
                    name,
                    target.applies_to,
                    random.wrapping_add(n as u128),
                    now,
                )
                .await?
            }
        };
        let pk = row.pk;
        let definition = row.into_definition()?;
        if !definition.applies_to.contains(&target.applies_to) {
            return Err(ValidationError::TagNotApplicable {
                tag: definition.name,
                correlation_type: target.applies_to.as_str(),
                applies_to: definition.applies_to.iter().map(|t| t.as_str()).collect(),
            }
            .into());
        }
        wanted.push((pk, definition));
    }

    let current: Vec<(i64, String)> = conn
        .query(sql!(
            "SELECT tag_pk, value FROM tag_values WHERE resource_pk = ?"
        ))
        .bind(target.pk)
        .fetch_all(&mut conn)
        .await
        .map_err(storage)?;
    for (tag_pk, value) in &current {
        if wanted.iter().any(|(pk, _)| pk == tag_pk) {
            continue;
        }
        let tag_id: String = conn
            .query(sql!("SELECT id FROM tags WHERE pk = ?"))
            .bind(tag_pk)
            .fetch_scalar(&mut conn)
            .await
            .map_err(storage)?;
        conn.query(sql!(
            "DELETE FROM tag_values WHERE tag_pk = ? AND resource_pk = ?"
        ))
        .bind(tag_pk)
        .bind(target.pk)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        changes::append(
            conn.reborrow(),
            actor,
            target.id.as_str(),
            Action::TagRemove,
            &tag_id,
            Some(json!(value)),
            None,
            now,
        )
        .await?;
    }
    for (position, (tag_pk, definition)) in wanted.iter().enumerate() {
        if current.iter().any(|(pk, _)| pk == tag_pk) {
            // Only the order changes: no change record, as no value does.
            conn.query(sql!(
                "UPDATE tag_values SET position = ? WHERE tag_pk = ? AND resource_pk = ?"
            ))
            .bind(position as i64)
            .bind(tag_pk)
            .bind(target.pk)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
            continue;
        }
        definition.draft().check_presence(target.applies_to)?;
        conn.query(sql!(
            "INSERT INTO tag_values (tag_pk, resource_pk, value, changed_by, created_at, \
                 updated_at, position) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(tag_pk)
        .bind(target.pk)
        .bind(NO_VALUE)
        .bind(&actor.id)
        .bind(now)
        .bind(now)
        .bind(position as i64)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        changes::append(
            conn.reborrow(),
            actor,
            target.id.as_str(),
            Action::TagSet,
            definition.id.as_str(),
            None,
            Some(json!(NO_VALUE)),
            now,
        )
        .await?;
    }
    names_on(conn, target.pk).await
}
