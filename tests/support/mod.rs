//! The real router over a temporary SQLite file, driven the way browsers and scripts drive it.

#![allow(dead_code)] // Each test binary uses its own share of these helpers.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::Value;
use sitebook::core::access::{Actor, Role, TokenLifetime};
use sitebook::core::resources::ResourceId;
use sitebook::core::tenancy::TenantId;
use sitebook::server::{Config, startup};
use sitebook::store::{Grant, Store};
use tower::ServiceExt;

pub struct TestApp {
    pub data_dir: tempfile::TempDir,
    pub router: startup::HttpService,
    pub store: Store,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn content_type(&self) -> String {
        self.header(header::CONTENT_TYPE).unwrap_or_default()
    }

    /// Asserts the status and that the body is the API's error body with this code.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type(), "application/json", "{}", self.body);
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        for field in ["type", "message", "doc_url"] {
            assert!(
                body[field].as_str().is_some_and(|s| !s.is_empty()),
                "error body lacks {field}: {body}"
            );
        }
        assert!(
            body["doc_url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/api/v1/errors/{code}")),
            "{body}"
        );
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(flags: &[&str]) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let mut args = vec!["sitebook", "--data-dir", data_dir.path().to_str().unwrap()];
    args.extend_from_slice(flags);
    let config = Config::try_parse_from(args).unwrap();
    let store = startup::open_store(&config).await.unwrap();
    assert!(
        data_dir.path().join("sitebook.db").exists(),
        "the SQLite file is created on first run"
    );
    let state = startup::app_state(&config, store.clone());
    TestApp {
        data_dir,
        router: startup::router(state),
        store,
    }
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The raw status, headers and bytes of a response (for binary downloads).
    pub async fn send_bytes(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// A fresh API token with this role (and, for a manager, these sites only).
    pub async fn token(&self, role: Role, sites: Option<Vec<&str>>) -> String {
        self.token_in(&TenantId::default_tenant(), role, sites)
            .await
    }

    pub async fn token_in(
        &self,
        tenant: &TenantId,
        role: Role,
        sites: Option<Vec<&str>>,
    ) -> String {
        let grant = Grant {
            role,
            sites: sites.map(|s| s.into_iter().map(ResourceId::from_path).collect()),
        };
        let n = rand_bits();
        let (_, secret) = self
            .store
            .create_token(
                &Actor::operator(tenant.clone()),
                "test",
                &grant,
                TokenLifetime::UNLIMITED,
                n,
                n.to_le_bytes().repeat(2).try_into().unwrap(),
            )
            .await
            .unwrap();
        secret
    }
}

/// Distinct bits per call, so every test token has its own id and secret.
fn rand_bits() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) as u128;
    n | ((std::process::id() as u128) << 64)
}

/// One `/api/v1` request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    request: axum::http::request::Builder,
    body: Body,
}

impl<'a> Call<'a> {
    pub fn new(app: &'a TestApp, method: Method, path: &str, token: Option<&str>) -> Self {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        Self {
            app,
            request,
            body: Body::empty(),
        }
    }

    pub fn json(self, body: &Value) -> Self {
        self.raw("application/json", body.to_string())
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.request = self.request.header(header::CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    pub async fn send(self) -> Reply {
        self.app.send(self.request.body(self.body).unwrap()).await
    }
}

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl<'a> Client<'a> {
    pub async fn new(app: &'a TestApp, role: Role) -> Self {
        Self {
            token: app.token(role, None).await,
            app,
        }
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'a> {
        Call::new(self.app, method, path, Some(&self.token))
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path).send().await
    }

    pub async fn create(&self, body: &Value) -> Reply {
        self.call(Method::POST, "/metadata").json(body).send().await
    }
}

pub fn etag(reply: &Reply) -> String {
    reply.header(header::ETAG).expect("an ETag header")
}

/// Every file under the data directory's `files/` (blobs and unfinished uploads).
pub fn files_left(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path.display().to_string());
            }
        }
    }
    let mut found = Vec::new();
    walk(&app.data_dir.path().join("files"), &mut found);
    found
}
