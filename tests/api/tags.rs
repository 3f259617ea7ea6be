//! `/tags`, `/tags/{tagId}/values` and `/resources/{id}/tags`, with the seed's `TagValue`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sitebook::core::access::Role;

use crate::support::{Client, TestApp, etag, spawn_app};

async fn site(admin: &Client<'_>, name: &str) -> String {
    let reply = admin
        .call(Method::POST, "/sites")
        .json(&json!({"name": name}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

async fn region(admin: &Client<'_>) -> String {
    let reply = admin
        .call(Method::POST, "/tags")
        .json(
            &json!({"name": "Region", "description": "Where it is", "color": "#1E90FF",
                      "applies_to": ["site", "wan"], "allowed_values": ["APAC", "EMEA", "AMER"]}),
        )
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

async fn clients(app: &TestApp) -> (Client<'_>, Client<'_>, Client<'_>) {
    (
        Client::new(app, Role::Admin).await,
        Client::new(app, Role::Manager).await,
        Client::new(app, Role::Staff).await,
    )
}

#[tokio::test]
async fn admins_define_tags_and_everyone_reads_them() {
    let app = spawn_app().await;
    let (admin, manager, staff) = clients(&app).await;
    let id = region(&admin).await;
    assert!(id.starts_with("tag_") && id.len() == 30, "{id}");

    let read = staff.get(&format!("/tags/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    let tag = read.json();
    assert_eq!(tag["color"], "#1e90ff");
    assert_eq!(tag["applies_to"], json!(["site", "wan"]));
    assert_eq!(tag["allowed_values"], json!(["APAC", "EMEA", "AMER"]));
    assert_eq!(etag(&read), "\"1\"");

    let listed = staff.get("/tags").await.json();
    assert_eq!(listed[0]["usage_count"], 0);

    manager
        .call(Method::POST, "/tags")
        .json(&json!({"name": "Tier", "color": "#000000", "applies_to": ["site"]}))
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    admin
        .call(Method::POST, "/tags")
        .json(&json!({"name": "region", "color": "#000000", "applies_to": ["site"]}))
        .send()
        .await
        .assert_error(StatusCode::CONFLICT, "name_taken");
}

#[tokio::test]
async fn bad_definitions_are_refused_field_by_field() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let base = json!({"name": "T", "color": "#000000", "applies_to": ["site"]});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let cases = [
        (
            with("name", json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name_empty",
        ),
        (
            with("color", json!("blue")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour_invalid",
        ),
        (
            with("applies_to", json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "applies_to_empty",
        ),
        (
            with("applies_to", json!(["router"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "correlation_type_invalid",
        ),
        (
            with("allowed_values", json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "allowed_values_empty",
        ),
        (
            with("allowed_values", json!(["A", "A"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "allowed_value_repeated",
        ),
        (
            with("description", json!("d".repeat(1001))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "description_too_long",
        ),
        (
            json!({"name": "T", "applies_to": ["site"]}),
            StatusCode::BAD_REQUEST,
            "parameter_missing",
        ),
        (
            with("applies_to", json!("site")),
            StatusCode::BAD_REQUEST,
            "parameter_invalid",
        ),
    ];
    for (body, status, code) in cases {
        admin
            .call(Method::POST, "/tags")
            .json(&body)
            .send()
            .await
            .assert_error(status, code);
    }
    assert_eq!(admin.get("/tags").await.json(), json!([]));
}

#[tokio::test]
async fn the_seed_put_overwrites_a_tag_value_and_post_applies_one() {
    let app = spawn_app().await;
    let (admin, manager, staff) = clients(&app).await;
    let tag = region(&admin).await;
    let hq = site(&admin, "HQ").await;
    let path = format!("/tags/{tag}/values/{hq}");

    let applied = manager
        .call(Method::POST, &path)
        .json(&json!({"correlation_type": "site", "value": "APAC"}))
        .send()
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let body = applied.json();
    for field in [
        "tag_id",
        "correlation_id",
        "correlation_type",
        "value",
        "created_at",
        "updated_at",
    ] {
        assert!(body.get(field).is_some(), "TagValue lacks {field}: {body}");
    }
    assert_eq!(body["correlation_type"], "site");
    assert_eq!(body["tag_id"], tag.as_str());

    let put = manager
        .call(Method::PUT, &path)
        .json(&json!({"correlation_type": "site", "value": "EMEA"}))
        .header("if-match", &etag(&applied))
        .send()
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.json()["value"], "EMEA");
    manager
        .call(Method::PUT, &path)
        .json(&json!({"correlation_type": "site", "value": "AMER"}))
        .header("if-match", &etag(&applied))
        .send()
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");

    assert_eq!(staff.get(&path).await.json()["value"], "EMEA");
    let chips = staff.get(&format!("/resources/{hq}/tags")).await.json();
    assert_eq!(chips["data"][0]["tag_name"], "Region");
    assert_eq!(chips["data"][0]["color"], "#1e90ff");
    assert_eq!(chips["data"][0]["value"], "EMEA");
    let values = staff.get(&format!("/tags/{tag}/values")).await.json();
    assert_eq!(values["data"].as_array().unwrap().len(), 1);
    assert!(values["next_cursor"].is_null());
    assert_eq!(staff.get("/tags").await.json()[0]["usage_count"], 1);

    staff
        .call(Method::DELETE, &path)
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        manager.call(Method::DELETE, &path).send().await.status,
        StatusCode::NO_CONTENT
    );
    staff
        .get(&path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn a_tag_value_must_fit_its_definition_and_resource() {
    let app = spawn_app().await;
    let (admin, manager, _) = clients(&app).await;
    let tag = region(&admin).await;
    let hq = site(&admin, "HQ").await;
    // POST answers each refusal with its own status; PUT is Altostrat's updateTagOnResource,
    // whose document knows only 400 for a bad request, so the same refusals are 400 there
    // with the same code.
    for (method, unprocessable, conflict) in [
        (
            Method::POST,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::CONFLICT,
        ),
        (
            Method::PUT,
            StatusCode::BAD_REQUEST,
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let write = |target: String, body: Value| {
            manager
                .call(method.clone(), &format!("/tags/{tag}/values/{target}"))
                .json(&body)
        };
        let refusals = [
            (
                json!({"correlation_type": "site", "value": "Mars"}),
                unprocessable,
                "tag_value_not_allowed",
            ),
            (
                json!({"correlation_type": "user", "value": "APAC"}),
                unprocessable,
                "tag_not_applicable",
            ),
            (
                json!({"correlation_type": "planet", "value": "APAC"}),
                unprocessable,
                "correlation_type_invalid",
            ),
            (
                json!({"correlation_type": "wan", "value": "APAC"}),
                conflict,
                "type_mismatch",
            ),
            (
                json!({"correlation_type": "site"}),
                StatusCode::BAD_REQUEST,
                "parameter_missing",
            ),
        ];
        for (body, status, code) in refusals {
            write(hq.clone(), body)
                .send()
                .await
                .assert_error(status, code);
        }
        write(
            "site_nowhere".into(),
            json!({"correlation_type": "site", "value": "APAC"}),
        )
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
        manager
            .call(method.clone(), &format!("/tags/tag_nope/values/{hq}"))
            .json(&json!({"correlation_type": "site", "value": "APAC"}))
            .send()
            .await
            .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    }
    let not_json = manager
        .call(Method::PUT, &format!("/tags/{tag}/values/{hq}"))
        .raw(
            "text/plain",
            r#"{"correlation_type": "site", "value": "APAC"}"#,
        )
        .send()
        .await;
    not_json.assert_error(StatusCode::BAD_REQUEST, "unsupported_media_type");
    assert_eq!(
        manager.get(&format!("/resources/{hq}/tags")).await.json()["data"],
        json!([])
    );
}

#[tokio::test]
async fn a_definition_is_patched_with_if_match_and_deleted_with_its_values() {
    let app = spawn_app().await;
    let (admin, manager, _) = clients(&app).await;
    let tag = region(&admin).await;
    let hq = site(&admin, "HQ").await;
    manager
        .call(Method::PUT, &format!("/tags/{tag}/values/{hq}"))
        .json(&json!({"correlation_type": "site", "value": "APAC"}))
        .send()
        .await;

    let stranding = admin
        .call(Method::PATCH, &format!("/tags/{tag}"))
        .json(&json!({"allowed_values": ["EMEA"]}))
        .send()
        .await;
    stranding.assert_error(StatusCode::CONFLICT, "tag_in_use");
    assert!(
        stranding.json()["message"]
            .as_str()
            .unwrap()
            .contains("1 resource")
    );

    let freed = admin
        .call(Method::PATCH, &format!("/tags/{tag}"))
        .json(&json!({"allowed_values": null, "colour": "#ABCDEF", "name": "Area"}))
        .header("if-match", "\"1\"")
        .send()
        .await;
    assert_eq!(freed.status, StatusCode::OK, "{}", freed.body);
    let body = freed.json();
    assert_eq!(
        (
            body["name"].clone(),
            body["color"].clone(),
            body["allowed_values"].clone()
        ),
        (json!("Area"), json!("#abcdef"), Value::Null)
    );
    admin
        .call(Method::PATCH, &format!("/tags/{tag}"))
        .json(&json!({"name": "Again"}))
        .header("if-match", "\"1\"")
        .send()
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");
    manager
        .call(Method::PATCH, &format!("/tags/{tag}"))
        .json(&json!({"name": "Mine"}))
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    assert_eq!(
        admin
            .call(Method::DELETE, &format!("/tags/{tag}"))
            .send()
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    admin
        .get(&format!("/tags/{tag}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    assert_eq!(
        admin.get(&format!("/resources/{hq}/tags")).await.json()["data"],
        json!([])
    );
    let history = admin.get(&format!("/metadata/{hq}/changes")).await.json();
    assert_eq!(
        history["data"].as_array().unwrap().last().unwrap()["action"],
        "tag.remove"
    );
}

#[tokio::test]
async fn tag_values_page_by_resource_id() {
    let app = spawn_app().await;
    let (admin, manager, _) = clients(&app).await;
    let tag = region(&admin).await;
    for n in 0..5 {
        let id = site(&admin, &format!("Site {n}")).await;
        manager
            .call(Method::PUT, &format!("/tags/{tag}/values/{id}"))
            .json(&json!({"correlation_type": "site", "value": "APAC"}))
            .send()
            .await;
    }
    let first = manager
        .get(&format!("/tags/{tag}/values?limit=3"))
        .await
        .json();
    assert_eq!(first["data"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = manager
        .get(&format!("/tags/{tag}/values?limit=3&after={cursor}"))
        .await
        .json();
    assert_eq!(second["data"].as_array().unwrap().len(), 2);
    assert!(second["next_cursor"].is_null());
    manager
        .get(&format!("/tags/{tag}/values?limit=5000"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
}

/// serde reads a struct from a JSON array too, so a body whose fields are all optional would
/// take `[]` as "change nothing"; the document says every body is an object.
#[tokio::test]
async fn a_body_that_is_not_an_object_is_refused() {
    let app = spawn_app().await;
    let (admin, _, _) = clients(&app).await;
    let tag = region(&admin).await;
    for body in [json!([]), json!(["name"]), json!("Region"), json!(7)] {
        admin
            .call(Method::PATCH, &format!("/tags/{tag}"))
            .json(&body)
            .send()
            .await
            .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
        admin
            .call(Method::PUT, "/settings")
            .json(&body)
            .send()
            .await
            .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    }
    admin
        .call(Method::PATCH, &format!("/tags/{tag}"))
        .raw("application/json", "[")
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
}
