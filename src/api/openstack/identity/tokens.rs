//! `/v3/auth/tokens`: log in (POST), look at a token (GET, HEAD) and revoke one (DELETE).
//! Each parses, makes one store call and maps the answer; the rules are the core's.

use crate::web::edge::Authenticated;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::IdentityState;
use super::error::IdentityError;
use super::login::{Login, Method, Scope};
use super::token_body::token_body;
use crate::api::openstack::auth::{IdentityCaller, Keystone};
use crate::core::access::AccessToken;
use crate::core::random;
use crate::core::tenancy::TenantId;
use crate::web::edge;

const SUBJECT: &str = "x-subject-token";

/// `?nocatalog`, present with any value, leaves the catalog out.
fn wants_catalog(query: &HashMap<String, String>) -> bool {
    !query.contains_key("nocatalog")
}

/// The token body with the token in `X-Subject-Token`, as keystoneauth reads it.
fn answer(
    state: &IdentityState,
    status: StatusCode,
    secret: &str,
    token: &AccessToken,
    catalog: bool,
    rescoped: bool,
) -> Result<Response, IdentityError> {
    let subject = HeaderValue::from_str(secret)
        .map_err(|_| IdentityError::not_found("Could not find token."))?;
    let mut response = (
        status,
        Json(token_body(
            token,
            &state.settings.public_url,
            catalog,
            rescoped,
        )),
    )
        .into_response();
    response.headers_mut().insert(SUBJECT, subject);
    Ok(response)
}

/// The tenant a login's scope names; `None` leaves it to the credential.
async fn tenant_of(
    state: &IdentityState,
    scope: &Scope,
) -> Result<Option<TenantId>, IdentityError> {
    match scope {
        Scope::Own => Ok(None),
        // A project id is a tenant's hex form; a tenant's own id (`default`) is taken too.
        Scope::ProjectId(id) => Ok(Some(
            TenantId::from_project_id(id).unwrap_or_else(|| TenantId::new(id.as_str())),
        )),
        // A name no project has is checked as a project with no users and no API tokens:
        // the credential is checked all the same (the password against the dummy hash), so
        // the answer's time does not tell which project names exist.
        Scope::ProjectName(name) => Ok(Some(
            state
                .store
                .tenant_named(name)
                .await?
                .unwrap_or_else(TenantId::nobody),
        )),
    }
}

/// `POST /v3/auth/tokens`: a password or an API token (as an application credential) buys a
/// short-lived token scoped to the principal's tenant, and a token held (the `token` method)
/// buys another for the same principal that ends when it does. Password guesses count
/// against the same limits (per account, per address) as the web sign-in: the store keeps
/// them.
pub async fn issue(
    State(state): State<IdentityState>,
    Query(query): Query<HashMap<String, String>>,
    parts: axum::http::request::Parts,
    body: edge::Body<Keystone>,
) -> Result<Response, IdentityError> {
    let login = Login::read(&body.bytes)?;
    drop(body);
    let tenant = tenant_of(&state, &login.scope).await?;
    let address = state.settings.client_address(&parts);
    let (secret, token) = state
        .store
        .issue_access_token(
            tenant.as_ref(),
            &login.credential,
            address.as_deref(),
            random::secret(),
        )
        .await?;
    answer(
        &state,
        StatusCode::CREATED,
        &secret,
        &token,
        wants_catalog(&query),
        login.method == Method::Token,
    )
}

fn subject(headers: &HeaderMap) -> Result<&str, IdentityError> {
    headers
        .get(SUBJECT)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| IdentityError::bad_request("The X-Subject-Token header is required."))
}

fn not_found(subject: &str) -> impl FnOnce(IdentityError) -> IdentityError + '_ {
    move |error| {
        if error.status == StatusCode::NOT_FOUND {
            IdentityError::not_found(format!("Could not find token: {subject}."))
        } else {
            error
        }
    }
}

/// `GET` (and `HEAD`) `/v3/auth/tokens`: the token in `X-Subject-Token`, for its own principal
/// or an admin of its tenant; 404 when it does not work.
pub async fn validate(
    State(state): State<IdentityState>,
    Authenticated(caller, ..): IdentityCaller,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, IdentityError> {
    let subject = subject(&headers)?;
    let token = state
        .store
        .inspect_access_token(&caller, subject)
        .await
        .map_err(IdentityError::from)
        .map_err(not_found(subject))?;
    answer(
        &state,
        StatusCode::OK,
        subject,
        &token,
        wants_catalog(&query),
        false,
    )
}

/// `DELETE /v3/auth/tokens`: ends the token in `X-Subject-Token` at once.
pub async fn revoke(
    State(state): State<IdentityState>,
    Authenticated(caller, ..): IdentityCaller,
    headers: HeaderMap,
) -> Result<StatusCode, IdentityError> {
    let subject = subject(&headers)?;
    state
        .store
        .revoke_access_token(&caller, subject)
        .await
        .map_err(IdentityError::from)
        .map_err(not_found(subject))?;
    Ok(StatusCode::NO_CONTENT)
}
