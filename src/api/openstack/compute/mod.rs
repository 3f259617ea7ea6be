//! Nova's compute API (v2.1) at `/openstack/compute`: version documents, microversions, faults,
//! servers (read-only), server metadata and host aggregates, over the same `Store` calls as the native API.
//!
//! Every route exists twice, as in Nova: `/v2.1/servers/…` and the legacy
//! `/v2.1/{project_id}/servers/…`. The project id is Sitebook's tenant.

mod aggregates;
mod availability_zones;
mod fault;
mod flavors;
mod headers;
mod limits;
mod microversion;
mod server_metadata;
mod server_tags;
mod servers;
mod sorting;
mod versions;

use std::sync::Arc;

use axum::Router;
use axum::extract::{
    DefaultBodyLimit, FromRef, FromRequest, FromRequestParts, RawPathParams, Request,
};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::get;
use serde_json::Value;

use crate::api::openstack::auth::Nova;
use crate::core::access::Actor;
use crate::core::openstack::MAX_CHARS;
pub use crate::core::openstack::{DEFAULT_METADATA_ITEMS, SERVER_TYPE};
use crate::store::Store;
use crate::web::body_cache::BodyCache;
use crate::web::{Settings, edge};
pub use fault::Fault;
use headers::NovaHeadersLayer;
/// Public for the fuzz targets, which read metadata bodies as the face does.
pub use server_metadata::read_items;

const PREFIX: &str = "/openstack/compute";

/// What the compute face's handlers share.
#[derive(Clone)]
pub struct ComputeState(Arc<ComputeStateParts>);

pub struct ComputeStateParts {
    pub store: Store,
    pub settings: Settings,
    /// `GET …/metadata` answers in Nova's shape, made once per record.
    pub bodies: BodyCache,
}

impl std::ops::Deref for ComputeState {
    type Target = ComputeStateParts;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FromRef<ComputeState> for Store {
    fn from_ref(state: &ComputeState) -> Store {
        state.store.clone()
    }
}

impl FromRef<ComputeState> for Settings {
    fn from_ref(state: &ComputeState) -> Settings {
        state.settings.clone()
    }
}

/// The compute API's routes, with their state, for the app to merge.
pub fn router<S>(store: Store, settings: Settings) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let limit = body_limit(settings.limits.max_keys);
    let state = ComputeState(Arc::new(ComputeStateParts {
        store,
        settings,
        bodies: BodyCache::new(16 << 20),
    }));
    let mut api = Router::new();
    for base in ["/v2.1", "/v2.1/{project_id}"] {
        use server_metadata as m;
        api = api
            .route(
                &format!("{PREFIX}{base}/os-aggregates"),
                get(aggregates::list).post(aggregates::create),
            )
            .route(
                &format!("{PREFIX}{base}/os-aggregates/{{aggregate_id}}"),
                get(aggregates::show)
                    .put(aggregates::update)
                    .delete(aggregates::delete),
            )
            .route(
                &format!("{PREFIX}{base}/os-aggregates/{{aggregate_id}}/action"),
                axum::routing::post(aggregates::action),
            )
            .route(
                &format!("{PREFIX}{base}/os-availability-zone"),
                get(availability_zones::index),
            )
            .route(
                &format!("{PREFIX}{base}/os-availability-zone/detail"),
                get(availability_zones::detail),
            )
            .route(&format!("{PREFIX}{base}/limits"), get(limits::limits))
            .route(
                &format!("{PREFIX}{base}/os-quota-sets/{{tenant_id}}"),
                get(limits::quota_set),
            )
            .route(
                &format!("{PREFIX}{base}/os-quota-sets/{{tenant_id}}/defaults"),
                get(limits::quota_defaults),
            )
            .route(&format!("{PREFIX}{base}/flavors"), get(flavors::index))
            .route(
                &format!("{PREFIX}{base}/flavors/detail"),
                get(flavors::detail_index),
            )
            .route(
                &format!("{PREFIX}{base}/flavors/{{flavor_id}}"),
                get(flavors::show),
            )
            .route(
                &format!("{PREFIX}{base}/flavors/{{flavor_id}}/os-extra_specs"),
                get(flavors::extra_specs),
            )
            .route(
                &format!("{PREFIX}{base}/servers"),
                get(servers::index).post(servers::refuse_create),
            )
            .route(
                &format!("{PREFIX}{base}/servers/detail"),
                get(servers::detail_index),
            )
            .route(
                &format!("{PREFIX}{base}/servers/{{server_id}}"),
                get(servers::show)
                    .put(servers::update)
                    .delete(servers::refuse_change),
            )
            .route(
                &format!("{PREFIX}{base}/servers/{{server_id}}/action"),
                axum::routing::post(servers::action),
            )
            .route(
                &format!("{PREFIX}{base}/servers/{{server_id}}/tags"),
                get(server_tags::index)
                    .put(server_tags::replace)
                    .delete(server_tags::clear),
            )
            .route(
                &format!("{PREFIX}{base}/servers/{{server_id}}/tags/{{tag}}"),
                get(server_tags::check)
                    .put(server_tags::add)
                    .delete(server_tags::remove),
            )
            .route(
                &format!("{PREFIX}{base}/servers/{{server_id}}/metadata"),
                get(m::list).post(m::merge).put(m::replace),
            )
            .route(
                &format!("{PREFIX}{base}/servers/{{server_id}}/metadata/{{key}}"),
                get(m::show).put(m::set).delete(m::delete),
            );
    }
    let api = api
        .layer(DefaultBodyLimit::max(limit))
        .layer(NovaHeadersLayer { negotiate: true });
    Router::new()
        .route(PREFIX, get(versions::list))
        .route(&format!("{PREFIX}/"), get(versions::list))
        .route(&format!("{PREFIX}/v2.1"), get(versions::current))
        .route(&format!("{PREFIX}/v2.1/"), get(versions::current))
        // Any other path under the prefix is Nova's 404 fault, never the web UI's page. (A
        // catch-all beside `{project_id}` would clash with it, so it sits one level up.)
        .route(&format!("{PREFIX}/{{*rest}}"), axum::routing::any(missing))
        .layer(NovaHeadersLayer { negotiate: false })
        .merge(api)
        .with_state(state)
}

async fn missing() -> Fault {
    Fault::not_found(
        "The resource could not be found. Sitebook's compute API serves servers (to read), \
         server metadata, the one flavor, host aggregates and their availability zones, limits \
         and quota sets; it keeps no \
         keypairs, images, volumes, networks, hypervisors, services or server groups.",
    )
}

/// The legacy form's project id, when the URL has one: it must name the caller's tenant (its
/// project id, as the identity face hands it out, or the tenant's own id), or Nova refuses the
/// URL as malformed.
pub struct Project(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Project {
    type Rejection = Fault;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Fault> {
        // The raw parameters: only one is wanted, so nothing else is decoded or copied.
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Fault::bad_request("Malformed request URL"))?;
        let project = params
            .iter()
            .find(|(name, _)| *name == "project_id")
            .map(|(_, value)| value.to_owned());
        Ok(Self(project))
    }
}

impl Project {
    /// The project id the URL carries, for links that keep the form the client used.
    pub fn segment(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn check(&self, actor: &Actor) -> Result<(), Fault> {
        match &self.0 {
            Some(project) if !actor.tenant.is_named_by(project) => {
                Err(Fault::bad_request(format!(
                    "Malformed request URL: URL's project_id '{project}' doesn't match Context's \
                     project_id '{}'",
                    actor.tenant.project_id()
                )))
            }
            _ => Ok(()),
        }
    }
}

/// A JSON request body, read through the edge (`web::edge::body`: the shared turns, the route's
/// limit, the arrival deadline) and refused as Nova refuses one: 415 for a type other than
/// JSON, 400 for an absent or malformed body.
pub struct Body(pub Value);

impl<S> FromRequest<S> for Body
where
    S: Send + Sync,
    Settings: FromRef<S>,
{
    type Rejection = Fault;

    async fn from_request(request: Request, state: &S) -> Result<Self, Fault> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        if let Some(kind) = content_type.as_deref()
            && !matches!(
                kind,
                "" | "text/plain" | "application/json" | "application/vnd.openstack.compute+json"
            )
        {
            return Err(Fault::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Content-Type",
            ));
        }
        let body = edge::Body::<Nova>::from_request(request, state).await?;
        serde_json::from_slice(&body.bytes)
            .map(Body)
            .map_err(|_| Fault::bad_request("Malformed request body"))
    }
}

/// The largest body a compute route takes: a whole metadata set at the metadata key limit
/// (which bounds every tenant's quota), every key and value at Nova's 255 characters written
/// as JSON escapes of surrogate pairs (12 bytes a character), and never under 1 MiB.
fn body_limit(max_keys: usize) -> usize {
    (max_keys * 2 * MAX_CHARS * 12 + 4096).max(1 << 20)
}
