//! AVEVA Data Hub's Sequential Data Store API at `/datahub`: namespaces, types, streams and
//! stream metadata, over the same `Store` calls as the native API, so a Data Hub write shows in
//! the web UI and `/api/v1` and the other way round.
//!
//! A client configured with the resource `http://HOST/datahub` finds `…/api/v1/Tenants/{t}/
//! Namespaces/{ns}/…` here. The tenant is Sitebook's; fixed path words match in any case
//! (see `paths`). Stream data values are not Sitebook's to keep: those calls answer 501.
//! `query` searches use Data Hub's syntax, parsed and matched by the core.

mod data;
mod error;
mod extract;
mod identity;
mod metadata;
mod namespaces;
mod paths;

pub use paths::canonical_request;
mod streams;
mod tags;
mod types;

/// Public for the fuzz targets, which read tag bodies as the face does.
pub use tags::names as tag_names;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, FromRequestParts, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde::Deserialize;

use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::streams::query::{self, StreamQuery};
use crate::store::Store;
use crate::web::Settings;
use crate::web::body_cache::BodyCache;
pub use error::SdsError;

/// Where the face is mounted.
pub const PREFIX: &str = "/datahub";

/// The largest body every route but the metadata writes takes: a type definition, a stream,
/// a list of 100 tag names of 64 characters written as JSON escapes (under 40 KiB), a token
/// request.
pub const SMALL_BODY: usize = 64 * 1024;

/// The most items one list call answers (Data Hub documents 1000 as its largest `count`).
const MAX_COUNT: u32 = 1000;

#[derive(Clone)]
pub struct DataHub(Arc<DataHubParts>);

pub struct DataHubParts {
    pub store: Store,
    pub settings: Settings,
    /// `GET Metadata` answers, made once per record.
    pub bodies: BodyCache,
}

impl std::ops::Deref for DataHub {
    type Target = DataHubParts;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FromRef<DataHub> for Store {
    fn from_ref(state: &DataHub) -> Store {
        state.store.clone()
    }
}

impl FromRef<DataHub> for Settings {
    fn from_ref(state: &DataHub) -> Settings {
        state.settings.clone()
    }
}

impl DataHub {
    /// The absolute URL of `path` under the face, for `Self` links.
    pub fn url(&self, path: &str) -> String {
        format!("{}{PREFIX}{path}", self.settings.public_url)
    }
}

/// The tenant and namespace every SDS path starts with.
#[derive(Deserialize)]
pub struct Scope {
    tenant: String,
    namespace: String,
}

impl Scope {
    /// The namespace's id as stored, once the caller is known to belong to the tenant and the
    /// namespace exists.
    pub async fn namespace(&self, state: &DataHub, actor: &Actor) -> Result<String, SdsError> {
        self.check_tenant(actor)?;
        state
            .store
            .namespace(actor, &self.namespace)
            .await
            .map(|ns| ns.id)
            .map_err(|error| match error {
                // Only a namespace that is not there is Data Hub's 404; a storage failure
                // stays a failure (5xx), never an answer about the namespace.
                CoreError::NotFound { .. } => self.namespace_missing(),
                other => other.into(),
            })
    }

    /// The namespace as the path spells it.
    pub fn namespace_name(&self) -> &str {
        &self.namespace
    }

    pub fn namespace_missing(&self) -> SdsError {
        SdsError::new(
            axum::http::StatusCode::NOT_FOUND,
            "The specified namespace was not found.",
        )
        .parameter("NamespaceId", &self.namespace)
    }

    pub fn check_tenant(&self, actor: &Actor) -> Result<(), SdsError> {
        check_tenant(actor, &self.tenant)
    }
}

/// Another tenant's paths are refused: the token belongs to one tenant only.
fn check_tenant(actor: &Actor, tenant: &str) -> Result<(), SdsError> {
    if tenant.eq_ignore_ascii_case(actor.tenant.as_str()) {
        Ok(())
    } else {
        Err(SdsError::new(
            axum::http::StatusCode::FORBIDDEN,
            "The token does not grant access to this tenant.",
        )
        .reason(format!(
            "The token belongs to Sitebook's tenant '{}', not '{tenant}'.",
            actor.tenant.as_str()
        ))
        .resolution(format!(
            "Configure the client's tenant as '{}' (Sitebook's tenants are not Data Hub's \
             GUIDs).",
            actor.tenant.as_str()
        ))
        .parameter("TenantId", tenant))
    }
}

/// `skip`, `count` and `query` as Data Hub (ASP.NET) binds them: names in any case; 0 and 100
/// by default, `skip` an `int` (at most 2147483647) and at most 1000 items. A name given twice
/// is refused (400), in Data Hub's error body like every refusal.
#[derive(Default)]
pub struct Page {
    skip: Option<String>,
    count: Option<String>,
    query: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = SdsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SdsError> {
        // Every pair, so that a repeated name is refused in Data Hub's body, not the parser's.
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| {
                SdsError::bad_request(format!(
                    "The query string cannot be read: {}",
                    rejection.body_text()
                ))
            })?;
        let mut page = Page::default();
        for (name, value) in pairs {
            let slot = if name.eq_ignore_ascii_case("skip") {
                &mut page.skip
            } else if name.eq_ignore_ascii_case("count") {
                &mut page.count
            } else if name.eq_ignore_ascii_case("query") {
                &mut page.query
            } else {
                continue;
            };
            if slot.is_some() {
                return Err(SdsError::bad_request(format!(
                    "The query parameter '{}' is given more than once.",
                    name.to_ascii_lowercase()
                ))
                .resolution("Give each of skip, count and query at most once."));
            }
            *slot = Some(value);
        }
        Ok(page)
    }
}

impl Page {
    fn bounds(&self) -> Result<(u32, u32), SdsError> {
        let read = |name: &str, raw: &Option<String>, default: u32, max: u32| match raw.as_deref() {
            None | Some("") => Ok(default),
            Some(text) => match text.parse::<u32>() {
                Ok(n) if n <= max => Ok(n),
                Ok(n) => Err(SdsError::bad_request(format!(
                    "{name} may be at most {max}; it was {n}."
                ))),
                Err(_) => Err(
                    SdsError::bad_request(format!("'{text}' is not a valid {name}."))
                        .resolution(format!("{name} is a whole number of at least 0.")),
                ),
            },
        };
        // Data Hub's `skip` is a .NET `int`.
        let skip = read("skip", &self.skip, 0, i32::MAX as u32)?;
        let count = read("count", &self.count, 100, MAX_COUNT)?;
        Ok((skip, count))
    }

    /// The `query`, in Data Hub's search syntax (`core::streams::query`); `None` when empty.
    /// Its verdict goes to the store, which reports it after the caller's role check.
    fn query(&self) -> Result<Option<StreamQuery>, ValidationError> {
        query::parse(self.query.as_deref().unwrap_or(""))
    }
}

/// The face's routes at their full paths, with their state, for the app to merge. The app
/// puts every path in the router's spelling before routing it ([`canonical_request`]).
///
/// Full paths rather than a nested service, as the native API does: nesting rebuilt every
/// request's URI (measured; see `docs/performance.md`).
pub fn router<S>(store: Store, settings: Settings) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let state = DataHub(Arc::new(DataHubParts {
        store,
        settings,
        bodies: BodyCache::new(16 << 20),
    }));
    let ns = &format!("{PREFIX}/api/v1/Tenants/{{tenant}}/Namespaces/{{namespace}}");
    Router::new()
        .route(
            &format!("{PREFIX}/identity/.well-known/openid-configuration"),
            get(identity::discovery),
        )
        .route(
            &format!("{PREFIX}/identity/connect/token"),
            axum::routing::post(identity::token),
        )
        .route(
            &format!("{PREFIX}/api/v1/Tenants/{{tenant}}"),
            get(namespaces::tenant),
        )
        .route(
            &format!("{PREFIX}/api/v1/Tenants/{{tenant}}/Namespaces"),
            get(namespaces::list),
        )
        .route(ns, get(namespaces::show).post(namespaces::create))
        .route(&format!("{ns}/Types"), get(types::list))
        .route(
            &format!("{ns}/Types/{{type_id}}"),
            get(types::show)
                .post(types::get_or_create)
                .delete(types::delete),
        )
        .route(
            &format!("{ns}/Types/{{type_id}}/ReferenceCount"),
            get(types::reference_count),
        )
        .route(&format!("{ns}/Streams"), get(streams::list))
        .route(
            &format!("{ns}/Streams/{{stream_id}}"),
            get(streams::show)
                .post(streams::get_or_create)
                .put(streams::create_or_update)
                .delete(streams::delete),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/Type"),
            get(streams::stream_type).put(data::stream_views),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/Metadata"),
            get(metadata::list)
                .put(metadata::replace)
                .patch(metadata::patch)
                .delete(metadata::delete)
                // A whole dictionary, as the native API's metadata writes take it.
                .layer(DefaultBodyLimit::max(crate::api::v1::MAX_JSON_BODY)),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/Tags"),
            get(tags::list).put(tags::replace).delete(tags::delete),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/Metadata/{{key}}"),
            get(metadata::show),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/ChangeData/Metadata"),
            get(metadata::change_data),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/Data"),
            any(data::values),
        )
        .route(
            &format!("{ns}/Streams/{{stream_id}}/Data/{{*rest}}"),
            any(data::values),
        )
        // The library's joined reads of several streams' data: stream data, not kept here.
        .route(&format!("{ns}/Bulk/Streams/Data/Joins"), any(data::bulk))
        // Any other path under the prefix is Data Hub's 404, never the web UI's page.
        .route(PREFIX, any(missing))
        .route(&format!("{PREFIX}/"), any(missing))
        .route(&format!("{PREFIX}/{{*rest}}"), any(missing))
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .layer(crate::web::edge::request_id::RequestIdLayer)
        .with_state(state)
}

async fn missing() -> Response {
    SdsError::new(
        axum::http::StatusCode::NOT_FOUND,
        "The requested resource was not found.",
    )
    .resolution("Check the path against Data Hub's SDS API; Sitebook serves namespaces, types, streams, stream metadata and tags.")
    .into_response()
}
