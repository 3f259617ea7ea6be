//! What every response tells the browser it may do: pages run only their own nonce-bearing
//! scripts and are framed by nobody; everything else runs nothing; downloads stay private.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sitebook::core::access::Role;

use crate::browser::Browser;

fn nonce_of(policy: &str) -> String {
    let start = policy.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    policy[start..].split('\'').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_page_runs_only_the_scripts_carrying_its_own_nonce_and_cannot_be_framed() {
    let browser = Browser::signed_in(Role::Staff).await;
    let first = browser.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    let policy = first
        .header(header::CONTENT_SECURITY_POLICY)
        .expect("a page has a policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    let nonce = nonce_of(&policy);
    let scripts: Vec<&str> = first.body.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "the hydration script");
    for script in scripts {
        assert!(
            script.starts_with(&format!(" nonce=\"{nonce}\""))
                || script.contains(&format!("nonce=\"{nonce}\"")),
            "every inline script carries the nonce: <script{}",
            &script[..script.len().min(120)]
        );
    }
    assert_eq!(
        first.header(header::CACHE_CONTROL).as_deref(),
        Some("private, no-cache")
    );
    assert_eq!(
        first.header(header::X_CONTENT_TYPE_OPTIONS).as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        first.header(header::REFERRER_POLICY).as_deref(),
        Some("same-origin")
    );

    let second = browser.get("/").await;
    let again = nonce_of(&second.header(header::CONTENT_SECURITY_POLICY).unwrap());
    assert_ne!(nonce, again, "a nonce is used once");

    // The sign-in page, rendered for nobody, is a page like any other.
    let anonymous = Browser::anonymous(browser.app);
    let login = anonymous.get("/login").await;
    assert!(
        login
            .header(header::CONTENT_SECURITY_POLICY)
            .is_some_and(|p| p.contains("'nonce-"))
    );
}

#[tokio::test]
async fn api_answers_and_downloads_let_nothing_run_and_downloads_stay_private() {
    let manager = Browser::signed_in(Role::Manager).await;
    let token = manager.app.token(Role::Manager, None).await;
    let reply = manager
        .app
        .send(
            Request::get("/api/v1/settings")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let policy = reply.header(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert_eq!(
        reply.header(header::X_CONTENT_TYPE_OPTIONS).as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        reply.header(header::X_FRAME_OPTIONS).as_deref(),
        Some("DENY")
    );

    let site = manager
        .call("create_site", &manager.form("Headers HQ"))
        .await;
    assert_eq!(site.status, StatusCode::OK, "{}", site.body);
    let site = site.json()["id"].as_str().unwrap().to_owned();
    let note = manager
        .app
        .send(
            manager
                .request(Request::post(format!("/api/v1/sites/{site}/files")))
                .header("x-csrf-token", &manager.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"name":"Door code","text":"1234"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let file = note.json()["id"].as_str().unwrap().to_owned();
    let (status, headers, _) = manager
        .app
        .send_bytes(
            manager
                .request(Request::get(format!(
                    "/api/v1/sites/{site}/files/{file}/content"
                )))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-cache");
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
}
