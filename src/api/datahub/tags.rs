//! `Streams/{streamId}/Tags`: a stream's tags as a list of names. The rules (names are
//! Sitebook tag definitions applying to streams, defined on first use unless the tenant turned
//! that off, attached without a value) are the store's (`Store::set_stream_tags`).

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::DataHub;
use super::error::SdsError;
use super::extract::{Caller, DhPath, JsonBody, Writer};
use super::streams::StreamPath;
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::ValidationError;
use crate::core::random;
use crate::core::streams::{MAX_STREAM_TAGS, StreamTags};

/// The body of `PUT Tags`: a JSON array of strings.
pub fn names(body: &Value) -> Result<Vec<String>, SdsError> {
    let refuse = || {
        SdsError::bad_request("The tags must be a JSON array of strings.")
            .resolution("Send the tags as [\"tag1\", \"tag2\"].")
    };
    body.as_array()
        .ok_or_else(refuse)?
        .iter()
        .map(|item| item.as_str().map(str::to_owned).ok_or_else(refuse))
        .collect()
}

/// Data Hub's 400s for the tag rules, naming the tag and who can resolve it.
fn refused(error: CoreError, path: &StreamPath) -> SdsError {
    let (tag, resolution) = match &error {
        CoreError::Invalid(ValidationError::TagUnknown(tag)) => (
            tag.clone(),
            "Ask a Sitebook admin to define the tag for Data Hub streams (or to turn on \
             defining tags on first use).",
        ),
        CoreError::Invalid(ValidationError::TagNotApplicable { tag, .. }) => (
            tag.clone(),
            "Use another tag name, or ask a Sitebook admin to let the tag apply to \
             datahub.stream.",
        ),
        CoreError::Invalid(ValidationError::TagValueRequired { tag, .. }) => (
            tag.clone(),
            "Set the tag's value in Sitebook, or ask an admin to allow any value.",
        ),
        CoreError::NotFound { what: "stream", .. } => {
            return SdsError::stream_missing(&path.stream_id);
        }
        _ => return error.into(),
    };
    let stream = path.stream_id.clone();
    SdsError::from(error)
        .resolution(resolution)
        .parameter("StreamId", &stream)
        .parameter("Tag", &tag)
}

async fn put_names(
    state: &DataHub,
    actor: &Actor,
    path: &StreamPath,
    tags: Result<StreamTags, ValidationError>,
) -> Result<Vec<String>, SdsError> {
    let namespace = path.scope.namespace(state, actor).await?;
    state
        .store
        .set_stream_tags(actor, &namespace, &path.stream_id, tags, random::id_bits())
        .await
        .map_err(|e| refused(e, path))
}

/// `GET Tags`: the list, `[]` when none.
pub async fn list(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<StreamPath>,
) -> Result<Json<Vec<String>>, SdsError> {
    let namespace = path.scope.namespace(&state, &actor).await?;
    state
        .store
        .stream_tags(&actor, &namespace, &path.stream_id)
        .await
        .map(Json)
        .map_err(|e| refused(e, &path))
}

/// `PUT Tags`: replaces the list and answers it as stored.
pub async fn replace(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
    JsonBody(body): JsonBody,
) -> Result<Json<Vec<String>>, SdsError> {
    let tags = StreamTags::parse(&names(&body)?, MAX_STREAM_TAGS);
    put_names(&state, &actor, &path, tags).await.map(Json)
}

/// `DELETE Tags`: 204.
pub async fn delete(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Writer,
    DhPath(path): DhPath<StreamPath>,
) -> Result<StatusCode, SdsError> {
    put_names(&state, &actor, &path, Ok(StreamTags::none())).await?;
    Ok(StatusCode::NO_CONTENT)
}
