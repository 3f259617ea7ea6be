//! `/sites`.

use axum::http::{Method, StatusCode};
use serde_json::json;
use sitebook::core::access::Role;

use crate::support::{Client, etag, spawn_app};

#[tokio::test]
async fn sites_are_created_listed_renamed_and_deleted() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let created = manager
        .call(Method::POST, "/sites")
        .json(&json!({"name": " Main Office "}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let site = created.json();
    let id = site["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("site_") && id.len() == 37, "{id}");
    assert_eq!(site["name"], "Main Office");

    let listed = manager.get("/sites").await.json();
    assert_eq!(listed["data"][0]["id"], id.as_str());

    let renamed = manager
        .call(Method::PATCH, &format!("/sites/{id}"))
        .json(&json!({"name": "Head Office"}))
        .header("if-match", &etag(&created))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.json()["name"], "Head Office");
    assert_eq!(
        manager.get(&format!("/metadata/{id}")).await.json()["metadata"]["name"],
        "Head Office"
    );
    manager
        .call(Method::PATCH, &format!("/sites/{id}"))
        .json(&json!({"name": "Stale"}))
        .header("if-match", &etag(&created))
        .send()
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");

    assert_eq!(
        manager
            .call(Method::DELETE, &format!("/sites/{id}"))
            .send()
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    manager
        .get(&format!("/sites/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    let history = manager.get(&format!("/metadata/{id}/changes")).await.json();
    assert_eq!(
        history["data"].as_array().unwrap().last().unwrap()["action"],
        "resource.delete"
    );
}

#[tokio::test]
async fn bad_site_writes_are_refused() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let staff = Client::new(&app, Role::Staff).await;
    let post = |body: serde_json::Value| manager.call(Method::POST, "/sites").json(&body);
    post(json!({"name": "HQ"})).send().await;
    post(json!({"name": "hq"}))
        .send()
        .await
        .assert_error(StatusCode::CONFLICT, "name_taken");
    post(json!({"name": ""}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "name_empty");
    post(json!({"name": "a\tb"}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "name_control_character");
    post(json!({"name": "x".repeat(201)}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "name_too_long");
    post(json!({}))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_missing");
    staff
        .call(Method::POST, "/sites")
        .json(&json!({"name": "Mine"}))
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    manager
        .call(Method::DELETE, "/sites/site_nope")
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    assert_eq!(
        manager.get("/sites").await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Whoever may not make a change is refused for that, before anything they sent is judged:
/// a reader learns nothing from validation messages (not even a tag's allowed values).
#[tokio::test]
async fn a_caller_without_the_right_is_refused_before_their_input_is_judged() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let manager = Client::new(&app, Role::Manager).await;
    let staff = Client::new(&app, Role::Staff).await;
    let site = admin
        .call(Method::POST, "/sites")
        .json(&json!({"name": "HQ"}))
        .send()
        .await
        .json();
    let site = site["id"].as_str().unwrap().to_owned();
    let tag = admin
        .call(Method::POST, "/tags")
        .json(
            &json!({"name": "Region", "color": "#000000", "applies_to": ["site"],
                      "allowed_values": ["APAC"]}),
        )
        .send()
        .await
        .json();
    let tag = tag["id"].as_str().unwrap().to_owned();

    let refused = [
        (
            &staff,
            Method::POST,
            "/sites".to_owned(),
            json!({"name": ""}),
        ),
        (
            &staff,
            Method::PATCH,
            format!("/sites/{site}"),
            json!({"name": ""}),
        ),
        (
            &staff,
            Method::PUT,
            format!("/metadata/{site}/rack"),
            json!({"value": {"nested": 1}}),
        ),
        (
            &staff,
            Method::PUT,
            format!("/tags/{tag}/values/{site}"),
            json!({"correlation_type": "galaxy", "value": "APAC"}),
        ),
        (
            &staff,
            Method::PUT,
            format!("/tags/{tag}/values/{site}"),
            json!({"correlation_type": "site", "value": "Mars"}),
        ),
        (
            &staff,
            Method::POST,
            "/metadata".to_owned(),
            json!({"resource_id": "not an id!", "type": "Site!", "metadata": {"name": 1}}),
        ),
        (
            &manager,
            Method::POST,
            "/tags".to_owned(),
            json!({"name": "", "color": "red", "applies_to": []}),
        ),
    ];
    for (client, method, path, body) in refused {
        let reply = client.call(method.clone(), &path).json(&body).send().await;
        assert_eq!(
            (reply.status, reply.json()["code"].clone()),
            (StatusCode::FORBIDDEN, json!("forbidden")),
            "{method} {path}: {}",
            reply.body
        );
    }
    // The same input from someone who may write is judged on its merits.
    admin
        .call(Method::POST, "/sites")
        .json(&json!({"name": ""}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "name_empty");
}
