//! `/settings`: the caller's tenant's settings (everyone reads, admins change).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorResponse};
use super::extract::{Admin, ApiJson, Caller};
use crate::core::tenancy::TenantSettings;
use crate::store::Store;

const TAG: &str = "Settings";

/// A tenant's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct Settings {
    /// Whether a Data Hub client's tag name that no definition has yet is defined on first
    /// use (`true`, the default) or refused until an admin defines it.
    pub datahub_auto_define_tags: bool,
    /// Nova's `metadata_items` quota: the most items a server's metadata may hold through the
    /// OpenStack compute API (1 to 100,000; default 128; the metadata key limit holds too).
    #[schema(minimum = 1, maximum = 100000)]
    pub nova_metadata_items: u32,
}

/// `PUT /settings`: the settings named change, the others stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    #[serde(default)]
    pub datahub_auto_define_tags: Option<bool>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 1, maximum = 100000)]
    pub nova_metadata_items: Option<u32>,
}

/// A count as JSON Schema's `integer` reads it: `88.0` is the integer 88 there (and clients
/// generated from the document may send it so), which serde's `u32` would refuse. Anything
/// fractional, negative or past `u32` is refused; the range is the core's to check.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    let whole = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    });
    match whole.and_then(|n| u32::try_from(n).ok()) {
        Some(n) => Ok(Some(n)),
        None => Err(D::Error::custom(format!(
            "expected a whole number, got {number}"
        ))),
    }
}

fn body(settings: TenantSettings) -> Json<Settings> {
    Json(Settings {
        datahub_auto_define_tags: settings.datahub_auto_define_tags,
        nova_metadata_items: settings.nova_metadata_items,
    })
}

/// The tenant's settings.
#[utoipa::path(get, path = "/settings", tag = TAG, operation_id = "getSettings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorResponse)))]
pub async fn get_settings(
    State(store): State<Store>,
    Caller(actor): Caller,
) -> Result<Json<Settings>, ApiError> {
    Ok(body(store.tenant_settings(&actor).await?))
}

/// Change the tenant's settings. Admins only.
#[utoipa::path(put, path = "/settings", tag = TAG, operation_id = "updateSettings",
    request_body = SettingsUpdate,
    responses(
        (status = 200, body = Settings), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 415, body = ErrorResponse), (status = 422, body = ErrorResponse),
    ))]
pub async fn update_settings(
    State(store): State<Store>,
    Admin(actor): Admin,
    ApiJson(update): ApiJson<SettingsUpdate>,
) -> Result<Json<Settings>, ApiError> {
    let mut settings = store.tenant_settings(&actor).await?;
    if let Some(auto) = update.datahub_auto_define_tags {
        settings.datahub_auto_define_tags = auto;
    }
    if let Some(items) = update.nova_metadata_items {
        settings.nova_metadata_items = items;
    }
    Ok(body(store.set_tenant_settings(&actor, settings).await?))
}
