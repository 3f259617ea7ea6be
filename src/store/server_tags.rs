//! Nova's server tags (`/servers/{id}/tags`): bare tags (`bare_tags`) on the server's
//! resource, applying to servers, so they are Sitebook tags like any other (listed, searched,
//! described by admins) and a tag set in Sitebook without a value shows in Nova too.

use super::bare_tags::{BareTarget, names_on, replace_bare_tags};
use super::db::{Conn, Sql};
use super::resources::find_row;
use super::rows::ResourceRow;
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::openstack::{MAX_SERVER_TAGS, SERVER_TYPE, ServerTagChange};
use crate::core::resources::ResourceId;
use crate::core::tags::{BareTags, CorrelationType};

/// A server's tags before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTags {
    pub before: Vec<String>,
    pub after: Vec<String>,
}

async fn server_row<'c>(
    conn: impl Into<Conn<'c>>,
    actor: &Actor,
    id: &ResourceId,
) -> Result<ResourceRow, CoreError> {
    find_row(conn, &actor.tenant, id)
        .await?
        .filter(|row| row.kind == SERVER_TYPE)
        .ok_or_else(|| CoreError::NotFound {
            what: "server",
            id: id.to_string(),
        })
}

impl Store {
    /// A server's tags by name, in the order they were put.
    pub async fn server_tags(
        &self,
        actor: &Actor,
        id: &ResourceId,
    ) -> Result<Vec<String>, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let row = server_row(&mut pooled, actor, id).await?;
        names_on(&mut pooled, row.pk).await
    }

    /// The tags of each of a page of servers, by id, in one query (a server without tags, or
    /// gone, is absent), so a detailed list reads them once rather than once a server.
    pub async fn tags_of_servers(
        &self,
        actor: &Actor,
        ids: &[ResourceId],
    ) -> Result<std::collections::HashMap<String, Vec<String>>, CoreError> {
        actor.require_read()?;
        let ids = serde_json::to_string(&ids.iter().map(ResourceId::as_str).collect::<Vec<_>>())
            .map_err(|e| CoreError::Storage(e.to_string()))?;
        let rows: Vec<(String, String)> = self
            .db
            .query(Sql::each(
                "SELECT r.id, t.name FROM resources r \
                 JOIN tag_values v ON v.resource_pk = r.pk JOIN tags t ON t.pk = v.tag_pk \
                 WHERE r.tenant_id = ? AND r.type = ? AND r.id IN (SELECT value FROM json_each(?)) \
                 ORDER BY r.pk, v.position IS NULL, v.position, t.name COLLATE NOCASE",
                "SELECT r.id, t.name FROM resources r \
                 JOIN tag_values v ON v.resource_pk = r.pk JOIN tags t ON t.pk = v.tag_pk \
                 WHERE r.tenant_id = $1 AND r.type = $2 \
                   AND r.id IN (SELECT jsonb_array_elements_text(CAST($3 AS jsonb))) \
                 ORDER BY r.pk, v.position IS NULL, v.position, lower(t.name)",
            ))
            .bind(actor.tenant.as_str())
            .bind(SERVER_TYPE)
            .bind(ids)
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        let mut tags: std::collections::HashMap<String, Vec<String>> = Default::default();
        for (id, name) in rows {
            tags.entry(id).or_default().push(name);
        }
        Ok(tags)
    }

    /// Changes a server's tags, all or nothing, by whoever may write the server; names nobody
    /// defined yet are defined on first use as Data Hub's are (see `replace_bare_tags`).
    /// `random` mints the ids of definitions made here.
    pub async fn change_server_tags(
        &self,
        actor: &Actor,
        id: &ResourceId,
        change: ServerTagChange,
        random: u128,
    ) -> Result<ServerTags, CoreError> {
        actor.require_writer()?;
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let row = server_row(conn.reborrow(), actor, id).await?;
        actor.require_write_of(SERVER_TYPE, row.site().as_ref())?;
        let before = names_on(conn.reborrow(), row.pk).await?;
        let wanted = BareTags::parse(&change.apply(&before)?, MAX_SERVER_TAGS)?;
        let target = BareTarget {
            pk: row.pk,
            id: id.clone(),
            applies_to: CorrelationType::Server,
        };
        let after = replace_bare_tags(conn, actor, &target, &wanted, random, now).await?;
        tx.commit().await.map_err(storage)?;
        Ok(ServerTags { before, after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::resources::{ResourceName, ResourceType};
    use crate::store::testing::{each_engine, manager, staff};

    #[tokio::test]
    async fn a_servers_tags_are_sitebook_tags_defined_on_first_use() {
        for (_dir, store) in each_engine().await {
            let server = ResourceType::parse(SERVER_TYPE).unwrap();
            let made = store
                .create_resource(
                    &manager(),
                    &server,
                    &ResourceName::parse("web-1").unwrap(),
                    1,
                )
                .await
                .unwrap();
            let id = made.id;
            let add = |tag: &str| ServerTagChange::Add(tag.to_owned());
            let changed = store
                .change_server_tags(&manager(), &id, add("gold"), 2)
                .await
                .unwrap();
            assert_eq!(
                (changed.before.len(), changed.after),
                (0, vec!["gold".to_owned()])
            );
            store
                .change_server_tags(&manager(), &id, add("web"), 3)
                .await
                .unwrap();
            assert_eq!(
                store.server_tags(&staff(), &id).await.unwrap(),
                ["gold", "web"]
            );
            let many = store
                .tags_of_servers(&staff(), &[id.clone(), ResourceId::from_path("nope")])
                .await
                .unwrap();
            assert_eq!(many.len(), 1);
            assert_eq!(many[id.as_str()], ["gold", "web"]);
            let tags = store.list_tags(&staff()).await.unwrap();
            let (gold, _) = tags.iter().find(|(t, _)| t.name == "gold").unwrap();
            assert_eq!(gold.applies_to, [CorrelationType::Server]);
            assert!(matches!(
                store.change_server_tags(&staff(), &id, add("x"), 4).await,
                Err(CoreError::Forbidden(_))
            ));
            let cleared = store
                .change_server_tags(&manager(), &id, ServerTagChange::Clear, 5)
                .await
                .unwrap();
            assert!(cleared.after.is_empty());
            assert!(matches!(
                store
                    .server_tags(&staff(), &ResourceId::from_path("nope"))
                    .await,
                Err(CoreError::NotFound { .. })
            ));
        }
    }
}
