//! Drives the real axum router (pages, server functions, static fallback) over a temporary
//! SQLite file, the way a browser or a script would.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sitebook::core::access::{Actor, Role, Username};
use sitebook::core::store::Grant;
use sitebook::core::tenancy::TenantId;
use support::{Reply, TestApp, spawn_app};

const PASSWORD: &str = "correct horse battery";

/// A browser: the app, and the session cookie and CSRF token once signed in.
struct Browser {
    app: TestApp,
    cookie: Option<String>,
    csrf: String,
}

impl Browser {
    fn anonymous(app: TestApp) -> Self {
        Self {
            app,
            cookie: None,
            csrf: String::new(),
        }
    }

    /// A fresh app with a user of this role, signed in through the sign-in server function.
    async fn signed_in(role: Role) -> Self {
        let app = spawn_app().await;
        app.store
            .create_user(
                &Actor::operator(TenantId::default_tenant()),
                &Username::parse("tester").unwrap(),
                PASSWORD,
                &Grant { role, sites: None },
                1,
            )
            .await
            .unwrap();
        let mut browser = Self::anonymous(app);
        let reply = browser
            .call(
                "sign_in",
                &format!("username=tester&password={}", urlencode(PASSWORD)),
            )
            .await;
        let set_cookie = reply.header(header::SET_COOKIE).expect("a session cookie");
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
            "{set_cookie}"
        );
        browser.cookie = Some(set_cookie.split(';').next().unwrap().to_owned());
        let user = browser.call("current_user", "").await.json();
        browser.csrf = user["csrf"].as_str().unwrap().to_owned();
        browser
    }

    fn request(&self, builder: axum::http::request::Builder) -> axum::http::request::Builder {
        match &self.cookie {
            Some(cookie) => builder.header(header::COOKIE, cookie),
            None => builder,
        }
    }

    async fn get(&self, uri: &str) -> Reply {
        let request = self.request(Request::get(uri).header(header::ACCEPT, "text/html"));
        self.app.send(request.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the hydrated client does (form-encoded body, JSON reply).
    async fn call(&self, function: &str, form: &str) -> Reply {
        let request = self.request(
            Request::post(format!("/rpc/{function}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json"),
        );
        self.app
            .send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// Submits the form the way a browser without JavaScript does.
    async fn post_form_without_js(&self, function: &str, form: &str, from_page: &str) -> Reply {
        let request = self.request(
            Request::post(format!("/rpc/{function}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .header(header::REFERER, format!("http://127.0.0.1:3000{from_page}")),
        );
        self.app
            .send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    async fn site_count(&self) -> usize {
        let reply = self.call("list_sites", "").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json().as_array().unwrap().len()
    }

    /// The new-site form's body, with the session's CSRF token.
    fn form(&self, name: &str) -> String {
        format!("name={}&csrf={}", urlencode(name), self.csrf)
    }
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
async fn without_signing_in_nothing_is_shown_or_changed() {
    let app = Browser::anonymous(spawn_app().await);
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/login\""), "{}", page.body);
    assert!(!page.body.contains("Create site"), "{}", page.body);
    let refused = app.call("create_site", "name=Sneaky&csrf=x").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    let listed = app.call("list_sites", "").await;
    assert_eq!(listed.status, StatusCode::UNAUTHORIZED);
    let login = app.get("/login").await;
    assert!(login.body.contains("Password"), "{}", login.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_refused_and_repeated_failures_are_throttled() {
    let app = Browser::signed_in(Role::Manager).await;
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            app.call("sign_in", "username=tester&password=wrong+password")
                .await,
        );
    }
    let last = last.unwrap();
    assert!(last.status.is_client_error(), "{}", last.status);
    assert!(
        last.body.contains("Too many failed sign-ins"),
        "{}",
        last.body
    );
    let first_wrong = Browser::anonymous(spawn_app().await)
        .call("sign_in", "username=nobody&password=whatever+it+is")
        .await;
    assert_eq!(first_wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        first_wrong
            .body
            .contains("The username or password is wrong."),
        "{}",
        first_wrong.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_get_no_form_and_a_forged_call_is_refused() {
    let staff = Browser::signed_in(Role::Staff).await;
    let page = staff.get("/").await;
    assert!(!page.body.contains("Create site"), "{}", page.body);
    assert!(page.body.contains("tester"), "the top bar names the user");
    let forged = staff.call("create_site", &staff.form("Mine")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(staff.site_count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_without_the_csrf_token_is_refused_and_sign_out_ends_the_session() {
    let app = Browser::signed_in(Role::Manager).await;
    let forged = app
        .call("create_site", "name=Forged&csrf=not-the-token")
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(app.site_count().await, 0);
    let out = app.call("sign_out", &format!("csrf={}", app.csrf)).await;
    assert!(
        out.status.is_success() || out.status.is_redirection(),
        "{}",
        out.status
    );
    assert_eq!(
        app.call("list_sites", "").await.status,
        StatusCode::UNAUTHORIZED
    );
}
