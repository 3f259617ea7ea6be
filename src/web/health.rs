//! Health for load balancers and operators. None needs credentials.
//!
//! - `GET /healthz` (and the older `GET /health`): whether this process is worth keeping. It
//!   reads nothing but the process's state, so it answers even when the database cannot; it
//!   fails only once a failed sync has halted writing, which only a restart clears.
//! - `GET /readyz`: whether to send this server requests now: writes go on, the database
//!   answers within [`DATABASE_DEADLINE`], and the server is not shutting down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::store::Store;

/// How long a readiness probe waits for the database; longer, and it is not ready.
pub const DATABASE_DEADLINE: Duration = Duration::from_secs(2);

/// Whether the server is going away: set at the shutdown signal, after which readiness fails
/// while requests in flight finish.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle(Arc<AtomicBool>);

impl Lifecycle {
    pub fn drain(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

pub fn router<S: Clone + Send + Sync + 'static>(store: Store, lifecycle: Lifecycle) -> Router<S> {
    let live = {
        let store = store.clone();
        move || std::future::ready(answer(&store))
    };
    Router::new()
        .route("/health", get(live.clone()))
        .route("/healthz", get(live))
        .route(
            "/readyz",
            get(move || {
                let (store, lifecycle) = (store.clone(), lifecycle.clone());
                async move { ready(&store, &lifecycle).await }
            }),
        )
}

/// 200 `{"status": "ok"}`, or once a failed sync has halted writing, 503
/// `{"status": "writes_halted", "reason": …}` until the server is restarted.
pub fn answer(store: &Store) -> Response {
    match store.writes_halted() {
        None => Json(json!({ "status": "ok" })).into_response(),
        Some(reason) => halted(reason),
    }
}

fn halted(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "writes_halted",
            "reason": reason,
            "action": "Check the disk holding the data, then restart Sitebook.",
        })),
    )
        .into_response()
}

/// 200 `{"status": "ready"}`, or 503 with `draining`, `writes_halted` or
/// `database_unavailable` and why.
pub async fn ready(store: &Store, lifecycle: &Lifecycle) -> Response {
    if lifecycle.draining() {
        return unavailable("draining", "This server is shutting down.");
    }
    if let Some(reason) = store.writes_halted() {
        return halted(reason);
    }
    match tokio::time::timeout(DATABASE_DEADLINE, store.ping()).await {
        Ok(Ok(())) => Json(json!({ "status": "ready" })).into_response(),
        Ok(Err(e)) => unavailable("database_unavailable", &e.to_string()),
        Err(_) => unavailable(
            "database_unavailable",
            &format!(
                "The database did not answer within {} seconds.",
                DATABASE_DEADLINE.as_secs()
            ),
        ),
    }
}

fn unavailable(status: &str, reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": status, "reason": reason })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn health_says_ok_until_writes_halt_and_then_why() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("health.db"))
            .await
            .unwrap();
        assert_eq!(answer(&store).status(), StatusCode::OK);
        store.halt_writes_for_tests("syncing the WAL", &"EIO");
        let halted = answer(&store);
        assert_eq!(halted.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(halted.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["status"], "writes_halted");
        assert_eq!(body["reason"], "syncing the WAL failed: EIO");
    }

    async fn status_of(response: Response) -> (StatusCode, serde_json::Value) {
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn ready_while_the_database_answers_and_not_once_draining_or_closed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("ready.db"))
            .await
            .unwrap();
        let lifecycle = Lifecycle::default();
        let (status, body) = status_of(ready(&store, &lifecycle).await).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::OK, Some("ready"))
        );

        let going = lifecycle.clone();
        going.drain();
        let (status, body) = status_of(ready(&store, &lifecycle).await).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "draining");

        store.close().await;
        let (status, body) = status_of(ready(&store, &Lifecycle::default()).await).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "database_unavailable");
        // Alive all the same: a restart would not bring the database back.
        assert_eq!(answer(&store).status(), StatusCode::OK);
    }
}
