//! The load balancer's probes: no credentials, answered by the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::spawn_app;

#[tokio::test]
async fn liveness_and_readiness_need_no_credentials() {
    let app = spawn_app().await;
    for (path, status) in [("/healthz", "ok"), ("/health", "ok"), ("/readyz", "ready")] {
        let reply = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(reply.json()["status"], status, "{path}");
    }
}
