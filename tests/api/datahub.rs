//! `/datahub`: Data Hub's SDS API (namespaces, types, streams, stream metadata) over the same
//! catalogue as `/api/v1`, with the Python library's bodies and headers.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::Role;

use crate::support::{Client, Reply, TestApp, spawn_app};

const NS: &str = "/datahub/api/v1/Tenants/default/Namespaces/default";

/// A call as the library makes it: `Content-type: application/json` on every method.
async fn sds(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept", "application/json");
    let body = body.map_or_else(Body::empty, |json| Body::from(json.to_string()));
    app.send(request.body(body).unwrap()).await
}

/// The library's own test type, and a stream of it with metadata.
async fn tank(app: &TestApp, token: &str) {
    let created = sds(
        app,
        token,
        Method::POST,
        &format!("{NS}/Types/TestType"),
        Some(json!(
            {"Id":"TestType","SdsTypeCode":"Object","Properties":[{"Id":"Tan","IsKey":true,
             "SdsType":{"Id":"doubleType","SdsTypeCode":"Double","Properties":[]}}]}
        )),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let stream = sds(app, token, Method::POST, &format!("{NS}/Streams/Tank1"),
        Some(json!({"Id": "Tank1", "TypeId": "TestType", "Name": "Tank 1", "InterpolationMode": "Discrete"}))).await;
    assert_eq!(stream.status, StatusCode::CREATED, "{}", stream.body);
}

fn assert_sds_error(reply: &Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/json");
    let body = reply.json();
    for field in ["OperationId", "Error", "Reason", "Resolution", "Parameters"] {
        assert!(body.get(field).is_some(), "{field} in {body}");
    }
    assert_eq!(
        reply.header("operation-id".parse().unwrap()).as_deref(),
        body["OperationId"].as_str()
    );
    body
}

#[tokio::test]
async fn types_and_streams_are_got_or_created_in_any_spelling_and_case() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;

    // The same type again, by numbers this time and through lower-case path words: 200.
    let again = sds(
        &app,
        &token,
        Method::POST,
        "/datahub/api/v1/tenants/default/namespaces/default/types/testtype",
        Some(
            json!({"id":"testtype","SdsTypeCode":1,"Properties":[{"Id":"Tan","IsKey":true,"Order":0,
                    "SdsType":{"Id":"doubleType","SdsTypeCode":14}}]}),
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["Id"], "TestType");
    assert_eq!(again.json()["SdsTypeCode"], 1);
    assert_eq!(again.json()["Properties"][0]["SdsType"]["SdsTypeCode"], 14);
    let different = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Types/TestType"),
        Some(json!({"Id":"TestType","SdsTypeCode":"Double"})),
    )
    .await;
    assert_sds_error(&different, StatusCode::CONFLICT);

    let stream = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/TANK1"),
        None,
    )
    .await;
    assert_eq!(stream.status, StatusCode::OK, "{}", stream.body);
    let stream = stream.json();
    assert_eq!(stream["Id"], "Tank1");
    assert_eq!(stream["TypeId"], "TestType");
    assert_eq!(stream["InterpolationMode"], 3);
    assert!(stream.get("Description").is_none() && stream["CreatedDate"].is_string());

    let same = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Streams/Tank1"),
        Some(
            json!({"Id": "Tank1", "TypeId": "testtype", "Name": "Tank 1", "InterpolationMode": 3}),
        ),
    )
    .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    let other = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Streams/Tank1"),
        Some(json!({"Id": "Tank1", "TypeId": "TestType", "Name": "Another"})),
    )
    .await;
    assert_sds_error(&other, StatusCode::CONFLICT);
    let updated = sds(&app, &token, Method::PUT, &format!("{NS}/Streams/Tank1"),
        Some(json!({"Id": "Tank1", "TypeId": "TestType", "Name": "Tank one", "Description": "North"}))).await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT, "{}", updated.body);
    let retyped = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/Tank1"),
        Some(json!({"Id": "Tank1", "TypeId": "Other"})),
    )
    .await;
    assert_sds_error(&retyped, StatusCode::NOT_FOUND);

    let listed = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams?query=&skip=0&count=100"),
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let listed = listed.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["Name"], "Tank one");
    assert_eq!(listed[0]["Description"], "North");

    let in_use = sds(
        &app,
        &token,
        Method::DELETE,
        &format!("{NS}/Types/TestType"),
        None,
    )
    .await;
    assert_sds_error(&in_use, StatusCode::CONFLICT);
    let count = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Types/TestType/ReferenceCount"),
        None,
    )
    .await;
    assert_eq!(count.json()["SdsStream"], 1);
    let gone = sds(
        &app,
        &token,
        Method::DELETE,
        &format!("{NS}/Streams/Tank1"),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let missing = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/Tank1/Metadata"),
        None,
    )
    .await;
    let body = assert_sds_error(&missing, StatusCode::NOT_FOUND);
    assert_eq!(body["Parameters"]["StreamId"], "Tank1");
    let deleted = sds(
        &app,
        &token,
        Method::DELETE,
        &format!("{NS}/Types/TestType"),
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
}

#[tokio::test]
async fn metadata_is_replaced_patched_read_and_traced_as_seed_004_says() {
    let app = spawn_app().await;
    let first = app.token(Role::Manager, None).await;
    let second = app.token(Role::Manager, None).await;
    tank(&app, &first).await;
    let metadata = format!("{NS}/Streams/Tank1/Metadata");

    let empty = sds(&app, &first, Method::GET, &metadata, None).await;
    assert_eq!(empty.json(), json!({}));
    let put = sds(
        &app,
        &first,
        Method::PUT,
        &metadata,
        Some(json!({"Region": "North America", "Country": "Canada", "Province": "Quebec"})),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(
        put.json(),
        json!({"Region": "North America", "Country": "Canada", "Province": "Quebec"})
    );

    // The AVEVA sample's patch, sent as the library sends it: application/json.
    let patched = sds(
        &app,
        &second,
        Method::PATCH,
        &metadata,
        Some(json!([
        {"op":"remove","path":"/Region"},{"op":"replace","path":"/Province","value":"Ontario"},
        {"op":"add","path":"/City","value":"Toronto"}])),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        patched.json(),
        json!({"Country": "Canada", "Province": "Ontario", "City": "Toronto"})
    );

    // A failing test changes nothing.
    let failed = sds(&app, &second, Method::PATCH, &metadata, Some(json!([
        {"op":"replace","path":"/City","value":"Ottawa"},{"op":"test","path":"/Country","value":"France"}]))).await;
    assert_sds_error(&failed, StatusCode::BAD_REQUEST);
    let key = sds(&app, &first, Method::GET, &format!("{metadata}/City"), None).await;
    assert_eq!(key.json(), json!("Toronto"));
    assert_sds_error(
        &sds(
            &app,
            &first,
            Method::GET,
            &format!("{metadata}/Nowhere"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    );
    let number = sds(
        &app,
        &first,
        Method::PUT,
        &metadata,
        Some(json!({"Rack": 4})),
    )
    .await;
    assert_sds_error(&number, StatusCode::BAD_REQUEST);

    let changes = sds(
        &app,
        &first,
        Method::GET,
        &format!("{NS}/Streams/Tank1/ChangeData/Metadata"),
        None,
    )
    .await;
    let changes = changes.json();
    assert_eq!(changes["Country"]["Value"], "Canada");
    assert_eq!(changes["Country"]["ChangeData"]["CreatorType"], 2);
    assert_ne!(
        changes["Country"]["ChangeData"]["CreatorId"],
        changes["City"]["ChangeData"]["CreatorId"]
    );
    assert!(
        changes["City"]["ChangeData"]["Timestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(changes.get("name").is_none());

    // If-Match with a stale ETag: 412 and nothing changes.
    let current = sds(&app, &first, Method::GET, &metadata, None).await;
    let etag = current.header(axum::http::header::ETAG).unwrap();
    sds(
        &app,
        &first,
        Method::PUT,
        &metadata,
        Some(json!({"City": "Montreal"})),
    )
    .await;
    let stale = app
        .send(
            Request::put(&metadata)
                .header("authorization", format!("Bearer {first}"))
                .header("if-match", etag)
                .body(Body::from(r#"{"City":"Laval"}"#))
                .unwrap(),
        )
        .await;
    assert_sds_error(&stale, StatusCode::PRECONDITION_FAILED);

    // The stream is a Sitebook resource: the native API sees the same metadata, and its name.
    let id = current_resource_id(&app, &first).await;
    let native = Client {
        app: &app,
        token: first.clone(),
    }
    .get(&format!("/metadata/{id}"))
    .await;
    assert_eq!(
        native.json()["metadata"]["City"],
        "Montreal",
        "{}",
        native.body
    );

    let cleared = sds(&app, &first, Method::DELETE, &metadata, None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sds(&app, &first, Method::GET, &metadata, None).await.json(),
        json!({})
    );
}

async fn current_resource_id(app: &TestApp, token: &str) -> String {
    let found = Client {
        app,
        token: token.to_owned(),
    }
    .get("/resources?q=type:datahub.stream")
    .await;
    found.json()["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn bad_tokens_other_tenants_staff_writes_and_data_calls_get_data_hubs_error_body() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    let unauthorized = sds(
        &app,
        "sbk_nonsense",
        Method::GET,
        &format!("{NS}/Streams"),
        None,
    )
    .await;
    assert_sds_error(&unauthorized, StatusCode::UNAUTHORIZED);
    let other = sds(
        &app,
        &token,
        Method::GET,
        "/datahub/api/v1/Tenants/elsewhere/Namespaces/default/Streams",
        None,
    )
    .await;
    assert_sds_error(&other, StatusCode::FORBIDDEN);
    let no_ns = sds(
        &app,
        &token,
        Method::GET,
        "/datahub/api/v1/Tenants/default/Namespaces/nope/Streams",
        None,
    )
    .await;
    assert_sds_error(&no_ns, StatusCode::NOT_FOUND);
    let staff = app.token(Role::Staff, None).await;
    let refused = sds(
        &app,
        &staff,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Metadata"),
        Some(json!({"a": "b"})),
    )
    .await;
    assert_sds_error(&refused, StatusCode::FORBIDDEN);
    let data = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/Tank1/Data/Last"),
        None,
    )
    .await;
    assert_sds_error(&data, StatusCode::NOT_IMPLEMENTED);
    let no_stream = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/Nope/Data?index=1"),
        None,
    )
    .await;
    assert_sds_error(&no_stream, StatusCode::NOT_FOUND);
    let unknown = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/StreamViews"),
        None,
    )
    .await;
    assert_sds_error(&unknown, StatusCode::NOT_FOUND);
    let bad_count = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams?count=-1"),
        None,
    )
    .await;
    assert_sds_error(&bad_count, StatusCode::BAD_REQUEST);
    let namespaces = sds(
        &app,
        &token,
        Method::GET,
        "/datahub/api/v1/Tenants/default/Namespaces?region=",
        None,
    )
    .await;
    assert_eq!(namespaces.json()[0]["Id"], "default", "{}", namespaces.body);
}

/// A form post to the token endpoint, as the Python library sends it.
async fn token_request(app: &TestApp, form: &str, basic: Option<&str>) -> Reply {
    let mut request = Request::post("/datahub/identity/connect/token")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(basic) = basic {
        request = request.header("authorization", format!("Basic {basic}"));
    }
    app.send(request.body(Body::from(form.to_owned())).unwrap())
        .await
}

#[tokio::test]
async fn the_library_logs_in_with_an_api_tokens_id_and_secret_as_client_credentials() {
    use sitebook::core::access::{Actor, TokenLifetime};
    use sitebook::core::tenancy::TenantId;
    use sitebook::store::Grant;

    let app = spawn_app().await;
    let discovery = app
        .send(
            Request::get("/datahub/identity/.well-known/openid-configuration")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(discovery.status, StatusCode::OK);
    let endpoint = discovery.json()["token_endpoint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        endpoint.starts_with("http") && endpoint.ends_with("/datahub/identity/connect/token"),
        "{endpoint}"
    );

    let operator = Actor::operator(TenantId::default_tenant());
    let grant = Grant {
        role: Role::Manager,
        sites: None,
    };
    let (client, secret) = app
        .store
        .create_token(
            &operator,
            "adh script",
            &grant,
            TokenLifetime::UNLIMITED,
            77,
            [7; 32],
        )
        .await
        .unwrap();
    let form = format!(
        "client_id={}&client_secret={secret}&grant_type=client_credentials",
        client.id
    );
    let issued = token_request(&app, &form, None).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert_eq!(
        issued.header(axum::http::header::CACHE_CONTROL).as_deref(),
        Some("no-store")
    );
    let body = issued.json();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 300);
    let access = body["access_token"].as_str().unwrap().to_owned();
    tank(&app, &access).await;
    let changes = sds(
        &app,
        &access,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Metadata"),
        Some(json!({"a": "b"})),
    )
    .await;
    assert_eq!(changes.status, StatusCode::OK, "{}", changes.body);
    let traced = sds(
        &app,
        &access,
        Method::GET,
        &format!("{NS}/Streams/Tank1/ChangeData/Metadata"),
        None,
    )
    .await;
    assert_eq!(
        traced.json()["a"]["ChangeData"]["CreatorId"],
        client.id.as_str()
    );
    assert_eq!(traced.json()["a"]["ChangeData"]["CreatorType"], 2);

    // HTTP Basic carries the same credentials.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", client.id));
    let by_basic = token_request(&app, "grant_type=client_credentials", Some(&basic)).await;
    assert_eq!(by_basic.status, StatusCode::OK, "{}", by_basic.body);

    let wrong = token_request(
        &app,
        &format!(
            "client_id={}&client_secret=sbk_wrong&grant_type=client_credentials",
            client.id
        ),
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json()["error"], "invalid_client");
    let grant_type = token_request(
        &app,
        &format!(
            "client_id={}&client_secret={secret}&grant_type=password",
            client.id
        ),
        None,
    )
    .await;
    assert_eq!(grant_type.json()["error"], "unsupported_grant_type");

    // The access token dies with its API token.
    app.store.revoke_token(&operator, &client.id).await.unwrap();
    let after = sds(&app, &access, Method::GET, &format!("{NS}/Streams"), None).await;
    assert_sds_error(&after, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_add_namespaces_that_keep_their_streams_apart() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin, None).await;
    let manager = app.token(Role::Manager, None).await;
    let plant = "/datahub/api/v1/Tenants/default/Namespaces/Plant%202";
    let refused = sds(
        &app,
        &manager,
        Method::POST,
        plant,
        Some(json!({"Id": "Plant 2"})),
    )
    .await;
    assert_sds_error(&refused, StatusCode::FORBIDDEN);
    let created = sds(
        &app,
        &admin,
        Method::POST,
        plant,
        Some(json!({"Id": "Plant 2", "Description": "South"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["Description"], "South");
    let again = sds(
        &app,
        &admin,
        Method::POST,
        "/datahub/api/v1/Tenants/default/Namespaces/plant%202",
        Some(json!({})),
    )
    .await;
    assert_sds_error(&again, StatusCode::CONFLICT);
    let bad = sds(
        &app,
        &admin,
        Method::POST,
        "/datahub/api/v1/Tenants/default/Namespaces/__x",
        Some(json!({})),
    )
    .await;
    assert_sds_error(&bad, StatusCode::BAD_REQUEST);
    // The same stream id in two namespaces is two streams.
    tank(&app, &manager).await;
    let other_ns = "/datahub/api/v1/Tenants/default/Namespaces/Plant%202";
    let missing = sds(
        &app,
        &manager,
        Method::GET,
        &format!("{other_ns}/Streams/Tank1"),
        None,
    )
    .await;
    assert_sds_error(&missing, StatusCode::NOT_FOUND);
    let listed = sds(
        &app,
        &manager,
        Method::GET,
        "/datahub/api/v1/Tenants/default/Namespaces",
        None,
    )
    .await;
    assert_eq!(
        listed.json().as_array().unwrap().len(),
        2,
        "{}",
        listed.body
    );
}

/// Used to: a list of 40,000 names was read whole and its repeats removed pairwise before the
/// role, the stream or the 100-name bound were looked at; two such requests froze the server
/// for over a minute.
#[tokio::test]
async fn a_flood_of_tag_names_is_refused_unread_or_by_its_size() {
    let app = spawn_app().await;
    let manager = app.token(Role::Manager, None).await;
    tank(&app, &manager).await;
    let tags = format!("{NS}/Streams/Tank1/Tags");
    let flood: Vec<String> = (0..40_000).map(|i| format!("t{}", i % 20_000)).collect();
    let staff = app.token(Role::Staff, None).await;
    let refused = sds(&app, &staff, Method::PUT, &tags, Some(json!(flood))).await;
    assert_sds_error(&refused, StatusCode::FORBIDDEN);
    let refused = sds(&app, &manager, Method::PUT, &tags, Some(json!(flood))).await;
    assert_sds_error(&refused, StatusCode::PAYLOAD_TOO_LARGE);
    // Within the body limit, 101 distinct names are one too many, repeats or not.
    let many: Vec<String> = (0..1000).map(|i| format!("t{}", i % 101)).collect();
    let refused = sds(&app, &manager, Method::PUT, &tags, Some(json!(many))).await;
    let body = assert_sds_error(&refused, StatusCode::BAD_REQUEST);
    assert!(body["Error"].as_str().unwrap().contains("100"), "{body}");
}

#[tokio::test]
async fn tags_are_put_in_order_defined_on_first_use_read_and_deleted() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    let tags = format!("{NS}/Streams/Tank1/Tags");
    let none = sds(&app, &token, Method::GET, &tags, None).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.body);
    assert_eq!(none.json(), json!([]));

    let put = sds(
        &app,
        &token,
        Method::PUT,
        &tags,
        Some(json!(["pump", "critical", "pump"])),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.json(), json!(["pump", "critical"]));
    let read = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/streams/tank1/tags"),
        None,
    )
    .await;
    assert_eq!(read.json(), json!(["pump", "critical"]));

    // The names are Sitebook tag definitions for streams, marked as the client's.
    let admin = app.token(Role::Admin, None).await;
    let listed = app
        .send(
            Request::builder()
                .uri("/api/v1/tags")
                .header("authorization", format!("Bearer {admin}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let listed = listed.json();
    let pump = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "pump")
        .cloned()
        .unwrap_or_else(|| panic!("pump in {listed}"));
    assert_eq!(pump["applies_to"], json!(["datahub.stream"]));
    assert!(pump["auto_defined_by"].is_string(), "{pump}");

    let reordered = sds(
        &app,
        &token,
        Method::PUT,
        &tags,
        Some(json!(["Critical", "level"])),
    )
    .await;
    assert_eq!(reordered.json(), json!(["critical", "level"]));
    let deleted = sds(&app, &token, Method::DELETE, &tags, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sds(&app, &token, Method::GET, &tags, None).await.json(),
        json!([])
    );

    let not_a_list = sds(&app, &token, Method::PUT, &tags, Some(json!({"a": 1}))).await;
    assert_sds_error(&not_a_list, StatusCode::BAD_REQUEST);
    let missing = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/Nope/Tags"),
        None,
    )
    .await;
    assert_sds_error(&missing, StatusCode::NOT_FOUND);
    let staff = app.token(Role::Staff, None).await;
    let refused = sds(&app, &staff, Method::PUT, &tags, Some(json!(["x"]))).await;
    assert_sds_error(&refused, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_unknown_tag_is_refused_naming_it_once_auto_definition_is_off() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    // The setting is the tenant's, changed by admins (here through /api/v1; also the CLI).
    let manager = Client::new(&app, Role::Manager).await;
    let off = json!({"datahub_auto_define_tags": false});
    let refused = manager
        .call(Method::PUT, "/settings")
        .json(&off)
        .send()
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let admin = Client::new(&app, Role::Admin).await;
    let set = admin.call(Method::PUT, "/settings").json(&off).send().await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        manager.get("/settings").await.json()["datahub_auto_define_tags"],
        false
    );
    let refused = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Tags"),
        Some(json!(["pump"])),
    )
    .await;
    let body = assert_sds_error(&refused, StatusCode::BAD_REQUEST);
    assert_eq!(body["Parameters"]["Tag"], "pump", "{body}");
    assert!(
        body["Resolution"].as_str().unwrap().contains("admin"),
        "{body}"
    );
}

#[tokio::test]
async fn streams_and_types_are_searched_with_data_hubs_query_syntax() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    let pump = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Streams/Pump2"),
        Some(json!({"Id": "Pump2", "TypeId": "TestType", "Description": "mud pump pressure"})),
    )
    .await;
    assert_eq!(pump.status, StatusCode::CREATED, "{}", pump.body);
    let put = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Metadata"),
        Some(json!({"manufacturer": "company", "range": "1:100"})),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let tagged = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/Pump2/Tags"),
        Some(json!(["temperature"])),
    )
    .await;
    assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);

    let ids = |reply: Reply| -> Vec<String> {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Id"].as_str().unwrap().to_owned())
            .collect()
    };
    for (query, want) in [
        ("manufacturer:company", vec!["Tank1"]),
        ("company", vec!["Tank1"]),
        ("Id:*1", vec!["Tank1"]),
        ("Id*:t*", vec![]),
        ("mud+AND+(log+OR+pump*)", vec!["Pump2"]),
        ("%22mud+pump%22*", vec!["Pump2"]),
        ("temp*", vec!["Pump2"]),
        ("range:1%5C:100", vec!["Tank1"]),
        ("tank1+pump2", vec!["Pump2", "Tank1"]),
        ("tank1+NOT+tank1", vec!["Pump2", "Tank1"]),
        ("", vec!["Pump2", "Tank1"]),
    ] {
        let found = sds(
            &app,
            &token,
            Method::GET,
            &format!("{NS}/Streams?query={query}&skip=0&count=100"),
            None,
        )
        .await;
        assert_eq!(ids(found), want, "{query}");
    }
    let paged = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams?query=Id:*&skip=1&count=1"),
        None,
    )
    .await;
    assert_eq!(ids(paged), ["Tank1"]);
    let unsupported = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams?query=*l*g*"),
        None,
    )
    .await;
    let body = assert_sds_error(&unsupported, StatusCode::BAD_REQUEST);
    assert!(
        body["Error"].as_str().unwrap().contains("wildcard"),
        "{body}"
    );

    let types = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Types?skip=0&count=100&query=Id:*Test*"),
        None,
    )
    .await;
    assert_eq!(ids(types), ["TestType"]);
    let no_types = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Types?skip=0&count=100&query=Id:*Target*"),
        None,
    )
    .await;
    assert_eq!(ids(no_types), Vec::<String>::new());
}

/// Used to: a query matching nothing walked the whole namespace with no deadline. One still
/// running at its deadline is refused with Data Hub's 400 body naming the rule (the deadline
/// is made tiny here).
#[tokio::test]
async fn a_stream_search_past_its_deadline_is_refused_with_data_hubs_body() {
    use sitebook::core::search::SearchLimits;

    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    app.store.set_search_limits(SearchLimits {
        deadline: std::time::Duration::ZERO,
        ..SearchLimits::default()
    });
    for path in ["Streams", "Types"] {
        let reply = sds(
            &app,
            &token,
            Method::GET,
            &format!("{NS}/{path}?query=nothing*"),
            None,
        )
        .await;
        let body = assert_sds_error(&reply, StatusCode::BAD_REQUEST);
        assert!(
            body["Reason"].as_str().unwrap().contains("search_too_slow"),
            "{body}"
        );
        assert!(
            body["Resolution"].as_str().unwrap().contains("narrow"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_stream_deleted_and_made_again_reads_as_the_new_one_in_any_case() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    let metadata = format!("{NS}/Streams/Tank1/Metadata");
    let put = sds(
        &app,
        &token,
        Method::PUT,
        &metadata,
        Some(json!({"site": "old"})),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    // Read twice, so the second read is answered from what the first one learnt.
    for _ in 0..2 {
        let read = sds(&app, &token, Method::GET, &metadata, None).await;
        assert_eq!(read.json(), json!({"site": "old"}));
    }
    let first = current_resource_id(&app, &token).await;

    let gone = sds(
        &app,
        &token,
        Method::DELETE,
        &format!("{NS}/Streams/tank1"),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    let missing = sds(&app, &token, Method::GET, &metadata, None).await;
    assert_sds_error(&missing, StatusCode::NOT_FOUND);
    let again = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Streams/TANK1"),
        Some(json!({"Id": "TANK1", "TypeId": "TestType"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_ne!(current_resource_id(&app, &token).await, first);
    for spelling in ["Tank1", "tank1", "TANK1"] {
        let read = sds(
            &app,
            &token,
            Method::GET,
            &format!("{NS}/Streams/{spelling}/Metadata"),
            None,
        )
        .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.json(), json!({}), "{spelling}");
    }
    let put = sds(
        &app,
        &token,
        Method::PUT,
        &metadata,
        Some(json!({"site": "new"})),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let read = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/tank1/Metadata"),
        None,
    )
    .await;
    assert_eq!(read.json(), json!({"site": "new"}));
    assert!(read.header("etag".parse().unwrap()).is_some());
}

#[tokio::test]
async fn words_match_in_any_case_and_unknown_paths_get_data_hubs_404() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    let put = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Metadata"),
        Some(json!({"Unit": "m"})),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let respelled = sds(
        &app,
        &token,
        Method::GET,
        "/datahub/API/V1/tenants/default/NAMESPACES/default/streams/Tank1/metadata/?x=1",
        None,
    )
    .await;
    assert_eq!(respelled.status, StatusCode::OK, "{}", respelled.body);
    assert_eq!(respelled.json(), json!({"Unit": "m"}));
    for path in [
        "/datahub",
        "/datahub/",
        "/datahub/api/v2/Tenants",
        &format!("{NS}/Streams/Tank1/Nothing"),
    ] {
        let missing = sds(&app, &token, Method::GET, path, None).await;
        assert_sds_error(&missing, StatusCode::NOT_FOUND);
        assert!(
            missing.header("x-request-id".parse().unwrap()).is_some(),
            "{path}"
        );
    }
}

/// Used to: a list's `skip` or `count` given twice was a plain-text 400 (the query parser's
/// "duplicate field"), not Data Hub's error body, and `skip` took values past the .NET `int`
/// Data Hub reads it as. Names are read in any case, as ASP.NET binds them. Found by the
/// conformance run (tests/conformance/faces/datahub.yaml).
#[tokio::test]
async fn list_parameters_bind_as_data_hubs_and_refuse_in_its_body() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    tank(&app, &token).await;
    let get = |path: String| {
        let (app, token) = (&app, &token);
        async move { sds(app, token, Method::GET, &path, None).await }
    };
    for list in ["Streams", "Types"] {
        for query in ["count=0", "COUNT=0", "Skip=1&Count=0"] {
            let reply = get(format!("{NS}/{list}?{query}")).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{list}?{query}: {}",
                reply.body
            );
            assert_eq!(reply.json(), json!([]), "{list}?{query}");
        }
        let all = get(format!("{NS}/{list}?SKIP=0")).await;
        assert_eq!(
            all.json().as_array().unwrap().len(),
            1,
            "{list}: {}",
            all.body
        );
        for query in [
            "skip=0&skip=1",
            "count=1&Count=2",
            "skip=&skip=true",
            "skip=2147483648",
            "skip=-1",
            "count=1001",
        ] {
            let refused = get(format!("{NS}/{list}?{query}")).await;
            assert_sds_error(&refused, StatusCode::BAD_REQUEST);
        }
        let last = get(format!("{NS}/{list}?skip=2147483647")).await;
        assert_eq!(last.json(), json!([]), "{list}: {}", last.body);
    }
}

/// Used to: with the resource at the host's root the library's login read the web UI's HTML
/// page and died in `JSONDecodeError`; a GUID tenant was 403 with an empty Resolution; and many
/// errors left Reason and Resolution empty, so `SdsError` printed raw JSON.
#[tokio::test]
async fn clients_configured_as_for_data_hub_itself_are_served_or_told_what_to_change() {
    let app = spawn_app().await;
    // At the host's root, as real Data Hub has it: the discovery document, and the API under
    // a tenant, in any case.
    let root = app
        .send(
            Request::get("/identity/.well-known/openid-configuration")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(root.status, StatusCode::OK, "{}", root.body);
    assert!(
        root.json()["token_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/identity/connect/token")
    );
    let token = app.token(Role::Staff, None).await;
    let listed = sds(
        &app,
        &token,
        Method::GET,
        "/api/v1/tenants/default/namespaces/default/streams",
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    // The native API beside it is untouched.
    let native = app
        .send(
            Request::get("/api/v1/metadata")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_ne!(native.content_type(), "");

    let guid = sds(
        &app,
        &token,
        Method::GET,
        "/datahub/api/v1/Tenants/6b0e7f1c-2f4a-4f8e-9c1d-2a3b4c5d6e7f/Namespaces/default/Streams",
        None,
    )
    .await;
    let body = assert_sds_error(&guid, StatusCode::FORBIDDEN);
    assert!(
        body["Resolution"].as_str().unwrap().contains("default"),
        "{body}"
    );

    for (path, status) in [
        (format!("{NS}/Streams/Nope"), StatusCode::NOT_FOUND),
        (format!("{NS}/Types/Nope"), StatusCode::NOT_FOUND),
        (format!("{NS}/Streams?count=5000"), StatusCode::BAD_REQUEST),
        (
            "/datahub/api/v1/Tenants/default/Namespaces/nope/Streams".to_owned(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let reply = sds(&app, &token, Method::GET, &path, None).await;
        let body = assert_sds_error(&reply, status);
        for field in ["Reason", "Resolution"] {
            assert!(
                body[field].as_str().is_some_and(|s| !s.is_empty()),
                "{path}: {field} in {body}"
            );
        }
    }
    let staff_write = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Metadata"),
        Some(json!({"a": "b"})),
    )
    .await;
    let body = assert_sds_error(&staff_write, StatusCode::FORBIDDEN);
    assert!(
        body["Resolution"].as_str().is_some_and(|s| !s.is_empty()),
        "{body}"
    );
}

/// Issue 32, item 11: the bulk data call answered the generic 404.
#[tokio::test]
async fn bulk_stream_data_is_the_stream_data_501() {
    let app = spawn_app().await;
    let token = app.token(Role::Staff, None).await;
    let reply = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Bulk/Streams/Data/Joins"),
        Some(json!([{"StreamId": "Tank1"}])),
    )
    .await;
    assert_sds_error(&reply, StatusCode::NOT_IMPLEMENTED);
}

/// Issue 32, item 11: a stream is found natively by its Data Hub id, and its name is the
/// `name` item there, as every resource's is.
#[tokio::test]
async fn a_streams_native_id_is_its_data_hub_id_and_its_name_is_its_name_item() {
    let app = spawn_app().await;
    let token = app.token(Role::Manager, None).await;
    let native = Client {
        app: &app,
        token: token.clone(),
    };
    tank(&app, &token).await;
    let read = native.get("/metadata/Tank1").await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.json()["metadata"], json!({"name": "Tank 1"}));
    // Data Hub still sees the name as the stream's `Name`, not an item.
    let items = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/Tank1/Metadata"),
        None,
    )
    .await;
    assert_eq!(items.json(), json!({}));

    // A Data Hub rename is the native name, and moves the metadata's ETag.
    let before = crate::support::etag(&read);
    let renamed = sds(
        &app,
        &token,
        Method::PUT,
        &format!("{NS}/Streams/tank1"),
        Some(json!({"Id": "Tank1", "TypeId": "TestType", "Name": "Tank One"})),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT, "{}", renamed.body);
    let read = native.get("/metadata/Tank1").await;
    assert_eq!(read.json()["metadata"]["name"], "Tank One");
    assert_ne!(crate::support::etag(&read), before);

    // A native rename is the stream's Data Hub `Name`.
    let put = native
        .call(Method::PUT, "/metadata/Tank1/name")
        .json(&json!({"value": "Tank Uno"}))
        .send()
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let shown = sds(
        &app,
        &token,
        Method::GET,
        &format!("{NS}/Streams/Tank1"),
        None,
    )
    .await;
    assert_eq!(shown.json()["Name"], "Tank Uno", "{}", shown.body);

    // Without a `Name`, the name is the id; characters a native id lacks are escaped.
    let odd = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Streams/Pump%20A:1"),
        Some(json!({"TypeId": "TestType"})),
    )
    .await;
    assert_eq!(odd.status, StatusCode::CREATED, "{}", odd.body);
    let read = native.get("/metadata/Pump:20A:3A1").await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.json()["metadata"], json!({"name": "Pump A:1"}));

    // An id another resource holds: the stream takes a minted one, as before.
    let device = native
        .call(Method::POST, "/metadata")
        .json(
            &json!({"resource_id": "Taken", "type": "mikrotik.device", "metadata": {"name": "d"}}),
        )
        .send()
        .await;
    assert!(device.status.is_success(), "{}", device.body);
    let taken = sds(
        &app,
        &token,
        Method::POST,
        &format!("{NS}/Streams/Taken"),
        Some(json!({"TypeId": "TestType"})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let found = native
        .get("/resources?q=type:datahub.stream%20name:Taken")
        .await;
    let id = found.json()["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(id.starts_with("datahub_"), "{}", found.body);
}

/// Issue 32, item 11: a token limited to one site creates streams under it; one limited to
/// several is told how to create one.
#[tokio::test]
async fn a_token_limited_to_one_site_creates_streams_under_it_and_others_are_told_how() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let mut sites = Vec::new();
    for name in ["North", "South"] {
        let created = admin
            .call(Method::POST, "/sites")
            .json(&json!({"name": name}))
            .send()
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        sites.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    let one = app
        .token(Role::Manager, Some(vec![sites[0].as_str()]))
        .await;
    // The library's own order: the type, then the stream, then its metadata.
    tank(&app, &one).await;
    let resource = admin.get("/resources/Tank1").await;
    assert_eq!(
        resource.json()["parent_id"],
        sites[0].as_str(),
        "{}",
        resource.body
    );
    let written = sds(
        &app,
        &one,
        Method::PUT,
        &format!("{NS}/Streams/Tank1/Metadata"),
        Some(json!({"City": "Toronto"})),
    )
    .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);

    let several = app
        .token(
            Role::Manager,
            Some(sites.iter().map(String::as_str).collect()),
        )
        .await;
    let refused = sds(
        &app,
        &several,
        Method::POST,
        &format!("{NS}/Streams/Tank2"),
        Some(json!({"TypeId": "TestType"})),
    )
    .await;
    let body = assert_sds_error(&refused, StatusCode::FORBIDDEN);
    assert!(
        body["Reason"].as_str().unwrap().contains("several"),
        "{body}"
    );
    let resolution = body["Resolution"].as_str().unwrap();
    assert!(
        resolution.contains("limited to one site") && resolution.contains("/parent"),
        "{body}"
    );
    // Nothing was made.
    let missing = sds(
        &app,
        &several,
        Method::GET,
        &format!("{NS}/Streams/Tank2"),
        None,
    )
    .await;
    assert_sds_error(&missing, StatusCode::NOT_FOUND);
}
