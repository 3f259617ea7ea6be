//! `/openstack/compute/v2.1/os-aggregates`: Nova's host aggregates, admin-only, over resources
//! of type `openstack.aggregate`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::{Actor, Role};
use sitebook::core::tenancy::TenantId;

use crate::nova::nova;
use crate::support::{Client, Reply, TestApp, spawn_app};

async fn create(app: &TestApp, token: &str, name: &str, zone: Value) -> Reply {
    nova(
        app,
        token,
        Method::POST,
        "/os-aggregates",
        Some(json!({"aggregate": {"name": name, "availability_zone": zone}})),
    )
    .await
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> Reply {
    nova(
        app,
        token,
        Method::POST,
        &format!("/os-aggregates/{id}/action"),
        Some(body),
    )
    .await
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn aggregates_are_created_listed_shown_updated_and_deleted() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let token = &admin.token;

    let created = create(&app, token, "rack-a", json!("london")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let aggregate = created.json()["aggregate"].clone();
    assert_eq!(
        keys(&aggregate),
        [
            "availability_zone",
            "created_at",
            "deleted",
            "deleted_at",
            "id",
            "name",
            "updated_at"
        ],
        "a create answers without hosts and metadata"
    );
    let id = aggregate["id"].as_i64().unwrap();
    assert_eq!(aggregate["name"], "rack-a");
    assert_eq!(aggregate["availability_zone"], "london");
    assert_eq!(aggregate["updated_at"], Value::Null);
    assert_eq!(aggregate["deleted"], false);
    let created_at = aggregate["created_at"].as_str().unwrap();
    assert!(
        created_at.len() == 26 && !created_at.ends_with('Z'),
        "{created_at}"
    );

    let plain = create(&app, token, "rack-b", Value::Null).await.json();
    assert_eq!(plain["aggregate"]["availability_zone"], Value::Null);
    let taken = create(&app, token, "RACK-A", Value::Null).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(
        taken.json()["conflictingRequest"]["message"],
        "Aggregate RACK-A already exists."
    );

    let list = nova(&app, token, Method::GET, "/os-aggregates", None)
        .await
        .json();
    let listed = list["aggregates"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["hosts"], json!([]));
    assert_eq!(
        listed[0]["metadata"],
        json!({"availability_zone": "london"})
    );

    let shown = nova(
        &app,
        token,
        Method::GET,
        &format!("/os-aggregates/{id}"),
        None,
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.json()["aggregate"], listed[0]);

    let updated = nova(
        &app,
        token,
        Method::PUT,
        &format!("/os-aggregates/{id}"),
        Some(json!({"aggregate": {"name": " rack-c ", "availability_zone": "paris"}})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let updated = updated.json()["aggregate"].clone();
    assert_eq!(updated["name"], "rack-c");
    assert_eq!(updated["availability_zone"], "paris");
    assert_eq!(updated["metadata"], json!({"availability_zone": "paris"}));
    assert!(updated["updated_at"].is_string(), "{updated}");
    let blank = nova(
        &app,
        token,
        Method::PUT,
        &format!("/os-aggregates/{id}"),
        Some(json!({"aggregate": {"availability_zone": null}})),
    )
    .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST, "{}", blank.body);
    // Nova names the aggregate it will not leave without a zone (issue 32, item 11).
    assert_eq!(
        blank.json()["badRequest"]["message"],
        format!(
            "Cannot update aggregate {id}. Reason: Aggregate {id} does not support empty named \
             availability zone."
        )
    );

    let deleted = nova(
        &app,
        token,
        Method::DELETE,
        &format!("/os-aggregates/{id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(deleted.body.is_empty());
    let gone = nova(
        &app,
        token,
        Method::GET,
        &format!("/os-aggregates/{id}"),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        gone.json()["itemNotFound"]["message"],
        format!("Aggregate {id} could not be found.")
    );
    // Its id is not given to the next aggregate.
    let next = create(&app, token, "rack-a", Value::Null).await.json();
    assert!(next["aggregate"]["id"].as_i64().unwrap() > plain["aggregate"]["id"].as_i64().unwrap());
}

#[tokio::test]
async fn set_metadata_merges_removes_with_null_and_keeps_the_zone_in_step() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let token = &admin.token;
    let id = create(&app, token, "agg", json!("london")).await.json()["aggregate"]["id"]
        .as_i64()
        .unwrap();

    let set = act(
        &app,
        token,
        id,
        json!({"set_metadata": {"metadata": {"ssd": "true", "gpu": "a100"}}}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        set.json()["aggregate"]["metadata"],
        json!({"availability_zone": "london", "ssd": "true", "gpu": "a100"})
    );
    assert!(set.json()["aggregate"]["updated_at"].is_string());

    let merged = act(
        &app,
        token,
        id,
        json!({"set_metadata": {"metadata": {"gpu": null, "absent": null,
                                             "availability_zone": "paris"}}}),
    )
    .await
    .json();
    assert_eq!(
        merged["aggregate"]["metadata"],
        json!({"availability_zone": "paris", "ssd": "true"})
    );
    assert_eq!(merged["aggregate"]["availability_zone"], "paris");

    for bad in [
        json!({"set_metadata": {"metadata": {"availability_zone": null}}}),
        json!({"set_metadata": {"metadata": {"a/b": "x"}}}),
        json!({"set_metadata": {"metadata": {"k": 5}}}),
        json!({"set_metadata": {"metadata": {"k": "v".repeat(256)}}}),
        json!({"set_metadata": {}}),
        json!({"grow": {}}),
        json!({"add_host": {"host": "h"}, "remove_host": {"host": "h"}}),
    ] {
        let reply = act(&app, token, id, bad.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        assert_eq!(reply.json()["badRequest"]["code"], 400);
    }
    let unknown = act(&app, token, id, json!({"grow": {}})).await;
    assert_eq!(
        unknown.json()["badRequest"]["message"],
        "There is no such action: grow"
    );
}

#[tokio::test]
async fn hosts_are_added_once_removed_only_when_there_and_block_deletion() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let token = &admin.token;
    let id = create(&app, token, "agg", Value::Null).await.json()["aggregate"]["id"]
        .as_i64()
        .unwrap();

    let added = act(&app, token, id, json!({"add_host": {"host": "compute-1"}})).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(added.json()["aggregate"]["hosts"], json!(["compute-1"]));
    act(&app, token, id, json!({"add_host": {"host": "compute-2"}})).await;
    let again = act(&app, token, id, json!({"add_host": {"host": "compute-1"}})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.json()["conflictingRequest"]["message"],
        format!("Aggregate {id} already has host compute-1.")
    );
    let bad_host = act(&app, token, id, json!({"add_host": {"host": "a b"}})).await;
    assert_eq!(bad_host.status, StatusCode::BAD_REQUEST);

    let not_empty = nova(
        &app,
        token,
        Method::DELETE,
        &format!("/os-aggregates/{id}"),
        None,
    )
    .await;
    assert_eq!(not_empty.status, StatusCode::BAD_REQUEST);

    let missing = act(
        &app,
        token,
        id,
        json!({"remove_host": {"host": "nonexist_host"}}),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json()["itemNotFound"]["message"],
        format!("Cannot remove host nonexist_host in aggregate {id}")
    );
    let removed = act(
        &app,
        token,
        id,
        json!({"remove_host": {"host": "compute-1"}}),
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.json()["aggregate"]["hosts"], json!(["compute-2"]));
    let shown = nova(
        &app,
        token,
        Method::GET,
        &format!("/os-aggregates/{id}"),
        None,
    )
    .await
    .json();
    assert_eq!(shown["aggregate"]["hosts"], json!(["compute-2"]));

    // A host is in one availability zone.
    let london = create(&app, token, "in-london", json!("london"))
        .await
        .json()["aggregate"]["id"]
        .as_i64()
        .unwrap();
    let paris = create(&app, token, "in-paris", json!("paris")).await.json()["aggregate"]["id"]
        .as_i64()
        .unwrap();
    let joined = act(
        &app,
        token,
        london,
        json!({"add_host": {"host": "compute-2"}}),
    )
    .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    let elsewhere = act(
        &app,
        token,
        paris,
        json!({"add_host": {"host": "compute-2"}}),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::CONFLICT, "{}", elsewhere.body);

    let no_aggregate = act(&app, token, 999, json!({"add_host": {"host": "h"}})).await;
    assert_eq!(no_aggregate.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_admins_may_touch_aggregates_with_novas_policy_message() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let manager = Client::new(&app, Role::Manager).await;
    let id = create(&app, &admin.token, "agg", Value::Null).await.json()["aggregate"]["id"]
        .as_i64()
        .unwrap();
    let token = &manager.token;
    let calls: Vec<(&str, Reply)> = vec![
        (
            "index",
            nova(&app, token, Method::GET, "/os-aggregates", None).await,
        ),
        ("create", create(&app, token, "mine", Value::Null).await),
        (
            "show",
            nova(
                &app,
                token,
                Method::GET,
                &format!("/os-aggregates/{id}"),
                None,
            )
            .await,
        ),
        (
            "update",
            nova(
                &app,
                token,
                Method::PUT,
                &format!("/os-aggregates/{id}"),
                Some(json!({"aggregate": {"name": "x"}})),
            )
            .await,
        ),
        (
            "delete",
            nova(
                &app,
                token,
                Method::DELETE,
                &format!("/os-aggregates/{id}"),
                None,
            )
            .await,
        ),
        (
            "add_host",
            act(&app, token, id, json!({"add_host": {"host": "h"}})).await,
        ),
        (
            "remove_host",
            act(&app, token, id, json!({"remove_host": {"host": "h"}})).await,
        ),
        (
            "set_metadata",
            act(
                &app,
                token,
                id,
                json!({"set_metadata": {"metadata": {"k": "v"}}}),
            )
            .await,
        ),
    ];
    for (rule, reply) in calls {
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{rule}: {}",
            reply.body
        );
        // The caller is refused before the body is read, so an action's rule is not yet
        // known: the answer names the three the action route has.
        let rule = match rule {
            "add_host" | "remove_host" | "set_metadata" => "add_host, remove_host or set_metadata",
            other => other,
        };
        assert_eq!(
            reply.json()["forbidden"]["message"],
            format!("Policy doesn't allow os_compute_api:os-aggregates:{rule} to be performed.")
        );
    }
}

#[tokio::test]
async fn nova_refuses_malformed_aggregate_requests() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let token = &admin.token;
    for name in [String::new(), "a".repeat(256), " padded".to_owned()] {
        let reply = create(&app, token, &name, Value::Null).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{name:?}");
    }
    let bad_zone = create(&app, token, "agg", json!("a:b")).await;
    assert_eq!(bad_zone.status, StatusCode::BAD_REQUEST);
    let extra = nova(
        &app,
        token,
        Method::POST,
        "/os-aggregates",
        Some(json!({"aggregate": {"name": "x", "hosts": []}})),
    )
    .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);
    let not_int = nova(&app, token, Method::GET, "/os-aggregates/agg", None).await;
    assert_eq!(not_int.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        not_int.json()["badRequest"]["message"],
        "Invalid input received: id must be an integer"
    );
    let minus_one = nova(&app, token, Method::DELETE, "/os-aggregates/-1", None).await;
    assert_eq!(minus_one.status, StatusCode::NOT_FOUND);
    let legacy = nova(&app, token, Method::GET, "/default/os-aggregates", None).await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.body);
}

#[tokio::test]
async fn a_nova_write_to_an_aggregate_shows_through_the_native_api() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let token = &admin.token;
    let id = create(&app, token, "agg", json!("london")).await.json()["aggregate"]["id"]
        .as_i64()
        .unwrap();
    act(
        &app,
        token,
        id,
        json!({"set_metadata": {"metadata": {"ssd": "true"}}}),
    )
    .await;
    act(&app, token, id, json!({"add_host": {"host": "compute-1"}})).await;

    let operator = Actor::operator(TenantId::default_tenant());
    let aggregates = app.store.list_aggregates(&operator).await.unwrap();
    let resource = aggregates[0].record.resource.id.as_str().to_owned();
    assert_eq!(resource.len(), 36, "a UUID: {resource}");
    let native = admin.get(&format!("/metadata/{resource}")).await;
    assert_eq!(native.status, StatusCode::OK, "{}", native.body);
    let body = native.json();
    let text = body.to_string();
    for expected in ["\"agg\"", "london", "ssd", "openstack.aggregate"] {
        assert!(text.contains(expected), "{expected} missing: {body}");
    }
    let history = admin.get(&format!("/metadata/{resource}/changes")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let history = history.body;
    assert!(
        history.contains("ssd") && history.contains("host.add"),
        "{history}"
    );
}

/// Used to: only metadata writes kept aggregates for admins, so a manager could move one under
/// a site (and a manager limited to that site could then move it again).
#[tokio::test]
async fn only_admins_move_an_aggregate_whichever_site_it_is_under() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    create(&app, &admin.token, "agg", json!("london")).await;
    let operator = Actor::operator(TenantId::default_tenant());
    let aggregate = app.store.list_aggregates(&operator).await.unwrap()[0]
        .record
        .resource
        .id
        .as_str()
        .to_owned();
    let site = admin
        .create(&json!({"resource_id": "st_agg", "type": "site", "metadata": {"name": "DC"}}))
        .await;
    assert!(site.status.is_success(), "{}", site.body);
    let manager = Client::new(&app, Role::Manager).await;
    let limited = Client {
        token: app.token(Role::Manager, Some(vec!["st_agg"])).await,
        app: &app,
    };
    let path = format!("/resources/{aggregate}/parent");
    let to_site = json!({"parent_id": "st_agg"});
    manager
        .call(Method::PUT, &path)
        .json(&to_site)
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let moved = admin.call(Method::PUT, &path).json(&to_site).send().await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    for client in [&manager, &limited] {
        client
            .call(Method::PUT, &path)
            .json(&json!({"parent_id": null}))
            .send()
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

/// Used to: a bare 404, so `openstack availability zone list` failed.
#[tokio::test]
async fn availability_zones_are_the_aggregates_zones_with_their_hosts() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin, None).await;
    let staff = app.token(Role::Staff, None).await;
    let east = create(&app, &admin, "east-racks", json!("east"))
        .await
        .json()["aggregate"]["id"]
        .as_i64()
        .unwrap();
    let plain = create(&app, &admin, "gpu", Value::Null).await.json()["aggregate"]["id"]
        .as_i64()
        .unwrap();
    // A zone with no host is no zone yet.
    create(&app, &admin, "empty", json!("west")).await;
    for (id, host) in [(east, "c1"), (east, "c2"), (plain, "c3")] {
        let added = act(&app, &admin, id, json!({"add_host": {"host": host}})).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    let listed = nova(&app, &staff, Method::GET, "/os-availability-zone", None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(
        listed.json(),
        json!({"availabilityZoneInfo": [
            {"zoneName": "east", "zoneState": {"available": true}, "hosts": null},
            {"zoneName": "nova", "zoneState": {"available": true}, "hosts": null},
        ]})
    );
    let refused = nova(
        &app,
        &staff,
        Method::GET,
        "/os-availability-zone/detail",
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let detail = nova(
        &app,
        &admin,
        Method::GET,
        "/os-availability-zone/detail",
        None,
    )
    .await;
    let zones = detail.json()["availabilityZoneInfo"].clone();
    assert_eq!(keys(&zones[0]["hosts"]), ["c1", "c2"]);
    assert_eq!(keys(&zones[1]["hosts"]), ["c3"]);
    assert_eq!(
        zones[0]["hosts"]["c1"]["nova-compute"]["available"],
        json!(true)
    );
}

/// From 2.41 an aggregate carries a UUID, the same on every read.
#[tokio::test]
async fn aggregates_carry_a_uuid_from_2_41() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin, None).await;
    create(&app, &admin, "uuid-racks", Value::Null).await;
    let list = |version: &'static str| {
        crate::nova::nova_at(&app, &admin, version, Method::GET, "/os-aggregates", None)
    };
    let old = list("2.40").await.json()["aggregates"][0].clone();
    assert!(old.get("uuid").is_none());
    let first = list("2.41").await.json()["aggregates"][0]["uuid"].clone();
    let again = list("2.81").await.json()["aggregates"][0]["uuid"].clone();
    assert_eq!(first, again);
    assert_eq!(first.as_str().unwrap().len(), 36);
}

/// Used to: names stopped at 200 characters (Sitebook's limit) where Nova allows 255.
#[tokio::test]
async fn aggregate_names_take_novas_255_characters() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin, None).await;
    let long = "a".repeat(255);
    let made = create(&app, &admin, &long, Value::Null).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.json()["aggregate"]["name"], long.as_str());
    let too_long = create(&app, &admin, &"b".repeat(256), Value::Null).await;
    assert_eq!(
        too_long.status,
        StatusCode::BAD_REQUEST,
        "{}",
        too_long.body
    );
}
