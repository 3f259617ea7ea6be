use crate::core::error::Clash;
use crate::store::unchecked::Unchecked;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::FromRow;

use super::db::{Conn, Sql, sql};
use super::resources;
use super::rows::{ResourceRow, TagRow};
use super::{Store, changes, check_version, storage, unique_or};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::resources::ResourceId;
use crate::core::tags::{
    AppliedTag, Colour, CorrelationType, TagDefinition, TagDraft, TagId, TagPatch, TagValue,
};
use crate::core::tenancy::TenantId;

/// A tag's columns, in `TagRow`'s names, before the `WHERE`.
macro_rules! tag_columns {
    () => {
        "SELECT pk, id, name, description, colour, applies_to, allowed_values, \
                           auto_defined_by, version, created_at, updated_at FROM tags "
    };
}

const SELECT_TAG: &str = concat!(tag_columns!(), "WHERE tenant_id = ? AND id = ?");

/// `tag_columns!` with how many resources carry each tag.
macro_rules! listed {
    () => {
        "SELECT pk, id, name, description, colour, applies_to, allowed_values, \
     auto_defined_by, version, created_at, updated_at, \
     (SELECT count(*) FROM tag_values v WHERE v.tag_pk = tags.pk) AS usage FROM tags "
    };
}

/// A resource's value of a tag, set (or replaced, its version bumped): the one statement every
/// path that sets tag values uses (`set_tag_value`, imports, reverts).
pub(super) const UPSERT_TAG_VALUE: &str = "INSERT INTO tag_values (tag_pk, resource_pk, value, \
     changed_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) \
     ON CONFLICT (tag_pk, resource_pk) DO UPDATE SET value = excluded.value, \
     version = tag_values.version + 1, changed_by = excluded.changed_by, \
     updated_at = excluded.updated_at";

pub(super) async fn find_tag<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    id: &TagId,
) -> Result<TagRow, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(SELECT_TAG))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional::<TagRow>(&mut conn)
        .await
        .map_err(storage)?
        .ok_or_else(|| CoreError::NotFound {
            what: "tag",
            id: id.to_string(),
        })
}

fn applies_json(draft: &TagDraft) -> String {
    serde_json::to_string(&draft.applies_to).expect("a list of enums serialises")
}

fn allowed_json(draft: &TagDraft) -> Option<String> {
    draft.allowed_values.as_ref().map(|values| {
        serde_json::to_string(&values.iter().map(|v| v.as_str()).collect::<Vec<_>>())
            .expect("a list of strings serialises")
    })
}

fn draft_json(draft: &TagDraft) -> serde_json::Value {
    json!({
        "name": draft.name,
        "description": draft.description,
        "colour": draft.colour.as_str(),
        "applies_to": draft.applies_to,
        "allowed_values": draft.allowed_values.as_ref().map(|v| v.iter().map(|v| v.as_str()).collect::<Vec<_>>()),
    })
}

fn name_taken(name: &str) -> CoreError {
    CoreError::Conflict(
        Clash::NameTaken,
        format!("A tag named '{name}' already exists."),
    )
}

#[derive(FromRow)]
struct ValueRow {
    tag_id: String,
    correlation_id: String,
    correlation_type: String,
    value: String,
    version: i64,
    changed_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ValueRow {
    fn into_value(self) -> Result<TagValue, CoreError> {
        Ok(TagValue {
            tag_id: TagId::from_path(self.tag_id),
            correlation_id: ResourceId::from_path(self.correlation_id),
            correlation_type: CorrelationType::parse(&self.correlation_type)
                .map_err(|e| CoreError::Storage(e.to_string()))?,
            value: self.value,
            version: self.version,
            changed_by: self.changed_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! select_values {
    ($tail:literal) => {
        concat!(
            "SELECT t.id AS tag_id, r.id AS correlation_id, r.type AS correlation_type, v.value, \
             v.version, v.changed_by, v.created_at, v.updated_at \
             FROM tag_values v JOIN tags t ON t.pk = v.tag_pk JOIN resources r ON r.pk = v.resource_pk ",
            $tail
        )
    };
}

/// The resource a tag value is for: it must exist in the tenant with the claimed type.
async fn correlated(
    conn: Conn<'_>,
    tenant: &TenantId,
    id: &ResourceId,
    claimed: CorrelationType,
) -> Result<ResourceRow, CoreError> {
    let row = resources::find_row(conn, tenant, id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: claimed.as_str(),
            id: id.to_string(),
        })?;
    if row.kind() != claimed.as_str() {
        return Err(CoreError::Conflict(
            Clash::TypeMismatch,
            format!(
                "The resource '{id}' is a {}, not a {}.",
                row.kind(),
                claimed.as_str()
            ),
        ));
    }
    Ok(row)
}

async fn find_value<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    tag: &TagId,
    correlation_id: &ResourceId,
) -> Result<Option<TagValue>, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(select_values!(
        "WHERE t.tenant_id = ? AND t.id = ? AND r.id = ?"
    )))
    .bind(tenant.as_str())
    .bind(tag.as_str())
    .bind(correlation_id.as_str())
    .fetch_optional::<ValueRow>(&mut conn)
    .await
    .map_err(storage)?
    .map(ValueRow::into_value)
    .transpose()
}

fn value_missing(tag: &TagId, correlation_id: &ResourceId) -> CoreError {
    CoreError::NotFound {
        what: "tag value",
        id: format!("{tag} on {correlation_id}"),
    }
}

impl Store {
    /// Defines a tag. Admins only; names are unique per tenant ignoring case.
    pub async fn create_tag(
        &self,
        actor: &Actor,
        draft: impl Into<Unchecked<TagDraft>>,
        random: u128,
    ) -> Result<TagDefinition, CoreError> {
        actor.require_admin()?;
        let draft = &draft.into().check()?;
        let now = crate::store::now();
        let id = TagId::mint(now.timestamp_millis().max(0) as u64, random);
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        conn.query(sql!(
            "INSERT INTO tags (tenant_id, id, name, description, colour, applies_to, \
             allowed_values, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(actor.tenant.as_str())
        .bind(id.as_str())
        .bind(&draft.name)
        .bind(&draft.description)
        .bind(draft.colour.as_str())
        .bind(applies_json(draft))
        .bind(allowed_json(draft))
        .bind(now)
        .bind(now)
        .execute(&mut conn)
        .await
        .map_err(unique_or(|| name_taken(&draft.name)))?;
        changes::append(
            conn.reborrow(),
            actor,
            id.as_str(),
            Action::TagCreate,
            &draft.name,
            None,
            Some(draft_json(draft)),
            now,
        )
        .await?;
        let tag = find_tag(conn, &actor.tenant, &id)
            .await?
            .into_definition()?;
        tx.commit().await.map_err(storage)?;
        Ok(tag)
    }

    /// Every tag of the tenant by name, each with how many resources carry it.
    pub async fn list_tags(&self, actor: &Actor) -> Result<Vec<(TagDefinition, i64)>, CoreError> {
        actor.require_read()?;
        #[derive(FromRow)]
        struct Listed {
            #[sqlx(flatten)]
            tag: TagRow,
            usage: i64,
        }
        self.db
            .query(Sql::each(
                concat!(
                    listed!(),
                    "WHERE tenant_id = ? ORDER BY name COLLATE NOCASE"
                ),
                concat!(listed!(), "WHERE tenant_id = $1 ORDER BY lower(name)"),
            ))
            .bind(actor.tenant.as_str())
            .fetch_all::<Listed>(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|row| Ok((row.tag.into_definition()?, row.usage)))
            .collect()
    }

    /// The tenant's tag definitions that apply to `kind`, by name, without the usage counts
    /// of [`Store::list_tags`] (which read every tag value): what pickers and filters offer.
    pub async fn tags_for(
        &self,
        actor: &Actor,
        kind: CorrelationType,
    ) -> Result<Vec<TagDefinition>, CoreError> {
        actor.require_read()?;
        let rows = self
            .db
            .query(Sql::each(
                concat!(
                    tag_columns!(),
                    "WHERE tenant_id = ? ORDER BY name COLLATE NOCASE"
                ),
                concat!(tag_columns!(), "WHERE tenant_id = $1 ORDER BY lower(name)"),
            ))
            .bind(actor.tenant.as_str())
            .fetch_all::<TagRow>(&self.db)
            .await
            .map_err(storage)?;
        let mut tags = Vec::with_capacity(rows.len());
        for row in rows {
            let tag = row.into_definition()?;
            if tag.applies_to.contains(&kind) {
                tags.push(tag);
            }
        }
        Ok(tags)
    }

    pub async fn get_tag(&self, actor: &Actor, id: &TagId) -> Result<TagDefinition, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        find_tag(&mut pooled, &actor.tenant, id)
            .await?
            .into_definition()
    }

    /// Changes a definition. Refused (409) when resources already carry values the new
    /// definition would not allow: nothing is ever dropped silently.
    pub async fn update_tag(
        &self,
        actor: &Actor,
        id: &TagId,
        expected_version: Option<i64>,
        patch: &TagPatch,
    ) -> Result<TagDefinition, CoreError> {
        actor.require_admin()?;
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let row = find_tag(conn.reborrow(), &actor.tenant, id).await?;
        check_version("tag", row.version, expected_version)?;
        let pk = row.pk;
        let before = row.into_definition()?;
        let after = before.draft().patched(patch)?;
        if after == before.draft() {
            return Ok(before);
        }
        let stranded: i64 = conn
            .query(Sql::each(
                "SELECT count(*) FROM tag_values v JOIN resources r ON r.pk = v.resource_pk \
                 WHERE v.tag_pk = ? AND (r.type NOT IN (SELECT value FROM json_each(?)) \
                   OR (?3 IS NOT NULL AND v.value NOT IN (SELECT value FROM json_each(?3))))",
                "SELECT count(*) FROM tag_values v JOIN resources r ON r.pk = v.resource_pk \
                 WHERE v.tag_pk = $1 \
                   AND (r.type NOT IN (SELECT jsonb_array_elements_text(CAST($2 AS jsonb))) \
                   OR ($3::text IS NOT NULL \
                     AND v.value NOT IN (SELECT jsonb_array_elements_text(CAST($3 AS jsonb)))))",
            ))
            .bind(pk)
            .bind(applies_json(&after))
            .bind(allowed_json(&after))
            .fetch_scalar(&mut conn)
            .await
            .map_err(storage)?;
        before.refuse_stranding(stranded)?;
        conn.query(sql!(
            "UPDATE tags SET name = ?, description = ?, colour = ?, applies_to = ?, \
             allowed_values = ?, version = version + 1, updated_at = ? WHERE pk = ?"
        ))
        .bind(&after.name)
        .bind(&after.description)
        .bind(after.colour.as_str())
        .bind(applies_json(&after))
        .bind(allowed_json(&after))
        .bind(now)
        .bind(pk)
        .execute(&mut conn)
        .await
        .map_err(unique_or(|| name_taken(&after.name)))?;
        changes::append(
            conn.reborrow(),
            actor,
            id.as_str(),
            Action::TagUpdate,
            &after.name,
            Some(draft_json(&before.draft())),
            Some(draft_json(&after)),
            now,
        )
        .await?;
        let tag = find_tag(conn, &actor.tenant, id).await?.into_definition()?;
        tx.commit().await.map_err(storage)?;
        Ok(tag)
    }

    /// Deletes a definition and every value of it, recording the removal on each resource.
    /// Returns how many resources lost the tag.
    pub async fn delete_tag(
        &self,
        actor: &Actor,
        id: &TagId,
        expected_version: Option<i64>,
    ) -> Result<u64, CoreError> {
        actor.require_admin()?;
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let row = find_tag(conn.reborrow(), &actor.tenant, id).await?;
        check_version("tag", row.version, expected_version)?;
        changes::open_set(conn.reborrow(), actor, now).await?;
        let removed = conn
            .query(Sql::each(
                "INSERT INTO changes (tenant_id, resource_id, action, subject, old_value, \
                 new_value, at, set_pk) \
                 SELECT ?1, r.id, 'tag.remove', ?2, json_quote(v.value), NULL, ?3, \
                 (SELECT pk FROM change_sets WHERE tenant_id = ?1 AND id = ?4) \
                 FROM tag_values v JOIN resources r ON r.pk = v.resource_pk WHERE v.tag_pk = ?5",
                "INSERT INTO changes (tenant_id, resource_id, action, subject, old_value, \
                 new_value, at, set_pk) \
                 SELECT $1, r.id, 'tag.remove', $2, to_jsonb(v.value)::text, NULL, $3, \
                 (SELECT pk FROM change_sets WHERE tenant_id = $1 AND id = $4) \
                 FROM tag_values v JOIN resources r ON r.pk = v.resource_pk WHERE v.tag_pk = $5",
            ))
            .bind(actor.tenant.as_str())
            .bind(id.as_str())
            .bind(now)
            .bind(actor.change.id.as_str())
            .bind(row.pk)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        conn.query(sql!("DELETE FROM tags WHERE pk = ?"))
            .bind(row.pk)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        changes::append(
            conn,
            actor,
            id.as_str(),
            Action::TagDelete,
            &row.name,
            Some(json!({ "name": row.name, "values_removed": removed })),
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        Ok(removed)
    }

    /// Applies a tag to a resource, or overwrites its value (the seed's PUT). Returns the value
    /// and whether it was newly applied.
    pub async fn set_tag_value(
        &self,
        actor: &Actor,
        tag_id: &TagId,
        correlation_id: &ResourceId,
        correlation_type: impl Into<Unchecked<CorrelationType>>,
        value: &str,
        expected_version: Option<i64>,
    ) -> Result<(TagValue, bool), CoreError> {
        // Whether the caller writes at all comes before any rule: a reader must not learn a
        // tag's allowed values from the refusal. Their sites are checked once the resource is
        // found.
        actor.require_writer()?;
        let correlation_type = correlation_type.into().check()?;
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let tag = find_tag(conn.reborrow(), &actor.tenant, tag_id).await?;
        let tag_pk = tag.pk;
        // The definition's rules first: they hold whatever the resource, and need no lookup.
        let value = tag
            .into_definition()?
            .draft()
            .check_value(correlation_type, value)?;
        let resource = correlated(
            conn.reborrow(),
            &actor.tenant,
            correlation_id,
            correlation_type,
        )
        .await?;
        actor.require_write_of(&resource.kind, resource.site().as_ref())?;
        let existing = find_value(conn.reborrow(), &actor.tenant, tag_id, correlation_id).await?;
        check_version(
            "tag value",
            existing.as_ref().map_or(0, |v| v.version),
            expected_version,
        )?;
        if existing.as_ref().is_some_and(|v| v.value == value.as_str()) {
            return Ok((existing.expect("checked above"), false));
        }
        conn.query(sql!(UPSERT_TAG_VALUE))
            .bind(tag_pk)
            .bind(resource.pk)
            .bind(value.as_str())
            .bind(&actor.id)
            .bind(now)
            .bind(now)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        changes::append(
            conn.reborrow(),
            actor,
            correlation_id.as_str(),
            Action::TagSet,
            tag_id.as_str(),
            existing.as_ref().map(|v| json!(v.value)),
            Some(json!(value.as_str())),
            now,
        )
        .await?;
        let stored = find_value(conn, &actor.tenant, tag_id, correlation_id)
            .await?
            .ok_or_else(|| value_missing(tag_id, correlation_id))?;
        tx.commit().await.map_err(storage)?;
        Ok((stored, existing.is_none()))
    }

    pub async fn get_tag_value(
        &self,
        actor: &Actor,
        tag_id: &TagId,
        correlation_id: &ResourceId,
    ) -> Result<TagValue, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        find_tag(&mut pooled, &actor.tenant, tag_id).await?;
        find_value(&mut pooled, &actor.tenant, tag_id, correlation_id)
            .await?
            .ok_or_else(|| value_missing(tag_id, correlation_id))
    }

    /// A tag's values by resource id, after the id `after` (a cursor), at most `limit`.
    pub async fn list_tag_values(
        &self,
        actor: &Actor,
        tag_id: &TagId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TagValue>, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let tag = find_tag(conn.reborrow(), &actor.tenant, tag_id).await?;
        conn.query(sql!(select_values!(
            "WHERE v.tag_pk = ? AND r.id > ? ORDER BY r.id LIMIT ?"
        )))
        .bind(tag.pk)
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all::<ValueRow>(&mut conn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(ValueRow::into_value)
        .collect()
    }

    /// Removes a tag from a resource.
    pub async fn delete_tag_value(
        &self,
        actor: &Actor,
        tag_id: &TagId,
        correlation_id: &ResourceId,
        expected_version: Option<i64>,
    ) -> Result<(), CoreError> {
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let tag = find_tag(conn.reborrow(), &actor.tenant, tag_id).await?;
        let existing = find_value(conn.reborrow(), &actor.tenant, tag_id, correlation_id)
            .await?
            .ok_or_else(|| value_missing(tag_id, correlation_id))?;
        let resource = resources::find_row(conn.reborrow(), &actor.tenant, correlation_id)
            .await?
            .ok_or_else(|| value_missing(tag_id, correlation_id))?;
        actor.require_write_of(&resource.kind, resource.site().as_ref())?;
        check_version("tag value", existing.version, expected_version)?;
        conn.query(sql!(
            "DELETE FROM tag_values WHERE tag_pk = ? AND resource_pk = ?"
        ))
        .bind(tag.pk)
        .bind(resource.pk)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        changes::append(
            conn,
            actor,
            correlation_id.as_str(),
            Action::TagRemove,
            tag_id.as_str(),
            Some(json!(existing.value)),
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)
    }

    /// A resource's tags, by tag name, with what a chip needs.
    pub async fn resource_tags(
        &self,
        actor: &Actor,
        resource_id: &ResourceId,
    ) -> Result<Vec<AppliedTag>, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let resource = resources::find_row(conn.reborrow(), &actor.tenant, resource_id)
            .await?
            .ok_or_else(|| CoreError::NotFound {
                what: "resource",
                id: resource_id.to_string(),
            })?;
        chips_of(conn, &[resource.pk])
            .await
            .map(|mut found| found.pop().map(|(_, chips)| chips).unwrap_or_default())
    }
}

macro_rules! chip_columns {
    () => {
        "SELECT v.resource_pk, t.name AS tag_name, t.colour, t.id AS tag_id, \
     r.id AS correlation_id, r.type AS correlation_type, v.value, v.version, v.changed_by, \
     v.created_at, v.updated_at FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
     JOIN resources r ON r.pk = v.resource_pk "
    };
}

#[derive(FromRow)]
struct ChipRow {
    resource_pk: i64,
    tag_name: String,
    colour: String,
    #[sqlx(flatten)]
    value: ValueRow,
}

/// The chips of several resources in one query, grouped per resource (by pk, ascending).
pub(super) async fn chips_of<'c>(
    conn: impl Into<Conn<'c>>,
    resource_pks: &[i64],
) -> Result<Vec<(i64, Vec<AppliedTag>)>, CoreError> {
    let mut conn = conn.into();
    let pks = serde_json::to_string(resource_pks).map_err(|e| CoreError::Storage(e.to_string()))?;
    let rows = conn
        .query(Sql::each(
            concat!(
                chip_columns!(),
                "WHERE v.resource_pk IN (SELECT value FROM json_each(?)) \
                 ORDER BY v.resource_pk, t.name COLLATE NOCASE"
            ),
            concat!(
                chip_columns!(),
                "WHERE v.resource_pk IN \
                   (SELECT jsonb_array_elements_text(CAST($1 AS jsonb))::bigint) \
                 ORDER BY v.resource_pk, lower(t.name)"
            ),
        ))
        .bind(pks)
        .fetch_all::<ChipRow>(&mut conn)
        .await
        .map_err(storage)?;
    let mut grouped: Vec<(i64, Vec<AppliedTag>)> = Vec::new();
    for row in rows {
        let chip = AppliedTag {
            tag_name: row.tag_name,
            colour: Colour::parse(&row.colour).map_err(|e| CoreError::Storage(e.to_string()))?,
            value: row.value.into_value()?,
        };
        match grouped.last_mut() {
            Some((pk, chips)) if *pk == row.resource_pk => chips.push(chip),
            _ => grouped.push((row.resource_pk, vec![chip])),
        }
    }
    Ok(grouped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{Role, SiteScope};
    use crate::core::error::ValidationError;
    use crate::core::resources::ResourceType;
    use crate::store::testing::{actor_of, admin, each_engine, manager, site, staff};

    fn draft(name: &str, allowed: Option<&[&str]>) -> TagDraft {
        let allowed: Option<Vec<String>> =
            allowed.map(|a| a.iter().map(|s| s.to_string()).collect());
        TagDraft::new(
            name,
            "",
            "#112233",
            &["site".to_owned(), "wan".to_owned()],
            allowed.as_deref(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn only_admins_define_tags_and_names_are_unique_ignoring_case() {
        for (_dir, store) in each_engine().await {
            assert!(matches!(
                store
                    .create_tag(&manager(), &draft("Region", None), 1)
                    .await,
                Err(CoreError::Forbidden(_))
            ));
            let tag = store
                .create_tag(&admin(), &draft("Region", None), 1)
                .await
                .unwrap();
            assert!(tag.id.as_str().starts_with("tag_"));
            assert!(matches!(
                store.create_tag(&admin(), &draft("REGION", None), 2).await,
                Err(CoreError::Conflict(..))
            ));
            assert_eq!(store.list_tags(&staff()).await.unwrap().len(), 1);
        }
    }

    #[tokio::test]
    async fn pickers_get_the_definitions_that_apply_to_their_kind_by_name() {
        for (_dir, store) in each_engine().await {
            store
                .create_tag(&admin(), &draft("tier", None), 1)
                .await
                .unwrap();
            store
                .create_tag(&admin(), &draft("Region", None), 2)
                .await
                .unwrap();
            let users_only =
                TagDraft::new("Team", "", "#112233", &["user".to_owned()], None).unwrap();
            store.create_tag(&admin(), &users_only, 3).await.unwrap();
            let names =
                |tags: Vec<TagDefinition>| tags.into_iter().map(|t| t.name).collect::<Vec<_>>();
            let for_sites = store
                .tags_for(&staff(), CorrelationType::Site)
                .await
                .unwrap();
            assert_eq!(names(for_sites), ["Region", "tier"]);
            let for_users = store
                .tags_for(&staff(), CorrelationType::User)
                .await
                .unwrap();
            assert_eq!(names(for_users), ["Team"]);
            let other = actor_of("other", Role::Staff);
            assert!(
                store
                    .tags_for(&other, CorrelationType::Site)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
    }

    #[tokio::test]
    async fn a_value_is_applied_overwritten_and_removed_with_history() {
        for (_dir, store) in each_engine().await {
            let tag = store
                .create_tag(&admin(), &draft("Region", Some(&["APAC", "EMEA"])), 1)
                .await
                .unwrap();
            let hq = site(&store, "HQ", 1).await;
            let (applied, created) = store
                .set_tag_value(
                    &manager(),
                    &tag.id,
                    &hq,
                    CorrelationType::Site,
                    "APAC",
                    None,
                )
                .await
                .unwrap();
            assert!(created);
            assert_eq!((applied.value.as_str(), applied.version), ("APAC", 1));
            let (changed, created) = store
                .set_tag_value(
                    &manager(),
                    &tag.id,
                    &hq,
                    CorrelationType::Site,
                    "EMEA",
                    Some(1),
                )
                .await
                .unwrap();
            assert!(!created);
            assert_eq!((changed.value.as_str(), changed.version), ("EMEA", 2));
            assert!(matches!(
                store
                    .set_tag_value(
                        &manager(),
                        &tag.id,
                        &hq,
                        CorrelationType::Site,
                        "APAC",
                        Some(1)
                    )
                    .await,
                Err(CoreError::PreconditionFailed { current: 2, .. })
            ));
            assert!(matches!(
                store
                    .set_tag_value(
                        &manager(),
                        &tag.id,
                        &hq,
                        CorrelationType::Site,
                        "Mars",
                        None
                    )
                    .await,
                Err(CoreError::Invalid(
                    ValidationError::TagValueNotAllowed { .. }
                ))
            ));
            let chips = store.resource_tags(&staff(), &hq).await.unwrap();
            assert_eq!(chips.len(), 1);
            assert_eq!(chips[0].tag_name, "Region");
            assert_eq!(chips[0].colour.as_str(), "#112233");

            store
                .delete_tag_value(&manager(), &tag.id, &hq, None)
                .await
                .unwrap();
            assert!(store.resource_tags(&staff(), &hq).await.unwrap().is_empty());
            let actions: Vec<_> = store
                .list_changes(&staff(), &hq, 0, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.action)
                .collect();
            assert_eq!(
                actions,
                [
                    Action::ResourceCreate,
                    Action::TagSet,
                    Action::TagSet,
                    Action::TagRemove
                ]
            );
        }
    }

    #[tokio::test]
    async fn the_resource_must_exist_with_the_claimed_type() {
        for (_dir, store) in each_engine().await {
            let tag = store
                .create_tag(&admin(), &draft("Region", None), 1)
                .await
                .unwrap();
            let hq = site(&store, "HQ", 1).await;
            assert!(matches!(
                store
                    .set_tag_value(
                        &manager(),
                        &tag.id,
                        &ResourceId::from_path("site_x"),
                        CorrelationType::Site,
                        "A",
                        None
                    )
                    .await,
                Err(CoreError::NotFound { what: "site", .. })
            ));
            assert!(matches!(
                store
                    .set_tag_value(&manager(), &tag.id, &hq, CorrelationType::Wan, "A", None)
                    .await,
                Err(CoreError::Conflict(..))
            ));
            let user_only =
                TagDraft::new("Team", "", "#000000", &["user".to_owned()], None).unwrap();
            let team = store.create_tag(&admin(), &user_only, 2).await.unwrap();
            assert!(matches!(
                store
                    .set_tag_value(&manager(), &team.id, &hq, CorrelationType::Site, "A", None)
                    .await,
                Err(CoreError::Invalid(ValidationError::TagNotApplicable { .. }))
            ));
        }
    }

    #[tokio::test]
    async fn staff_and_other_sites_managers_cannot_tag() {
        for (_dir, store) in each_engine().await {
            let tag = store
                .create_tag(&admin(), &draft("Region", None), 1)
                .await
                .unwrap();
            let hq = site(&store, "HQ", 1).await;
            let mut limited = actor_of("default", Role::Manager);
            limited.sites = SiteScope::Only(vec![]);
            for actor in [staff(), limited] {
                assert!(matches!(
                    store
                        .set_tag_value(&actor, &tag.id, &hq, CorrelationType::Site, "A", None)
                        .await,
                    Err(CoreError::Forbidden(_))
                ));
            }
        }
    }

    #[tokio::test]
    async fn narrowing_a_definition_that_would_strand_values_is_refused() {
        for (_dir, store) in each_engine().await {
            let tag = store
                .create_tag(&admin(), &draft("Region", Some(&["APAC", "EMEA"])), 1)
                .await
                .unwrap();
            let hq = site(&store, "HQ", 1).await;
            store
                .set_tag_value(
                    &manager(),
                    &tag.id,
                    &hq,
                    CorrelationType::Site,
                    "APAC",
                    None,
                )
                .await
                .unwrap();
            let drop_apac = TagPatch {
                allowed_values: Some(Some(vec!["EMEA".into()])),
                ..TagPatch::default()
            };
            assert!(matches!(
                store.update_tag(&admin(), &tag.id, None, &drop_apac).await,
                Err(CoreError::Conflict(_, m)) if m.starts_with("1 resource")
            ));
            let wan_only = TagPatch {
                applies_to: Some(vec!["wan".into()]),
                ..TagPatch::default()
            };
            assert!(matches!(
                store.update_tag(&admin(), &tag.id, None, &wan_only).await,
                Err(CoreError::Conflict(..))
            ));
            let add_amer = TagPatch {
                allowed_values: Some(Some(vec!["APAC".into(), "EMEA".into(), "AMER".into()])),
                colour: Some("#FFFFFF".into()),
                ..TagPatch::default()
            };
            let updated = store
                .update_tag(&admin(), &tag.id, Some(1), &add_amer)
                .await
                .unwrap();
            assert_eq!(updated.version, 2);
            assert_eq!(updated.colour.as_str(), "#ffffff");
            assert!(matches!(
                store
                    .update_tag(&admin(), &tag.id, Some(1), &TagPatch::default())
                    .await,
                Err(CoreError::PreconditionFailed { .. })
            ));
        }
    }

    #[tokio::test]
    async fn deleting_a_tag_removes_its_values_and_says_how_many() {
        for (_dir, store) in each_engine().await {
            let tag = store
                .create_tag(&admin(), &draft("Region", None), 1)
                .await
                .unwrap();
            for n in 0..3 {
                let s = site(&store, &format!("S{n}"), n).await;
                store
                    .set_tag_value(&manager(), &tag.id, &s, CorrelationType::Site, "X", None)
                    .await
                    .unwrap();
            }
            assert_eq!(store.list_tags(&staff()).await.unwrap()[0].1, 3);
            assert_eq!(store.delete_tag(&admin(), &tag.id, None).await.unwrap(), 3);
            assert!(matches!(
                store.get_tag(&staff(), &tag.id).await,
                Err(CoreError::NotFound { .. })
            ));
            let s0 = store
                .list_resources(&staff(), &ResourceType::site())
                .await
                .unwrap()[0]
                .id
                .clone();
            let history = store.list_changes(&staff(), &s0, 0, 10).await.unwrap();
            assert_eq!(history.last().unwrap().action, Action::TagRemove);
        }
    }

    #[tokio::test]
    async fn another_tenants_tags_are_not_found() {
        for (_dir, store) in each_engine().await {
            let tag = store
                .create_tag(&admin(), &draft("Region", None), 1)
                .await
                .unwrap();
            let other = actor_of("acme", Role::Admin);
            store.create_tenant(&other.tenant, "Acme").await.unwrap();
            assert!(matches!(
                store.get_tag(&other, &tag.id).await,
                Err(CoreError::NotFound { .. })
            ));
            assert!(store.list_tags(&other).await.unwrap().is_empty());
            assert!(
                store
                    .create_tag(&other, &draft("Region", None), 2)
                    .await
                    .is_ok()
            );
        }
    }
}
