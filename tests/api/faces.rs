//! The request edge, face by face: every face (the native API, Nova, Keystone, Data Hub) is
//! held to the same bounds, each answering in its own error body. One table of faces, one test
//! per bound; a face that skipped the edge would fail its row.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use sitebook::core::access::Role;

use crate::support::{Client, Reply, TestApp, spawn_app, spawn_app_with};

const SITE: &str = "st_faces";
const SERVER: &str = "5f0c3d7e-8a51-4c1f-9b2e-3d4c5b6a7f80";
const NS: &str = "/datahub/api/v1/Tenants/default/Namespaces/default";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Face {
    Native,
    Nova,
    Keystone,
    DataHub,
}

const FACES: [Face; 4] = [Face::Native, Face::Nova, Face::Keystone, Face::DataHub];

/// The faces whose writes need a role (a Keystone login needs none).
const WRITING_FACES: [Face; 3] = [Face::Native, Face::Nova, Face::DataHub];

impl Face {
    /// A write through this face carrying `body` (Keystone's is a login).
    fn write(self, token: &str, body: Body) -> Request<Body> {
        let (method, uri) = match self {
            Face::Native => (Method::PUT, format!("/api/v1/metadata/{SITE}")),
            Face::Nova => (
                Method::PUT,
                format!("/openstack/compute/v2.1/servers/{SERVER}/metadata"),
            ),
            Face::Keystone => (
                Method::POST,
                "/openstack/identity/v3/auth/tokens".to_owned(),
            ),
            Face::DataHub => (Method::PUT, format!("{NS}/Streams/Tank1/Metadata")),
        };
        self.authorised(Request::builder().method(method).uri(uri), token)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .unwrap()
    }

    /// A small, valid body for [`Face::write`].
    fn valid_body(self, app_credential: &(String, String)) -> Value {
        match self {
            Face::Native => json!({"name": "HQ", "circuit": "C-1"}),
            Face::Nova => json!({"metadata": {"rack": "A7"}}),
            Face::Keystone => json!({"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": app_credential.0, "secret": app_credential.1}}}}),
            Face::DataHub => json!({"City": "Toronto"}),
        }
    }

    /// A read through this face.
    fn read(self, authorization: &str, subject: &str) -> Request<Body> {
        let uri = match self {
            Face::Native => format!("/api/v1/metadata/{SITE}"),
            Face::Nova => format!("/openstack/compute/v2.1/servers/{SERVER}/metadata"),
            Face::Keystone => "/openstack/identity/v3/auth/tokens".to_owned(),
            Face::DataHub => format!("{NS}/Streams/Tank1/Metadata"),
        };
        Request::builder()
            .uri(uri)
            .header(header::AUTHORIZATION, authorization)
            .header("x-subject-token", subject)
            .body(Body::empty())
            .unwrap()
    }

    fn authorised(
        self,
        request: axum::http::request::Builder,
        token: &str,
    ) -> axum::http::request::Builder {
        match self {
            Face::Nova => request.header("x-auth-token", token),
            Face::Keystone => request,
            _ => request.header(header::AUTHORIZATION, format!("Bearer {token}")),
        }
    }

    /// Asserts `reply` is this face's own error body with `status`.
    fn assert_refused(self, reply: &Reply, status: StatusCode) -> Value {
        assert_eq!(reply.status, status, "{self:?}: {}", reply.body);
        assert!(
            reply.content_type().starts_with("application/json"),
            "{self:?}: {}",
            reply.content_type()
        );
        let body = reply.json();
        let code = status.as_u16();
        match self {
            Face::Native => {
                assert!(
                    body["code"].is_string() && body["doc_url"].is_string(),
                    "{body}"
                )
            }
            Face::Nova if code == 401 => assert_eq!(body["error"]["code"], code, "{body}"),
            Face::Nova => {
                let root = body.as_object().unwrap();
                assert_eq!(root.len(), 1, "{body}");
                assert_eq!(root.values().next().unwrap()["code"], code, "{body}");
            }
            Face::Keystone => assert_eq!(body["error"]["code"], code, "{body}"),
            Face::DataHub => {
                for field in ["OperationId", "Error", "Reason", "Resolution", "Parameters"] {
                    assert!(body.get(field).is_some(), "{field} in {body}");
                }
            }
        }
        body
    }
}

/// What every face's rows need: a site, a server and a stream, an admin's token and an API
/// token's id and secret (Keystone's application credential).
struct Setup {
    admin: String,
    staff: String,
    credential: (String, String),
}

async fn setup(app: &TestApp) -> Setup {
    let admin = Client::new(app, Role::Admin).await;
    for (id, kind, name) in [(SITE, "site", "HQ"), (SERVER, "openstack.server", "web-1")] {
        let created = admin
            .create(&json!({"resource_id": id, "type": kind, "metadata": {"name": name}}))
            .await;
        assert!(created.status.is_success(), "{}", created.body);
    }
    let datahub = |method, path: String, body: Value| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", admin.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let made = app
        .send(datahub(
            Method::POST,
            format!("{NS}/Types/Level"),
            json!({"Id": "Level", "SdsTypeCode": "Object", "Properties": [{"Id": "Time",
                   "IsKey": true, "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}]}),
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let made = app
        .send(datahub(
            Method::POST,
            format!("{NS}/Streams/Tank1"),
            json!({"Id": "Tank1", "TypeId": "Level"}),
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let tenant = sitebook::core::tenancy::TenantId::default_tenant();
    let (token, secret) = app
        .store
        .create_token(
            &sitebook::core::access::Actor::operator(tenant),
            "keystone",
            &sitebook::store::Grant {
                role: Role::Manager,
                sites: None,
            },
            sitebook::core::access::TokenLifetime::UNLIMITED,
            99,
            [99; 32],
        )
        .await
        .unwrap();
    Setup {
        staff: app.token(Role::Staff, None).await,
        admin: admin.token,
        credential: (token.id, secret),
    }
}

/// A body that never ends.
fn endless() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>())
}

/// A body of `total` bytes sent in 64 KiB chunks, counting what the server pulled.
fn counted(total: usize, pulled: Arc<AtomicUsize>) -> Body {
    const CHUNK: usize = 64 * 1024;
    let chunks = total.div_ceil(CHUNK);
    Body::from_stream(futures_util::stream::iter((0..chunks).map(move |_| {
        pulled.fetch_add(CHUNK, Ordering::Relaxed);
        Ok::<_, std::io::Error>(Bytes::from(vec![b' '; CHUNK]))
    })))
}

#[tokio::test]
async fn a_body_that_never_comes_is_answered_408_on_every_face() {
    let app = spawn_app_with(&["--request-timeout-seconds", "1"]).await;
    let setup = setup(&app).await;
    for face in FACES {
        let reply = tokio::time::timeout(
            Duration::from_secs(20),
            app.send(face.write(&setup.admin, endless())),
        )
        .await
        .unwrap_or_else(|_| panic!("{face:?} held the body past its deadline"));
        face.assert_refused(&reply, StatusCode::REQUEST_TIMEOUT);
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_413_without_being_read_whole_on_every_face() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    // The native metadata writes take the most (32 MiB); 96 MiB is over every face's limit.
    let total = 96 << 20;
    for face in FACES {
        let pulled = Arc::new(AtomicUsize::new(0));
        let reply = app
            .send(face.write(&setup.admin, counted(total, pulled.clone())))
            .await;
        face.assert_refused(&reply, StatusCode::PAYLOAD_TOO_LARGE);
        let pulled = pulled.load(Ordering::Relaxed);
        assert!(
            pulled <= (32 << 20) + (1 << 20),
            "{face:?} read {pulled} bytes of a {total}-byte body before refusing it"
        );
    }
}

#[tokio::test]
async fn a_body_waits_for_a_turn_and_is_told_to_retry_on_every_face() {
    let app = spawn_app_with(&["--request-timeout-seconds", "30"]).await;
    let setup = setup(&app).await;
    // Every turn taken by bodies that never end, on the native API and on the faces alike.
    let held: Vec<_> = (0..sitebook::api::v1::BODY_READS)
        .map(|i| {
            let router = app.router.clone();
            let face = FACES[i % FACES.len()];
            let request = face.write(&setup.admin, endless());
            tokio::spawn(async move {
                use tower::ServiceExt;
                router.oneshot(request).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for face in FACES {
        let body = face.valid_body(&setup.credential).to_string();
        let reply = app.send(face.write(&setup.admin, Body::from(body))).await;
        face.assert_refused(&reply, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            reply.header(header::RETRY_AFTER).is_some(),
            "{face:?} gave no Retry-After"
        );
    }
    for request in held {
        request.abort();
    }
}

#[tokio::test]
async fn a_staff_write_is_refused_before_its_body_is_read_on_every_face() {
    let app = spawn_app_with(&["--request-timeout-seconds", "30"]).await;
    let setup = setup(&app).await;
    for face in WRITING_FACES {
        let reply = tokio::time::timeout(
            Duration::from_secs(5),
            app.send(face.write(&setup.staff, endless())),
        )
        .await
        .unwrap_or_else(|_| panic!("{face:?} waited for a staff token's body"));
        face.assert_refused(&reply, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_empty_if_match_is_a_stale_precondition_where_a_face_takes_one() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    // Nova's metadata calls and Keystone's login take no If-Match.
    for face in [Face::Native, Face::DataHub] {
        let body = face.valid_body(&setup.credential).to_string();
        let mut request = face.write(&setup.admin, Body::from(body));
        request
            .headers_mut()
            .insert(header::IF_MATCH, "".parse().unwrap());
        let reply = app.send(request).await;
        face.assert_refused(&reply, StatusCode::PRECONDITION_FAILED);
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case_on_every_face() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let login = app
        .send(Face::Keystone.write(
            "",
            Body::from(Face::Keystone.valid_body(&setup.credential).to_string()),
        ))
        .await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
    let subject = login.header("x-subject-token".parse().unwrap()).unwrap();
    for face in FACES {
        for scheme in ["bearer", "BEARER", "Bearer"] {
            let reply = app
                .send(face.read(&format!("{scheme} {}", setup.admin), &subject))
                .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{face:?} {scheme}: {}",
                reply.body
            );
        }
        let reply = app
            .send(face.read(&format!("Basic {}", setup.admin), &subject))
            .await;
        face.assert_refused(&reply, StatusCode::UNAUTHORIZED);
    }
}

/// Used to: Data Hub's namespace lookup turned every store error, a storage failure included,
/// into "namespace not found".
#[tokio::test]
async fn a_storage_failure_is_a_server_error_on_every_face() {
    let app = spawn_app().await;
    let setup = setup(&app).await;
    let path = app.data_dir.path().join("sitebook.db");
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        path.display()
    ))
    .await
    .unwrap();
    for table in ["changes", "access_tokens", "stream_namespaces"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {table} RENAME TO {table}_lost"
        )))
        .execute(&mut db)
        .await
        .unwrap();
    }
    for face in FACES {
        let body = face.valid_body(&setup.credential).to_string();
        let reply = app.send(face.write(&setup.admin, Body::from(body))).await;
        assert!(
            reply.status.is_server_error(),
            "{face:?}: {} {}",
            reply.status,
            reply.body
        );
        face.assert_refused(&reply, reply.status);
    }
}
