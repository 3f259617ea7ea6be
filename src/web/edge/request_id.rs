//! `x-request-id` on every API request and response: the client's own when it sends one,
//! otherwise a new random UUID. Handlers see it as a request header, and the change records a
//! request makes keep it (see `v1::extract::Caller`).
//!
//! Hand-written rather than tower-http's `SetRequestIdLayer` and `PropagateRequestIdLayer`,
//! which measured slower on every request; see `docs/performance.md`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{HeaderName, HeaderValue, Request, Response};
use tower::{Layer, Service};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Copy, Debug, Default)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIdService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService(inner)
    }
}

#[derive(Clone, Debug)]
pub struct RequestIdService<S>(S);

impl<S, B, ResBody> Service<Request<B>> for RequestIdService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Tagged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let id = match request.headers().get(X_REQUEST_ID) {
            Some(id) if acceptable(id) => id.clone(),
            _ => {
                let id = fresh();
                request.headers_mut().insert(X_REQUEST_ID, id.clone());
                id
            }
        };
        Tagged {
            inner: self.0.call(request),
            id: Some(id),
        }
    }
}

/// The request's id as the layer left it, for the change records the request makes.
pub fn of(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The longest client id kept. Every change record stores the id, so an unbounded one (a
/// 60 KB header was seen stored) would let any client bloat the history.
pub const MAX_CLIENT_ID: usize = 128;

/// A client's id is kept when it is 1 to [`MAX_CLIENT_ID`] visible ASCII characters (no
/// spaces or controls: it is shown in logs and the history); any other is replaced.
fn acceptable(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    (1..=MAX_CLIENT_ID).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// A new random (version 4) UUID, written without the formatting machinery.
fn fresh() -> HeaderValue {
    let mut text = uuid::Uuid::encode_buffer();
    let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut text);
    HeaderValue::from_str(text).expect("a UUID is a valid header value")
}

pin_project_lite::pin_project! {
    /// The inner service's response, given the request's id unless it set one itself.
    pub struct Tagged<F> {
        #[pin]
        inner: F,
        id: Option<HeaderValue>,
    }
}

impl<F, ResBody, E> Future for Tagged<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        if let Some(id) = this.id.take() {
            response.headers_mut().entry(X_REQUEST_ID).or_insert(id);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn through_layer(request: Request<()>) -> (Option<HeaderValue>, Response<()>) {
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let service = RequestIdLayer.layer(service_fn(move |request: Request<()>| {
            seen_tx
                .send(request.headers().get(X_REQUEST_ID).cloned())
                .unwrap();
            async { Ok::<_, Infallible>(Response::new(())) }
        }));
        let response = service.oneshot(request).await.unwrap();
        (seen_rx.recv().unwrap(), response)
    }

    #[tokio::test]
    async fn a_request_without_an_id_gets_a_new_uuid_seen_by_the_handler_and_the_client() {
        let (seen, response) = through_layer(Request::new(())).await;
        let seen = seen.expect("the handler sees an id");
        let parsed = uuid::Uuid::parse_str(seen.to_str().unwrap()).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(response.headers().get(X_REQUEST_ID), Some(&seen));
        let (again, _) = through_layer(Request::new(())).await;
        assert_ne!(again, Some(seen), "each request gets its own id");
    }

    #[tokio::test]
    async fn a_long_or_unprintable_client_id_is_replaced_by_a_new_uuid() {
        let longest = "r".repeat(MAX_CLIENT_ID);
        let (seen, _) = through_layer(
            Request::builder()
                .header(X_REQUEST_ID, longest.as_str())
                .body(())
                .unwrap(),
        )
        .await;
        assert_eq!(seen.unwrap(), longest.as_str());
        for bad in [
            "r".repeat(MAX_CLIENT_ID + 1),
            "r".repeat(60_000),
            "two words".to_owned(),
            String::new(),
        ] {
            let request = Request::builder()
                .header(X_REQUEST_ID, HeaderValue::from_str(&bad).unwrap())
                .body(())
                .unwrap();
            let (seen, response) = through_layer(request).await;
            let seen = seen.unwrap();
            assert!(
                uuid::Uuid::parse_str(seen.to_str().unwrap()).is_ok(),
                "{bad:.20}"
            );
            assert_eq!(response.headers().get(X_REQUEST_ID), Some(&seen));
        }
        let tab = HeaderValue::from_bytes(b"a\tb").unwrap();
        let (seen, _) = through_layer(
            Request::builder()
                .header(X_REQUEST_ID, tab.clone())
                .body(())
                .unwrap(),
        )
        .await;
        assert_ne!(seen.unwrap(), tab);
    }

    #[tokio::test]
    async fn the_clients_id_is_kept_and_returned() {
        let request = Request::builder()
            .header(X_REQUEST_ID, "req-42")
            .body(())
            .unwrap();
        let (seen, response) = through_layer(request).await;
        assert_eq!(seen.unwrap(), "req-42");
        assert_eq!(response.headers().get(X_REQUEST_ID).unwrap(), "req-42");
    }
}
