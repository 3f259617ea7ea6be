//! Nova's headers on every compute answer, by one hand-written layer: axum's `from_fn` boxes
//! the rest of the stack and its future again on every request (see `docs/performance.md`).
//!
//! - The request id, `req-` and a UUID, under both of Nova's names; the change records the
//!   request makes keep it.
//! - On the API routes, the microversion: a request for one outside the range is refused
//!   before any handler runs, and every answer names the version it follows.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use tower::{Layer, Service};

use super::microversion::{self, Version};
use crate::web::edge::request_id::X_REQUEST_ID;

const COMPUTE_REQUEST_ID: HeaderName = HeaderName::from_static("x-compute-request-id");
const OPENSTACK_REQUEST_ID: HeaderName = HeaderName::from_static("x-openstack-request-id");

/// `negotiate`: whether the routes it wraps follow microversions (the API routes do, the
/// version documents and the 404 fallback do not).
#[derive(Clone, Copy)]
pub struct NovaHeadersLayer {
    pub negotiate: bool,
}

impl<S> Layer<S> for NovaHeadersLayer {
    type Service = NovaHeaders<S>;

    fn layer(&self, inner: S) -> NovaHeaders<S> {
        NovaHeaders {
            inner,
            negotiate: self.negotiate,
        }
    }
}

#[derive(Clone)]
pub struct NovaHeaders<S> {
    inner: S,
    negotiate: bool,
}

/// `req-` and a hyphenated UUID, written into one buffer rather than through `format!`.
fn request_id() -> HeaderValue {
    let mut text = [0u8; 4 + uuid::fmt::Hyphenated::LENGTH];
    text[..4].copy_from_slice(b"req-");
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_lower(&mut text[4..]);
    HeaderValue::from_bytes(&text).expect("a request id is visible ASCII")
}

impl<S> Service<Request> for NovaHeaders<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let id = request_id();
        request.headers_mut().insert(X_REQUEST_ID, id.clone());
        let version = if self.negotiate {
            match microversion::requested(request.headers()) {
                Ok(version) => {
                    request.extensions_mut().insert(version);
                    Some(version)
                }
                Err(fault) => {
                    return Answer::Refused {
                        response: Some(tag(microversion::refusal(fault), &id, None)),
                    };
                }
            }
        } else {
            None
        };
        Answer::Running {
            inner: self.inner.call(request),
            id,
            version,
        }
    }
}

fn tag(mut response: Response, id: &HeaderValue, version: Option<Version>) -> Response {
    if let Some(version) = version {
        microversion::mark(&mut response, version);
    }
    let headers = response.headers_mut();
    headers.insert(COMPUTE_REQUEST_ID, id.clone());
    headers.insert(OPENSTACK_REQUEST_ID, id.clone());
    response
}

pin_project_lite::pin_project! {
    /// The answer: the handler's, or the refusal of a version outside the range.
    #[project = AnswerProjection]
    pub enum Answer<F> {
        Running {
            #[pin]
            inner: F,
            id: HeaderValue,
            version: Option<Version>,
        },
        Refused {
            response: Option<Response>,
        },
    }
}

impl<F> Future for Answer<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            AnswerProjection::Running { inner, id, version } => {
                let response = std::task::ready!(inner.poll(cx))?;
                Poll::Ready(Ok(tag(response, id, *version)))
            }
            AnswerProjection::Refused { response } => Poll::Ready(Ok(response
                .take()
                .expect("an answer is polled to completion once"))),
        }
    }
}
