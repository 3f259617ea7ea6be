//! Stream data values and stream views, which Sitebook does not keep: 501 with Data Hub's error
//! body, after the stream is known to exist (an unknown stream is still 404).

use crate::web::edge::Authenticated;
use axum::extract::State;

use super::DataHub;
use super::error::SdsError;
use super::extract::{Caller, DhPath};
use super::streams::{StreamPath, find};

/// Any call on `Streams/{streamId}/Data…`.
pub async fn values(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<DataPath>,
) -> SdsError {
    if let Err(missing) = find(&state, &actor, &path.stream).await {
        return missing;
    }
    SdsError::not_implemented("Stream data").parameter("StreamId", &path.stream.stream_id)
}

/// `Bulk/Streams/Data/Joins`: several streams' data values at once, which Sitebook does not
/// keep; Data Hub's 501, not a 404 for a path that does exist there.
pub async fn bulk(
    Authenticated(_actor, ..): Caller,
    DhPath(scope): DhPath<super::Scope>,
) -> SdsError {
    SdsError::not_implemented("Bulk stream data").parameter("NamespaceId", scope.namespace_name())
}

/// `PUT Streams/{streamId}/Type?streamViewId=`: changing a stream's type needs stream views.
pub async fn stream_views(
    State(state): State<DataHub>,
    Authenticated(actor, ..): Caller,
    DhPath(path): DhPath<StreamPath>,
) -> SdsError {
    if let Err(missing) = find(&state, &actor, &path).await {
        return missing;
    }
    SdsError::not_implemented("Changing a stream's type through a stream view")
        .parameter("StreamId", &path.stream_id)
}

#[derive(serde::Deserialize)]
pub struct DataPath {
    #[serde(flatten)]
    stream: StreamPath,
    #[serde(default, rename = "rest")]
    _rest: Option<String>,
}
