use leptos::prelude::*;

use super::FnError;
use crate::core::resources::Resource;

// Server functions live under /rpc with fixed names, keeping /api free for the REST API and
// giving scripts and tests stable URLs.

/// Every site, by name.
#[server(prefix = "/rpc", endpoint = "list_sites")]
pub async fn list_sites() -> Result<Vec<Resource>, FnError> {
    use super::server_context::{actor, fail, store};
    use crate::core::resources::ResourceType;

    store()?
        .list_resources(&actor().await?, &ResourceType::site())
        .await
        .map_err(fail)
}

/// One site, or `None` for an unknown id (the page shows "not found").
#[server(prefix = "/rpc", endpoint = "get_site")]
pub async fn get_site(id: String) -> Result<Option<Resource>, FnError> {
    use super::server_context::{actor, fail, store};
    use crate::core::resources::{ResourceId, ResourceType};

    store()?
        .find_resource(
            &actor().await?,
            &ResourceType::site(),
            &ResourceId::from_path(id),
        )
        .await
        .map_err(fail)
}

/// Creates a site. The name is checked by the core's rules; nothing is written when it fails.
#[server(prefix = "/rpc", endpoint = "create_site")]
pub async fn create_site(name: String, csrf: String) -> Result<Resource, FnError> {
    use super::server_context::{actor_for_change, fail, random_id_bits, store};
    use crate::core::resources::{ResourceName, ResourceType};

    let actor = actor_for_change(&csrf).await?;
    let name = ResourceName::parse(&name).map_err(|e| fail(e.into()))?;
    store()?
        .create_resource(&actor, &ResourceType::site(), &name, random_id_bits())
        .await
        .map_err(fail)
}
