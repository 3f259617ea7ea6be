//! Drives the real axum router (pages, server functions, static fallback) over a temporary
//! SQLite file, the way a browser or a script would.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{Reply, TestApp, spawn_app};

trait SiteCalls {
    async fn get(&self, uri: &str) -> Reply;
    async fn call(&self, function: &str, form: &str) -> Reply;
    async fn post_form_without_js(&self, function: &str, form: &str, from_page: &str) -> Reply;
    async fn site_count(&self) -> usize;
}

impl SiteCalls for TestApp {
    async fn get(&self, uri: &str) -> Reply {
        self.send(
            Request::get(uri)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Calls a server function the way the hydrated client does (form-encoded body, JSON reply).
    async fn call(&self, function: &str, form: &str) -> Reply {
        self.send(
            Request::post(format!("/rpc/{function}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
    }

    /// Submits the form the way a browser without JavaScript does.
    async fn post_form_without_js(&self, function: &str, form: &str, from_page: &str) -> Reply {
        self.send(
            Request::post(format!("/rpc/{function}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .header(header::REFERER, format!("http://127.0.0.1:3000{from_page}"))
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
    }

    async fn site_count(&self) -> usize {
        let reply = self.call("list_sites", "").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json().as_array().unwrap().len()
    }
}

fn form(name: &str) -> String {
    format!("name={}", urlencode(name))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_site_list_is_server_rendered_and_a_created_site_appears_in_it() {
    let app = spawn_app().await;

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

    let created = app.call("create_site", &form("  Main Office  ")).await;
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
    let app = spawn_app().await;
    let site = app.call("create_site", &form("Branch 7")).await.json();
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
    let app = spawn_app().await;
    app.call("create_site", &form("Main Office")).await;

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
        let reply = app.call("create_site", &form(name)).await;
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
    let app = spawn_app().await;
    let reply = app.call("create_site", "nome=typo").await;
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
    let app = spawn_app().await;

    let ok = app
        .post_form_without_js("create_site", &form("Depot"), "/")
        .await;
    assert!(ok.status.is_redirection(), "{}", ok.status);
    let back = ok.header(header::LOCATION).unwrap();
    assert!(
        back.starts_with("http://127.0.0.1:3000/") && !back.contains("__err"),
        "{back}"
    );
    assert_eq!(app.site_count().await, 1);

    let refused = app
        .post_form_without_js("create_site", &form("depot"), "/")
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
