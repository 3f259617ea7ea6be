//! What a request may cost the server before it is judged (hardening fault 12): the role is
//! known before a body is read, each route takes only the body it needs, bodies are read a
//! few at a time, and a body that never comes ends in 408.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use bytes::Bytes;
use serde_json::json;
use sitebook::core::access::Role;

use crate::support::{Client, spawn_app, spawn_app_with};

/// A body that never arrives (nor ends).
fn endless() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>())
}

const SITE: &str = "st_limits";

/// Used to: every route read (up to 32 MiB of) its body before the role was checked, so any
/// token holder could make the server buffer and parse bodies it would then refuse.
#[tokio::test]
async fn a_reader_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let created = admin
        .create(&json!({"resource_id": SITE, "type": "site", "metadata": {"name": "HQ"}}))
        .await;
    assert!(created.status.is_success(), "{}", created.body);
    let staff = Client::new(&app, Role::Staff).await;
    let manager = Client::new(&app, Role::Manager).await;
    let refusals = [
        (&staff, Method::PUT, format!("/metadata/{SITE}")),
        (&staff, Method::PATCH, format!("/metadata/{SITE}")),
        (&staff, Method::PUT, format!("/metadata/{SITE}/speed")),
        (&staff, Method::POST, "/metadata".to_owned()),
        (&staff, Method::POST, "/sites".to_owned()),
        (&manager, Method::POST, "/tags".to_owned()),
        (&manager, Method::PUT, "/settings".to_owned()),
    ];
    for (client, method, path) in refusals {
        let reply = tokio::time::timeout(
            Duration::from_secs(10),
            client
                .call(method.clone(), &path)
                .raw("application/json", endless())
                .send(),
        )
        .await
        .unwrap_or_else(|_| panic!("{method} {path} waited for a body it should not read"));
        reply.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

/// Used to: every route accepted 32 MiB; only metadata writes need that much.
#[tokio::test]
async fn each_route_takes_only_the_body_it_needs() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let long = "x".repeat(2 * 1024 * 1024);
    admin
        .call(Method::POST, "/tags")
        .json(&json!({"name": "Region", "description": long}))
        .send()
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // A metadata write of the same size is read and judged on its content.
    let reply = admin
        .create(&json!({"resource_id": SITE, "type": "site",
                        "metadata": {"name": "HQ", "notes": long}}))
        .await;
    assert_ne!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    reply.assert_error(StatusCode::BAD_REQUEST, "metadata_value_too_long");
}

/// Used to: a body that never finished held its connection and its handler for ever.
#[tokio::test]
async fn a_body_that_never_comes_is_answered_408() {
    let app = spawn_app_with(&["--request-timeout-seconds", "1"]).await;
    let admin = Client::new(&app, Role::Admin).await;
    let reply = tokio::time::timeout(
        Duration::from_secs(20),
        admin
            .call(Method::POST, "/tags")
            .raw("application/json", endless())
            .send(),
    )
    .await
    .expect("the request timed out");
    reply.assert_error(StatusCode::REQUEST_TIMEOUT, "request_timeout");
}

/// Used to: any number of bodies were read at once. Now a few are; the next waits a moment
/// and is told to come back.
#[tokio::test]
async fn bodies_are_read_a_few_at_a_time_and_the_next_is_told_to_retry() {
    let app = spawn_app_with(&["--request-timeout-seconds", "8"]).await;
    let admin = Client::new(&app, Role::Admin).await;
    let held = futures_util::future::join_all((0..sitebook::api::v1::BODY_READS).map(|_| {
        admin
            .call(Method::POST, "/tags")
            .raw("application/json", endless())
            .send()
    }));
    let next = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        admin
            .call(Method::POST, "/tags")
            .json(&json!({"name": "Region"}))
            .send()
            .await
    };
    let (held, reply) = tokio::join!(held, next);
    reply.assert_error(StatusCode::SERVICE_UNAVAILABLE, "busy");
    assert!(reply.header(axum::http::header::RETRY_AFTER).is_some());
    for request in held {
        request.assert_error(StatusCode::REQUEST_TIMEOUT, "request_timeout");
    }
    // Once they are done, bodies are read again (and this one judged on its content).
    let again = admin
        .call(Method::POST, "/tags")
        .json(&json!({"name": "Region"}))
        .send()
        .await;
    assert_ne!(
        again.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        again.body
    );
    assert_ne!(again.status, StatusCode::REQUEST_TIMEOUT, "{}", again.body);
}
