//! `/metadata`: every success path and every kind of bad input, with the seed's bodies.

use crate::support::{Call, Client, etag, spawn_app, spawn_app_with};
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sitebook::core::access::Role;
use sitebook::core::tenancy::TenantId;

const ROUTER_ID: &str = "9b52d930-f432-4c0a-bac0-4c12dff85544";

/// The seed's `MetadataCreate` example, extended with its `Metadata` example's typed values.
fn seed_create() -> Value {
    json!({
        "resource_id": ROUTER_ID,
        "type": "mikrotik.device",
        "metadata": {
            "name": "Main Office Router",
            "location": "Level 5, Server Room A",
            "contact_person": "john.doe@example.com",
            "circuit_id": "AS12345-XYZ",
            "install_date": "2025-01-15",
            "is_critical": true,
            "rack_units": 2
        }
    })
}

#[tokio::test]
async fn the_seed_example_creates_metadata_and_reads_back_exactly() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let created = manager.create(&seed_create()).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(
        created.json(),
        seed_create(),
        "the response has the seed's Metadata shape"
    );
    assert_eq!(etag(&created), "\"1\"");

    let read = manager.get(&format!("/metadata/{ROUTER_ID}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.content_type(), "application/json");
    assert_eq!(read.json(), seed_create());
    assert_eq!(etag(&read), etag(&created));
    let unchanged = manager
        .call(Method::GET, &format!("/metadata/{ROUTER_ID}"))
        .header("if-none-match", &etag(&read))
        .send()
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.body.is_empty());

    // POST again overwrites the whole dictionary; `name` is no longer required.
    let overwritten = manager
        .create(&json!({"resource_id": ROUTER_ID, "type": "mikrotik.device",
                        "metadata": {"rack_units": 4}}))
        .await;
    assert_eq!(overwritten.status, StatusCode::OK, "{}", overwritten.body);
    assert_eq!(overwritten.json()["metadata"], json!({"rack_units": 4}));
    assert_eq!(etag(&overwritten), "\"2\"");
    // A read after the write sees the new dictionary, not a cached body of the old one.
    let reread = manager.get(&format!("/metadata/{ROUTER_ID}")).await;
    assert_eq!(reread.json()["metadata"], json!({"rack_units": 4}));
    assert_eq!(etag(&reread), "\"2\"");
    let changed_since = manager
        .call(Method::GET, &format!("/metadata/{ROUTER_ID}"))
        .header("if-none-match", &etag(&read))
        .send()
        .await;
    assert_eq!(
        changed_since.status,
        StatusCode::OK,
        "the old ETag no longer matches"
    );
}

#[tokio::test]
async fn numbers_keep_their_exact_type() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let body = json!({"resource_id": "r1", "type": "wan",
        "metadata": {"name": "WAN 1", "big": 9007199254740993_i64, "ratio": 0.25, "one": 1.0, "asn": "64512"}});
    let reply = manager.create(&body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let read = manager.get("/metadata/r1").await;
    assert!(read.body.contains("9007199254740993"), "{}", read.body);
    assert!(read.body.contains("\"one\":1.0"), "{}", read.body);
    assert_eq!(read.json()["metadata"]["asn"], "64512");
}

#[tokio::test]
async fn creating_without_a_name_is_the_seeds_parameter_missing_and_writes_nothing() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let reply = manager
        .create(&json!({"resource_id": ROUTER_ID, "type": "mikrotik.device",
                        "metadata": {"location": "Level 5"}}))
        .await;
    reply.assert_error(StatusCode::BAD_REQUEST, "parameter_missing");
    assert_eq!(reply.json()["type"], "invalid_request_error");
    manager
        .get(&format!("/metadata/{ROUTER_ID}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn malformed_requests_get_a_4xx_in_the_error_body_and_write_nothing() {
    // POST /metadata is Altostrat's createMetadata, whose document knows only 400 for a bad
    // request: every refusal of the body is a 400 there, the precise code in the body.
    let app = spawn_app_with(&["--max-metadata-keys", "3"]).await;
    let manager = Client::new(&app, Role::Manager).await;
    let with_meta =
        |m: Value| json!({"resource_id": ROUTER_ID, "type": "mikrotik.device", "metadata": m});
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"resource_id": ROUTER_ID, "metadata": {"name": "x"}}),
            StatusCode::BAD_REQUEST,
            "parameter_missing",
        ),
        (
            json!({"resource_id": 5, "type": "site", "metadata": {}}),
            StatusCode::BAD_REQUEST,
            "parameter_invalid",
        ),
        (
            json!({"resource_id": ROUTER_ID, "type": "Bad Type", "metadata": {"name": "x"}}),
            StatusCode::BAD_REQUEST,
            "resource_type_invalid",
        ),
        (
            json!({"resource_id": "a/b", "type": "site", "metadata": {"name": "x"}}),
            StatusCode::BAD_REQUEST,
            "resource_id_invalid",
        ),
        (
            with_meta(json!(["name"])),
            StatusCode::BAD_REQUEST,
            "metadata_not_an_object",
        ),
        (
            with_meta(json!({"name": "x", "nested": {"a": 1}})),
            StatusCode::BAD_REQUEST,
            "metadata_value_not_scalar",
        ),
        (
            with_meta(json!({"name": "x", "gone": null})),
            StatusCode::BAD_REQUEST,
            "metadata_value_null",
        ),
        (
            with_meta(json!({"name": "x", "": 1})),
            StatusCode::BAD_REQUEST,
            "metadata_key_empty",
        ),
        (
            with_meta(json!({"name": "x", "k".repeat(256): 1})),
            StatusCode::BAD_REQUEST,
            "metadata_key_too_long",
        ),
        (
            with_meta(json!({"name": "x", "tab\tkey": 1})),
            StatusCode::BAD_REQUEST,
            "metadata_key_control_character",
        ),
        (
            with_meta(json!({"name": "x", "v": "x".repeat(64 * 1024 + 1)})),
            StatusCode::BAD_REQUEST,
            "metadata_value_too_long",
        ),
        (
            with_meta(json!({"name": "x", "big": 18446744073709551615_u64})),
            StatusCode::BAD_REQUEST,
            "metadata_integer_out_of_range",
        ),
        (
            with_meta(json!({"name": "x", "a": 1, "b": 2, "c": 3})),
            StatusCode::BAD_REQUEST,
            "metadata_too_many_keys",
        ),
        (
            with_meta(json!({"name": 42})),
            StatusCode::BAD_REQUEST,
            "metadata_name_invalid",
        ),
        (
            with_meta(json!({"name": "   "})),
            StatusCode::BAD_REQUEST,
            "metadata_name_invalid",
        ),
    ];
    for (body, status, code) in cases {
        manager.create(&body).await.assert_error(status, code);
    }
    let not_json = manager
        .call(Method::POST, "/metadata")
        .raw("application/json", "{\"resource_id\": ")
        .send()
        .await;
    not_json.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    let wrong_type = manager
        .call(Method::POST, "/metadata")
        .raw("text/plain", seed_create().to_string())
        .send()
        .await;
    wrong_type.assert_error(StatusCode::BAD_REQUEST, "unsupported_media_type");
    let huge = manager
        .call(Method::POST, "/metadata")
        .raw("application/json", vec![b' '; 33 * 1024 * 1024])
        .send()
        .await;
    huge.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    manager
        .get(&format!("/metadata/{ROUTER_ID}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn every_route_needs_a_valid_token_and_writes_need_a_writing_role() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let path = format!("/metadata/{ROUTER_ID}");

    let anonymous = Call::new(&app, Method::GET, &path, None).send().await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "token_missing");
    assert!(
        anonymous
            .header(header::WWW_AUTHENTICATE)
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(anonymous.json()["type"], "authentication_error");
    let forged = format!("sbk_{}", "0".repeat(64));
    Call::new(&app, Method::GET, &path, Some(&forged))
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "token_invalid");
    Call::new(&app, Method::GET, &path, None)
        .header("authorization", "Basic dXNlcjpwdw==")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "token_invalid");

    let staff = Client::new(&app, Role::Staff).await;
    assert_eq!(staff.get(&path).await.status, StatusCode::OK);
    let write = staff
        .call(Method::PATCH, &path)
        .raw("application/merge-patch+json", "{\"x\": 1}")
        .send()
        .await;
    write.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(write.json()["type"], "permission_error");
    staff
        .create(&seed_create())
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        manager.get(&path).await.json(),
        seed_create(),
        "nothing changed"
    );
}

#[tokio::test]
async fn a_manager_limited_to_sites_writes_only_there() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    for (id, name) in [("site_a", "Site A"), ("site_b", "Site B")] {
        let reply = admin
            .create(&json!({"resource_id": id, "type": "site", "metadata": {"name": name}}))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let limited = Client {
        token: app.token(Role::Manager, Some(vec!["site_a"])).await,
        app: &app,
    };
    let patch = |site: &str| {
        limited
            .call(Method::PATCH, &format!("/metadata/{site}"))
            .raw("application/merge-patch+json", "{\"floor\": 2}")
    };
    assert_eq!(patch("site_a").send().await.status, StatusCode::OK);
    patch("site_b")
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn another_tenants_metadata_is_not_found() {
    let app = spawn_app().await;
    let acme = TenantId::new("acme");
    app.store.create_tenant(&acme, "Acme").await.unwrap();
    let theirs = Client {
        token: app.token_in(&acme, Role::Admin, None).await,
        app: &app,
    };
    assert_eq!(theirs.create(&seed_create()).await.status, StatusCode::OK);
    let ours = Client::new(&app, Role::Admin).await;
    let path = format!("/metadata/{ROUTER_ID}");
    ours.get(&path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    ours.call(Method::DELETE, &path)
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    assert_eq!(theirs.get(&path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn put_replaces_and_merge_patch_sets_and_removes() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let path = format!("/metadata/{ROUTER_ID}");

    let put = manager
        .call(Method::PUT, &path)
        .json(&json!({"name": "Core Router", "rack_units": 1}))
        .send()
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(
        put.json()["metadata"],
        json!({"name": "Core Router", "rack_units": 1})
    );

    let merged = manager
        .call(Method::PATCH, &path)
        .raw(
            "application/merge-patch+json",
            json!({"rack_units": null, "is_critical": false}).to_string(),
        )
        .send()
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    assert_eq!(
        merged.json()["metadata"],
        json!({"name": "Core Router", "is_critical": false})
    );

    manager
        .call(Method::PUT, "/metadata/nobody")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    manager
        .call(Method::PATCH, &path)
        .raw("text/plain", "{}")
        .send()
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    manager
        .call(Method::PATCH, &path)
        .raw("application/merge-patch+json", "{nope")
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
}

/// Reads are answered from cached bytes; every write must still show in the next read.
#[tokio::test]
async fn a_read_after_each_write_sees_that_write() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let path = format!("/metadata/{ROUTER_ID}");
    for n in 0..3 {
        let before = manager.get(&path).await;
        assert_eq!(before.json(), manager.get(&path).await.json());
        let merged = manager
            .call(Method::PATCH, &path)
            .raw(
                "application/merge-patch+json",
                json!({ "rack_units": n }).to_string(),
            )
            .send()
            .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
        let after = manager.get(&path).await;
        assert_eq!(after.json()["metadata"]["rack_units"], n);
        assert_eq!(after.json(), merged.json());
        assert_eq!(etag(&after), etag(&merged));
        assert_ne!(etag(&after), etag(&before));
    }
}

#[tokio::test]
async fn json_patch_runs_all_six_operations_atomically() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let path = format!("/metadata/{ROUTER_ID}");
    let patch = |ops: Value| {
        manager
            .call(Method::PATCH, &path)
            .raw("application/json-patch+json", ops.to_string())
    };

    let ok = patch(json!([
        {"op": "test", "path": "/rack_units", "value": 2},
        {"op": "replace", "path": "/rack_units", "value": 3},
        {"op": "add", "path": "/vlan", "value": 120},
        {"op": "remove", "path": "/contact_person"},
        {"op": "move", "from": "/location", "path": "/room"},
        {"op": "copy", "from": "/circuit_id", "path": "/circuit_backup"}
    ]))
    .send()
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let after = ok.json()["metadata"].clone();
    assert_eq!(after["rack_units"], 3);
    assert_eq!(after["vlan"], 120);
    assert_eq!(after["room"], "Level 5, Server Room A");
    assert_eq!(after["circuit_backup"], "AS12345-XYZ");
    assert!(after.get("contact_person").is_none() && after.get("location").is_none());

    let failed_test = patch(json!([
        {"op": "replace", "path": "/vlan", "value": 1},
        {"op": "test", "path": "/rack_units", "value": 99}
    ]))
    .send()
    .await;
    failed_test.assert_error(StatusCode::CONFLICT, "patch_test_failed");
    patch(json!([{"op": "remove", "path": "/missing"}]))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "patch_failed");
    patch(json!({"op": "add"}))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "patch_malformed");
    patch(json!([{"op": "add", "path": "/obj", "value": {"a": 1}}]))
        .send()
        .await
        .assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "metadata_value_not_scalar",
        );
    assert_eq!(
        manager.get(&path).await.json()["metadata"],
        after,
        "failed patches changed nothing"
    );
}

/// The patches that took the server down: 150,001 operations nesting an array ever deeper
/// (dropping it overflowed the metadata writer's stack and aborted the process), and 23 `copy`
/// operations doubling a document. Both are refused before they reach the writer, and the server
/// goes on answering writes.
#[tokio::test]
async fn a_json_patch_flood_is_refused_and_the_server_keeps_writing() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let path = format!("/metadata/{ROUTER_ID}");
    let patch = |ops: Vec<Value>| {
        manager
            .call(Method::PATCH, &path)
            .raw("application/json-patch+json", Value::Array(ops).to_string())
    };

    let mut nesting = vec![json!({"op": "add", "path": "/x", "value": []})];
    nesting.extend((0..150_000).map(|_| json!({"op": "add", "path": "/x/-", "value": "y"})));
    patch(nesting)
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "patch_too_long");
    let doubling = (0..23)
        .map(|_| json!({"op": "copy", "from": "/rack_units", "path": "/rack_units/-"}))
        .collect();
    patch(doubling)
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "patch_failed");

    let ok = patch(vec![
        json!({"op": "replace", "path": "/rack_units", "value": 9}),
    ])
    .send()
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(manager.get(&path).await.json()["metadata"]["rack_units"], 9);
}

#[tokio::test]
async fn if_match_refuses_a_stale_write_with_412_and_the_current_etag() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let first = etag(&manager.create(&seed_create()).await);
    let path = format!("/metadata/{ROUTER_ID}");
    let merge = |if_match: &str, body: Value| {
        manager
            .call(Method::PATCH, &path)
            .raw("application/merge-patch+json", body.to_string())
            .header("if-match", if_match)
    };
    let second = merge(&first, json!({"vlan": 1})).send().await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let stale = merge(&first, json!({"vlan": 2})).send().await;
    stale.assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");
    assert_eq!(etag(&stale), etag(&second));
    assert_eq!(stale.json()["type"], "conflict_error");
    merge("not-an-etag", json!({"vlan": 3}))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "precondition_header_invalid");
    // An empty If-Match lists no ETag, so no version meets it; it is never "no precondition".
    merge("", json!({"vlan": 5}))
        .send()
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");
    assert_eq!(manager.get(&path).await.json()["metadata"]["vlan"], 1);
    assert_eq!(
        merge("*", json!({"vlan": 4})).send().await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn single_keys_are_read_set_and_deleted_with_their_own_etag() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let key_path = format!("/metadata/{ROUTER_ID}/circuit_id");

    let read = manager.get(&key_path).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let body = read.json();
    assert_eq!(body["value"], "AS12345-XYZ");
    assert_eq!(body["value_type"], "string");
    assert_eq!(body["creator_type"], "client");
    assert!(body["changed_by"].as_str().unwrap().starts_with("tok_"));
    let key_etag = etag(&read);

    // Another key changes; this key's ETag still holds.
    manager
        .call(Method::PUT, &format!("/metadata/{ROUTER_ID}/vlan"))
        .json(&json!({"value": 120}))
        .send()
        .await;
    let put = manager
        .call(Method::PUT, &key_path)
        .json(&json!({"value": "AS999"}))
        .header("if-match", &key_etag)
        .send()
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.json()["value"], "AS999");
    manager
        .call(Method::PUT, &key_path)
        .json(&json!({"value": "AS1"}))
        .header("if-match", &key_etag)
        .send()
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");
    manager
        .call(Method::PUT, &key_path)
        .json(&json!({"value": [1]}))
        .send()
        .await
        .assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "metadata_value_not_scalar",
        );
    manager
        .call(Method::PUT, &key_path)
        .json(&json!({"val": 1}))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_missing");

    let deleted = manager.call(Method::DELETE, &key_path).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    manager
        .get(&key_path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    manager
        .call(Method::DELETE, &key_path)
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");

    // A key may contain spaces and slashes when percent-encoded.
    let odd = format!("/metadata/{ROUTER_ID}/rack%20units%2Fslot");
    let put = manager
        .call(Method::PUT, &odd)
        .json(&json!({"value": true}))
        .send()
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.json()["key"], "rack units/slot");
    // And a key literally named "changes" can still be set and removed.
    let changes_key = format!("/metadata/{ROUTER_ID}/changes");
    let put = manager
        .call(Method::PUT, &changes_key)
        .json(&json!({"value": "x"}))
        .send()
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(
        manager
            .call(Method::DELETE, &changes_key)
            .send()
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn delete_all_empties_the_metadata_and_the_next_create_needs_a_name_again() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager.create(&seed_create()).await;
    let path = format!("/metadata/{ROUTER_ID}");
    assert_eq!(
        manager.call(Method::DELETE, &path).send().await.status,
        StatusCode::NO_CONTENT
    );
    let read = manager.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["metadata"], json!({}));
    manager
        .create(&json!({"resource_id": ROUTER_ID, "type": "mikrotik.device", "metadata": {"a": 1}}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_missing");
    // PUT never creates a resource, so the emptied one takes a dictionary without `name`.
    let replaced = manager
        .call(Method::PUT, &path)
        .json(&json!({"a": 1}))
        .send()
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.json()["metadata"], json!({"a": 1}));
    manager
        .create(&json!({"resource_id": ROUTER_ID, "type": "site", "metadata": {"name": "x"}}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "type_mismatch");
}

#[tokio::test]
async fn the_history_lists_every_change_with_its_request_id_and_pages() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let created = manager
        .call(Method::POST, "/metadata")
        .json(&seed_create())
        .header("x-request-id", "req-42")
        .send()
        .await;
    assert_eq!(
        created.header("x-request-id".parse().unwrap()).as_deref(),
        Some("req-42")
    );
    manager
        .call(Method::PATCH, &format!("/metadata/{ROUTER_ID}"))
        .raw(
            "application/merge-patch+json",
            json!({"rack_units": 3}).to_string(),
        )
        .send()
        .await;

    let all = manager.get(&format!("/metadata/{ROUTER_ID}/changes")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let data = all.json()["data"].as_array().unwrap().clone();
    // resource.create, 7 keys set, then rack_units 2 → 3.
    assert_eq!(data.len(), 9, "{data:#?}");
    assert_eq!(data[0]["action"], "resource.create");
    assert!(data[..8].iter().all(|c| c["request_id"] == "req-42"));
    let last = &data[8];
    assert_eq!(
        (
            last["subject"].clone(),
            last["old"].clone(),
            last["new"].clone()
        ),
        (json!("rack_units"), json!(2), json!(3))
    );
    assert!(last["actor_id"].as_str().unwrap().starts_with("tok_"));
    assert!(
        last["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "a request id is minted when none is sent"
    );

    let page = manager
        .get(&format!("/metadata/{ROUTER_ID}/changes?limit=5"))
        .await
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    let cursor = page["next_cursor"].as_i64().unwrap();
    let rest = manager
        .get(&format!(
            "/metadata/{ROUTER_ID}/changes?limit=5&after={cursor}"
        ))
        .await
        .json();
    assert_eq!(rest["data"].as_array().unwrap().len(), 4);
    assert!(rest["next_cursor"].is_null());
    manager
        .get(&format!("/metadata/{ROUTER_ID}/changes?limit=0"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    manager
        .get(&format!("/metadata/{ROUTER_ID}/changes?after=x"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    manager
        .get("/metadata/nothing-here/changes")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn a_60_kb_request_id_is_not_stored_a_new_one_is() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let huge = "x".repeat(60_000);
    let created = manager
        .call(Method::POST, "/metadata")
        .json(&seed_create())
        .header("x-request-id", &huge)
        .send()
        .await;
    assert!(created.status.is_success(), "{}", created.body);
    let answered = created.header("x-request-id".parse().unwrap()).unwrap();
    assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{answered:.40}");
    let history = manager.get(&format!("/metadata/{ROUTER_ID}/changes")).await;
    let data = history.json()["data"].as_array().unwrap().clone();
    assert!(!data.is_empty());
    assert!(
        data.iter().all(|c| c["request_id"] == answered.as_str()),
        "{data:#?}"
    );
}

/// Used to: any caller read the role history recorded under a user's or token's id, and a
/// manager could make a resource with such an id and write metadata into that history.
#[tokio::test]
async fn principals_histories_are_for_admins_and_no_resource_takes_their_ids() {
    use sitebook::core::access::{Actor, Grant, Username};
    use sitebook::core::tenancy::TenantId;
    let app = spawn_app().await;
    let user = app
        .store
        .create_user(
            &Actor::operator(TenantId::default_tenant()),
            &Username::parse("field-tech").unwrap(),
            "a long enough password",
            &Grant {
                role: Role::Staff,
                sites: None,
            },
            3,
        )
        .await
        .unwrap();
    let history = format!("/metadata/{}/changes", user.id);
    for role in [Role::Staff, Role::Manager] {
        Client::new(&app, role)
            .await
            .get(&history)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let admin = Client::new(&app, Role::Admin).await;
    let read = admin.get(&history).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.json()["data"][0]["action"], "user.create");

    let manager = Client::new(&app, Role::Manager).await;
    for id in [user.id.to_string(), "tok_made_up".to_owned()] {
        manager
            .call(Method::POST, "/metadata")
            .json(&json!({"resource_id": id, "type": "site", "metadata": {"name": "Sneaky"}}))
            .send()
            .await
            .assert_error(StatusCode::BAD_REQUEST, "resource_id_reserved");
    }
}
