//! The site list `/` and creating sites, with and without JavaScript.

use axum::http::{StatusCode, header};
use sitebook::core::access::Role;

use crate::browser::Browser;

#[tokio::test(flavor = "multi_thread")]
async fn the_site_list_is_server_rendered_and_a_created_site_appears_in_it() {
    let app = Browser::signed_in(Role::Manager).await;

    let empty = app.get("/").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.content_type().starts_with("text/html"),
        "{}",
        empty.content_type()
    );
    assert!(empty.body.contains("No sites yet"), "{}", empty.body);
    assert!(
        empty.body.contains("/pkg/sitebook.js"),
        "the page loads the WASM client"
    );

    let created = app.call("create_site", &app.form("  Main Office  ")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let site = created.json();
    assert_eq!(site["name"], "Main Office", "the name is stored trimmed");
    assert_eq!(site["type"], "site");
    let id = site["id"].as_str().unwrap();
    assert!(id.starts_with("site_") && id.len() == 37, "{id}");

    let listed = app.get("/").await;
    assert!(listed.body.contains("Main Office"), "{}", listed.body);
    assert!(
        listed.body.contains(&format!("href=\"/sites/{id}\"")),
        "{}",
        listed.body
    );
    assert!(!listed.body.contains("No sites yet"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_page_shows_the_site_and_an_unknown_id_gets_a_404_page() {
    let app = Browser::signed_in(Role::Manager).await;
    let site = app.call("create_site", &app.form("Branch 7")).await.json();
    let id = site["id"].as_str().unwrap();

    let page = app.get(&format!("/sites/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Branch 7</h1>"), "{}", page.body);
    assert!(page.body.contains(id));

    let missing = app
        .get("/sites/site_00000000000000000000000000000000")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Not found"), "{}", missing.body);

    let nowhere = app.get("/no/such/page").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(nowhere.body.contains("Not found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_names_are_refused_with_a_clear_message_and_nothing_is_written() {
    let app = Browser::signed_in(Role::Manager).await;
    app.call("create_site", &app.form("Main Office")).await;

    let cases = [
        ("", StatusCode::UNPROCESSABLE_ENTITY, "A name is required."),
        (
            "   \t ",
            StatusCode::UNPROCESSABLE_ENTITY,
            "A name is required.",
        ),
        (
            &"x".repeat(201),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 200 characters; this one has 201",
        ),
        (
            "Main\u{7}Office",
            StatusCode::UNPROCESSABLE_ENTITY,
            "control characters",
        ),
        (
            "MAIN OFFICE",
            StatusCode::CONFLICT,
            "A site named 'MAIN OFFICE' already exists.",
        ),
    ];
    for (name, status, message) in cases {
        let reply = app.call("create_site", &app.form(name)).await;
        assert_eq!(reply.status, status, "{name:?}: {}", reply.body);
        let text = reply.json().to_string();
        assert!(
            text.contains(message),
            "{name:?}: expected {message:?} in {text}"
        );
    }
    assert_eq!(app.site_count().await, 1, "no failed create wrote anything");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_without_the_name_field_is_a_client_error() {
    let app = Browser::signed_in(Role::Manager).await;
    let reply = app
        .call("create_site", &format!("nome=typo&csrf={}", app.csrf))
        .await;
    assert!(
        reply.status.is_client_error(),
        "{} {}",
        reply.status,
        reply.body
    );
    assert!(
        reply.json().to_string().contains("malformed"),
        "{}",
        reply.body
    );
    assert_eq!(app.site_count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_works_without_javascript_and_reports_errors_on_the_page() {
    let app = Browser::signed_in(Role::Manager).await;

    let ok = app
        .post_form_without_js("create_site", &app.form("Depot"), "/")
        .await;
    assert!(ok.status.is_redirection(), "{}", ok.status);
    let back = ok.header(header::LOCATION).unwrap();
    assert!(
        back.starts_with("http://127.0.0.1:3000/") && !back.contains("__err"),
        "{back}"
    );
    assert_eq!(app.site_count().await, 1);

    let refused = app
        .post_form_without_js("create_site", &app.form("depot"), "/")
        .await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    let location = refused.header(header::LOCATION).unwrap();
    assert!(location.contains("__err="), "{location}");

    // Following the redirect renders the list with the error where the form shows it.
    let path = location.trim_start_matches("http://127.0.0.1:3000");
    let page = app.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("A site named &#x27;depot&#x27; already exists.")
            || page.body.contains("A site named 'depot' already exists."),
        "{}",
        page.body
    );
    assert_eq!(app.site_count().await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_searches_with_the_query_language_shows_chips_and_pages() {
    use sitebook::core::access::Actor;
    use sitebook::core::tags::{CorrelationType, TagDraft};
    use sitebook::core::tenancy::TenantId;

    let app = Browser::signed_in(Role::Staff).await;
    let operator = Actor::operator(TenantId::default_tenant());
    let store = &app.app.store;
    let allowed = ["APAC".to_owned(), "EMEA".to_owned()];
    let draft = TagDraft::new(
        "Region",
        "",
        "#0a7d32",
        &["site".to_owned()],
        Some(&allowed),
    )
    .unwrap();
    let tag = store.create_tag(&operator, &draft, 1).await.unwrap();
    for n in 0..60u128 {
        let name = sitebook::core::resources::ResourceName::parse(&format!("Site {n:02}")).unwrap();
        let site = store
            .create_resource(
                &operator,
                &sitebook::core::resources::ResourceType::site(),
                &name,
                n + 100,
            )
            .await
            .unwrap();
        if n % 20 == 3 {
            store
                .set_tag_value(
                    &operator,
                    &tag.id,
                    &site.id,
                    CorrelationType::Site,
                    "APAC",
                    None,
                )
                .await
                .unwrap();
        }
    }

    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("href=\"/sites/").count(),
        50,
        "one page holds 50 sites"
    );
    assert!(page.body.contains("rel=\"next\""), "a next-page link");
    assert!(
        page.body.contains("href=\"/?q=tag%3ARegion%3DAPAC\""),
        "a filter chip per allowed value"
    );

    let found = app.get("/?q=tag%3ARegion%3DAPAC").await;
    assert_eq!(
        found.body.matches("href=\"/sites/").count(),
        3,
        "{}",
        found.body
    );
    assert!(found.body.contains("Site 03") && found.body.contains("Site 43"));
    assert!(
        found.body.contains("--chip: #0a7d32"),
        "rows show their chips"
    );
    assert!(!found.body.contains("rel=\"next\""));

    let bad = app.call("search_sites", "q=tag%3A&after=0").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body.contains("cannot be read at character"),
        "{}",
        bad.body
    );
    let bad_page = app.get("/?q=%28").await;
    assert_eq!(bad_page.status, StatusCode::OK);
    assert!(
        bad_page.body.contains("cannot be read at character"),
        "the page says what is wrong"
    );
}
