//! Keystone's identity API (v3) at `/openstack/identity`, as much of it as OpenStack clients
//! need to log in and reach the compute face: the version documents, `/v3/auth/tokens` to
//! log in with a password, an application credential (a Sitebook API token) or a token held
//! (re-scoping), look at a token and revoke it; and the lookups the `openstack` CLI makes to
//! resolve names (projects, users, role assignments) and to show the catalog (regions,
//! services, endpoints).
//!
//! The tokens are the core's issued access tokens (`core::access::issued`); this face only
//! parses Keystone's bodies and maps the answers. Sitebook's tenant is Keystone's project
//! (its id in hex, see `TenantId::project_id`), in the one domain `Default`.

mod catalog;
mod catalog_lookups;
mod error;
mod login;
mod lookup;
mod projects;
mod role_assignments;
mod roles;
mod token_body;
mod tokens;
mod users;
mod versions;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, any, get};

use crate::store::Store;
use crate::web::Settings;
pub use error::IdentityError;
/// Public for the fuzz targets, which read login bodies as the face does.
pub use login::Login;
pub use roles::keystone_roles;

const PREFIX: &str = "/openstack/identity";

/// The largest body the identity face reads.
const LOGIN_BODY: usize = 16 * 1024;

/// What the identity face's handlers share.
#[derive(Clone)]
pub struct IdentityState(Arc<IdentityStateParts>);

pub struct IdentityStateParts {
    pub store: Store,
    pub settings: Settings,
}

impl std::ops::Deref for IdentityState {
    type Target = IdentityStateParts;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl axum::extract::FromRef<IdentityState> for Store {
    fn from_ref(state: &IdentityState) -> Store {
        state.store.clone()
    }
}

impl axum::extract::FromRef<IdentityState> for Settings {
    fn from_ref(state: &IdentityState) -> Settings {
        state.settings.clone()
    }
}

impl IdentityState {
    /// The identity API's absolute URL, as clients reach it.
    fn base_url(&self) -> String {
        format!("{}{PREFIX}", self.settings.public_url)
    }
}

/// The identity API's routes, with their state, for the app to merge.
pub fn router<S>(store: Store, settings: Settings) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let state = IdentityState(Arc::new(IdentityStateParts { store, settings }));
    Router::new()
        .route(PREFIX, get(versions::list))
        .route(&format!("{PREFIX}/"), get(versions::list))
        .route(&format!("{PREFIX}/v3"), get(versions::current))
        .route(&format!("{PREFIX}/v3/"), get(versions::current))
        .route(
            &format!("{PREFIX}/v3/auth/tokens"),
            get(tokens::validate)
                .post(tokens::issue)
                .delete(tokens::revoke)
                .fallback(wrong_method),
        )
        .route(&v3("auth/projects"), read(get(projects::of_token)))
        .route(&v3("projects"), read(get(projects::list)))
        .route(&v3("projects/{id}"), read(get(projects::show)))
        .route(&v3("users"), read(get(users::list)))
        .route(&v3("users/{id}"), read(get(users::show)))
        .route(&v3("users/{id}/projects"), read(get(projects::of_user)))
        .route(&v3("role_assignments"), read(get(role_assignments::list)))
        .route(&v3("regions"), read(get(catalog_lookups::regions)))
        .route(&v3("regions/{id}"), read(get(catalog_lookups::show_region)))
        .route(&v3("services"), read(get(catalog_lookups::services_list)))
        .route(
            &v3("services/{id}"),
            read(get(catalog_lookups::show_service)),
        )
        .route(&v3("endpoints"), read(get(catalog_lookups::endpoints)))
        .route(
            &v3("endpoints/{id}"),
            read(get(catalog_lookups::show_endpoint)),
        )
        // Any other path under the prefix is Keystone's 404, never the web UI's page.
        .route(&format!("{PREFIX}/{{*rest}}"), any(missing))
        // A login is a few hundred bytes.
        .layer(axum::extract::DefaultBodyLimit::max(LOGIN_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), headers))
        .with_state(state)
}

fn v3(path: &str) -> String {
    format!("{PREFIX}/v3/{path}")
}

/// A lookup: Sitebook's directory and catalog are read here, never written, so other methods
/// are Keystone's 405.
fn read(route: MethodRouter<IdentityState>) -> MethodRouter<IdentityState> {
    route.fallback(wrong_method)
}

async fn missing() -> IdentityError {
    IdentityError::not_found("The resource could not be found.")
}

async fn wrong_method() -> IdentityError {
    IdentityError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "The method is not allowed for the requested URL.",
    )
}

/// Every answer carries a request id (`req-` and a UUID), which the change records of the
/// request keep too; every 401 names where to log in, as Keystone's do; answers depend on the
/// caller's token.
async fn headers(State(state): State<IdentityState>, mut request: Request, next: Next) -> Response {
    let id = format!("req-{}", uuid::Uuid::new_v4());
    let value = HeaderValue::from_str(&id).expect("a request id is visible ASCII");
    request
        .headers_mut()
        .insert(crate::web::edge::request_id::X_REQUEST_ID, value.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-openstack-request-id", value);
    headers.insert(header::VARY, HeaderValue::from_static("X-Auth-Token"));
    if response.status() == StatusCode::UNAUTHORIZED
        && let Ok(uri) = HeaderValue::from_str(&format!("Keystone uri=\"{}/v3\"", state.base_url()))
    {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, uri);
    }
    response
}
