//! `/admin/tags` and the server functions behind its form: admins only, counts, deletes.

use axum::http::StatusCode;
use sitebook::core::access::{Actor, Role};
use sitebook::core::resources::{ResourceName, ResourceType};
use sitebook::core::tags::{CorrelationType, TagId};
use sitebook::core::tenancy::TenantId;

use crate::browser::{Browser, urlencode};

fn tag_form(
    browser: &Browser,
    id: &str,
    version: i64,
    name: &str,
    applies: &str,
    allowed: &str,
) -> String {
    format!(
        "id={id}&version={version}&form[name]={}&form[description]=Where+it+is&form[colour]=%231e90ff\
         &form[applies_to]={applies}&form[allowed_values]={}&csrf={}",
        urlencode(name),
        urlencode(allowed),
        browser.csrf
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_creates_edits_and_deletes_tags_and_sees_how_many_resources_use_them() {
    let admin = Browser::signed_in(Role::Admin).await;
    let created = admin
        .call(
            "save_tag",
            &tag_form(&admin, "", 0, "Region", "site,wan", "APAC\nEMEA\n\n"),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let tag = created.json();
    assert_eq!(
        tag["allowed_values"],
        serde_json::json!(["APAC", "EMEA"]),
        "blank lines are not values"
    );
    let free = admin
        .call(
            "save_tag",
            &tag_form(&admin, "", 0, "Circuit owner", "site", ""),
        )
        .await
        .json();
    assert_eq!(
        free["allowed_values"],
        serde_json::Value::Null,
        "no values: any value"
    );

    let duplicate = admin
        .call("save_tag", &tag_form(&admin, "", 0, "region", "site", ""))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    let no_types = admin
        .call("save_tag", &tag_form(&admin, "", 0, "Tier", "", ""))
        .await;
    assert_eq!(
        no_types.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_types.body
    );

    let operator = Actor::operator(TenantId::default_tenant());
    let site = admin
        .app
        .store
        .create_resource(
            &operator,
            &ResourceType::site(),
            &ResourceName::parse("Depot").unwrap(),
            3,
        )
        .await
        .unwrap();
    let id = tag["id"].as_str().unwrap();
    admin
        .app
        .store
        .set_tag_value(
            &operator,
            &TagId::from_path(id),
            &site.id,
            CorrelationType::Site,
            "APAC",
            None,
        )
        .await
        .unwrap();

    let page = admin.get("/admin/tags").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1 resource<"), "{}", page.body);
    assert!(page.body.contains("APAC, EMEA") && page.body.contains("Circuit owner"));

    let version = tag["version"].as_i64().unwrap();
    let edited = admin
        .call(
            "save_tag",
            &tag_form(&admin, id, version, "Region", "site", "APAC\nEMEA\nAMER"),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let stale = admin
        .call(
            "save_tag",
            &tag_form(&admin, id, version, "Region", "site", "APAC"),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );

    let new_version = edited.json()["version"].as_i64().unwrap();
    let deleted = admin
        .call(
            "delete_tag",
            &format!("id={id}&version={new_version}&csrf={}", admin.csrf),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(
        deleted.json(),
        serde_json::json!(1),
        "one resource lost the tag"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn managers_get_no_tag_form_and_cannot_define_tags() {
    let manager = Browser::signed_in(Role::Manager).await;
    let page = manager.get("/admin/tags").await;
    assert!(
        page.body.contains("Only admins define tags"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("New tag"));
    let forged = manager
        .call("save_tag", &tag_form(&manager, "", 0, "Region", "site", ""))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
}
