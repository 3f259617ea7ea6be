//! `GET /resources?q=…`.

use axum::http::{Method, StatusCode};
use serde_json::json;
use sitebook::core::access::Role;

use crate::support::{Client, spawn_app};

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_issues_example_query_finds_the_critical_apac_router() {
    let app = spawn_app().await;
    let admin = Client::new(&app, Role::Admin).await;
    let tag = admin
        .call(Method::POST, "/tags")
        .json(&json!({"name": "Region", "color": "#123456", "applies_to": ["site"]}))
        .send()
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (id, name, critical, region) in [
        ("site_a", "Sydney core", true, "APAC"),
        ("site_b", "Tokyo edge", false, "APAC"),
        ("site_c", "London core", true, "EMEA"),
    ] {
        admin
            .create(&json!({"resource_id": id, "type": "site",
                            "metadata": {"name": name, "is_critical": critical}}))
            .await;
        admin
            .call(Method::PUT, &format!("/tags/{tag}/values/{id}"))
            .json(&json!({"correlation_type": "site", "value": region}))
            .send()
            .await;
    }
    let staff = Client::new(&app, Role::Staff).await;
    let found = staff
        .get(&format!(
            "/resources?q={}",
            encode("tag:Region=APAC AND meta.is_critical=true")
        ))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let body = found.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["id"], "site_a");
    assert_eq!(body["data"][0]["type"], "site");

    let page = staff
        .get(&format!(
            "/resources?q={}&limit=2",
            encode("name:*core* OR tag:Region")
        ))
        .await
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest = staff
        .get(&format!(
            "/resources?q={}&limit=2&after={cursor}",
            encode("name:*core* OR tag:Region")
        ))
        .await
        .json();
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn a_malformed_query_says_where() {
    let app = spawn_app().await;
    let staff = Client::new(&app, Role::Staff).await;
    let reply = staff
        .get(&format!("/resources?q={}", encode("(type:site")))
        .await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "search_invalid");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("character 0")
    );
    staff
        .get("/resources?after=abc")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
}

#[tokio::test]
async fn a_device_is_put_under_its_site() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    let site = manager
        .call(Method::POST, "/sites")
        .json(&json!({"name": "HQ"}))
        .send()
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    manager
        .create(&json!({"resource_id": "dev-1", "type": "mikrotik.device", "metadata": {"name": "Edge"}}))
        .await;
    let placed = manager
        .call(Method::PUT, "/resources/dev-1/parent")
        .json(&json!({"parent_id": site}))
        .header("if-match", "\"1\"")
        .send()
        .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    assert_eq!(placed.json()["parent_id"], site.as_str());
    assert_eq!(
        manager.get("/resources/dev-1").await.json()["parent_id"],
        site.as_str()
    );
    manager
        .call(Method::PUT, "/resources/dev-1/parent")
        .json(&json!({"parent_id": "dev-1"}))
        .send()
        .await
        .assert_error(StatusCode::CONFLICT, "parent_loop");
    manager
        .call(Method::PUT, "/resources/dev-1/parent")
        .json(&json!({"parent": null}))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    manager
        .call(Method::PUT, "/resources/dev-1/parent")
        .json(&json!({"parent_id": null}))
        .send()
        .await;
    assert!(manager.get("/resources/dev-1").await.json()["parent_id"].is_null());
    manager
        .get("/resources/nope")
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

/// Used to: the loop check read 32 ancestors and accepted whatever lay beyond them, so a
/// chain of 33 could be closed into a loop. Now a chain is never deeper than the check reads.
#[tokio::test]
async fn resources_nest_at_most_max_depth_deep_so_no_loop_escapes_the_check() {
    use sitebook::core::resources::MAX_DEPTH;
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    for n in 0..=MAX_DEPTH {
        manager
            .create(&json!({"resource_id": format!("link-{n}"), "type": "chain.link", "metadata": {"name": format!("Link {n}")}}))
            .await;
    }
    // link-0 at the top, each next one under the one before: MAX_DEPTH resources deep.
    for n in 1..MAX_DEPTH {
        let placed = manager
            .call(Method::PUT, &format!("/resources/link-{n}/parent"))
            .json(&json!({"parent_id": format!("link-{}", n - 1)}))
            .send()
            .await;
        assert_eq!(placed.status, StatusCode::OK, "link-{n}: {}", placed.body);
    }
    let deepest = MAX_DEPTH - 1;
    manager
        .call(Method::PUT, &format!("/resources/link-{MAX_DEPTH}/parent"))
        .json(&json!({"parent_id": format!("link-{deepest}")}))
        .send()
        .await
        .assert_error(StatusCode::CONFLICT, "parent_too_deep");
    // Closing the longest chain into a loop is seen: the check reads the whole chain.
    manager
        .call(Method::PUT, "/resources/link-0/parent")
        .json(&json!({"parent_id": format!("link-{deepest}")}))
        .send()
        .await
        .assert_error(StatusCode::CONFLICT, "parent_loop");
    manager
        .call(Method::PUT, "/resources/link-0/parent")
        .json(&json!({"parent_id": "link-5"}))
        .send()
        .await
        .assert_error(StatusCode::CONFLICT, "parent_loop");
}

/// Used to: a term could hold any number of `*`; now at most four, refused like any other
/// query the language cannot take (422, naming where).
#[tokio::test]
async fn a_term_with_too_many_wildcards_is_refused() {
    let app = spawn_app().await;
    let staff = Client::new(&app, Role::Staff).await;
    let fine = staff
        .get(&format!("/resources?q={}", encode("name:*core*router*")))
        .await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);
    let reply = staff
        .get(&format!(
            "/resources?q={}",
            encode("type:site name:*a*b*c*d*")
        ))
        .await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "too_many_wildcards");
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("character 10"), "{message}");
    assert!(message.contains("at most 4"), "{message}");
}

/// Used to: a search ran as long as SQLite took over the whole tenant. One still running at
/// its deadline is stopped and answered 422 `search_too_slow` (the deadline is made tiny
/// here, so no search has to be slow for real).
#[tokio::test]
async fn a_search_past_its_deadline_answers_search_too_slow() {
    use sitebook::core::access::Actor;
    use sitebook::core::metadata::{Metadata, MetadataLimits};
    use sitebook::core::resources::{ResourceId, ResourceType};
    use sitebook::core::search::SearchLimits;
    use sitebook::core::tenancy::TenantId;
    use sitebook::store::ImportItem;

    let app = spawn_app().await;
    let items: Vec<ImportItem> = (0..2000)
        .map(|n| ImportItem {
            id: ResourceId::parse(&format!("site_{n}")).unwrap(),
            kind: ResourceType::site(),
            metadata: Metadata::from_json(&json!({"name": format!("Site {n:05}")})).unwrap(),
            tags: vec![],
        })
        .collect();
    app.store
        .import_resources(
            &Actor::operator(TenantId::default_tenant()),
            &items,
            MetadataLimits::default(),
        )
        .await
        .unwrap();
    let staff = Client::new(&app, Role::Staff).await;
    let path = format!("/resources?q={}", encode("name:*zz*"));
    assert_eq!(staff.get(&path).await.status, StatusCode::OK);

    app.store.set_search_limits(SearchLimits {
        deadline: std::time::Duration::ZERO,
        ..SearchLimits::default()
    });
    let reply = staff.get(&path).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "search_too_slow");
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("narrow"), "{message}");
    let doc = staff.get("/errors/search_too_slow").await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
}
