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

/// Login CSRF: another site's page must not sign a visitor into an account of its choosing.
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_sent_from_another_sites_page_is_refused() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use sitebook::core::access::{Actor, Username};
    use sitebook::core::tenancy::TenantId;
    use sitebook::store::Grant;

    let app = spawn_app().await;
    app.store
        .create_user(
            &Actor::operator(TenantId::default_tenant()),
            &Username::parse("attacker").unwrap(),
            "attacker's own password",
            &Grant {
                role: Role::Staff,
                sites: None,
            },
            9,
        )
        .await
        .unwrap();
    let form = "username=attacker&password=attacker%27s+own+password";
    let sign_in = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/rpc/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        app.send(request.body(Body::from(form)).unwrap())
    };
    for forged in [
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ][..],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "https://evil.example")],
    ] {
        let reply = sign_in(forged).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{forged:?}: {}",
            reply.body
        );
        assert!(reply.header(header::SET_COOKIE).is_none(), "{forged:?}");
    }
    for ours in [
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:3000"),
        ][..],
        &[("origin", "http://127.0.0.1:3000")],
        &[],
    ] {
        let reply = sign_in(ours).await;
        assert!(
            reply.header(header::SET_COOKIE).is_some(),
            "{ours:?}: {} {}",
            reply.status,
            reply.body
        );
    }
}

/// Behind https the session cookie is `__Host-` prefixed, and a plain one (which a sibling
/// subdomain could plant) is not read.
#[tokio::test(flavor = "multi_thread")]
async fn behind_https_the_session_cookie_is_host_prefixed() {
    use sitebook::core::access::{Actor, Username};
    use sitebook::core::tenancy::TenantId;
    use sitebook::store::Grant;

    let app = crate::support::spawn_app_with(&["--public-url", "https://sitebook.example"]).await;
    app.store
        .create_user(
            &Actor::operator(TenantId::default_tenant()),
            &Username::parse("tester").unwrap(),
            crate::browser::PASSWORD,
            &Grant {
                role: Role::Staff,
                sites: None,
            },
            1,
        )
        .await
        .unwrap();
    let mut browser = Browser::anonymous(app);
    let reply = browser
        .call(
            "sign_in",
            &format!(
                "username=tester&password={}",
                crate::browser::urlencode(crate::browser::PASSWORD)
            ),
        )
        .await;
    let cookie = reply
        .header(axum::http::header::SET_COOKIE)
        .expect("a session cookie");
    assert!(
        cookie.starts_with("__Host-sitebook_session=sbs_") && cookie.contains("; Secure"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    browser.cookie = Some(pair.clone());
    let user = browser.call("current_user", "").await.json();
    assert_eq!(user["username"], "tester");
    browser.cookie = Some(pair.replacen("__Host-", "", 1));
    assert!(browser.call("current_user", "").await.json().is_null());
}
