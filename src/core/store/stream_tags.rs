//! Data Hub's stream tags (`Streams/{id}/Tags`) over Sitebook's tag definitions: each name is
//! the definition of that name (ignoring case) applying to streams, attached without a value
//! (`core::tags::NO_VALUE`). A name nobody defined yet is defined on first use, marked with who
//! did, unless the tenant's setting turns that off. The list keeps the order it was put in.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqliteConnection;

use super::rows::TagRow;
use super::streams::{load_stream_and_site, stream_missing, stream_row};
use super::{Store, changes, settings, storage, unique_or};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::error::{Clash, ValidationError};
use crate::core::resources::ResourceId;
use crate::core::streams::StreamTags;
use crate::core::tags::{
    CorrelationType, MAX_AUTO_DEFINED_PER_HOUR, MAX_AUTO_DEFINED_TAGS, NO_VALUE, TagDefinition,
    TagDraft, TagId,
};
use crate::core::unchecked::Unchecked;

/// The stream's resource (its pk and id) once the caller may read it.
async fn stream_resource(
    conn: &mut SqliteConnection,
    actor: &Actor,
    namespace: &str,
    stream_id: &str,
) -> Result<(i64, ResourceId, Option<ResourceId>), CoreError> {
    let row = stream_row(conn, actor, namespace, stream_id)
        .await?
        .ok_or_else(|| stream_missing(stream_id))?;
    let pk = row.resource_pk;
    let (stream, site) = load_stream_and_site(conn, actor, row).await?;
    Ok((pk, stream.resource.id, site))
}

async fn tag_named(
    conn: &mut SqliteConnection,
    actor: &Actor,
    name: &str,
) -> Result<Option<TagRow>, CoreError> {
    sqlx::query_as::<_, TagRow>(
        "SELECT pk, id, name, description, colour, applies_to, allowed_values, auto_defined_by, \
         version, created_at, updated_at FROM tags \
         WHERE tenant_id = ? AND name = ? COLLATE NOCASE",
    )
    .bind(actor.tenant.as_str())
    .bind(name)
    .fetch_optional(conn)
    .await
    .map_err(storage)
}

/// Whether `actor` may define `new` more tags on first use: the tenant holds at most
/// [`MAX_AUTO_DEFINED_TAGS`] made that way, and one principal makes at most
/// [`MAX_AUTO_DEFINED_PER_HOUR`] an hour. Without these a site-limited manager could define
/// tenant-wide tags without end (100,000 made every tag list slow for everyone).
async fn room_to_define(
    conn: &mut SqliteConnection,
    actor: &Actor,
    new: usize,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let in_tenant: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tags WHERE tenant_id = ? AND auto_defined_by IS NOT NULL",
    )
    .bind(actor.tenant.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(storage)?;
    if in_tenant as usize + new > MAX_AUTO_DEFINED_TAGS {
        return Err(ValidationError::TooManyAutoDefinedTags {
            max: MAX_AUTO_DEFINED_TAGS,
            per_hour: false,
        }
        .into());
    }
    let this_hour: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tags WHERE tenant_id = ? AND auto_defined_by = ? \
         AND created_at > ?",
    )
    .bind(actor.tenant.as_str())
    .bind(&actor.id)
    .bind(now - chrono::Duration::hours(1))
    .fetch_one(&mut *conn)
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

/// Defines `name` for streams on a Data Hub client's first use of it.
async fn define_on_first_use(
    conn: &mut SqliteConnection,
    actor: &Actor,
    name: &str,
    random: u128,
    now: DateTime<Utc>,
) -> Result<TagRow, CoreError> {
    let draft = TagDraft::for_stream_client(name)?;
    let id = TagId::mint(now.timestamp_millis().max(0) as u64, random);
    sqlx::query(
        "INSERT INTO tags (tenant_id, id, name, description, colour, applies_to, \
         allowed_values, auto_defined_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
    )
    .bind(actor.tenant.as_str())
    .bind(id.as_str())
    .bind(&draft.name)
    .bind(&draft.description)
    .bind(draft.colour.as_str())
    .bind(serde_json::to_string(&draft.applies_to).map_err(|e| CoreError::Storage(e.to_string()))?)
    .bind(&actor.id)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(unique_or(|| {
        CoreError::Conflict(
            Clash::NameTaken,
            format!("A tag named '{name}' was defined at the same time; send the tags again."),
        )
    }))?;
    changes::append(
        conn,
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

/// The names of the tags on a resource, in the order Data Hub put them, then the others by name.
async fn names_on(conn: &mut SqliteConnection, resource_pk: i64) -> Result<Vec<String>, CoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk = ? \
         ORDER BY v.position IS NULL, v.position, t.name COLLATE NOCASE",
    )
    .bind(resource_pk)
    .fetch_all(conn)
    .await
    .map_err(storage)?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

impl Store {
    /// A stream's tags by name (`[]` when none): every tag on it, whether put through Data Hub
    /// (in that order) or given a value in Sitebook (after those, by name; the value is not
    /// shown, as Data Hub's tags have none).
    pub async fn stream_tags(
        &self,
        actor: &Actor,
        namespace: &str,
        stream_id: &str,
    ) -> Result<Vec<String>, CoreError> {
        actor.require_read()?;
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        let (pk, _, _) = stream_resource(&mut conn, actor, namespace, stream_id).await?;
        names_on(&mut conn, pk).await
    }

    /// Replaces a stream's tags with `tags` (Data Hub's `PUT Tags`; an empty list is its
    /// `DELETE Tags`) and answers the list as stored, all or nothing:
    /// - whoever may write the stream may name a tag nobody defined yet: it is defined on
    ///   first use for streams (`TagDraft::for_stream_client`), marked as theirs, unless the
    ///   tenant's `datahub_auto_define_tags` is off (then `TagUnknown`);
    /// - a definition that does not apply to streams is refused (`TagNotApplicable`);
    /// - a tag the stream carries already keeps its value (one set in Sitebook stays), a new
    ///   one is attached without a value, which its definition must allow (`check_presence`);
    /// - tags left out are removed, each with its change record.
    ///
    /// `random` mints the ids of definitions made here.
    pub async fn set_stream_tags(
        &self,
        actor: &Actor,
        namespace: &str,
        stream_id: &str,
        tags: impl Into<Unchecked<StreamTags>>,
        random: u128,
    ) -> Result<Vec<String>, CoreError> {
        actor.require_writer()?;
        let tags = tags.into().check()?;
        let now = Utc::now();
        let mut tx = self.write_tx().await?;
        let (resource_pk, resource_id, site) =
            stream_resource(&mut tx, actor, namespace, stream_id).await?;
        actor.require_write(site.as_ref())?;
        let auto_define = settings::read(&mut tx, &actor.tenant)
            .await?
            .datahub_auto_define_tags;

        let mut found = Vec::with_capacity(tags.names().len());
        for name in tags.names() {
            found.push(tag_named(&mut tx, actor, name).await?);
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
            room_to_define(&mut tx, actor, new, now).await?;
        }
        let mut wanted: Vec<(i64, TagDefinition)> = Vec::with_capacity(tags.names().len());
        for (n, (name, row)) in tags.names().iter().zip(found).enumerate() {
            let row = match row {
                Some(row) => row,
                None => {
                    define_on_first_use(&mut tx, actor, name, random.wrapping_add(n as u128), now)
                        .await?
                }
            };
            let pk = row.pk;
            let definition = row.into_definition()?;
            if !definition.applies_to.contains(&CorrelationType::Stream) {
                return Err(ValidationError::TagNotApplicable {
                    tag: definition.name,
                    correlation_type: CorrelationType::Stream.as_str(),
                    applies_to: definition.applies_to.iter().map(|t| t.as_str()).collect(),
                }
                .into());
            }
            wanted.push((pk, definition));
        }

        let current: Vec<(i64, String)> =
            sqlx::query_as("SELECT tag_pk, value FROM tag_values WHERE resource_pk = ?")
                .bind(resource_pk)
                .fetch_all(&mut *tx)
                .await
                .map_err(storage)?;
        for (tag_pk, value) in &current {
            if wanted.iter().any(|(pk, _)| pk == tag_pk) {
                continue;
            }
            let (tag_id,): (String,) = sqlx::query_as("SELECT id FROM tags WHERE pk = ?")
                .bind(tag_pk)
                .fetch_one(&mut *tx)
                .await
                .map_err(storage)?;
            sqlx::query("DELETE FROM tag_values WHERE tag_pk = ? AND resource_pk = ?")
                .bind(tag_pk)
                .bind(resource_pk)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
            changes::append(
                &mut tx,
                actor,
                resource_id.as_str(),
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
                sqlx::query(
                    "UPDATE tag_values SET position = ? WHERE tag_pk = ? AND resource_pk = ?",
                )
                .bind(position as i64)
                .bind(tag_pk)
                .bind(resource_pk)
                .execute(&mut *tx)
                .await
                .map_err(storage)?;
                continue;
            }
            definition.draft().check_presence(CorrelationType::Stream)?;
            sqlx::query(
                "INSERT INTO tag_values (tag_pk, resource_pk, value, changed_by, created_at, \
                 updated_at, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(tag_pk)
            .bind(resource_pk)
            .bind(NO_VALUE)
            .bind(&actor.id)
            .bind(now)
            .bind(now)
            .bind(position as i64)
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
            changes::append(
                &mut tx,
                actor,
                resource_id.as_str(),
                Action::TagSet,
                definition.id.as_str(),
                None,
                Some(json!(NO_VALUE)),
                now,
            )
            .await?;
        }
        let names = names_on(&mut tx, resource_pk).await?;
        tx.commit().await.map_err(storage)?;
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::store::testing::{admin, manager, staff, temp_store};
    use crate::core::streams::{SdsId, SdsType, Stream};
    use crate::core::tenancy::TenantSettings;
    use serde_json::json;

    async fn tank(store: &Store) {
        let id = SdsId::parse("type", "Level").unwrap();
        let body = json!({"Id": "Level", "SdsTypeCode": "Object", "Properties": [
            {"Id": "Time", "IsKey": true, "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}]});
        store
            .get_or_create_stream_type(&manager(), "default", SdsType::parse(&id, &body))
            .await
            .unwrap();
        let id = SdsId::parse("stream", "Tank1").unwrap();
        let body = json!({"Id": "Tank1", "TypeId": "Level"});
        store
            .put_stream(&manager(), "default", Stream::parse(&id, &body), false, 7)
            .await
            .unwrap();
    }

    fn tags(names: &[&str]) -> StreamTags {
        StreamTags::parse(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[tokio::test]
    async fn a_writer_defines_unknown_names_on_first_use_and_the_order_is_kept() {
        let (_dir, store) = temp_store().await;
        tank(&store).await;
        let put = store
            .set_stream_tags(&manager(), "default", "tank1", tags(&["pump", "Level"]), 1)
            .await
            .unwrap();
        assert_eq!(put, ["pump", "Level"]);
        let defined = store.list_tags(&admin()).await.unwrap();
        assert_eq!(defined.len(), 2);
        for (tag, used) in &defined {
            assert_eq!(tag.applies_to, [CorrelationType::Stream]);
            assert_eq!(tag.allowed_values, None);
            assert_eq!(tag.auto_defined_by.as_deref(), Some(manager().id.as_str()));
            assert_eq!(*used, 1);
        }
        // Another order, one name in another case (the same definition), one dropped.
        let again = store
            .set_stream_tags(&manager(), "default", "TANK1", tags(&["LEVEL", "new"]), 2)
            .await
            .unwrap();
        assert_eq!(again, ["Level", "new"]);
        assert_eq!(
            store
                .stream_tags(&staff(), "default", "Tank1")
                .await
                .unwrap(),
            ["Level", "new"]
        );
        assert!(matches!(
            store
                .set_stream_tags(&staff(), "default", "Tank1", tags(&["x"]), 3)
                .await,
            Err(CoreError::Forbidden(_))
        ));
        store
            .set_stream_tags(&manager(), "default", "Tank1", StreamTags::none(), 4)
            .await
            .unwrap();
        assert!(
            store
                .stream_tags(&staff(), "default", "Tank1")
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn with_auto_definition_off_an_unknown_name_is_refused_and_nothing_changes() {
        let (_dir, store) = temp_store().await;
        tank(&store).await;
        store
            .set_tenant_settings(
                &admin(),
                TenantSettings {
                    datahub_auto_define_tags: false,
                    ..TenantSettings::default()
                },
            )
            .await
            .unwrap();
        let refused = store
            .set_stream_tags(&manager(), "default", "Tank1", tags(&["pump"]), 1)
            .await;
        assert!(matches!(
            refused,
            Err(CoreError::Invalid(ValidationError::TagUnknown(name))) if name == "pump"
        ));
        assert!(store.list_tags(&admin()).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_definition_for_sites_or_with_a_value_list_is_refused_but_a_set_value_is_kept() {
        let (_dir, store) = temp_store().await;
        tank(&store).await;
        let site_only = TagDraft::new("Region", "", "#000000", &["site".into()], None).unwrap();
        store.create_tag(&admin(), site_only, 1).await.unwrap();
        assert!(matches!(
            store
                .set_stream_tags(&manager(), "default", "Tank1", tags(&["region"]), 2)
                .await,
            Err(CoreError::Invalid(ValidationError::TagNotApplicable { tag, .. })) if tag == "Region"
        ));
        let listed = TagDraft::new(
            "Tier",
            "",
            "#000000",
            &["datahub.stream".into()],
            Some(&["gold".into()]),
        )
        .unwrap();
        let tier = store.create_tag(&admin(), listed, 3).await.unwrap();
        assert!(matches!(
            store
                .set_stream_tags(&manager(), "default", "Tank1", tags(&["Tier"]), 4)
                .await,
            Err(CoreError::Invalid(ValidationError::TagValueRequired { .. }))
        ));
        let stream = store.stream(&manager(), "default", "Tank1").await.unwrap();
        store
            .set_tag_value(
                &manager(),
                &tier.id,
                &stream.resource.id,
                CorrelationType::Stream,
                "gold",
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .set_stream_tags(&manager(), "default", "Tank1", tags(&["pump", "Tier"]), 5)
                .await
                .unwrap(),
            ["pump", "Tier"]
        );
        let value = store
            .get_tag_value(&manager(), &tier.id, &stream.resource.id)
            .await
            .unwrap();
        assert_eq!(value.value, "gold");
    }

    fn numbered(from: usize, to: usize) -> StreamTags {
        StreamTags::parse(&(from..to).map(|i| format!("t{i}")).collect::<Vec<_>>()).unwrap()
    }

    /// Used to: any writer, a site-limited one too, defined tenant-wide tags without bound
    /// (100,000 made the site list 150 times slower).
    #[tokio::test]
    async fn tags_defined_on_first_use_are_bounded_per_hour_and_per_tenant() {
        let (_dir, store) = temp_store().await;
        tank(&store).await;
        let put = |tags: StreamTags, n: u128| {
            let store = store.clone();
            async move {
                store
                    .set_stream_tags(&manager(), "default", "Tank1", tags, n)
                    .await
            }
        };
        put(numbered(0, 100), 1).await.unwrap();
        put(numbered(100, 200), 2).await.unwrap();
        let refused = put(numbered(200, 201), 3).await;
        assert!(
            matches!(
                refused,
                Err(CoreError::Invalid(
                    ValidationError::TooManyAutoDefinedTags { per_hour: true, .. }
                ))
            ),
            "{refused:?}"
        );
        // Names already defined are not new: using them again costs nothing.
        put(numbered(150, 200), 4).await.unwrap();
        // The tenant's bound, whoever defines them: fill it to the last place.
        let now = Utc::now();
        for i in 200..MAX_AUTO_DEFINED_TAGS {
            sqlx::query(
                "INSERT INTO tags (tenant_id, id, name, description, colour, applies_to, \
                 auto_defined_by, created_at, updated_at) \
                 VALUES ('default', ?, ?, '', '#9ca3af', '[\"datahub.stream\"]', 'tok_old', ?, ?)",
            )
            .bind(format!("tag_planted{i}"))
            .bind(format!("t{i}"))
            .bind(now - chrono::Duration::days(1))
            .bind(now - chrono::Duration::days(1))
            .execute(&store.pool)
            .await
            .unwrap();
        }
        let other = crate::core::store::testing::admin();
        let refused = store
            .set_stream_tags(&other, "default", "Tank1", numbered(5000, 5001), 5)
            .await;
        assert!(
            matches!(
                refused,
                Err(CoreError::Invalid(
                    ValidationError::TooManyAutoDefinedTags {
                        per_hour: false,
                        ..
                    }
                ))
            ),
            "{refused:?}"
        );
    }
}
