//! `/openstack/identity`: Keystone's login, as keystoneauth (and so the `openstack` CLI and
//! openstacksdk) drives it, and its tokens used on the compute face.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::{Actor, Role, TokenLifetime, Username};
use sitebook::core::openstack::{principal_of, user_id_of};
use sitebook::core::tenancy::TenantId;
use sitebook::store::Grant;

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

/// A user made in the store, by the id the OpenStack faces show it under (`usr-…`).
async fn user(app: &TestApp, name: &str, role: Role, random: u128) -> String {
    let made = app
        .store
        .create_user(
            &Actor::operator(TenantId::default_tenant()),
            Username::parse(name),
            PASSWORD,
            &Grant { role, sites: None },
            random,
        )
        .await
        .unwrap();
    user_id_of(&made.id)
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
    assert_eq!(
        body["application_credential"]["id"],
        user_id_of(&api_token.id)
    );
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

// The lookups the `openstack` CLI makes to resolve names and show the catalog.

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    let path = format!("/openstack/identity/v3/{path}");
    send(app, Method::GET, &path, &[("x-auth-token", token)], None).await
}

/// A token for `name` (who has the password `PASSWORD`).
async fn token_of(app: &TestApp, name: &str) -> String {
    let reply = login(app, password_login(name, PASSWORD)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    subject(&reply)
}

fn ids(reply: &Reply, collection: &str) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()[collection]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["id"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_refused_by(reply: &Reply, rule: &str) {
    assert_keystone_error(reply, StatusCode::FORBIDDEN, "Forbidden");
    assert_eq!(
        reply.json()["error"]["message"],
        format!("You are not authorized to perform the requested action: {rule}.")
    );
}

fn assert_missing(reply: &Reply, message: &str) {
    assert_keystone_error(reply, StatusCode::NOT_FOUND, "Not Found");
    assert_eq!(reply.json()["error"]["message"], message);
}

#[tokio::test]
async fn projects_are_listed_for_admins_and_shown_to_whoever_is_scoped_to_them() {
    let app = spawn_app().await;
    let alice = user(&app, "alice", Role::Manager, 1).await;
    let boss = user(&app, "boss", Role::Admin, 2).await;
    let (alice_token, boss_token) = (token_of(&app, "alice").await, token_of(&app, "boss").await);

    let listed = get(&app, &boss_token, "projects").await;
    assert_eq!(ids(&listed, "projects"), [PROJECT]);
    let project = &listed.json()["projects"][0];
    assert_eq!(project["name"], "Default");
    assert_eq!(project["domain_id"], "default");
    assert_eq!(project["enabled"], true);
    assert!(
        project["links"]["self"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v3/projects/{PROJECT}"))
    );
    assert_eq!(listed.json()["links"]["next"], Value::Null);
    for (query, found) in [
        ("name=Default", 1),
        ("name=default", 1),
        ("name=plant-north", 0),
        ("domain_id=default", 1),
        ("domain_id=other", 0),
        ("enabled=false", 0),
        ("is_domain=true", 0),
    ] {
        let reply = get(&app, &boss_token, &format!("projects?{query}")).await;
        assert_eq!(ids(&reply, "projects").len(), found, "{query}");
    }
    assert_refused_by(
        &get(&app, &alice_token, "projects").await,
        "identity:list_projects",
    );

    // By its id for anyone scoped to it; by name or the tenant's id for admins only.
    let own = get(&app, &alice_token, &format!("projects/{PROJECT}")).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.json()["project"]["id"], PROJECT);
    for name in ["Default", "default"] {
        let reply = get(&app, &boss_token, &format!("projects/{name}")).await;
        assert_eq!(reply.json()["project"]["id"], PROJECT, "{name}");
        assert_refused_by(
            &get(&app, &alice_token, &format!("projects/{name}")).await,
            "identity:get_project",
        );
    }
    assert_missing(
        &get(&app, &boss_token, "projects/nope").await,
        "Could not find project: nope.",
    );

    // What `openstack project list` falls back on, and the token's own projects.
    let mine = get(&app, &alice_token, &format!("users/{alice}/projects")).await;
    assert_eq!(ids(&mine, "projects"), [PROJECT]);
    assert_refused_by(
        &get(&app, &alice_token, &format!("users/{boss}/projects")).await,
        "identity:list_user_projects",
    );
    let scoped = get(&app, &alice_token, "auth/projects").await;
    assert_eq!(ids(&scoped, "projects"), [PROJECT]);
    let wrong = send(
        &app,
        Method::DELETE,
        "/openstack/identity/v3/projects",
        &[("x-auth-token", &boss_token)],
        None,
    )
    .await;
    assert_keystone_error(&wrong, StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    let anonymous = send(
        &app,
        Method::GET,
        "/openstack/identity/v3/projects",
        &[],
        None,
    )
    .await;
    assert_keystone_error(&anonymous, StatusCode::UNAUTHORIZED, "Unauthorized");
}

#[tokio::test]
async fn users_are_listed_for_admins_and_each_shown_to_itself_with_api_tokens_among_them() {
    let app = spawn_app().await;
    let alice = user(&app, "alice", Role::Staff, 1).await;
    let boss = user(&app, "boss", Role::Admin, 2).await;
    let operator = Actor::operator(TenantId::default_tenant());
    let (ci, _) = app
        .store
        .create_token(
            &operator,
            "ci",
            &Grant {
                role: Role::Manager,
                sites: None,
            },
            TokenLifetime::UNLIMITED,
            3,
            [3; 32],
        )
        .await
        .unwrap();
    let (alice_token, boss_token) = (token_of(&app, "alice").await, token_of(&app, "boss").await);

    let all = get(&app, &boss_token, "users").await;
    assert_eq!(
        ids(&all, "users"),
        [alice.clone(), boss.clone(), user_id_of(&ci.id)]
    );
    let first = &all.json()["users"][0];
    assert_eq!(
        (&first["name"], &first["domain_id"], &first["enabled"]),
        (&json!("alice"), &json!("default"), &json!(true))
    );
    assert_eq!(
        ids(&get(&app, &boss_token, "users?name=alice").await, "users"),
        [alice.as_str()]
    );
    assert!(ids(&get(&app, &boss_token, "users?name=Alic").await, "users").is_empty());
    assert!(
        ids(
            &get(&app, &boss_token, "users?domain_id=other").await,
            "users"
        )
        .is_empty()
    );
    app.store
        .set_user_disabled(&operator, &principal_of(&alice), true)
        .await
        .unwrap();
    assert_eq!(
        ids(
            &get(&app, &boss_token, "users?enabled=false").await,
            "users"
        ),
        [alice.as_str()]
    );
    app.store
        .set_user_disabled(&operator, &principal_of(&alice), false)
        .await
        .unwrap();
    let alice_token = if get(&app, &alice_token, "auth/projects").await.status == StatusCode::OK {
        alice_token
    } else {
        token_of(&app, "alice").await
    };
    assert_refused_by(
        &get(&app, &alice_token, "users").await,
        "identity:list_users",
    );

    let me = get(&app, &alice_token, &format!("users/{alice}")).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["user"]["name"], "alice");
    assert_eq!(me.json()["user"]["password_expires_at"], Value::Null);
    let token_user = get(&app, &boss_token, &format!("users/{}", ci.id)).await;
    assert_eq!(token_user.json()["user"]["name"], "ci");
    // A non-admin is refused before the id is looked for; an admin is told it is unknown.
    for other in [boss.as_str(), "usr_nobody"] {
        assert_refused_by(
            &get(&app, &alice_token, &format!("users/{other}")).await,
            "identity:get_user",
        );
    }
    assert_missing(
        &get(&app, &boss_token, "users/usr_nobody").await,
        "Could not find user: usr_nobody.",
    );
}

#[tokio::test]
async fn role_assignments_show_each_member_s_role_with_names_implied_roles_and_filters() {
    let app = spawn_app().await;
    let alice = user(&app, "alice", Role::Manager, 1).await;
    let boss = user(&app, "boss", Role::Admin, 2).await;
    let (alice_token, boss_token) = (token_of(&app, "alice").await, token_of(&app, "boss").await);
    let roles = |reply: &Reply| -> Vec<(String, String)> {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["role_assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let name = a["role"]["name"].as_str().map_or_else(
                    || a["role"]["id"].as_str().unwrap().to_owned(),
                    str::to_owned,
                );
                (a["user"]["id"].as_str().unwrap().to_owned(), name)
            })
            .collect()
    };
    let direct = get(&app, &boss_token, "role_assignments").await;
    // Roles by id: `member` and `admin` in hex.
    assert_eq!(
        roles(&direct),
        [
            (alice.clone(), "6d656d626572".to_owned()),
            (boss.clone(), "61646d696e".to_owned())
        ]
    );
    let first = &direct.json()["role_assignments"][0];
    assert_eq!(first["scope"]["project"]["id"], PROJECT);
    assert!(
        first["links"]["assignment"]
            .as_str()
            .unwrap()
            .ends_with(&format!(
                "/v3/projects/{PROJECT}/users/{alice}/roles/6d656d626572"
            ))
    );

    let named = get(&app, &boss_token, "role_assignments?include_names").await;
    let first = &named.json()["role_assignments"][0];
    assert_eq!(first["role"]["name"], "member");
    assert_eq!(first["user"]["name"], "alice");
    assert_eq!(first["user"]["domain"]["name"], "Default");
    assert_eq!(first["scope"]["project"]["name"], "Default");
    assert_eq!(
        roles(&get(&app, &boss_token, "role_assignments?include_names=0").await).len(),
        2
    );

    let effective = get(
        &app,
        &boss_token,
        &format!("role_assignments?effective&include_names=1&user.id={boss}"),
    )
    .await;
    let names: Vec<String> = roles(&effective).into_iter().map(|(_, r)| r).collect();
    assert_eq!(names, ["admin", "member", "reader"]);
    let implied = &effective.json()["role_assignments"][2];
    assert!(
        implied["links"]["prior_role"]
            .as_str()
            .unwrap()
            .ends_with("/v3/roles/6d656d626572")
    );

    for (query, found) in [
        (format!("user.id={alice}"), 1),
        ("role.id=61646d696e".to_owned(), 1),
        (format!("scope.project.id={PROJECT}"), 2),
        ("scope.project.id=other".to_owned(), 0),
        ("group.id=g1".to_owned(), 0),
        ("scope.domain.id=default".to_owned(), 0),
        ("scope.system=all".to_owned(), 0),
    ] {
        let reply = get(&app, &boss_token, &format!("role_assignments?{query}")).await;
        assert_eq!(roles(&reply).len(), found, "{query}");
    }
    assert_refused_by(
        &get(&app, &alice_token, "role_assignments").await,
        "identity:list_role_assignments",
    );
}

#[tokio::test]
async fn regions_services_and_endpoints_are_the_token_s_catalog() {
    let app = spawn_app().await;
    user(&app, "alice", Role::Staff, 1).await;
    user(&app, "boss", Role::Admin, 2).await;
    let (alice_token, boss_token) = (token_of(&app, "alice").await, token_of(&app, "boss").await);
    let login = login(&app, password_login("boss", PASSWORD)).await;
    let catalog = login.json()["token"]["catalog"].clone();

    let regions = get(&app, &alice_token, "regions").await;
    assert_eq!(ids(&regions, "regions"), ["RegionOne"]);
    assert_eq!(
        regions.json()["regions"][0]["parent_region_id"],
        Value::Null
    );
    let region = get(&app, &alice_token, "regions/RegionOne").await;
    assert_eq!(region.json()["region"]["id"], "RegionOne");
    assert_missing(
        &get(&app, &alice_token, "regions/Mars").await,
        "Could not find region: Mars.",
    );

    let services = get(&app, &boss_token, "services").await;
    let catalog_services: Vec<String> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&services, "services"), catalog_services);
    assert_eq!(services.json()["services"][0]["type"], "compute");
    assert_eq!(
        ids(
            &get(&app, &boss_token, "services?type=identity").await,
            "services"
        )
        .len(),
        1
    );

    let endpoints = get(&app, &boss_token, "endpoints").await;
    let catalog_endpoints: Vec<String> = catalog
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["endpoints"].as_array().unwrap().iter())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&endpoints, "endpoints"), catalog_endpoints);
    // `openstack endpoint list` looks up each endpoint's service.
    for endpoint in endpoints.json()["endpoints"].as_array().unwrap() {
        let service = endpoint["service_id"].as_str().unwrap();
        assert_eq!(
            get(&app, &boss_token, &format!("services/{service}"))
                .await
                .status,
            StatusCode::OK
        );
        let id = endpoint["id"].as_str().unwrap();
        let shown = get(&app, &boss_token, &format!("endpoints/{id}")).await;
        assert_eq!(shown.json()["endpoint"]["url"], endpoint["url"]);
    }
    let compute = &catalog_services[0];
    let filtered = get(
        &app,
        &boss_token,
        &format!("endpoints?service_id={compute}&interface=public&region_id=RegionOne"),
    )
    .await;
    assert_eq!(ids(&filtered, "endpoints").len(), 1);
    assert_eq!(
        ids(
            &get(&app, &boss_token, "endpoints?region_id=Mars").await,
            "endpoints"
        )
        .len(),
        0
    );
    assert_missing(
        &get(&app, &boss_token, "services/nope").await,
        "Could not find service: nope.",
    );
    assert_missing(
        &get(&app, &boss_token, "endpoints/nope").await,
        "Could not find endpoint: nope.",
    );
    for (path, rule) in [
        ("services", "identity:list_services"),
        ("services/nope", "identity:get_service"),
        ("endpoints", "identity:list_endpoints"),
        ("endpoints/nope", "identity:get_endpoint"),
    ] {
        assert_refused_by(&get(&app, &alice_token, path).await, rule);
    }
}

fn rescope(token: &str, scope: Value) -> Value {
    json!({"auth": {"identity": {"methods": ["token"], "token": {"id": token}}, "scope": scope}})
}

#[tokio::test]
async fn a_held_token_is_re_scoped_for_the_same_user_and_never_outlives_the_first() {
    let app = spawn_app().await;
    server(&app).await;
    let alice = user(&app, "alice", Role::Manager, 1).await;
    let first = login(&app, password_login("alice", PASSWORD)).await;
    let held = subject(&first);

    for scope in [
        json!({"project": {"name": "Default", "domain": {"name": "Default"}}}),
        json!({"project": {"id": PROJECT}}),
        Value::Null,
    ] {
        let reply = login(&app, rescope(&held, scope.clone())).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{scope}: {}", reply.body);
        let body = &reply.json()["token"];
        assert_eq!(body["methods"], json!(["token", "password"]));
        assert_eq!(body["user"]["id"], alice);
        assert_eq!(body["project"]["id"], PROJECT);
        assert_eq!(body["expires_at"], first.json()["token"]["expires_at"]);
        assert!(body["catalog"].is_array());
        let token = subject(&reply);
        assert_ne!(token, held);
        assert_eq!(
            server_metadata(&app, &token, "").await.status,
            StatusCode::OK
        );
    }

    // Another project is a failed login for a user, as with a password.
    let elsewhere = login(
        &app,
        rescope(&held, json!({"project": {"id": "6f74686572"}})),
    )
    .await;
    assert_keystone_error(&elsewhere, StatusCode::UNAUTHORIZED, "Unauthorized");
    // A token that does not work is not found; one not named is a bad request.
    for unknown in ["sba_nothing", "sbk_nothing", "nothing"] {
        let reply = login(&app, rescope(unknown, Value::Null)).await;
        assert_missing(&reply, "Could not find token.");
    }
    let unnamed = json!({"auth": {"identity": {"methods": ["token"], "token": {}}}});
    assert_keystone_error(
        &login(&app, unnamed).await,
        StatusCode::BAD_REQUEST,
        "Bad Request",
    );
    let revoked = look(
        &app,
        &held,
        &held,
        Method::DELETE,
        "/openstack/identity/v3/auth/tokens",
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_missing(
        &login(&app, rescope(&held, Value::Null)).await,
        "Could not find token.",
    );
}

#[tokio::test]
async fn an_api_token_s_token_keeps_its_project_and_is_refused_another_as_keystone_refuses() {
    let app = spawn_app().await;
    let operator = Actor::operator(TenantId::default_tenant());
    let (api_token, secret) = app
        .store
        .create_token(
            &operator,
            "ci",
            &Grant {
                role: Role::Staff,
                sites: None,
            },
            TokenLifetime::UNLIMITED,
            5,
            [5; 32],
        )
        .await
        .unwrap();
    let credential = json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": api_token.id, "secret": secret}}}});
    let held = subject(&login(&app, credential).await);

    // Its own project: Sitebook scopes an application credential to it anyway.
    let own = login(&app, rescope(&held, json!({"project": {"id": PROJECT}}))).await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    assert_eq!(
        own.json()["token"]["methods"],
        json!(["token", "application_credential"])
    );
    assert_eq!(own.json()["token"]["user"]["id"], user_id_of(&api_token.id));
    // The API token's own secret is taken as the held token too.
    let direct = login(&app, rescope(&secret, json!({"project": {"id": PROJECT}}))).await;
    assert_eq!(direct.status, StatusCode::CREATED, "{}", direct.body);
    assert_eq!(
        direct.json()["token"]["application_credential"]["id"],
        user_id_of(&api_token.id)
    );

    for token in [held.as_str(), secret.as_str()] {
        let reply = login(
            &app,
            rescope(token, json!({"project": {"name": "plant-north"}})),
        )
        .await;
        assert_keystone_error(&reply, StatusCode::FORBIDDEN, "Forbidden");
        assert_eq!(
            reply.json()["error"]["message"],
            "Using an application credential token to create a scoped token is not allowed."
        );
    }
}
