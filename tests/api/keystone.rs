//! `/openstack/identity`: Keystone's login, as keystoneauth (and so the `openstack` CLI and
//! openstacksdk) drives it, and its tokens used on the compute face.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::{Actor, Role, TokenLifetime, Username};
use sitebook::core::store::Grant;
use sitebook::core::tenancy::TenantId;

use crate::support::{Client, Reply, TestApp, spawn_app};

const SERVER: &str = "9e0f7c8e-3c55-4f1c-9a51-0a5c3e2b7d11";
const PASSWORD: &str = "correct horse battery";
/// The default tenant as a Keystone project id: `default` in hex.
const PROJECT: &str = "64656661756c74";

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    app.send(request.body(body).unwrap()).await
}

async fn user(app: &TestApp, name: &str, role: Role, random: u128) -> String {
    app.store
        .create_user(
            &Actor::operator(TenantId::default_tenant()),
            Username::parse(name),
            PASSWORD,
            &Grant { role, sites: None },
            random,
        )
        .await
        .unwrap()
        .id
}

/// What `openstack --os-username … --os-project-name Default` posts.
fn password_login(name: &str, password: &str) -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": name, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": "Default", "domain": {"name": "Default"}}}}})
}

async fn login(app: &TestApp, body: Value) -> Reply {
    send(
        app,
        Method::POST,
        "/openstack/identity/v3/auth/tokens",
        &[],
        Some(body),
    )
    .await
}

fn subject(reply: &Reply) -> String {
    reply.header("x-subject-token".parse().unwrap()).unwrap()
}

async fn server_metadata(app: &TestApp, token: &str, path: &str) -> Reply {
    send(
        app,
        Method::POST,
        &format!("/openstack/compute/v2.1{path}/servers/{SERVER}/metadata"),
        &[("x-auth-token", token)],
        Some(json!({"metadata": {"rack": "A7"}})),
    )
    .await
}

async fn server(app: &TestApp) {
    let manager = Client::new(app, Role::Manager).await;
    let created = manager
        .create(&json!({"resource_id": SERVER, "type": "openstack.server",
                        "metadata": {"name": "web-1"}}))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
}

fn assert_keystone_error(reply: &Reply, status: StatusCode, title: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/json");
    let error = &reply.json()["error"];
    assert_eq!(error["code"], status.as_u16(), "{}", reply.body);
    assert_eq!(error["title"], title, "{}", reply.body);
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_version_documents_lead_keystoneauth_to_v3_without_a_token() {
    let app = spawn_app().await;
    let root = send(&app, Method::GET, "/openstack/identity", &[], None).await;
    assert_eq!(root.status, StatusCode::MULTIPLE_CHOICES);
    assert!(
        root.header("location".parse().unwrap())
            .unwrap()
            .ends_with("/openstack/identity/v3/")
    );
    let entry = &root.json()["versions"]["values"][0];
    assert_eq!(entry["id"], "v3.14");
    assert_eq!(entry["status"], "stable");
    for path in ["/openstack/identity/v3", "/openstack/identity/v3/"] {
        let reply = send(&app, Method::GET, path, &[], None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let version = &reply.json()["version"];
        assert_eq!(version["id"], "v3.14");
        assert_eq!(version["status"], "stable");
        let href = version["links"][0]["href"].as_str().unwrap();
        assert!(
            href.starts_with("http") && href.ends_with("/openstack/identity/v3/"),
            "{href}"
        );
        assert_eq!(
            version["media-types"][0]["type"],
            "application/vnd.openstack.identity-v3+json"
        );
    }
    let missing = send(&app, Method::GET, "/openstack/identity/v2.0", &[], None).await;
    assert_keystone_error(&missing, StatusCode::NOT_FOUND, "Not Found");
}

#[tokio::test]
async fn a_password_login_answers_201_with_a_token_the_compute_face_takes() {
    let app = spawn_app().await;
    server(&app).await;
    let alice = user(&app, "alice", Role::Manager, 1).await;

    let reply = login(&app, password_login("Alice", PASSWORD)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert!(
        reply
            .header("x-openstack-request-id".parse().unwrap())
            .unwrap()
            .starts_with("req-")
    );
    let token = subject(&reply);
    assert!(token.starts_with("sba_"), "{token}");
    let body = &reply.json()["token"];
    assert_eq!(body["methods"], json!(["password"]));
    assert_eq!(body["user"]["id"], alice);
    assert_eq!(body["user"]["name"], "alice");
    assert_eq!(
        body["user"]["domain"],
        json!({"id": "default", "name": "Default"})
    );
    assert_eq!(body["project"]["id"], PROJECT);
    assert_eq!(body["project"]["name"], "Default");
    assert_eq!(body["is_domain"], false);
    let roles: Vec<&str> = body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["member", "reader"]);
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["audit_ids"].as_array().unwrap().len(), 1);
    let compute = &body["catalog"][0];
    assert_eq!(compute["type"], "compute");
    let url = compute["endpoints"][0]["url"].as_str().unwrap();
    assert!(
        url.starts_with("http") && url.ends_with("/openstack/compute/v2.1"),
        "{url}"
    );
    assert_eq!(compute["endpoints"][0]["interface"], "public");
    assert_eq!(compute["endpoints"][0]["region_id"], "RegionOne");

    // The token writes server metadata, on the plain and on the project-id path alike.
    let written = server_metadata(&app, &token, "").await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);
    let legacy = server_metadata(&app, &token, &format!("/{PROJECT}")).await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.body);

    // The user's id and the project's id work as well as their names.
    let by_id = json!({"auth": {
        "identity": {"methods": ["password"],
                     "password": {"user": {"id": alice, "password": PASSWORD}}},
        "scope": {"project": {"id": PROJECT}}}});
    assert_eq!(login(&app, by_id).await.status, StatusCode::CREATED);
    let unscoped = json!({"auth": {"identity": {"methods": ["password"],
        "password": {"user": {"name": "alice", "password": PASSWORD}}}}});
    let reply = login(&app, unscoped).await;
    assert_eq!(reply.json()["token"]["project"]["id"], PROJECT);
}

#[tokio::test]
async fn a_wrong_password_or_project_is_401_and_a_malformed_body_400_in_keystone_s_shape() {
    let app = spawn_app().await;
    user(&app, "alice", Role::Manager, 1).await;

    let wrong = login(&app, password_login("alice", "not the password")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.json(),
        json!({"error": {"code": 401, "title": "Unauthorized",
                         "message": "The request you have made requires authentication."}})
    );
    assert!(
        wrong
            .header("www-authenticate".parse().unwrap())
            .unwrap()
            .contains("/openstack/identity/v3")
    );
    assert!(wrong.header("x-subject-token".parse().unwrap()).is_none());
    let mut elsewhere = password_login("alice", PASSWORD);
    elsewhere["auth"]["scope"]["project"]["name"] = json!("plant-north");
    assert_keystone_error(
        &login(&app, elsewhere).await,
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
    );

    for malformed in [
        json!({"auth": {"identity": {"methods": ["password"]}}}),
        json!({"identity": {}}),
    ] {
        assert_keystone_error(
            &login(&app, malformed).await,
            StatusCode::BAD_REQUEST,
            "Bad Request",
        );
    }
    let not_json = app
        .send(
            Request::post("/openstack/identity/v3/auth/tokens")
                .header("content-type", "application/json")
                .body(Body::from("{"))
                .unwrap(),
        )
        .await;
    assert_keystone_error(&not_json, StatusCode::BAD_REQUEST, "Bad Request");
}

#[tokio::test]
async fn guessing_a_password_is_stopped_after_five_tries() {
    let app = spawn_app().await;
    user(&app, "alice", Role::Manager, 1).await;
    for _ in 0..5 {
        let reply = login(&app, password_login("alice", "wrong guess!")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // The store's throttle, shared with the web sign-in: even the right password waits now.
    let locked = login(&app, password_login(" Alice", PASSWORD)).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Too many")
    );
}

#[tokio::test]
async fn an_api_token_logs_in_as_an_application_credential_and_its_revocation_ends_the_login() {
    let app = spawn_app().await;
    server(&app).await;
    let operator = Actor::operator(TenantId::default_tenant());
    let (api_token, secret) = app
        .store
        .create_token(
            &operator,
            "inventory sync",
            &Grant {
                role: Role::Manager,
                sites: None,
            },
            TokenLifetime::UNLIMITED,
            77,
            [77; 32],
        )
        .await
        .unwrap();
    let credential = |id: &str| {
        json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": id, "secret": secret}}}})
    };
    let reply = login(&app, credential(&api_token.id)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let body = &reply.json()["token"];
    assert_eq!(body["methods"], json!(["application_credential"]));
    assert_eq!(body["application_credential"]["id"], api_token.id);
    assert_eq!(body["user"]["name"], "inventory sync");
    assert_eq!(body["project"]["id"], PROJECT);
    let token = subject(&reply);
    assert_eq!(
        server_metadata(&app, &token, "").await.status,
        StatusCode::OK
    );

    let mismatched = login(&app, credential("tok_00000000000000000000000000000001")).await;
    assert_eq!(mismatched.status, StatusCode::UNAUTHORIZED);
    let by_name = json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"name": "inventory sync", "secret": secret,
                                   "user": {"name": "admin", "domain": {"id": "default"}}}}}});
    let refused = login(&app, by_name).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("API tokens")
    );

    app.store
        .revoke_token(&operator, &api_token.id)
        .await
        .unwrap();
    let after = server_metadata(&app, &token, "").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    assert_eq!(
        login(&app, credential(&api_token.id)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// A call on `/auth/tokens` about `subject`, made with `caller`'s token.
async fn look(app: &TestApp, caller: &str, subject: &str, method: Method, path: &str) -> Reply {
    let headers = [("x-auth-token", caller), ("x-subject-token", subject)];
    send(app, method, path, &headers, None).await
}

#[tokio::test]
async fn a_token_is_looked_at_by_its_owner_or_an_admin_and_revoked_with_delete() {
    let app = spawn_app().await;
    server(&app).await;
    user(&app, "alice", Role::Staff, 1).await;
    user(&app, "bob", Role::Manager, 2).await;
    let alice = subject(&login(&app, password_login("alice", PASSWORD)).await);
    let bob = subject(&login(&app, password_login("bob", PASSWORD)).await);
    let admin = app.token(Role::Admin, None).await;
    let tokens = "/openstack/identity/v3/auth/tokens";
    let own = look(&app, &alice, &alice, Method::GET, tokens).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(subject(&own), alice);
    assert_eq!(own.json()["token"]["user"]["name"], "alice");
    assert_eq!(own.json()["token"]["roles"][0]["name"], "reader");
    let by_admin = look(
        &app,
        &admin,
        &alice,
        Method::GET,
        &format!("{tokens}?nocatalog"),
    )
    .await;
    assert_eq!(by_admin.status, StatusCode::OK, "{}", by_admin.body);
    assert!(by_admin.json()["token"].get("catalog").is_none());
    let head = look(&app, &alice, &alice, Method::HEAD, tokens).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    let by_bob = look(&app, &bob, &alice, Method::GET, tokens).await;
    assert_keystone_error(&by_bob, StatusCode::FORBIDDEN, "Forbidden");
    let no_caller = send(
        &app,
        Method::GET,
        tokens,
        &[("x-subject-token", alice.as_str())],
        None,
    )
    .await;
    assert_eq!(no_caller.status, StatusCode::UNAUTHORIZED);
    let unknown = send(
        &app,
        Method::GET,
        tokens,
        &[("x-auth-token", &admin), ("x-subject-token", "sba_nothing")],
        None,
    )
    .await;
    assert_keystone_error(&unknown, StatusCode::NOT_FOUND, "Not Found");
    assert_eq!(
        look(&app, &admin, &alice, Method::HEAD, tokens)
            .await
            .status,
        StatusCode::OK
    );

    let revoked = look(&app, &alice, &alice, Method::DELETE, tokens).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    assert_eq!(
        look(&app, &admin, &alice, Method::GET, tokens).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        look(&app, &admin, &alice, Method::HEAD, tokens)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let compute = send(
        &app,
        Method::GET,
        &format!("/openstack/compute/v2.1/servers/{SERVER}/metadata"),
        &[("x-auth-token", &alice)],
        None,
    )
    .await;
    assert_eq!(compute.status, StatusCode::UNAUTHORIZED);
}

/// Used to: a project name that does not exist was refused before the password was looked
/// at (2 ms against 20 ms), which told anyone which project names exist. Now the credential is
/// checked all the same: such guesses count against the account like any other, and a
/// lock-out says when to come back.
#[tokio::test]
async fn an_unknown_project_costs_a_password_check_and_counts_as_a_guess() {
    let app = spawn_app().await;
    user(&app, "alice", Role::Manager, 1).await;
    let mut nowhere = password_login("alice", PASSWORD);
    nowhere["auth"]["scope"]["project"]["name"] = json!("No Such Project");
    for _ in 0..5 {
        let refused = login(&app, nowhere.clone()).await;
        assert_keystone_error(&refused, StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let locked = login(&app, password_login("alice", PASSWORD)).await;
    assert_keystone_error(&locked, StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    assert!(
        locked
            .header(axum::http::header::RETRY_AFTER)
            .is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n > 0)),
        "Keystone's 429 says when to come back: {:?}",
        locked.headers
    );
}
