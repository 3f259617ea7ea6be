//! A request body, read whole under three bounds every face shares: the route's size limit
//! (axum's `DefaultBodyLimit`, set per route: over it is 413 before the rest is read), a turn
//! among [`BODY_READS`] (a body is held whole while it is read and parsed, so bounding how many
//! are read at once bounds that memory; one that waits [`BODY_WAIT`] for a turn is told to
//! come back, 503 with `Retry-After`), and an arrival deadline (a client sending slowly would
//! otherwise hold its connection and handler for as long as it liked; 408).

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Face, Refusal};
use crate::core::CoreError;
use crate::core::error::Later;
use crate::web::Settings;

/// How many bodies are read and parsed at once, across every face. Sixteen metadata writes of
/// the largest size hold 512 MiB; more wait.
pub const BODY_READS: usize = 16;

/// How long a request waits for a turn to read its body before it is told to come back.
pub const BODY_WAIT: Duration = Duration::from_secs(2);

/// The one pool of turns every face's bodies are read in.
#[derive(Clone, Debug)]
pub struct BodyTurns(Arc<Semaphore>);

impl Default for BodyTurns {
    fn default() -> Self {
        Self(Arc::new(Semaphore::new(BODY_READS)))
    }
}

impl BodyTurns {
    async fn take(&self) -> Result<OwnedSemaphorePermit, Refusal> {
        tokio::time::timeout(BODY_WAIT, self.0.clone().acquire_owned())
            .await
            .map_err(|_| CoreError::TryLater {
                why: Later::BodiesBusy,
                retry_after: BODY_WAIT,
            })?
            .map_err(|_| CoreError::Storage("the body reads' semaphore closed".to_owned()).into())
    }
}

/// A whole body, read in its turn. Keep it only while parsing: dropping it gives the turn back.
pub struct Body<F> {
    pub bytes: Bytes,
    _turn: OwnedSemaphorePermit,
    face: PhantomData<fn() -> F>,
}

/// Reads `request`'s body under the bounds above.
pub async fn read(
    request: Request,
    settings: &Settings,
) -> Result<(Bytes, OwnedSemaphorePermit), Refusal> {
    let turn = settings.body_turns.take().await?;
    // The deadline only here, where a client can hold the server by sending slowly: a timer on
    // every request (tower-http's timeout) cost the bodiless reads, which finish on their own.
    let after = settings.request_timeout;
    let bytes = tokio::time::timeout(after, Bytes::from_request(request, &()))
        .await
        .map_err(|_| Refusal::BodyTimeout { after })?
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Refusal::BodyTooLarge
            } else {
                Refusal::BodyUnreadable(rejection.body_text())
            }
        })?;
    Ok((bytes, turn))
}

impl<S, F> FromRequest<S> for Body<F>
where
    S: Send + Sync,
    Settings: FromRef<S>,
    F: Face,
{
    type Rejection = F::Refused;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (bytes, turn) = read(request, &Settings::from_ref(state)).await?;
        Ok(Self {
            bytes,
            _turn: turn,
            face: PhantomData,
        })
    }
}
