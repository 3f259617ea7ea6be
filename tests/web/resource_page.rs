//! `/resources/{id}`: every resource type has a page like a site's, reached from the site it
//! is under and from the list's type chips; the list exports what it shows.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sitebook::core::access::Role;

use crate::browser::{Browser, urlencode};
use crate::support::Reply;

async fn api(browser: &Browser, method: &str, uri: &str, token: &str, body: Value) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    browser.app.send(request).await
}

/// A site with a device under it carrying two keys, made through the API.
async fn site_with_device(browser: &Browser, token: &str) -> (String, String) {
    let site = api(
        browser,
        "POST",
        "/api/v1/metadata",
        token,
        json!({"resource_id": "site_harbour", "type": "site", "metadata": {"name": "Harbour"}}),
    )
    .await;
    assert!(site.status.is_success(), "{}", site.body);
    let device = api(
        browser,
        "POST",
        "/api/v1/metadata",
        token,
        json!({"resource_id": "dev_core:1", "type": "device",
               "metadata": {"name": "core-switch-1", "rack_units": 2, "serial": "00123"}}),
    )
    .await;
    assert!(device.status.is_success(), "{}", device.body);
    let placed = api(
        browser,
        "PUT",
        "/api/v1/resources/dev_core:1/parent",
        token,
        json!({"parent_id": "site_harbour"}),
    )
    .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    ("site_harbour".to_owned(), "dev_core:1".to_owned())
}

#[tokio::test]
async fn a_device_has_a_page_linked_from_its_site_and_linking_back() {
    let browser = Browser::signed_in(Role::Manager).await;
    let token = browser.app.token(Role::Admin, None).await;
    let (site, _) = site_with_device(&browser, &token).await;

    let site_page = browser.get(&format!("/sites/{site}")).await;
    assert_eq!(site_page.status, StatusCode::OK);
    assert!(
        site_page.body.contains("href=\"/resources/dev_core:1\""),
        "the site links its device"
    );

    let page = browser.get("/resources/dev_core:1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for expected in [
        "core-switch-1",
        "device",
        "data-key=\"rack_units\"",
        "data-key=\"serial\"",
        "00123",
        "href=\"/sites/site_harbour\"",
        "Harbour",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }
    // Devices hold no files: no upload area, no files panel.
    assert!(!page.body.contains("files-heading"));
    assert!(page.body.contains("History"));

    // Its metadata is edited by the same server function as a site's.
    let set = browser
        .call(
            "set_metadata",
            &format!(
                "site={}&key=floor&kind=number&text=4&revision=0&csrf={}",
                urlencode("dev_core:1"),
                browser.csrf
            ),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let again = browser.get("/resources/dev_core:1").await;
    assert!(again.body.contains("data-key=\"floor\""), "the edit shows");

    // The site's own address still answers only for sites.
    assert_eq!(
        browser.get("/sites/dev_core:1").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/resources/nothing_here").await.status,
        StatusCode::NOT_FOUND
    );
    // A site opened as a resource is the site page, files and all.
    let as_resource = browser.get(&format!("/resources/{site}")).await;
    assert!(as_resource.body.contains("files-heading"));
}

#[tokio::test]
async fn the_list_shows_sites_until_a_type_is_chosen_and_exports_what_it_shows() {
    let browser = Browser::signed_in(Role::Staff).await;
    let token = browser.app.token(Role::Admin, None).await;
    site_with_device(&browser, &token).await;

    let sites = browser.get("/").await;
    assert!(sites.body.contains("Harbour"));
    assert!(!sites.body.contains("core-switch-1"), "sites by default");
    assert!(
        sites.body.contains("href=\"/?q=type%3Adevice\""),
        "a chip per type"
    );
    assert!(
        sites
            .body
            .contains("href=\"/api/v1/resources/export?q=type%3Asite&amp;format=csv\"")
    );

    let devices = browser.get("/?q=type%3Adevice").await;
    assert!(devices.body.contains("core-switch-1"));
    assert!(devices.body.contains("href=\"/resources/dev_core:1\""));
    assert!(!devices.body.contains(">Harbour<"));

    // A search without a type stays within sites, and the export says so.
    let searched = browser.get("/?q=core").await;
    assert!(!searched.body.contains("core-switch-1"));
    let export = "/api/v1/resources/export?q=type%3Asite%20AND%20%28core%29&amp;format=csv";
    assert!(searched.body.contains(export), "{}", searched.body);

    // The export link works with the browser's session, as a download would.
    let csv = browser
        .get("/api/v1/resources/export?q=type%3Adevice&format=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.body.contains("core-switch-1"));
}
