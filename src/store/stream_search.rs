//! Data Hub's `query` over a namespace's streams and types (`core::streams::query`). The
//! syntax matches whole tokens of values, which SQL's LIKE cannot express, so the streams are
//! read in pages by id, each page's metadata and tags in one query each, and matched in Rust on
//! a blocking thread under the search's deadline;
//! the parser bounds each stream's work (terms, wildcards), and the walk stops once the page
//! asked for is full, or refuses at the search deadline (a query matching few streams walks
//! the whole namespace). Like the resource search it runs on the searches' own connections
//! (see `search`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::Store;
use super::search::{Deadline, off_the_workers};
use super::streams::{StreamRow, load_stream};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::metadata::MetaValue;
use crate::core::streams::SdsId;
use crate::core::streams::query::{Searched, StreamQuery};
use crate::store::unchecked::Unchecked;

use super::{ListedType, StoredStream};

/// What a type's search reads of its stored definition.
#[derive(serde::Deserialize)]
struct Named {
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
}

/// Streams read and matched per step.
const BATCH: u32 = 500;

#[derive(sqlx::FromRow)]
struct ItemRow {
    resource_pk: i64,
    key: String,
    value_type: String,
    text_value: Option<String>,
    int_value: Option<i64>,
    real_value: Option<f64>,
}

impl ItemRow {
    /// The item as Data Hub sees it: its untyped text (`core::metadata::untyped`).
    fn untyped(self) -> Option<(i64, String, String)> {
        let value = match (self.value_type.as_str(), self.text_value, self.int_value) {
            ("string", Some(text), _) => MetaValue::Text(text),
            ("integer", _, Some(i)) => MetaValue::Integer(i),
            ("boolean", _, Some(i)) => MetaValue::Bool(i != 0),
            ("float", _, _) => MetaValue::Float(self.real_value?),
            _ => return None,
        };
        Some((self.resource_pk, self.key, value.to_untyped()))
    }
}

/// The metadata items (but `name`, which is the stream's name) and tag names of `pks`.
async fn items_and_tags(
    conn: &mut SqliteConnection,
    deadline: &Deadline,
    pks: &[i64],
) -> Result<
    (
        HashMap<i64, Vec<(String, String)>>,
        HashMap<i64, Vec<String>>,
    ),
    CoreError,
> {
    let pks = serde_json::to_string(pks).map_err(|e| CoreError::Storage(e.to_string()))?;
    let items = sqlx::query_as::<_, ItemRow>(
        "SELECT resource_pk, key, value_type, \
         CASE WHEN value_type = 'string' THEN value END AS text_value, \
         CASE WHEN value_type IN ('integer', 'boolean') THEN value END AS int_value, \
         CASE WHEN value_type = 'float' THEN value END AS real_value \
         FROM metadata WHERE resource_pk IN (SELECT value FROM json_each(?)) AND key <> 'name'",
    )
    .bind(&pks)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| deadline.error(e))?;
    let mut metadata: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (pk, key, value) in items.into_iter().filter_map(ItemRow::untyped) {
        metadata.entry(pk).or_default().push((key, value));
    }
    let tag_rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT v.resource_pk, t.name FROM tag_values v JOIN tags t ON t.pk = v.tag_pk \
         WHERE v.resource_pk IN (SELECT value FROM json_each(?))",
    )
    .bind(&pks)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| deadline.error(e))?;
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (pk, name) in tag_rows {
        tags.entry(pk).or_default().push(name);
    }
    Ok((metadata, tags))
}

impl Store {
    /// A page of the namespace's streams by id that match Data Hub's `query` (all of them for
    /// `None`): `skip` matches passed over, at most `count` answered.
    pub async fn search_streams(
        &self,
        actor: &Actor,
        namespace: &str,
        query: impl Into<Unchecked<Option<StreamQuery>>>,
        skip: u32,
        count: u32,
    ) -> Result<Vec<StoredStream>, CoreError> {
        actor.require_read()?;
        let Some(query) = query.into().check()? else {
            return self.list_streams(actor, namespace, skip, count).await;
        };
        let query = std::sync::Arc::new(query);
        let (mut conn, deadline) = self.search_connection().await?;
        let (mut after, mut skipped) = (String::new(), 0u32);
        let mut found = Vec::new();
        while found.len() < count as usize {
            deadline.check()?;
            let rows = sqlx::query_as::<_, StreamRow>(
                "SELECT resource_pk, id, type_id, display_name, description, settings FROM streams \
                 WHERE tenant_id = ? AND namespace_id = ? AND id > ? ORDER BY id LIMIT ?",
            )
            .bind(actor.tenant.as_str())
            .bind(namespace)
            .bind(&after)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| deadline.error(e))?;
            let Some(last) = rows.last() else { break };
            after = last.id.clone();
            let pks: Vec<i64> = rows.iter().map(|r| r.resource_pk).collect();
            let (metadata, tags) = items_and_tags(&mut conn, &deadline, &pks).await?;
            let matched = off_the_workers(deadline, {
                let query = query.clone();
                move || {
                    let mut matched = Vec::new();
                    for row in rows {
                        deadline.check()?;
                        let properties = [
                            ("Id", Some(row.id.as_str())),
                            ("Name", row.display_name.as_deref()),
                            ("Description", row.description.as_deref()),
                            ("TypeId", Some(row.type_id.as_str())),
                        ];
                        let searched = Searched {
                            properties: &properties,
                            metadata: metadata.get(&row.resource_pk).map_or(&[], Vec::as_slice),
                            tags: tags.get(&row.resource_pk).map_or(&[], Vec::as_slice),
                        };
                        if query.matches(&searched) {
                            matched.push(row);
                        }
                    }
                    Ok(matched)
                }
            })
            .await?;
            for row in matched {
                if skipped < skip {
                    skipped += 1;
                    continue;
                }
                found.push(
                    load_stream(&mut conn, actor, row)
                        .await
                        .map_err(|e| deadline.explain(e))?,
                );
                if found.len() == count as usize {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// A page of the namespace's types by id that match Data Hub's `query` on their `Id`,
    /// `Name` and `Description` (types carry no metadata or tags).
    pub async fn search_stream_types(
        &self,
        actor: &Actor,
        namespace: &str,
        query: impl Into<Unchecked<Option<StreamQuery>>>,
        skip: u32,
        count: u32,
    ) -> Result<Vec<ListedType>, CoreError> {
        actor.require_read()?;
        let Some(query) = query.into().check()? else {
            return self.list_stream_types(actor, namespace, skip, count).await;
        };
        let query = std::sync::Arc::new(query);
        let (mut conn, deadline) = self.search_connection().await?;
        let (mut after, mut skipped) = (String::new(), 0u32);
        let mut found = Vec::new();
        while found.len() < count as usize {
            deadline.check()?;
            let rows: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
                "SELECT id, definition, created_at FROM stream_types \
                 WHERE tenant_id = ? AND namespace_id = ? AND id > ? ORDER BY id LIMIT ?",
            )
            .bind(actor.tenant.as_str())
            .bind(namespace)
            .bind(&after)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| deadline.error(e))?;
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            let matched = off_the_workers(deadline, {
                let query = query.clone();
                move || {
                    let mut matched = Vec::new();
                    for (id, definition, created_at) in rows {
                        deadline.check()?;
                        // Only the two fields matched are read; the rest is skipped unbuilt.
                        let named: Named = serde_json::from_str(&definition)
                            .map_err(|e| CoreError::Storage(format!("a stored type: {e}")))?;
                        let properties = [
                            ("Id", Some(id.as_str())),
                            ("Name", named.name.as_deref()),
                            ("Description", named.description.as_deref()),
                        ];
                        let searched = Searched {
                            properties: &properties,
                            metadata: &[],
                            tags: &[],
                        };
                        if query.matches(&searched) {
                            matched.push((id, definition, created_at));
                        }
                    }
                    Ok(matched)
                }
            })
            .await?;
            for (id, definition, created_at) in matched {
                if skipped < skip {
                    skipped += 1;
                    continue;
                }
                let id =
                    SdsId::parse("type", &id).map_err(|e| CoreError::Storage(e.to_string()))?;
                found.push(ListedType {
                    id,
                    definition,
                    created_at,
                });
                if found.len() == count as usize {
                    break;
                }
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::core::metadata::{MetadataLimits, Precondition, untyped};
    use crate::core::streams::SdsType;
    use crate::core::streams::query::parse;
    use crate::core::streams::{Stream, StreamTags};
    use crate::store::MetadataTarget;
    use crate::store::testing::{manager, staff, temp_store};

    /// §4.6's three streams, stream2 tagged `temperature`, and a type named "Level gauge".
    async fn three(store: &Store) {
        let id = SdsId::parse("type", "Level").unwrap();
        let body = json!({"Id": "Level", "Name": "Level gauge", "SdsTypeCode": "Object",
            "Properties": [{"Id": "Time", "IsKey": true,
                            "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}]});
        store
            .get_or_create_stream_type(&manager(), "default", SdsType::parse(&id, &body))
            .await
            .unwrap();
        let items = [
            json!({"manufacturer": "company", "serial": "abc"}),
            json!({"serial": "a1"}),
            json!({"status": "active", "second key": "second value"}),
        ];
        for (n, items) in items.into_iter().enumerate() {
            let name = format!("stream{}", n + 1);
            let id = SdsId::parse("stream", &name).unwrap();
            let body = json!({"Id": name, "TypeId": "Level"});
            let (stream, _) = store
                .put_stream(
                    &manager(),
                    "default",
                    Stream::parse(&id, &body),
                    false,
                    n as u128,
                )
                .await
                .unwrap();
            let written: Vec<(String, String)> = items
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            store
                .change_metadata(
                    &manager(),
                    MetadataTarget::Existing(&stream.resource.id),
                    &Precondition::Any,
                    move |current| {
                        let current = current.cloned().unwrap_or_default();
                        Ok(untyped::write(
                            &current,
                            written.clone(),
                            true,
                            MetadataLimits::default(),
                        )?)
                    },
                )
                .await
                .unwrap();
        }
        let tags = StreamTags::parse(&["temperature".to_owned()], 100).unwrap();
        store
            .set_stream_tags(&manager(), "default", "stream2", tags, 9)
            .await
            .unwrap();
    }

    async fn ids(store: &Store, query: &str, skip: u32, count: u32) -> Vec<String> {
        store
            .search_streams(&staff(), "default", parse(query), skip, count)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.stream.id.as_str().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn streams_are_found_by_metadata_tags_and_properties_and_paged_among_matches() {
        let (_dir, store) = temp_store().await;
        three(&store).await;
        assert_eq!(
            ids(&store, "manufacturer:company", 0, 100).await,
            ["stream1"]
        );
        assert_eq!(
            ids(&store, "a*", 0, 100).await,
            ["stream1", "stream2", "stream3"]
        );
        assert_eq!(
            ids(&store, "ser*al:a*", 0, 100).await,
            ["stream1", "stream2"]
        );
        assert_eq!(
            ids(&store, "Id*:stream*", 0, 100).await,
            Vec::<String>::new()
        );
        assert_eq!(ids(&store, "temp*", 0, 100).await, ["stream2"]);
        assert_eq!(ids(&store, "TypeId:level", 1, 1).await, ["stream2"]);
        assert_eq!(ids(&store, "", 2, 100).await, ["stream3"]);
        assert!(matches!(
            store
                .search_streams(&staff(), "default", parse("*l*g*"), 0, 100)
                .await,
            Err(CoreError::Invalid(_))
        ));
        let types = store
            .search_stream_types(&staff(), "default", parse("Name:gauge"), 0, 100)
            .await
            .unwrap();
        assert_eq!(types.len(), 1);
        let none = store
            .search_stream_types(&staff(), "default", parse("Id:*Target*"), 0, 100)
            .await
            .unwrap();
        assert!(none.is_empty());
    }

    /// Used to: a query matching nothing walked every stream of the namespace, however many,
    /// with no deadline. A search past its deadline is refused as too slow.
    #[tokio::test]
    async fn a_stream_search_past_its_deadline_is_cut_off() {
        use crate::core::search::SearchLimits;

        let (_dir, store) = temp_store().await;
        three(&store).await;
        assert_eq!(ids(&store, "nothing*", 0, 100).await, Vec::<String>::new());
        store.set_search_limits(SearchLimits {
            deadline: std::time::Duration::ZERO,
            ..SearchLimits::default()
        });
        for result in [
            store
                .search_streams(&staff(), "default", parse("nothing*"), 0, 100)
                .await
                .map(|_| ()),
            store
                .search_stream_types(&staff(), "default", parse("nothing*"), 0, 100)
                .await
                .map(|_| ()),
        ] {
            match result {
                Err(CoreError::Invalid(rule)) => assert_eq!(rule.code(), "search_too_slow"),
                other => panic!("{other:?}"),
            }
        }
        store.set_search_limits(SearchLimits::default());
        assert_eq!(ids(&store, "temp*", 0, 100).await, ["stream2"]);
    }
}
