//! The native REST API under `/api/v1`, which speaks the Altostrat Metadata API: bearer-token
//! authentication, the `{type, code, message, doc_url}` error body, ETags and `If-Match`, and
//! an OpenAPI document generated from these handlers at `/api/v1/openapi.json`.

mod catalogue;
mod change_sets;
pub mod error;
mod etag;
mod exports;
mod extract;
mod files;
mod imports;
mod metadata;
mod resources;
mod rules;
mod schemas;
mod settings;
mod sites;
mod tag_values;
mod tags;
mod upload_stream;

pub use files::read_upload_form;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{MethodRouter, get};
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::store::Store;
use crate::web::Settings;

/// What the API's handlers reach: the store, the settings both faces share, and this face's
/// own cache of response bodies. One reference count rather than one per part; see
/// `docs/performance.md`.
#[derive(Clone, Debug)]
pub struct ApiState(Arc<ApiStateParts>);

#[derive(Debug)]
pub struct ApiStateParts {
    pub store: Store,
    pub settings: Settings,
    pub bodies: crate::web::body_cache::BodyCache,
    /// The imports whose callers follow their progress.
    pub imports: Arc<imports::ImportsUnderWay>,
}

impl ApiState {
    pub fn new(store: Store, settings: Settings) -> Self {
        Self(Arc::new(ApiStateParts {
            store,
            settings,
            bodies: crate::web::body_cache::BodyCache::new(64 << 20),
            imports: Arc::default(),
        }))
    }
}

impl std::ops::Deref for ApiState {
    type Target = ApiStateParts;

    fn deref(&self) -> &ApiStateParts {
        &self.0
    }
}

impl FromRef<ApiState> for Store {
    fn from_ref(state: &ApiState) -> Self {
        state.store.clone()
    }
}

impl FromRef<ApiState> for Settings {
    fn from_ref(state: &ApiState) -> Self {
        state.settings.clone()
    }
}

/// The largest body a metadata write accepts. A full dictionary may hold 256 values of 64 KiB
/// (16 MiB); twice that leaves room for JSON escaping while still refusing absurd bodies early.
pub const MAX_JSON_BODY: usize = 32 * 1024 * 1024;

/// The largest body a note's edit accepts: its text (at most 1 MiB) as JSON escapes may write
/// it, six bytes a byte at worst, and the other fields.
pub const NOTE_JSON_BODY: usize = 6 * crate::core::files::MAX_NOTE_BYTES + 64 * 1024;

/// The largest body every other route accepts: a tag with 200 allowed values of 200
/// characters, escaped, is under half of it.
pub const SMALL_JSON_BODY: usize = 1024 * 1024;

pub use crate::web::edge::body::BODY_READS;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sitebook API",
        description = "The native Sitebook API. It speaks the Altostrat Metadata API: \
                       metadata, tags, tag values and site files.",
    ),
    servers((url = "/api/v1")),
    security(("BearerAuth" = [])),
    modifiers(&BearerAuth),
    tags(
        (name = "Tags", description = "Manage tag definitions, which act as templates for classifying resources."),
        (name = "Tag Values", description = "Apply, update, and remove tags on specific resources."),
        (name = "Metadata", description = "Manage arbitrary key-value metadata for any resource."),
        (name = "Sites", description = "The sites that metadata, tags and files describe."),
        (name = "Site Files", description = "Manage files, such as notes, documents, and media, associated with sites."),
        (name = "Search", description = "Find resources by name, type, tag values and metadata."),
        (name = "Settings", description = "The tenant's settings (admins change them)."),
        (name = "Import", description = "Resources from a CSV or NDJSON file, previewed, then committed as one change set."),
        (name = "Change Sets", description = "Each request's changes as one set: who, when, through which door; read back and reverted."),
        (name = "Errors", description = "Documentation of every error code."),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "BearerAuth",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Where this version is served. The OpenAPI document keeps its paths relative to it (its
/// server URL), as the Altostrat document does.
const PREFIX: &str = "/api/v1";

/// The documented routes as they are built: the OpenAPI description of each, and an axum
/// router serving each at [`PREFIX`] plus its documented path.
///
/// utoipa-axum's own router would leave the prefix to `Router::nest`, which costs every request
/// (see `docs/performance.md`), so each route is registered here at its full path and
/// utoipa-axum only keeps the description.
struct Documented<S> {
    openapi: OpenApiRouter<S>,
    router: Router<S>,
}

impl<S> Documented<S>
where
    S: Clone + Send + Sync + 'static,
{
    fn new() -> Self {
        Self {
            openapi: OpenApiRouter::with_openapi(ApiDoc::openapi()),
            router: Router::new(),
        }
    }

    /// Routes whose bodies are small.
    fn routes(self, routes: UtoipaMethodRouter<S>) -> Self {
        self.routes_with_body(routes, SMALL_JSON_BODY)
    }

    /// Routes that take bodies of up to `limit` bytes.
    fn routes_with_body(
        self,
        (schemas, paths, handlers): UtoipaMethodRouter<S>,
        limit: usize,
    ) -> Self {
        let handlers = handlers.layer(DefaultBodyLimit::max(limit));
        self.add((schemas, paths, handlers))
    }

    /// Routes that stream their bodies to disk: no body limit here (they keep their own, and
    /// time out when the body stalls).
    fn streaming_routes(self, (schemas, paths, handlers): UtoipaMethodRouter<S>) -> Self {
        self.add((schemas, paths, handlers.layer(DefaultBodyLimit::disable())))
    }

    fn add(self, (schemas, paths, handlers): UtoipaMethodRouter<S>) -> Self {
        let mut router = self.router;
        for path in paths.paths.keys() {
            router = router.route(&format!("{PREFIX}{path}"), handlers.clone());
        }
        // The description only: the empty method router utoipa-axum routes is never served.
        let openapi = self.openapi.routes((schemas, paths, MethodRouter::new()));
        Self { openapi, router }
    }
}

/// Every documented route, with its OpenAPI description, before state is attached.
fn documented<S>() -> Documented<S>
where
    S: Clone + Send + Sync + 'static,
    Store: FromRef<S>,
    ApiState: FromRef<S>,
{
    Documented::new()
        .routes_with_body(routes!(metadata::create_metadata), MAX_JSON_BODY)
        .routes_with_body(
            routes!(
                metadata::get_metadata,
                metadata::replace_metadata,
                metadata::patch_metadata,
                metadata::delete_metadata
            ),
            MAX_JSON_BODY,
        )
        // The key named `changes` shares its path with the history.
        .routes_with_body(
            routes!(
                metadata::list_changes,
                metadata::put_changes_key,
                metadata::delete_changes_key
            ),
            MAX_JSON_BODY,
        )
        .routes_with_body(
            routes!(metadata::get_key, metadata::put_key, metadata::delete_key),
            MAX_JSON_BODY,
        )
        .routes(routes!(tags::list_tags, tags::create_tag))
        .routes(routes!(tags::get_tag, tags::update_tag, tags::delete_tag))
        .routes(routes!(tag_values::list_tag_values))
        .routes(routes!(
            tag_values::apply_tag,
            tag_values::put_tag_value,
            tag_values::get_tag_value,
            tag_values::delete_tag_value
        ))
        .routes(routes!(tag_values::resource_tags))
        .routes(routes!(sites::list_sites, sites::create_site))
        .routes(routes!(
            sites::get_site,
            sites::update_site,
            sites::delete_site
        ))
        // Uploads stream to disk under their own size limit, not the JSON body limit.
        .streaming_routes(routes!(files::list_files, files::upload_file))
        .routes_with_body(
            routes!(files::get_file, files::update_file, files::delete_file),
            NOTE_JSON_BODY,
        )
        .routes(routes!(files::download_file))
        .routes(routes!(resources::search))
        .routes(routes!(settings::get_settings, settings::update_settings))
        .routes(routes!(exports::export_resources))
        .routes(routes!(resources::get_resource))
        .routes(routes!(resources::set_parent))
        // A whole file is one body, read through the edge under a limit of its own.
        .routes_with_body(routes!(imports::import_resources), imports::IMPORT_BODY)
        .routes(routes!(imports::import_progress))
        .routes(routes!(change_sets::list_change_sets))
        .routes(routes!(change_sets::get_change_set))
        .routes(routes!(change_sets::revert_change_set))
        .routes(routes!(catalogue::error_doc))
}

/// The `/api/v1` routes, at their full paths.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Store: FromRef<S>,
    ApiState: FromRef<S>,
{
    let Documented { openapi, router } = documented::<S>();
    let mut document =
        serde_json::to_value(openapi.into_openapi()).expect("the OpenAPI document serialises");
    rules::state(&mut document);
    let document = axum::body::Bytes::from(document.to_string());
    router.route(
        &format!("{PREFIX}/openapi.json"),
        get(move || {
            let document = document.clone();
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        axum::http::HeaderValue::from_static("application/json"),
                    )],
                    document,
                )
            }
        }),
    )
}
