use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, storage};
use crate::core::CoreError;
use crate::core::resources::{Resource, ResourceId, ResourceName, ResourceType};

#[derive(FromRow)]
struct ResourceRow {
    id: String,
    #[sqlx(rename = "type")]
    kind: String,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ResourceRow {
    fn into_resource(self) -> Result<Resource, CoreError> {
        Ok(Resource {
            id: ResourceId::from_path(self.id),
            // Only parsed types are ever written, so a bad one here means a damaged database.
            kind: ResourceType::parse(&self.kind).map_err(|e| CoreError::Storage(e.to_string()))?,
            name: self.name,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Keeps each query a `&'static str` (what sqlx accepts without an escape hatch) while the
/// column list is written once.
macro_rules! select_resources {
    ($tail:literal) => {
        concat!(
            "SELECT id, type, name, created_at, updated_at FROM resources ",
            $tail
        )
    };
}

impl Store {
    /// Creates a resource. The name is already valid by construction; the database still has
    /// the last word on uniqueness, so two racing creates cannot both win.
    pub async fn create_resource(
        &self,
        kind: &ResourceType,
        name: &ResourceName,
        random: u128,
    ) -> Result<Resource, CoreError> {
        let now = Utc::now();
        let id = ResourceId::mint(kind, random);
        let inserted = sqlx::query(
            "INSERT INTO resources (id, type, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(kind.as_str())
        .bind(name.as_str())
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(Resource {
                id,
                kind: kind.clone(),
                name: name.as_str().to_owned(),
                created_at: now,
                updated_at: now,
            }),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(CoreError::Conflict(
                format!("A {kind} named '{}' already exists.", name.as_str()),
            )),
            Err(e) => Err(storage(e)),
        }
    }

    /// All resources of one type, by name.
    pub async fn list_resources(&self, kind: &ResourceType) -> Result<Vec<Resource>, CoreError> {
        let sql = select_resources!("WHERE type = ? ORDER BY name COLLATE NOCASE, id");
        sqlx::query_as::<_, ResourceRow>(sql)
            .bind(kind.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(storage)?
            .into_iter()
            .map(ResourceRow::into_resource)
            .collect()
    }

    /// One resource of the given type, or `None` when no such resource exists.
    pub async fn find_resource(
        &self,
        kind: &ResourceType,
        id: &ResourceId,
    ) -> Result<Option<Resource>, CoreError> {
        let sql = select_resources!("WHERE id = ? AND type = ?");
        sqlx::query_as::<_, ResourceRow>(sql)
            .bind(id.as_str())
            .bind(kind.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(storage)?
            .map(ResourceRow::into_resource)
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("test.db")).await.unwrap();
        (dir, store)
    }

    fn name(s: &str) -> ResourceName {
        ResourceName::parse(s).unwrap()
    }

    #[tokio::test]
    async fn a_created_site_is_listed_and_found() {
        let (_dir, store) = temp_store().await;
        let site = ResourceType::site();
        let created = store
            .create_resource(&site, &name("Main Office"), 7)
            .await
            .unwrap();
        assert_eq!(created.id.as_str(), "site_00000000000000000000000000000007");

        let listed = store.list_resources(&site).await.unwrap();
        assert_eq!(listed, vec![created.clone()]);
        assert_eq!(
            store.find_resource(&site, &created.id).await.unwrap(),
            Some(created)
        );
    }

    #[tokio::test]
    async fn an_unknown_id_is_not_found() {
        let (_dir, store) = temp_store().await;
        let missing = ResourceId::from_path("site_nope");
        assert_eq!(
            store
                .find_resource(&ResourceType::site(), &missing)
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_resource_of_another_type_is_not_found_as_a_site() {
        let (_dir, store) = temp_store().await;
        let device = ResourceType::parse("mikrotik.device").unwrap();
        let router = store
            .create_resource(&device, &name("Edge 1"), 1)
            .await
            .unwrap();
        assert_eq!(
            store
                .find_resource(&ResourceType::site(), &router.id)
                .await
                .unwrap(),
            None
        );
        assert!(
            store
                .list_resources(&ResourceType::site())
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_duplicate_name_of_the_same_type_conflicts_ignoring_case_and_writes_nothing() {
        let (_dir, store) = temp_store().await;
        let site = ResourceType::site();
        store
            .create_resource(&site, &name("Main Office"), 1)
            .await
            .unwrap();
        let err = store
            .create_resource(&site, &name("MAIN office"), 2)
            .await
            .unwrap_err();
        assert!(matches!(err, CoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.list_resources(&site).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_same_name_may_be_used_by_another_type() {
        let (_dir, store) = temp_store().await;
        let device = ResourceType::parse("mikrotik.device").unwrap();
        store
            .create_resource(&ResourceType::site(), &name("Core"), 1)
            .await
            .unwrap();
        assert!(
            store
                .create_resource(&device, &name("Core"), 2)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn sites_are_listed_by_name_ignoring_case() {
        let (_dir, store) = temp_store().await;
        let site = ResourceType::site();
        for (i, n) in ["bravo", "Alpha", "charlie"].into_iter().enumerate() {
            store
                .create_resource(&site, &name(n), i as u128)
                .await
                .unwrap();
        }
        let names: Vec<_> = store
            .list_resources(&site)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["Alpha", "bravo", "charlie"]);
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
            .create_resource(&ResourceType::site(), &name("Kept"), 1)
            .await
            .unwrap();
        store.close().await;

        // Reopening runs the migrator again; it must be a no-op and keep the data.
        let reopened = Store::open_file(&path).await.unwrap();
        assert_eq!(
            reopened
                .list_resources(&ResourceType::site())
                .await
                .unwrap()
                .len(),
            1
        );
    }
}
