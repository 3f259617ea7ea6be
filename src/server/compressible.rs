//! Which responses may be compressed.

use axum::body::HttpBody;
use axum::http::{Response, header};
use tower_http::compression::Predicate;
use tower_http::compression::predicate::SizeAbove;

/// tower-http's default rule (bodies of 32 bytes or more, except gRPC, raster images and
/// event streams) with the content type looked up once rather than once per exception: it runs
/// on every response (see `docs/performance.md`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Compressible;

impl Predicate for Compressible {
    fn should_compress<B: HttpBody>(&self, response: &Response<B>) -> bool {
        if !SizeAbove::new(32).should_compress(response) {
            return false;
        }
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let excluded = |prefix: &str, except: &str| {
            content_type.starts_with(prefix) && !content_type.starts_with(except)
        };
        !excluded("application/grpc", "application/grpc-web")
            && !excluded("image/", "image/svg+xml")
            && !content_type.starts_with("text/event-stream")
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower_http::compression::predicate::DefaultPredicate;

    use super::*;

    /// The same answers as tower-http's default for every kind of response it singles out.
    #[test]
    fn agrees_with_the_default_rule() {
        let long = "x".repeat(100);
        let cases = [
            (Some("application/json"), long.as_str()),
            (Some("application/json"), "{}"),
            (Some("text/html; charset=utf-8"), long.as_str()),
            (Some("application/grpc"), long.as_str()),
            (Some("application/grpc-web+proto"), long.as_str()),
            (Some("image/png"), long.as_str()),
            (Some("image/svg+xml"), long.as_str()),
            (Some("text/event-stream"), long.as_str()),
            (None, long.as_str()),
        ];
        for (content_type, body) in cases {
            let mut response = Response::new(Body::from(body.to_owned()));
            if let Some(content_type) = content_type {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
            }
            assert_eq!(
                Compressible.should_compress(&response),
                DefaultPredicate::new().should_compress(&response),
                "{content_type:?} with {} bytes",
                body.len()
            );
        }
    }
}
