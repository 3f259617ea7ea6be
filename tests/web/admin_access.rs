//! `/admin/users` and `/admin/tokens` and the server functions behind them: admins create
//! users and tokens (secrets shown once), change roles and revoke; nobody else can.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sitebook::core::access::{Actor, Role};
use sitebook::core::resources::{ResourceName, ResourceType};
use sitebook::core::tenancy::TenantId;

use crate::browser::{Browser, urlencode};
use crate::support::TestApp;

fn grant(role: &str, limited: bool, sites: &str) -> String {
    format!(
        "grant[role]={role}&grant[limited]={limited}&grant[sites]={}",
        urlencode(sites)
    )
}

/// Signs in on a second browser; its session cookie, if the password was right.
async fn session_of(app: &TestApp, username: &str, password: &str) -> Option<String> {
    let reply = app
        .send(
            Request::post("/rpc/sign_in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(format!(
                    "username={username}&password={}",
                    urlencode(password)
                )))
                .unwrap(),
        )
        .await;
    let cookie = reply.header(header::SET_COOKIE)?;
    Some(cookie.split(';').next().unwrap().to_owned())
}

async fn role_of_session(app: &TestApp, cookie: &str) -> serde_json::Value {
    app.send(
        Request::post("/rpc/current_user")
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .json()["role"]
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_creates_users_changes_their_roles_and_disables_them() {
    let admin = Browser::signed_in(Role::Admin).await;
    let created = admin
        .call(
            "create_user",
            &format!(
                "username=field.eng&password=&{}&csrf={}",
                grant("staff", false, ""),
                admin.csrf
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let created = created.json();
    let password = created["password"]
        .as_str()
        .expect("a chosen password, shown once");
    assert_eq!(password.len(), 40);
    let id = created["user"]["id"].as_str().unwrap().to_owned();
    let cookie = session_of(&admin.app, "field.eng", password)
        .await
        .expect("the chosen password signs in");
    assert_eq!(role_of_session(&admin.app, &cookie).await, "staff");

    let own = admin
        .call(
            "create_user",
            &format!(
                "username=ops&password={}&{}&csrf={}",
                urlencode("my own long password"),
                grant("admin", false, ""),
                admin.csrf
            ),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(
        own.json()["password"].is_null(),
        "a chosen password is not echoed"
    );
    for (form, status) in [
        ("username=FIELD.ENG&password=", StatusCode::CONFLICT),
        (
            "username=has%20space&password=",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "username=short&password=tiny",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = admin
            .call(
                "create_user",
                &format!("{form}&{}&csrf={}", grant("staff", false, ""), admin.csrf),
            )
            .await;
        assert_eq!(reply.status, status, "{form}: {}", reply.body);
    }

    // Limited to one site: the open session acts as a manager of that site at once.
    let site = admin
        .app
        .store
        .create_resource(
            &Actor::operator(TenantId::default_tenant()),
            &ResourceType::site(),
            &ResourceName::parse("Depot").unwrap(),
            7,
        )
        .await
        .unwrap();
    let regrant = admin
        .call(
            "set_user_grant",
            &format!(
                "id={id}&{}&csrf={}",
                grant("manager", true, site.id.as_str()),
                admin.csrf
            ),
        )
        .await;
    assert_eq!(regrant.status, StatusCode::OK, "{}", regrant.body);
    assert_eq!(role_of_session(&admin.app, &cookie).await, "manager");
    let limited_staff = admin
        .call(
            "set_user_grant",
            &format!("id={id}&{}&csrf={}", grant("staff", true, "x"), admin.csrf),
        )
        .await;
    assert_eq!(
        limited_staff.status,
        StatusCode::OK,
        "a staff form ignores the site list"
    );

    let page = admin.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("field.eng") && page.body.contains("ops"));
    assert!(
        !page.body.contains(password),
        "the password is never shown again"
    );

    let disabled = admin
        .call(
            "set_user_disabled",
            &format!("id={id}&disabled=true&csrf={}", admin.csrf),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert!(
        role_of_session(&admin.app, &cookie).await.is_null(),
        "signed out at once"
    );
    assert!(
        session_of(&admin.app, "field.eng", password)
            .await
            .is_none()
    );
    assert!(admin.get("/admin/users").await.body.contains("Disabled"));
    admin
        .call(
            "set_user_disabled",
            &format!("id={id}&disabled=false&csrf={}", admin.csrf),
        )
        .await;
    assert!(
        session_of(&admin.app, "field.eng", password)
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_admin_cannot_demote_or_disable_themselves() {
    let admin = Browser::signed_in(Role::Admin).await;
    let users = admin.call("list_users", "").await.json();
    let me = users[0]["id"].as_str().unwrap();
    let demote = admin
        .call(
            "set_user_grant",
            &format!("id={me}&{}&csrf={}", grant("staff", false, ""), admin.csrf),
        )
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT, "{}", demote.body);
    assert!(demote.body.contains("last active admin"), "{}", demote.body);
    let disable = admin
        .call(
            "set_user_disabled",
            &format!("id={me}&disabled=true&csrf={}", admin.csrf),
        )
        .await;
    assert_eq!(disable.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_creates_a_token_whose_secret_works_once_shown_and_revokes_it() {
    let admin = Browser::signed_in(Role::Admin).await;
    let created = admin
        .call(
            "create_token",
            &format!(
                "name={}&{}&expires_in_days=30&csrf={}",
                urlencode("inventory sync"),
                grant("staff", false, ""),
                admin.csrf
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let created = created.json();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["token"]["id"].as_str().unwrap().to_owned();
    assert!(created["token"]["expires_at"].is_string());

    let api = |secret: String| {
        Request::get("/api/v1/sites")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        admin.app.send(api(secret.clone())).await.status,
        StatusCode::OK
    );
    let write = |secret: &str| {
        Request::post("/api/v1/sites")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"name":"Made by a script"}"#))
            .unwrap()
    };
    assert_eq!(
        admin.app.send(write(&secret)).await.status,
        StatusCode::FORBIDDEN
    );

    let page = admin.get("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("inventory sync") && page.body.contains("by tester"));
    assert!(
        !page.body.contains(&secret),
        "the secret is never shown again"
    );

    let regrant = admin
        .call(
            "set_token_grant",
            &format!(
                "id={id}&{}&csrf={}",
                grant("manager", false, ""),
                admin.csrf
            ),
        )
        .await;
    assert_eq!(regrant.status, StatusCode::OK, "{}", regrant.body);
    assert_eq!(
        admin.app.send(write(&secret)).await.status,
        StatusCode::CREATED
    );

    let revoked = admin
        .call("revoke_token", &format!("id={id}&csrf={}", admin.csrf))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(
        admin.app.send(api(secret)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(admin.get("/admin/tokens").await.body.contains("Revoked"));

    for days in ["0", "tomorrow", "4000"] {
        let reply = admin
            .call(
                "create_token",
                &format!(
                    "name=x&{}&expires_in_days={days}&csrf={}",
                    grant("staff", false, ""),
                    admin.csrf
                ),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{days}: {}",
            reply.body
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn managers_see_no_user_or_token_admin_and_forged_calls_are_refused() {
    let manager = Browser::signed_in(Role::Manager).await;
    for (path, refusal) in [
        ("/admin/users", "Only admins manage users."),
        ("/admin/tokens", "Only admins manage API tokens."),
    ] {
        let page = manager.get(path).await;
        assert!(page.body.contains(refusal), "{}", page.body);
        assert!(!page.body.contains("New user") && !page.body.contains("New token"));
    }
    let forged = [
        (
            "create_user",
            format!("username=evil&password=&{}", grant("admin", false, "")),
        ),
        (
            "create_token",
            format!("name=evil&{}&expires_in_days=", grant("admin", false, "")),
        ),
        ("list_users", String::new()),
        ("list_tokens", String::new()),
    ];
    for (function, form) in forged {
        let reply = manager
            .call(function, &format!("{form}&csrf={}", manager.csrf))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{function}: {}",
            reply.body
        );
    }
    let no_csrf = manager
        .call(
            "create_user",
            &format!(
                "username=evil&password=&{}&csrf=forged",
                grant("admin", false, "")
            ),
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
}
