//! Shared fixtures for the store's unit tests.

use super::Store;
use crate::core::CoreError;
use crate::core::access::{Actor, CreatorType, Grant, Role, SiteScope, User, Username};
use crate::core::resources::{ResourceId, ResourceName, ResourceType};
use crate::core::tenancy::TenantId;

pub(crate) async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_file(&dir.path().join("test.db")).await.unwrap();
    (dir, store)
}

/// The PostgreSQL server the store's tests also run on, when `scripts/test` started one.
pub(crate) const POSTGRES_VARIABLE: &str = "SITEBOOK_TEST_POSTGRES";

/// A store on each engine: SQLite always; PostgreSQL when [`POSTGRES_VARIABLE`] names a
/// server, on a database of its own made for the test. Each with the directory holding its
/// files, to keep until the test ends.
pub(crate) async fn each_engine() -> Vec<(tempfile::TempDir, Store)> {
    let mut stores = vec![temp_store().await];
    if let Ok(server) = std::env::var(POSTGRES_VARIABLE) {
        stores.push(temp_postgres_store(&server).await);
    }
    stores
}

async fn temp_postgres_store(server: &str) -> (tempfile::TempDir, Store) {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let name = format!("sitebook_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_VARIABLE} names no server that answers: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let url = match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => unreachable!("a postgres:// URL has a path"),
    };
    let store = Store::open_postgres(&url, &dir.path().join("files"))
        .await
        .unwrap();
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
        change: crate::core::change_sets::ChangeOrigin::fresh(crate::core::change_sets::Via::Api),
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

/// An unlimited grant of `role`.
pub(crate) fn grant(role: Role) -> Grant {
    Grant { role, sites: None }
}

/// A user of the default tenant made by an admin, with the password [`sign_in`] uses.
pub(crate) async fn user(store: &Store, name: &str, role: Role, random: u128) -> User {
    store
        .create_user(
            &admin(),
            &Username::parse(name).unwrap(),
            "long enough pw",
            &grant(role),
            random,
        )
        .await
        .unwrap()
}

/// Signs in a user made by [`user`] for an hour; the session's secret.
pub(crate) async fn sign_in(store: &Store, name: &str) -> Result<String, CoreError> {
    let mut random = [0; 32];
    random[..name.len()].copy_from_slice(name.as_bytes());
    store
        .sign_in(
            &TenantId::default_tenant(),
            name,
            "long enough pw",
            None,
            random,
            [0; 32],
        )
        .await
        .map(|(secret, _)| secret)
}
