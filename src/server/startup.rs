use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::{Router, ServiceExt};
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower::util::{MapRequest, MapResponse};
use tower_http::classify::{
    NeverClassifyEos, ServerErrorsAsFailures, ServerErrorsFailureClass, SharedClassifier,
};
use tower_http::compression::{Compression, CompressionBody, CompressionLayer};
use tower_http::trace::{ResponseBody, Trace, TraceLayer};

use super::Config;
use super::compressible::Compressible;
use crate::app::{App, shell};
use crate::core::metadata::MetadataLimits;
use crate::store::Store;
use crate::store::sqlite::serving::ServingLock;
use crate::web::{AppState, AppStateParts, Settings};

/// Opens the store the configuration names, creating the data directory for the embedded default.
pub async fn open_store(config: &Config) -> Result<Store, Box<dyn std::error::Error>> {
    let storage = &config.storage;
    match &storage.database_url {
        Some(url) => Ok(Store::open_url(url, &storage.data_dir.join("files")).await?),
        None => {
            std::fs::create_dir_all(&storage.data_dir).map_err(|e| {
                format!(
                    "cannot create data directory {}: {e}",
                    storage.data_dir.display()
                )
            })?;
            Ok(Store::open_file(&storage.data_dir.join("sitebook.db")).await?)
        }
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("sitebook")
        .site_root(path_str(&config.site_root))
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(Env::PROD)
        .build()
}

/// The state every request sees, from the configuration and an open store.
pub fn app_state(config: &Config, store: Store) -> AppState {
    AppState::new(AppStateParts {
        leptos_options: leptos_options(config),
        store,
        lifecycle: Default::default(),
        settings: Settings {
            upload_stall: std::time::Duration::from_secs(config.upload_stall_seconds),
            request_timeout: std::time::Duration::from_secs(config.request_timeout_seconds),
            ..Settings::new(
                &config.public_url(),
                MetadataLimits {
                    max_keys: config.max_metadata_keys,
                },
                config.max_file_bytes,
            )
            .behind_proxy(config.trusted_proxy)
        },
    })
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The whole HTTP surface, as [`router`] returns it.
pub type HttpService = MapResponse<
    Trace<
        Compression<MapRequest<Router, fn(Request) -> Request>, Compressible>,
        SharedClassifier<ServerErrorsAsFailures>,
    >,
    fn(Response<TracedBody>) -> Response,
>;

type TracedBody = ResponseBody<CompressionBody<Body>, NeverClassifyEos<ServerErrorsFailureClass>>;

/// The whole HTTP surface: REST API, pages, server functions and static files. Tests drive
/// this directly.
///
/// Tracing and compression wrap the router once, as one service, rather than every route
/// through `Router::layer`; hence the spelled-out [`HttpService`]. See `docs/performance.md`.
pub fn router(state: AppState) -> HttpService {
    let routes = generate_route_list(App);
    let router = Router::new()
        .merge(crate::api::router(
            state.store.clone(),
            state.settings.clone(),
        ))
        .merge(crate::api::openstack::compute::router(
            state.store.clone(),
            state.settings.clone(),
        ))
        .merge(crate::api::openstack::identity::router(
            state.store.clone(),
            state.settings.clone(),
        ))
        .merge(crate::api::datahub::router(
            state.store.clone(),
            state.settings.clone(),
        ))
        .merge(crate::web::health::router(
            state.store.clone(),
            state.lifecycle.clone(),
        ))
        .leptos_routes(&state, routes, {
            let options = LeptosOptions::clone(&state.leptos_options);
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state);
    ServiceBuilder::new()
        .map_response(box_body as fn(Response<TracedBody>) -> Response)
        .layer(TraceLayer::new_for_http())
        .layer(CompressionLayer::new().compress_when(Compressible))
        .map_request(crate::api::datahub::canonical_request as fn(Request) -> Request)
        .service(router)
}

/// axum serves one body type; the traced, compressed body is boxed into it once, here. The
/// headers every response carries are added in the same pass, rather than by a layer of
/// tower-http's per header, each of which would be another type in [`HttpService`].
fn box_body(mut response: Response<TracedBody>) -> Response {
    crate::web::security_headers::add_defaults(response.headers_mut());
    response.map(Body::new)
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests and closes the database.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let started = std::time::SystemTime::now();
    // Held until the server stops: one server per SQLite database (see `sqlite::serving`).
    let _serving = ServingLock::take(&config.storage.installation()?.database)?;
    let store = open_store(&config).await?;
    super::housekeeping::at_start(&store, started).await?;
    let sweeps = super::housekeeping::spawn_orphan_sweeps(store.clone());
    let state = app_state(&config, store.clone());
    let lifecycle = state.lifecycle.clone();
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    tracing::info!("Sitebook listening on http://{}", listener.local_addr()?);
    if let Some(warning) = config.unroutable_public_url() {
        tracing::warn!("{warning}");
    }
    // The client's address feeds the sign-in throttle.
    axum::serve(
        listener,
        ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
            std::net::SocketAddr,
        >(router(state)),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Requests still arriving on open connections (a load balancer's probe among them)
        // learn that this server is going, while those in flight finish.
        lifecycle.drain();
    })
    .await?;
    sweeps.abort();
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
