//! Shared fixtures for the store's unit tests.

use super::Store;
use crate::core::access::{Actor, CreatorType, Role, SiteScope};
use crate::core::resources::{ResourceId, ResourceName, ResourceType};
use crate::core::tenancy::TenantId;

pub(crate) async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_file(&dir.path().join("test.db")).await.unwrap();
    (dir, store)
}

/// A site of the default tenant, made by a manager; `number` picks its generated id.
pub(crate) async fn site(store: &Store, name: &str, number: u128) -> ResourceId {
    store
        .create_resource(
            &manager(),
            &ResourceType::site(),
            &ResourceName::parse(name).unwrap(),
            number,
        )
        .await
        .unwrap()
        .id
}

pub(crate) fn actor_of(tenant: &str, role: Role) -> Actor {
    Actor {
        tenant: TenantId::new(tenant),
        id: format!("usr_{}", role.as_str()),
        creator_type: CreatorType::User,
        role,
        sites: SiteScope::All,
        request_id: Some("req-test".into()),
    }
}

pub(crate) fn manager() -> Actor {
    actor_of("default", Role::Manager)
}

pub(crate) fn staff() -> Actor {
    actor_of("default", Role::Staff)
}

pub(crate) fn admin() -> Actor {
    actor_of("default", Role::Admin)
}
