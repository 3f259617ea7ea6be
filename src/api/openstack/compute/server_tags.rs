//! `/servers/{id}/tags` (from 2.26): a server's tags, which are Sitebook tags applying to
//! servers, attached without a value (`Store::change_server_tags`). A name nobody defined yet
//! is defined on first use, as Data Hub's tag names are, unless the tenant turned that off.
//! Below 2.26 these routes do not exist, as in Nova.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fault::Fault;
use super::microversion::{Microversion, Version};
use super::server_metadata::instance_missing;
use super::{ComputeState, PREFIX, Project};
use crate::api::openstack::auth::{Caller, Writer};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::openstack::{MAX_SERVER_TAGS, ServerTagChange, same_tag};
use crate::core::random::id_bits;
use crate::core::resources::ResourceId;
use crate::web::edge::Authenticated;

/// What a path segment of a `Location` keeps unescaped: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Nova's longest tag (`objects/tag.py` `MAX_TAG_LENGTH`).
const MAX_TAG_CHARS: usize = 60;

#[derive(Deserialize)]
pub struct ServerPath {
    server_id: String,
}

#[derive(Deserialize)]
pub struct TagPath {
    server_id: String,
    tag: String,
}

fn available(version: Version) -> Result<(), Fault> {
    if version.at_least(2, 26) {
        Ok(())
    } else {
        Err(Fault::not_found("The resource could not be found."))
    }
}

/// Nova's tag rule: 1 to 60 characters, neither `/` nor `,`.
fn valid_tag(tag: &str) -> bool {
    (1..=MAX_TAG_CHARS).contains(&tag.chars().count()) && !tag.contains(['/', ','])
}

fn no_such_tag(server_id: &str, tag: &str) -> Fault {
    Fault::not_found(format!("Server {server_id} has no tag '{tag}'"))
}

/// A store refusal in Nova's words.
fn refused(error: CoreError, server_id: &str, tag: Option<&str>) -> Fault {
    match error {
        CoreError::NotFound { what: "server", .. } => instance_missing(server_id),
        CoreError::NotFound {
            what: "server tag", ..
        } => no_such_tag(server_id, tag.unwrap_or_default()),
        CoreError::Invalid(ValidationError::TooManyTags { .. }) => Fault::bad_request(format!(
            "The number of tags exceeded the per-server limit {MAX_SERVER_TAGS}"
        )),
        // The definition of that name is an admin's and says why it cannot be put here.
        CoreError::Invalid(rule) => Fault::bad_request(rule.to_string()),
        other => other.into(),
    }
}

async fn read(state: &ComputeState, actor: &Actor, server_id: &str) -> Result<Vec<String>, Fault> {
    state
        .store
        .server_tags(actor, &ResourceId::from_path(server_id))
        .await
        .map_err(|e| refused(e, server_id, None))
}

async fn change(
    state: &ComputeState,
    actor: &Actor,
    server_id: &str,
    change: ServerTagChange,
    tag: Option<&str>,
) -> Result<crate::store::ServerTags, Fault> {
    state
        .store
        .change_server_tags(actor, &ResourceId::from_path(server_id), change, id_bits())
        .await
        .map_err(|e| refused(e, server_id, tag))
}

/// `GET /servers/{id}/tags`
pub async fn index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    Path(ServerPath { server_id }): Path<ServerPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    available(version)?;
    let tags = read(&state, &actor, &server_id).await?;
    Ok(Json(json!({ "tags": tags })))
}

/// `PUT /servers/{id}/tags` with `{"tags": [...]}`: exactly these.
pub async fn replace(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Microversion(version): Microversion,
    Path(ServerPath { server_id }): Path<ServerPath>,
    super::Body(body): super::Body,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    available(version)?;
    let tags = read_tags(&body)?;
    let changed = change(
        &state,
        &actor,
        &server_id,
        ServerTagChange::Replace(tags),
        None,
    )
    .await?;
    Ok(Json(json!({ "tags": changed.after })))
}

/// A `PUT …/tags` body as Nova's schema reads it: `tags` only, at most 50, each a valid tag.
fn read_tags(body: &Value) -> Result<Vec<String>, Fault> {
    let invalid =
        |why: String| Fault::bad_request(format!("Invalid input for field/attribute tags. {why}"));
    let Some(object) = body.as_object() else {
        return Err(invalid(format!(
            "Value: {body}. It is not of type 'object'"
        )));
    };
    if let Some(extra) = object.keys().find(|k| *k != "tags") {
        return Err(invalid(format!(
            "Additional properties are not allowed ('{extra}' was unexpected)"
        )));
    }
    let Some(list) = object.get("tags").and_then(Value::as_array) else {
        return Err(invalid("'tags' is a required property, a list".to_owned()));
    };
    if list.len() > MAX_SERVER_TAGS {
        return Err(invalid(format!(
            "It is too long: at most {MAX_SERVER_TAGS} tags"
        )));
    }
    list.iter()
        .map(|tag| match tag.as_str() {
            Some(text) if valid_tag(text) => Ok(text.to_owned()),
            _ => Err(invalid(format!(
                "Value: {tag}. A tag is 1 to {MAX_TAG_CHARS} characters without '/' or ','"
            ))),
        })
        .collect()
}

/// `DELETE /servers/{id}/tags`: 204.
pub async fn clear(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Microversion(version): Microversion,
    Path(ServerPath { server_id }): Path<ServerPath>,
) -> Result<StatusCode, Fault> {
    project.check(&actor)?;
    available(version)?;
    change(&state, &actor, &server_id, ServerTagChange::Clear, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /servers/{id}/tags/{tag}`: 204 when the server has it.
pub async fn check(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    Path(TagPath { server_id, tag }): Path<TagPath>,
) -> Result<StatusCode, Fault> {
    project.check(&actor)?;
    available(version)?;
    let tags = read(&state, &actor, &server_id).await?;
    if tags.iter().any(|t| same_tag(t, &tag)) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_such_tag(&server_id, &tag))
    }
}

/// `PUT /servers/{id}/tags/{tag}`: 201 with its `Location` when new, 204 when it was there.
pub async fn add(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Microversion(version): Microversion,
    Path(TagPath { server_id, tag }): Path<TagPath>,
) -> Result<Response, Fault> {
    project.check(&actor)?;
    available(version)?;
    if !valid_tag(&tag) {
        return Err(Fault::bad_request(format!(
            "Tag '{tag}' is invalid. It must be a non empty string without characters '/' and \
             ','. Validation error message: at most {MAX_TAG_CHARS} characters"
        )));
    }
    let changed = change(
        &state,
        &actor,
        &server_id,
        ServerTagChange::Add(tag.clone()),
        Some(&tag),
    )
    .await?;
    if changed.before.len() == changed.after.len() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    // The tag as one path segment: any character but the unreserved ones escaped, so every
    // tag (a space, a letter outside ASCII, a control character) makes a URL and a header.
    let location = format!(
        "{}{PREFIX}/v2.1{}/servers/{}/tags/{}",
        state.settings.public_url.trim_end_matches('/'),
        project
            .segment()
            .map(|p| format!("/{}", utf8_percent_encode(p, SEGMENT)))
            .unwrap_or_default(),
        utf8_percent_encode(&server_id, SEGMENT),
        utf8_percent_encode(&tag, SEGMENT),
    );
    let mut response = StatusCode::CREATED.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// `DELETE /servers/{id}/tags/{tag}`: 204, or 404 when the server has no such tag.
pub async fn remove(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Microversion(version): Microversion,
    Path(TagPath { server_id, tag }): Path<TagPath>,
) -> Result<StatusCode, Fault> {
    project.check(&actor)?;
    available(version)?;
    change(
        &state,
        &actor,
        &server_id,
        ServerTagChange::Remove(tag.clone()),
        Some(&tag),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
