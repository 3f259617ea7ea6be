//! `GET /health`, for load balancers and operators: whether this server still accepts
//! writes, and if not, why. Needs no credentials and reads nothing but the process's state,
//! so it answers even when the database cannot.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store::Store;

/// 200 `{"status": "ok"}`, or once a failed sync has halted writing, 503
/// `{"status": "writes_halted", "reason": …}` until the server is restarted.
pub fn answer(store: &Store) -> Response {
    match store.writes_halted() {
        None => Json(json!({ "status": "ok" })).into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "writes_halted",
                "reason": reason,
                "action": "Check the disk holding the data, then restart Sitebook.",
            })),
        )
            .into_response(),
    }
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
}
