//! Keeps a streamed multipart upload from being buffered whole.
//!
//! multer (the multipart parser axum also uses) reads its input in a loop until the input
//! reports "not ready". Over a fast connection, or from an in-memory body, that moment may not
//! come before the whole upload is in memory, so a 1 GiB upload could take 1 GiB of RAM. This
//! adapter reports "not ready" once after every chunk (and wakes its task at once), so multer
//! holds about one chunk at a time and TCP backpressure reaches the client. Hand-written
//! because it is the whole fix and no crate offers it.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Stream, StreamExt};

/// Why an upload's body ended early: no byte came for the allowed time.
#[derive(Debug, thiserror::Error)]
#[error("no byte of the upload arrived for {} seconds", .0.as_secs())]
pub struct Stalled(pub Duration);

/// The body's chunks, ending in an error once none arrives for `stall`. The error reaches
/// multer as a failed read, which `files` answers 408.
pub fn until_stalled(
    body: axum::body::Body,
    stall: Duration,
) -> impl Stream<Item = Result<axum::body::Bytes, axum::Error>> + Send {
    tokio_stream::StreamExt::timeout(body.into_data_stream(), stall)
        // multer stops at the first failed read, so nothing after the stall is asked for.
        .map(move |chunk| chunk.unwrap_or_else(|_| Err(axum::Error::new(Stalled(stall)))))
}

pub struct OneChunkAtATime<S> {
    inner: Pin<Box<S>>,
    paused: bool,
}

impl<S> OneChunkAtATime<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner: Box::pin(inner),
            paused: false,
        }
    }
}

impl<S: Stream> Stream for OneChunkAtATime<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        if self.paused {
            self.paused = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = self.inner.as_mut().poll_next(cx);
        if matches!(next, Poll::Ready(Some(_))) {
            self.paused = true;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn every_item_still_arrives_in_order() {
        let items: Vec<u32> = OneChunkAtATime::new(futures_util::stream::iter(0..5))
            .collect()
            .await;
        assert_eq!(items, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn it_pauses_after_each_item() {
        let mut stream = OneChunkAtATime::new(futures_util::stream::iter(0..2));
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut poll = || Pin::new(&mut stream).poll_next(&mut cx);
        assert_eq!(poll(), Poll::Ready(Some(0)));
        assert_eq!(poll(), Poll::Pending);
        assert_eq!(poll(), Poll::Ready(Some(1)));
        assert_eq!(poll(), Poll::Pending);
        assert_eq!(poll(), Poll::Ready(None));
    }
}
