//! The site page `/sites/{id}` and the calls its controls make: metadata edits with stale-edit
//! refusal, tag chips, files through the REST API with the session cookie and CSRF token.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use sitebook::core::access::{Actor, Role};
use sitebook::core::resources::{ResourceName, ResourceType};
use sitebook::core::tags::TagDraft;
use sitebook::core::tenancy::TenantId;

use crate::browser::{Browser, urlencode};
use crate::support::Reply;

const BOUNDARY: &str = "web-test-boundary";

fn operator() -> Actor {
    Actor::operator(TenantId::default_tenant())
}

/// A site made by the operator, and a "Region" tag with allowed values that applies to sites.
async fn site_with_region_tag(browser: &Browser) -> (String, String) {
    let store = &browser.app.store;
    let site = store
        .create_resource(
            &operator(),
            &ResourceType::site(),
            &ResourceName::parse("Harbour Depot").unwrap(),
            7,
        )
        .await
        .unwrap();
    let allowed = ["APAC".to_owned(), "EMEA".to_owned()];
    let draft = TagDraft::new(
        "Region",
        "",
        "#1e90ff",
        &["site".to_owned()],
        Some(&allowed),
    )
    .unwrap();
    let tag = store.create_tag(&operator(), &draft, 9).await.unwrap();
    (site.id.to_string(), tag.id.as_str().to_owned())
}

fn set_form(
    browser: &Browser,
    site: &str,
    key: &str,
    kind: &str,
    text: &str,
    revision: i64,
) -> String {
    format!(
        "site={site}&key={}&kind={kind}&text={}&revision={revision}&csrf={}",
        urlencode(key),
        urlencode(text),
        browser.csrf
    )
}

async fn upload(
    browser: &Browser,
    site: &str,
    csrf: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> Reply {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut request = browser.request(Request::post(format!("/api/v1/sites/{site}/files")).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    ));
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    browser
        .app
        .send(request.body(Body::from(body)).unwrap())
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_edits_metadata_of_each_type_and_the_page_shows_who_and_what() {
    let manager = Browser::signed_in(Role::Manager).await;
    let (site, _) = site_with_region_tag(&manager).await;

    for (key, kind, text) in [
        ("circuit_id", "string", "AS-4411"),
        ("rack_units", "number", "2"),
        ("is_critical", "boolean", "true"),
    ] {
        let reply = manager
            .call(
                "set_metadata",
                &set_form(&manager, &site, key, kind, text, 0),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{key}: {}", reply.body);
    }
    let stored = manager
        .app
        .store
        .read_metadata(
            &operator(),
            &sitebook::core::resources::ResourceId::from_path(site.clone()),
        )
        .await
        .unwrap();
    let value = |k: &str| {
        stored
            .entries
            .iter()
            .find(|e| e.key.as_str() == k)
            .unwrap()
            .value
            .to_json()
    };
    assert_eq!(
        value("rack_units"),
        serde_json::json!(2),
        "typed text became a number"
    );
    assert_eq!(value("is_critical"), serde_json::json!(true));

    let page = manager.get(&format!("/sites/{site}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "AS-4411",
        "type-number",
        "type-boolean",
        "Add a key",
        "Choose files",
        "set metadata",
        "tester",
    ] {
        assert!(
            page.body.contains(expected),
            "{expected} missing from the page"
        );
    }

    let wrong = manager
        .call(
            "set_metadata",
            &set_form(&manager, &site, "rack_units", "number", "two", 1),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("'two' is not a number"),
        "{}",
        wrong.body
    );

    let revision = stored
        .entries
        .iter()
        .find(|e| e.key.as_str() == "rack_units")
        .unwrap()
        .revision;
    let deleted = manager
        .call(
            "delete_metadata",
            &format!(
                "site={site}&key=rack_units&revision={revision}&csrf={}",
                manager.csrf
            ),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let page = manager.get(&format!("/sites/{site}")).await;
    assert!(
        !page.body.contains("data-key=\"rack_units\""),
        "the deleted key is gone"
    );
    assert!(
        page.body
            .contains("removed metadata &#x27;rack_units&#x27;")
            || page.body.contains("removed metadata 'rack_units'"),
        "history shows the removal"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_edit_is_refused_naming_the_new_value_and_who_set_it() {
    let manager = Browser::signed_in(Role::Manager).await;
    let (site, _) = site_with_region_tag(&manager).await;
    let first: Value = manager
        .call(
            "set_metadata",
            &set_form(&manager, &site, "contact", "string", "Ana", 0),
        )
        .await
        .json();
    let seen = first["revision"].as_i64().unwrap();

    // Someone else (the operator) changes it after this page was loaded.
    manager
        .app
        .store
        .change_metadata(
            &operator(),
            sitebook::store::MetadataTarget::Existing(
                &sitebook::core::resources::ResourceId::from_path(site.clone()),
            ),
            &sitebook::core::metadata::Precondition::Any,
            |current| {
                Ok(current
                    .unwrap()
                    .merge(&serde_json::json!({"contact": "Bo"}), Default::default())?)
            },
        )
        .await
        .unwrap();

    let stale = manager
        .call(
            "set_metadata",
            &set_form(&manager, &site, "contact", "string", "Cy", seen),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("it is now \\\"Bo\\\"") || stale.body.contains("it is now \"Bo\""),
        "{}",
        stale.body
    );
    assert!(stale.body.contains("changed by operator"), "{}", stale.body);
    let adding_twice = manager
        .call(
            "set_metadata",
            &set_form(&manager, &site, "contact", "string", "Di", 0),
        )
        .await;
    assert_eq!(
        adding_twice.status,
        StatusCode::PRECONDITION_FAILED,
        "adding a key someone else just added"
    );
    let page = manager.get(&format!("/sites/{site}")).await;
    assert!(page.body.contains(">Bo<"), "nothing was overwritten");
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_are_applied_from_the_picker_and_removed_and_disallowed_values_are_refused() {
    let manager = Browser::signed_in(Role::Manager).await;
    let (site, tag) = site_with_region_tag(&manager).await;
    let page = manager.get(&format!("/sites/{site}")).await;
    assert!(
        page.body.contains("<option value=\"APAC\">"),
        "the picker offers the allowed values"
    );

    let form = |value: &str| format!("site={site}&tag={tag}&value={value}&csrf={}", manager.csrf);
    let refused = manager.call("apply_tag", &form("Mars")).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("choose one of: APAC, EMEA"),
        "{}",
        refused.body
    );

    assert_eq!(
        manager.call("apply_tag", &form("APAC")).await.status,
        StatusCode::OK
    );
    let page = manager.get(&format!("/sites/{site}")).await;
    assert!(
        page.body.contains("--chip: #1e90ff"),
        "the chip has the tag's colour"
    );
    assert!(
        page.body.contains("Remove tag Region: APAC"),
        "{}",
        page.body
    );

    let removed = manager
        .call(
            "remove_tag",
            &format!("site={site}&tag={tag}&csrf={}", manager.csrf),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert!(
        !manager
            .get(&format!("/sites/{site}"))
            .await
            .body
            .contains("Remove tag Region")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_uploads_with_its_cookie_only_when_it_sends_the_csrf_token() {
    let manager = Browser::signed_in(Role::Manager).await;
    let (site, _) = site_with_region_tag(&manager).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    let forged = upload(&manager, &site, None, "photo.png", png).await;
    forged.assert_error(StatusCode::FORBIDDEN, "csrf_invalid");
    let wrong = upload(&manager, &site, Some("not-the-token"), "photo.png", png).await;
    wrong.assert_error(StatusCode::FORBIDDEN, "csrf_invalid");
    assert!(
        manager
            .app
            .store
            .list_files(
                &operator(),
                &sitebook::core::resources::ResourceId::from_path(site.clone())
            )
            .await
            .unwrap()
            .is_empty()
    );

    let csrf = manager.csrf.clone();
    let stored = upload(&manager, &site, Some(&csrf), "photo.png", png).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    let file = stored.json();
    let download = manager.request(Request::get(format!(
        "/api/v1/sites/{site}/files/{}/content",
        file["id"].as_str().unwrap()
    )));
    let (status, _, bytes) = manager
        .app
        .send_bytes(download.body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a signed-in browser downloads with its cookie"
    );
    assert_eq!(bytes, png);

    let page = manager.get(&format!("/sites/{site}")).await;
    assert!(
        page.body.contains("photo.png") && page.body.contains("class=\"thumb\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("added file"), "history shows the upload");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_no_edit_controls_and_forged_calls_change_nothing() {
    let staff = Browser::signed_in(Role::Staff).await;
    let (site, tag) = site_with_region_tag(&staff).await;
    let page = staff.get(&format!("/sites/{site}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Harbour Depot"));
    for control in [
        "Add a key",
        "Choose files",
        "Add tag",
        "Write a note",
        ">Edit<",
        ">Delete<",
    ] {
        assert!(!page.body.contains(control), "staff see {control}");
    }
    let forged = staff
        .call(
            "set_metadata",
            &set_form(&staff, &site, "x", "string", "y", 0),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let forged_tag = staff
        .call(
            "apply_tag",
            &format!("site={site}&tag={tag}&value=APAC&csrf={}", staff.csrf),
        )
        .await;
    assert_eq!(
        forged_tag.status,
        StatusCode::FORBIDDEN,
        "{}",
        forged_tag.body
    );
    let csrf = staff.csrf.clone();
    let forged_upload = upload(&staff, &site, Some(&csrf), "a.txt", b"hello").await;
    forged_upload.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let history = staff
        .app
        .store
        .recent_changes(
            &operator(),
            &sitebook::core::resources::ResourceId::from_path(site),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        1,
        "only the creation is recorded: {history:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn long_file_lists_and_histories_show_the_newest_first_and_the_rest_on_request() {
    let manager = Browser::signed_in(Role::Manager).await;
    let (site, _) = site_with_region_tag(&manager).await;
    let csrf = manager.csrf.clone();
    for n in 0..53 {
        let body = format!("note {n}");
        let name = format!("note-{n:02}.txt");
        let stored = upload(&manager, &site, Some(&csrf), &name, body.as_bytes()).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    }
    let page = manager.get(&format!("/sites/{site}")).await;
    assert_eq!(page.body.matches("data-file=").count(), 50);
    assert!(page.body.contains("note-52.txt") && !page.body.contains("note-02.txt"));
    assert!(page.body.contains("Show all 53 files"), "{}", page.body);
    assert!(page.body.contains("Show older changes"));
    assert_eq!(page.body.matches("added file").count(), 25);

    let all = manager
        .get(&format!("/sites/{site}?files=all&history=all"))
        .await;
    assert_eq!(all.body.matches("data-file=").count(), 53);
    assert!(!all.body.contains("Show all") && !all.body.contains("Show older changes"));
    assert_eq!(all.body.matches("added file").count(), 53);
    assert!(all.body.contains("created the site"));
}

/// A JSON call through one of the API faces with an API token.
async fn api_call(browser: &Browser, method: &str, uri: &str, token: &str, body: Value) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    browser.app.send(request).await
}

#[tokio::test]
async fn what_nova_and_data_hub_write_shows_under_the_site_their_resources_are_under() {
    let browser = Browser::signed_in(Role::Staff).await;
    let (site, _) = site_with_region_tag(&browser).await;
    let token = browser.app.token(Role::Manager, None).await;
    let empty = browser.get(&format!("/sites/{site}")).await;
    assert!(
        !empty.body.contains("Under this site"),
        "no section without resources"
    );

    let server = "0b0e7a9c-1f49-4a8e-9a50-6c1d2f3e4b5a";
    let made = api_call(
        &browser,
        "POST",
        "/api/v1/metadata",
        &token,
        serde_json::json!(
        {"resource_id": server, "type": "openstack.server", "metadata": {"name": "edge-router-7"}}),
    )
    .await;
    assert!(made.status.is_success(), "{}", made.body);
    let nova = api_call(
        &browser,
        "PUT",
        &format!("/openstack/compute/v2.1/servers/{server}/metadata/circuit"),
        &token,
        serde_json::json!({"meta": {"circuit": "CID-7731"}}),
    )
    .await;
    assert_eq!(nova.status, StatusCode::OK, "{}", nova.body);

    let ns = "/datahub/api/v1/Tenants/default/Namespaces/default";
    let typed = api_call(
        &browser,
        "POST",
        &format!("{ns}/Types/Level"),
        &token,
        serde_json::json!(
        {"Id": "Level", "SdsTypeCode": "Object", "Properties": [{"Id": "Time", "IsKey": true,
         "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}]}),
    )
    .await;
    assert_eq!(typed.status, StatusCode::CREATED, "{}", typed.body);
    let stream = api_call(
        &browser,
        "POST",
        &format!("{ns}/Streams/Tank7"),
        &token,
        serde_json::json!({"Id": "Tank7", "TypeId": "Level", "Name": "Tank seven"}),
    )
    .await;
    assert_eq!(stream.status, StatusCode::CREATED, "{}", stream.body);
    let written = api_call(
        &browser,
        "PUT",
        &format!("{ns}/Streams/Tank7/Metadata"),
        &token,
        serde_json::json!({"Unit": "m3"}),
    )
    .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);
    let found = browser
        .app
        .send(
            Request::get("/api/v1/resources?q=type:datahub.stream")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let stream_resource = found.json()["data"][0]["id"].as_str().unwrap().to_owned();

    for resource in [server, stream_resource.as_str()] {
        let placed = api_call(
            &browser,
            "PUT",
            &format!("/api/v1/resources/{resource}/parent"),
            &token,
            serde_json::json!({"parent_id": site}),
        )
        .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    }
    let page = browser.get(&format!("/sites/{site}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Under this site",
        "edge-router-7",
        "openstack.server",
        server,
        "data-key=\"circuit\"",
        "CID-7731",
        "datahub.stream",
        &stream_resource,
        "data-key=\"Unit\"",
        "m3",
    ] {
        assert!(
            page.body.contains(expected),
            "{expected} missing from the page"
        );
    }
}
