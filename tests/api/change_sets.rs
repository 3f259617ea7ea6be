//! `/change-sets`: each request's changes as one set, read back and reverted.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::Role;

use crate::files::{form, multipart, png};
use crate::support::{Client, TestApp, spawn_app};

/// Creates a resource through `POST /metadata`, its id made from its name.
async fn created(client: &Client<'_>, mut body: Value) -> String {
    let id = format!(
        "res-{}",
        body["metadata"]["name"].as_str().unwrap().to_lowercase()
    );
    body["resource_id"] = json!(id);
    let reply = client.create(&body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    id
}

async fn put_key(client: &Client<'_>, id: &str, key: &str, value: Value) {
    let reply = client
        .call(Method::PUT, &format!("/metadata/{id}/{key}"))
        .json(&json!({ "value": value }))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn sets_on(client: &Client<'_>, id: &str) -> Vec<Value> {
    let reply = client.get(&format!("/change-sets?resource={id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["data"].as_array().unwrap().clone()
}

async fn revert(client: &Client<'_>, set: &str, query: &str) -> crate::support::Reply {
    client
        .call(Method::POST, &format!("/change-sets/{set}/revert{query}"))
        .send()
        .await
}

async fn metadata(client: &Client<'_>, id: &str) -> crate::support::Reply {
    client.get(&format!("/metadata/{id}")).await
}

async fn clients(app: &TestApp) -> (Client<'_>, Client<'_>, Client<'_>) {
    (
        Client::new(app, Role::Admin).await,
        Client::new(app, Role::Manager).await,
        Client::new(app, Role::Staff).await,
    )
}

#[tokio::test]
async fn each_write_is_a_change_set_listed_newest_first_with_its_records() {
    let app = spawn_app().await;
    let (_, manager, staff) = clients(&app).await;
    let hq = created(
        &manager,
        json!({"type": "site", "metadata": {"name": "HQ", "rack_units": 42}}),
    )
    .await;
    put_key(&manager, &hq, "rack_units", json!(48)).await;

    let sets = sets_on(&staff, &hq).await;
    assert_eq!(sets.len(), 2, "{sets:?}");
    let (newest, first) = (&sets[0], &sets[1]);
    assert!(newest["id"].as_str().unwrap().starts_with("chg_"));
    assert_eq!(newest["via"], "api");
    assert_eq!(newest["actor_type"], "client");
    assert!(newest["actor_id"].as_str().unwrap().starts_with("tok_"));
    assert_eq!(
        (newest["records"].clone(), newest["resources"].clone()),
        (json!(1), json!(1))
    );
    // The create: the resource and each of its keys, one set.
    assert_eq!(first["records"], 3, "{first}");

    let detail = staff
        .get(&format!("/change-sets/{}", newest["id"].as_str().unwrap()))
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let detail = detail.json();
    assert_eq!(detail["id"], newest["id"]);
    let change = &detail["changes"][0];
    assert_eq!(change["resource_id"], hq.as_str());
    assert_eq!(change["action"], "metadata.set");
    assert_eq!(change["subject"], "rack_units");
    assert_eq!(
        (change["old"].clone(), change["new"].clone()),
        (json!(42), json!(48))
    );
    assert_eq!(change["change_set"], newest["id"]);

    // The resource's history names each record's set too.
    let history = staff.get(&format!("/metadata/{hq}/changes")).await.json();
    assert_eq!(history["data"][0]["change_set"], first["id"]);

    // Paging, newest first, and the filters.
    let page = staff
        .get(&format!("/change-sets?resource={hq}&limit=1"))
        .await
        .json();
    assert_eq!(page["data"][0]["id"], newest["id"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = staff
        .get(&format!(
            "/change-sets?resource={hq}&limit=1&after={cursor}"
        ))
        .await
        .json();
    assert_eq!(next["data"][0]["id"], first["id"]);
    assert!(next["next_cursor"].is_null());
    let actor = newest["actor_id"].as_str().unwrap();
    assert_eq!(
        staff
            .get(&format!("/change-sets?actor={actor}"))
            .await
            .json()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        staff.get("/change-sets?actor=tok_nobody").await.json()["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        staff
            .get("/change-sets?since=2999-01-01T00:00:00Z")
            .await
            .json()["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Empty parameters are absent ones, as forms and generated clients send them.
    let blank = staff
        .get("/change-sets?resource=&actor=&after=&limit=1")
        .await;
    assert_eq!(blank.status, StatusCode::OK, "{}", blank.body);
    assert_eq!(blank.json()["data"][0]["id"], newest["id"]);
    staff
        .get("/change-sets?after=nope")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    staff
        .get("/change-sets/chg_0000")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    staff
        .get("/change-sets/not-a-set")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn a_revert_puts_each_value_back_with_its_type_and_its_revert_reapplies() {
    let app = spawn_app().await;
    let (_, manager, staff) = clients(&app).await;
    let hq = created(
        &manager,
        json!({"type": "site", "metadata": {"name": "HQ", "rack_units": 42, "lit": true}}),
    )
    .await;
    let patched = manager
        .call(Method::PATCH, &format!("/metadata/{hq}"))
        .raw(
            "application/merge-patch+json",
            json!({"rack_units": 48, "lit": null, "circuit": "00123"}).to_string(),
        )
        .send()
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let edit = sets_on(&staff, &hq).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    revert(&staff, &edit, "")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let reverted = manager
        .call(Method::POST, &format!("/change-sets/{edit}/revert"))
        .json(&json!({"comment": "wrong rack"}))
        .send()
        .await;
    assert_eq!(reverted.status, StatusCode::CREATED, "{}", reverted.body);
    let reverted = reverted.json();
    assert_eq!(reverted["reverted"], edit.as_str());
    let undo = reverted["change_set"].as_str().unwrap().to_owned();
    assert_eq!(reverted["set"]["via"], "revert");
    assert_eq!(reverted["set"]["reverts"], edit.as_str());
    assert_eq!(reverted["set"]["comment"], "wrong rack");
    assert_eq!(reverted["set"]["records"], 3);
    let now = metadata(&staff, &hq).await.json()["metadata"].clone();
    assert_eq!(now, json!({"name": "HQ", "rack_units": 42, "lit": true}));

    // Reverting the revert re-applies the edit.
    let again = revert(&manager, &undo, "").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let now = metadata(&staff, &hq).await.json()["metadata"].clone();
    assert_eq!(
        now,
        json!({"name": "HQ", "rack_units": 48, "circuit": "00123"})
    );
}

#[tokio::test]
async fn a_later_change_of_the_same_key_is_a_conflict_unless_forced() {
    let app = spawn_app().await;
    let (admin, manager, _) = clients(&app).await;
    let hq = created(
        &manager,
        json!({"type": "site", "metadata": {"name": "HQ", "rack": 4}}),
    )
    .await;
    put_key(&manager, &hq, "rack", json!(5)).await;
    let edit = sets_on(&manager, &hq).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    put_key(&admin, &hq, "rack", json!(7)).await;
    put_key(&admin, &hq, "owner", json!("ops")).await;

    let refused = revert(&manager, &edit, "").await;
    refused.assert_error(StatusCode::CONFLICT, "revert_conflict");
    let conflicts = refused.json()["conflicts"].clone();
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{conflicts}");
    let conflict = &conflicts[0];
    assert_eq!(conflict["resource_id"], hq.as_str());
    assert_eq!(conflict["what"], "key:rack");
    assert_eq!(conflict["set_wrote"], 5);
    assert_eq!(conflict["now"], 7);
    assert!(conflict["changed_by"].as_str().unwrap().starts_with("tok_"));
    assert!(conflict["change_set"].as_str().unwrap().starts_with("chg_"));
    // All or nothing: nothing was written.
    assert_eq!(metadata(&manager, &hq).await.json()["metadata"]["rack"], 7);

    let forced = revert(&manager, &edit, "?force=true").await;
    assert_eq!(forced.status, StatusCode::CREATED, "{}", forced.body);
    let now = metadata(&manager, &hq).await.json()["metadata"].clone();
    assert_eq!(now, json!({"name": "HQ", "rack": 4, "owner": "ops"}));
}

#[tokio::test]
async fn reverting_a_create_deletes_the_resource_and_reverting_that_brings_it_back() {
    let app = spawn_app().await;
    let (_, manager, _) = clients(&app).await;
    let device = created(
        &manager,
        json!({"type": "device", "metadata": {"name": "core-sw-1", "rack_units": 2}}),
    )
    .await;
    let create = sets_on(&manager, &device).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let undo = revert(&manager, &create, "").await;
    assert_eq!(undo.status, StatusCode::CREATED, "{}", undo.body);
    metadata(&manager, &device)
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    let redo = revert(&manager, undo.json()["change_set"].as_str().unwrap(), "").await;
    assert_eq!(redo.status, StatusCode::CREATED, "{}", redo.body);
    let back = metadata(&manager, &device).await.json();
    assert_eq!(back["type"], "device");
    assert_eq!(
        back["metadata"],
        json!({"name": "core-sw-1", "rack_units": 2})
    );
    // Reverting the create again conflicts: the resource was brought back since.
    revert(&manager, &create, "")
        .await
        .assert_error(StatusCode::CONFLICT, "revert_conflict");
}

#[tokio::test]
async fn reverting_a_delete_restores_keys_tags_files_and_what_was_under_it() {
    let app = spawn_app().await;
    let (admin, manager, staff) = clients(&app).await;
    let tag = admin
        .call(Method::POST, "/tags")
        .json(&json!({"name": "Region", "color": "#1E90FF", "applies_to": ["site"]}))
        .send()
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Every type of value, each of which its deletion's records must keep exactly.
    let kept_metadata = json!({
        "name": "HQ", "floor": 3, "ratio": 0.30000000000000004, "big": 1.0e300,
        "up": true, "down": false, "code": "00123", "note": "say \"hi\"\n\u{2603}\t\\"
    });
    let hq = created(&manager, json!({"type": "site", "metadata": kept_metadata})).await;
    let other = created(
        &manager,
        json!({"type": "site", "metadata": {"name": "Branch"}}),
    )
    .await;
    let applied = manager
        .call(Method::POST, &format!("/tags/{tag}/values/{hq}"))
        .json(&json!({"correlation_type": "site", "value": "APAC"}))
        .send()
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let device = created(
        &manager,
        json!({"type": "device", "metadata": {"name": "sw-1"}}),
    )
    .await;
    let moved = manager
        .call(Method::PUT, &format!("/resources/{device}/parent"))
        .json(&json!({"parent_id": hq}))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    // One photo whose bytes another site's file shares (they stay stored), one only here.
    let shared = png(3000);
    let upload = |site: String, name: &'static str, bytes: Vec<u8>| {
        let manager = &manager;
        async move {
            let reply = manager
                .call(Method::POST, &format!("/sites/{site}/files"))
                .raw(&multipart(), form(name, "image/png", &bytes, &[]))
                .send()
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            reply.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let kept = upload(hq.clone(), "rack.png", shared.clone()).await;
    upload(other.clone(), "copy.png", shared).await;
    let lost = upload(hq.clone(), "only.png", png(4000)).await;

    let deleted = manager
        .call(Method::DELETE, &format!("/sites/{hq}"))
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let delete = sets_on(&staff, &hq).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let restored = revert(&manager, &delete, "").await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.body);
    assert_eq!(restored.json()["files_not_restored"], json!([lost]));
    let back = metadata(&staff, &hq).await.json();
    assert_eq!(back["metadata"], kept_metadata);
    let tags = staff.get(&format!("/tags/{tag}/values/{hq}")).await;
    assert_eq!(tags.status, StatusCode::OK, "{}", tags.body);
    assert_eq!(tags.json()["value"], "APAC");
    assert_eq!(
        staff.get(&format!("/resources/{device}")).await.json()["parent_id"],
        hq.as_str()
    );
    let files = staff.get(&format!("/sites/{hq}/files")).await.json();
    let names: Vec<&str> = files["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, [kept.as_str()]);
    let (status, _, bytes) = app
        .send_bytes(
            axum::http::Request::get(format!("/api/v1/sites/{hq}/files/{kept}/content"))
                .header("authorization", format!("Bearer {}", staff.token))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, png(3000));
}

#[tokio::test]
async fn a_limited_manager_reverts_only_change_sets_inside_their_sites() {
    let app = spawn_app().await;
    let (admin, _, _) = clients(&app).await;
    let mine = created(
        &admin,
        json!({"type": "site", "metadata": {"name": "Mine"}}),
    )
    .await;
    let theirs = created(
        &admin,
        json!({"type": "site", "metadata": {"name": "Theirs"}}),
    )
    .await;
    put_key(&admin, &mine, "rack", json!(1)).await;
    let on_mine = sets_on(&admin, &mine).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    put_key(&admin, &theirs, "rack", json!(1)).await;
    let on_theirs = sets_on(&admin, &theirs).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let limited = Client {
        token: app.token(Role::Manager, Some(vec![mine.as_str()])).await,
        app: &app,
    };
    revert(&limited, &on_theirs, "")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        metadata(&admin, &theirs).await.json()["metadata"]["rack"],
        1
    );
    let done = revert(&limited, &on_mine, "").await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert!(metadata(&admin, &mine).await.json()["metadata"]["rack"].is_null());
}

#[tokio::test]
async fn a_revert_s_body_is_optional_but_must_be_json_when_sent() {
    let app = spawn_app().await;
    let (_, manager, _) = clients(&app).await;
    let hq = created(
        &manager,
        json!({"type": "site", "metadata": {"name": "HQ"}}),
    )
    .await;
    put_key(&manager, &hq, "rack", json!(1)).await;
    let edit = sets_on(&manager, &hq).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    manager
        .call(Method::POST, &format!("/change-sets/{edit}/revert"))
        .raw("application/json", "not json")
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    manager
        .call(Method::POST, &format!("/change-sets/{edit}/revert"))
        .json(&json!({"comment": "x".repeat(1001)}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "comment_too_long");
    // JSON null is no comment, as an absent body is.
    let reverted = manager
        .call(Method::POST, &format!("/change-sets/{edit}/revert"))
        .raw("application/json", "null")
        .send()
        .await;
    assert_eq!(reverted.status, StatusCode::CREATED, "{}", reverted.body);
    assert!(metadata(&manager, &hq).await.json()["metadata"]["rack"].is_null());
    manager
        .call(Method::POST, "/change-sets/chg_nope/revert")
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}
