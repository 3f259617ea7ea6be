//! Floods through every face at once: password logins (Keystone), bodies that never end
//! (native, Nova, Keystone, Data Hub), and bodies or queries that cost work (Data Hub's tag
//! lists and searches, Nova's aggregate metadata). Throughout, `GET /health` answers within a
//! second: no face's work runs where it can stall the server. Its own binary, so no other
//! test shares its two worker threads.

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use sitebook::core::access::Role;
use support::{Client, TestApp, spawn_app_with};

const NS: &str = "/datahub/api/v1/Tenants/default/Namespaces/default";

fn request(method: Method, uri: &str, token: Option<&str>, body: Body) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("bearer {token}"));
    }
    request.body(body).unwrap()
}

fn endless() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>())
}

async fn setup(app: &TestApp, admin: &str) {
    let send = |method, uri: String, body: serde_json::Value| {
        app.send(request(
            method,
            &uri,
            Some(admin),
            Body::from(body.to_string()),
        ))
    };
    let made = send(
        Method::POST,
        format!("{NS}/Types/Level"),
        json!({"Id": "Level", "SdsTypeCode": "Object", "Properties": [{"Id": "Time",
               "IsKey": true, "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}]}),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    for n in 0..200 {
        let made = send(
            Method::POST,
            format!("{NS}/Streams/Tank{n}"),
            json!({"Id": format!("Tank{n}"), "TypeId": "Level",
                   "Description": "a tank of the analog logger series ".repeat(20)}),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    let made = send(
        Method::POST,
        "/openstack/compute/v2.1/os-aggregates".to_owned(),
        json!({"aggregate": {"name": "rack-a"}}),
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_within_a_second_while_every_face_is_flooded() {
    let app =
        Arc::new(spawn_app_with(&["--trusted-proxy", "--request-timeout-seconds", "20"]).await);
    let admin = Client::new(&app, Role::Admin).await.token;
    let manager = app.token(Role::Manager, None).await;
    let staff = app.token(Role::Staff, None).await;
    setup(&app, &admin).await;

    let mut flood = Vec::new();
    let mut spawn = |request: Request<Body>| {
        let app = app.clone();
        flood.push(tokio::spawn(async move { app.send(request).await.status }));
    };
    // Keystone password logins for unknown users, each from its own address.
    for n in 0..100 {
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": format!("nobody{n}"), "domain": {"id": "default"}, "password": "guess"}}}}});
        let mut login = request(
            Method::POST,
            "/openstack/identity/v3/auth/tokens",
            None,
            Body::from(body.to_string()),
        );
        login.headers_mut().insert(
            "x-forwarded-for",
            format!("10.9.{}.{}", n / 256, n % 256).parse().unwrap(),
        );
        spawn(login);
    }
    // Bodies that never end, on every face.
    for n in 0..24 {
        let (method, uri) = match n % 4 {
            0 => (Method::PUT, "/api/v1/metadata/st_x".to_owned()),
            1 => (
                Method::PUT,
                "/openstack/compute/v2.1/servers/x/metadata".to_owned(),
            ),
            2 => (
                Method::POST,
                "/openstack/identity/v3/auth/tokens".to_owned(),
            ),
            _ => (Method::PUT, format!("{NS}/Streams/Tank1/Metadata")),
        };
        spawn(request(method, &uri, Some(&admin), endless()));
    }
    // Work-heavy bodies and queries: tag lists at the body limit, aggregate metadata of
    // 60,000 keys (refused unread for staff, by its count for an admin), wildcard searches.
    let names: Vec<String> = (0..7000).map(|i| format!("t{}", i % 3000)).collect();
    let names = json!(names).to_string();
    let keys: serde_json::Map<String, serde_json::Value> =
        (0..60_000).map(|i| (format!("k{i}"), json!("v"))).collect();
    let keys = json!({"set_metadata": {"metadata": keys}}).to_string();
    for n in 0..12 {
        spawn(request(
            Method::PUT,
            &format!("{NS}/Streams/Tank{n}/Tags"),
            Some(&manager),
            Body::from(names.clone()),
        ));
        let token = if n % 2 == 0 { &staff } else { &admin };
        spawn(request(
            Method::POST,
            "/openstack/compute/v2.1/os-aggregates/1/action",
            Some(token),
            Body::from(keys.clone()),
        ));
        spawn(request(
            Method::GET,
            &format!("{NS}/Streams?query=*a*n*a*log*%20OR%20*o*g*e*r*&count=1000"),
            Some(&staff),
            Body::empty(),
        ));
    }

    let mut slowest = Duration::ZERO;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let asked = Instant::now();
        let health = tokio::time::timeout(
            Duration::from_secs(5),
            app.send(Request::get("/health").body(Body::empty()).unwrap()),
        )
        .await
        .expect("the health check answers during the flood");
        assert_eq!(health.status, StatusCode::OK, "{}", health.body);
        slowest = slowest.max(asked.elapsed());
    }
    eprintln!("the slowest health check during the flood took {slowest:?}");
    assert!(
        slowest <= Duration::from_secs(1),
        "a health check took {slowest:?} during the flood"
    );
    for request in flood {
        request.abort();
    }
}
