//! Per-tenant settings an admin changes (`core::tenancy::TenantSettings`). A tenant without a
//! row has the defaults.

use super::db::{Conn, sql};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::tenancy::{TenantId, TenantSettings};

/// The tenant's settings, inside whatever transaction needs them.
pub(super) async fn read<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
) -> Result<TenantSettings, CoreError> {
    let mut conn = conn.into();
    let row: Option<(bool, i64)> = conn
        .query(sql!(
            "SELECT datahub_auto_define_tags, nova_metadata_items FROM tenant_settings \
             WHERE tenant_id = ?"
        ))
        .bind(tenant.as_str())
        .fetch_optional(&mut conn)
        .await
        .map_err(storage)?;
    let Some((auto, items)) = row else {
        return Ok(TenantSettings::default());
    };
    Ok(TenantSettings {
        datahub_auto_define_tags: auto,
        // The column's check keeps it within 1 to 100,000.
        nova_metadata_items: u32::try_from(items)
            .map_err(|_| CoreError::Storage(format!("a stored quota out of range: {items}")))?,
    })
}

impl Store {
    /// The caller's tenant's settings (anyone who may read sees them: they explain answers).
    /// Kept in memory for a moment, as a face asks for them on every write it bounds.
    pub async fn tenant_settings(&self, actor: &Actor) -> Result<TenantSettings, CoreError> {
        actor.require_read()?;
        if let Some(settings) = self.cache.settings(actor.tenant.as_str()) {
            return Ok(settings);
        }
        let mut conn = self.db.acquire().await.map_err(storage)?;
        let settings = read(conn.conn(), &actor.tenant).await?;
        self.cache.keep_settings(actor.tenant.as_str(), settings);
        Ok(settings)
    }

    /// Replaces the caller's tenant's settings. Admins only.
    pub async fn set_tenant_settings(
        &self,
        actor: &Actor,
        settings: TenantSettings,
    ) -> Result<TenantSettings, CoreError> {
        actor.require_admin()?;
        settings.check()?;
        let mut tx = self.write_tx().await?;
        tx.conn()
            .query(sql!(
                "INSERT INTO tenant_settings \
                 (tenant_id, datahub_auto_define_tags, nova_metadata_items, updated_at) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET \
                 datahub_auto_define_tags = excluded.datahub_auto_define_tags, \
                 nova_metadata_items = excluded.nova_metadata_items, \
                 updated_at = excluded.updated_at"
            ))
            .bind(actor.tenant.as_str())
            .bind(settings.datahub_auto_define_tags)
            .bind(i64::from(settings.nova_metadata_items))
            .bind(crate::store::now())
            .execute(&mut tx.conn())
            .await
            .map_err(storage)?;
        let stored = read(&mut tx, &actor.tenant).await?;
        tx.commit().await.map_err(storage)?;
        self.cache.forget_settings(actor.tenant.as_str());
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ValidationError;
    use crate::core::tenancy::MAX_NOVA_METADATA_ITEMS;
    use crate::store::testing::{admin, each_engine, manager};

    #[tokio::test]
    async fn auto_definition_is_on_until_an_admin_turns_it_off() {
        for (_dir, store) in each_engine().await {
            assert!(
                store
                    .tenant_settings(&manager())
                    .await
                    .unwrap()
                    .datahub_auto_define_tags
            );
            let off = TenantSettings {
                datahub_auto_define_tags: false,
                ..TenantSettings::default()
            };
            assert!(matches!(
                store.set_tenant_settings(&manager(), off).await,
                Err(CoreError::Forbidden(_))
            ));
            assert_eq!(store.set_tenant_settings(&admin(), off).await.unwrap(), off);
            assert_eq!(store.tenant_settings(&manager()).await.unwrap(), off);
        }
    }

    #[tokio::test]
    async fn the_nova_quota_is_the_tenants_and_out_of_range_is_refused_keeping_the_old() {
        for (_dir, store) in each_engine().await {
            assert_eq!(
                store
                    .tenant_settings(&manager())
                    .await
                    .unwrap()
                    .nova_metadata_items,
                128
            );
            let mut settings = store.tenant_settings(&admin()).await.unwrap();
            settings.nova_metadata_items = 3;
            store.set_tenant_settings(&admin(), settings).await.unwrap();
            // Read at once after the change, through the cache the change dropped.
            assert_eq!(
                store
                    .tenant_settings(&manager())
                    .await
                    .unwrap()
                    .nova_metadata_items,
                3
            );
            for wrong in [0, MAX_NOVA_METADATA_ITEMS + 1] {
                settings.nova_metadata_items = wrong;
                assert!(matches!(
                    store.set_tenant_settings(&admin(), settings).await,
                    Err(CoreError::Invalid(
                        ValidationError::SettingOutOfRange { .. }
                    ))
                ));
            }
            assert_eq!(
                store
                    .tenant_settings(&manager())
                    .await
                    .unwrap()
                    .nova_metadata_items,
                3
            );
        }
    }
}
