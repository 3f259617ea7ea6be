//! Signing in and out, the throttle, CSRF and roles.

use axum::http::StatusCode;
use sitebook::core::access::Role;

use crate::browser::Browser;
use crate::support::spawn_app;

#[tokio::test(flavor = "multi_thread")]
async fn without_signing_in_nothing_is_shown_or_changed() {
    let app = Browser::anonymous(spawn_app().await);
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/login\""), "{}", page.body);
    assert!(!page.body.contains("Create site"), "{}", page.body);
    let refused = app.call("create_site", "name=Sneaky&csrf=x").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    let listed = app.call("search_sites", "q=&after=0").await;
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
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS, "{}", last.body);
    assert!(
        last.body.contains("Too many sign-in attempts"),
        "{}",
        last.body
    );
    let wait: u64 = last
        .header(axum::http::header::RETRY_AFTER)
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // The same account under another spelling is the same count, even with the right password.
    let respelled = app
        .call(
            "sign_in",
            "username=%20TESTER%20&password=correct+horse+battery",
        )
        .await;
    assert_eq!(respelled.status, StatusCode::TOO_MANY_REQUESTS);
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
        app.call("search_sites", "q=&after=0").await.status,
        StatusCode::UNAUTHORIZED
    );
}
