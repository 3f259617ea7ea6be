//! Per-tenant settings an admin changes (`core::tenancy::TenantSettings`). A tenant without a
//! row has the defaults.

use chrono::Utc;
use sqlx::SqliteConnection;

use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::tenancy::{TenantId, TenantSettings};

/// The tenant's settings, inside whatever transaction needs them.
pub(super) async fn read(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
) -> Result<TenantSettings, CoreError> {
    let row: Option<(bool,)> =
        sqlx::query_as("SELECT datahub_auto_define_tags FROM tenant_settings WHERE tenant_id = ?")
            .bind(tenant.as_str())
            .fetch_optional(conn)
            .await
            .map_err(storage)?;
    Ok(
        row.map_or_else(TenantSettings::default, |(auto,)| TenantSettings {
            datahub_auto_define_tags: auto,
        }),
    )
}

impl Store {
    /// The caller's tenant's settings (anyone who may read sees them: they explain answers).
    pub async fn tenant_settings(&self, actor: &Actor) -> Result<TenantSettings, CoreError> {
        actor.require_read()?;
        let mut conn = self.pool.acquire().await.map_err(storage)?;
        read(&mut conn, &actor.tenant).await
    }

    /// Replaces the caller's tenant's settings. Admins only.
    pub async fn set_tenant_settings(
        &self,
        actor: &Actor,
        settings: TenantSettings,
    ) -> Result<TenantSettings, CoreError> {
        actor.require_admin()?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_id, datahub_auto_define_tags, updated_at) \
             VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET \
             datahub_auto_define_tags = excluded.datahub_auto_define_tags, \
             updated_at = excluded.updated_at",
        )
        .bind(actor.tenant.as_str())
        .bind(settings.datahub_auto_define_tags)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
        let stored = read(&mut tx, &actor.tenant).await?;
        tx.commit().await.map_err(storage)?;
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::store::testing::{admin, manager, temp_store};

    #[tokio::test]
    async fn auto_definition_is_on_until_an_admin_turns_it_off() {
        let (_dir, store) = temp_store().await;
        assert!(
            store
                .tenant_settings(&manager())
                .await
                .unwrap()
                .datahub_auto_define_tags
        );
        let off = TenantSettings {
            datahub_auto_define_tags: false,
        };
        assert!(matches!(
            store.set_tenant_settings(&manager(), off).await,
            Err(CoreError::Forbidden(_))
        ));
        assert_eq!(store.set_tenant_settings(&admin(), off).await.unwrap(), off);
        assert_eq!(store.tenant_settings(&manager()).await.unwrap(), off);
    }
}
