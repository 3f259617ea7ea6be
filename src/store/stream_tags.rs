//! Data Hub's stream tags (`Streams/{id}/Tags`): bare tags (`bare_tags`) on the stream's
//! resource, applying to streams.

use super::bare_tags::{BareTarget, names_on, replace_bare_tags};
use super::db::Conn;
use super::streams::{load_stream_and_site, stream_missing, stream_row};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::resources::ResourceId;
use crate::core::streams::StreamTags;
use crate::core::tags::CorrelationType;
use crate::store::unchecked::Unchecked;

/// The stream's resource (its pk and id) once the caller may read it.
async fn stream_resource(
    mut conn: Conn<'_>,
    actor: &Actor,
    namespace: &str,
    stream_id: &str,
) -> Result<(i64, ResourceId, Option<ResourceId>), CoreError> {
    let row = stream_row(conn.reborrow(), actor, namespace, stream_id)
        .await?
        .ok_or_else(|| stream_missing(stream_id))?;
    let pk = row.resource_pk;
    let (stream, site) = load_stream_and_site(conn, actor, row).await?;
    Ok((pk, stream.resource.id, site))
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
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let (pk, _, _) = stream_resource(pooled.conn(), actor, namespace, stream_id).await?;
        names_on(&mut pooled, pk).await
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
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let (resource_pk, resource_id, site) =
            stream_resource(conn.reborrow(), actor, namespace, stream_id).await?;
        actor.require_write(site.as_ref())?;
        let target = BareTarget {
            pk: resource_pk,
            id: resource_id,
            applies_to: CorrelationType::Stream,
        };
        let names = replace_bare_tags(conn, actor, &target, &tags, random, now).await?;
        tx.commit().await.map_err(storage)?;
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ValidationError;
    use crate::core::streams::{SdsId, SdsType, Stream};
    use crate::core::tags::{MAX_AUTO_DEFINED_TAGS, TagDraft};
    use crate::core::tenancy::TenantSettings;
    use crate::store::testing::{admin, each_engine, manager, staff, temp_store};
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
        StreamTags::parse(
            &names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            crate::core::streams::MAX_STREAM_TAGS,
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_writer_defines_unknown_names_on_first_use_and_the_order_is_kept() {
        for (_dir, store) in each_engine().await {
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
    }

    #[tokio::test]
    async fn with_auto_definition_off_an_unknown_name_is_refused_and_nothing_changes() {
        for (_dir, store) in each_engine().await {
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
    }

    #[tokio::test]
    async fn a_definition_for_sites_or_with_a_value_list_is_refused_but_a_set_value_is_kept() {
        for (_dir, store) in each_engine().await {
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
    }

    fn numbered(from: usize, to: usize) -> StreamTags {
        StreamTags::parse(
            &(from..to).map(|i| format!("t{i}")).collect::<Vec<_>>(),
            crate::core::streams::MAX_STREAM_TAGS,
        )
        .unwrap()
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
        let now = crate::store::now();
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
        let other = crate::store::testing::admin();
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
