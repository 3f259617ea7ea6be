//! The tenant and its namespaces. The AVEVA samples call `GET Tenants/{t}` to check a token.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::SdsError;
use super::extract::{Caller, DhPath, JsonBody, Writer};
use super::{DataHub, Scope, check_tenant};
use crate::core::streams::NamespaceId;
use crate::store::Namespace;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Deserialize)]
pub struct TenantPath {
    tenant: String,
}

/// `GET Tenants/{tenantId}`
pub async fn tenant(
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<TenantPath>,
) -> Result<Json<Value>, SdsError> {
    check_tenant(&actor, &path.tenant)?;
    Ok(Json(
        json!({"Id": actor.tenant.as_str(), "State": "Active"}),
    ))
}

fn shape(state: &DataHub, tenant: &str, namespace: &Namespace) -> Value {
    json!({
        "Id": namespace.id,
        "Description": namespace.description,
        "Region": "",
        "State": 1,
        "Self": state.url(&format!("/api/v1/Tenants/{tenant}/Namespaces/{}", namespace.id)),
    })
}

/// `GET Tenants/{tenantId}/Namespaces` (the library sends `?region=`, which changes nothing
/// here: Sitebook is one region).
pub async fn list(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<TenantPath>,
) -> Result<Json<Value>, SdsError> {
    check_tenant(&actor, &path.tenant)?;
    let namespaces = state.store.list_namespaces(&actor).await?;
    Ok(Json(Value::Array(
        namespaces
            .iter()
            .map(|ns| shape(&state, actor.tenant.as_str(), ns))
            .collect(),
    )))
}

/// `POST Tenants/{tenantId}/Namespaces/{namespaceId}` with `{"Id", "Description"}`: admins add
/// a namespace (201; 409 when one of that id exists).
pub async fn create(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(scope): DhPath<Scope>,
    JsonBody(body): JsonBody,
) -> Result<Response, SdsError> {
    check_tenant(&actor, &scope.tenant)?;
    let fields = body.as_object();
    let field = |name: &str| {
        fields.and_then(|f| {
            f.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str())
        })
    };
    let id = match field("Id") {
        Some(id) if !id.eq_ignore_ascii_case(&scope.namespace) => {
            return Err(SdsError::bad_request(format!(
                "The body's Id '{id}' does not match the namespace '{}' in the URL.",
                scope.namespace
            )));
        }
        _ => NamespaceId::parse(&scope.namespace),
    };
    let namespace = state
        .store
        .create_namespace(&actor, id, field("Description").unwrap_or_default())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(shape(&state, actor.tenant.as_str(), &namespace)),
    )
        .into_response())
}

/// `GET Tenants/{tenantId}/Namespaces/{namespaceId}`
pub async fn show(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(scope): DhPath<Scope>,
) -> Result<Json<Value>, SdsError> {
    let id = scope.namespace(&state, &actor).await?;
    let namespace = state.store.namespace(&actor, &id).await?;
    Ok(Json(shape(&state, actor.tenant.as_str(), &namespace)))
}
