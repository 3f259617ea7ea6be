//! The OpenAPI document, error documentation and what `/api` answers for unknown routes.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use sitebook::core::access::Role;

use crate::support::{Call, Client, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let reply = Call::new(&app, Method::GET, "/openapi.json", None)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let expected = [
        ("post", "/metadata"),
        ("get", "/metadata/{resource_id}"),
        ("put", "/metadata/{resource_id}"),
        ("patch", "/metadata/{resource_id}"),
        ("delete", "/metadata/{resource_id}"),
        ("get", "/metadata/{resource_id}/{key}"),
        ("put", "/metadata/{resource_id}/{key}"),
        ("delete", "/metadata/{resource_id}/{key}"),
        ("get", "/metadata/{resource_id}/changes"),
        ("put", "/metadata/{resource_id}/changes"),
        ("delete", "/metadata/{resource_id}/changes"),
        ("get", "/tags"),
        ("post", "/tags"),
        ("get", "/tags/{tagId}"),
        ("patch", "/tags/{tagId}"),
        ("delete", "/tags/{tagId}"),
        ("get", "/tags/{tagId}/values"),
        ("post", "/tags/{tagId}/values/{correlationId}"),
        ("put", "/tags/{tagId}/values/{correlationId}"),
        ("get", "/tags/{tagId}/values/{correlationId}"),
        ("delete", "/tags/{tagId}/values/{correlationId}"),
        ("get", "/resources/{id}/tags"),
        ("get", "/sites"),
        ("post", "/sites"),
        ("get", "/sites/{siteId}"),
        ("patch", "/sites/{siteId}"),
        ("delete", "/sites/{siteId}"),
        ("get", "/sites/{siteId}/files"),
        ("post", "/sites/{siteId}/files"),
        ("get", "/sites/{siteId}/files/{fileId}"),
        ("patch", "/sites/{siteId}/files/{fileId}"),
        ("delete", "/sites/{siteId}/files/{fileId}"),
        ("get", "/sites/{siteId}/files/{fileId}/content"),
        ("get", "/resources"),
        ("get", "/resources/{id}"),
        ("put", "/resources/{id}/parent"),
        ("get", "/settings"),
        ("put", "/settings"),
        ("post", "/imports"),
        ("get", "/imports/progress/{id}"),
        ("get", "/resources/export"),
        ("get", "/change-sets"),
        ("get", "/change-sets/{change_set_id}"),
        ("post", "/change-sets/{change_set_id}/revert"),
        ("get", "/errors/{code}"),
    ];
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    for (method, path) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    assert_eq!(
        documented,
        expected.len(),
        "a route is documented but not listed here"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["BearerAuth"]["scheme"],
        "bearer"
    );
    for schema in [
        "ErrorResponse",
        "MetadataCreate",
        "TagValueResponse",
        "CorrelationTypeSchema",
        "Tag",
        "Site",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
    // Every documented route answers (with 401 without a token), so none is documented only.
    for (method, path) in expected {
        let concrete = path
            .replace("{resource_id}", "r")
            .replace("{key}", "k")
            .replace("{tagId}", "t")
            .replace("{correlationId}", "c")
            .replace("{id}", "r")
            .replace("{siteId}", "s")
            .replace("{fileId}", "f")
            .replace("{code}", "token_missing");
        let method: Method = method.to_uppercase().parse().unwrap();
        let reply = Call::new(&app, method.clone(), &concrete, None)
            .send()
            .await;
        assert!(
            [StatusCode::OK, StatusCode::UNAUTHORIZED].contains(&reply.status),
            "{method} {concrete}: {} {}",
            reply.status,
            reply.body
        );
    }
}

/// The document states what the server enforces, so a client generated from it sends what is
/// accepted and expects every status it can get (`scripts/conformance` checks the whole).
#[tokio::test]
async fn the_openapi_document_states_the_rules_the_server_enforces() {
    let app = spawn_app().await;
    let doc = Call::new(&app, Method::GET, "/openapi.json", None)
        .send()
        .await
        .json();
    let operation = |method: &str, path: &str| doc["paths"][path][method].clone();
    let parameter = |method: &str, path: &str, name: &str| {
        operation(method, path)["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{method} {path} has no {name}"))
    };
    let limit = parameter("get", "/sites", "limit");
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 1000);
    let if_match = parameter("delete", "/sites/{siteId}", "If-Match")["schema"]["pattern"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(if_match.contains(r"\*"), "{if_match}");
    let key = parameter("get", "/metadata/{resource_id}/{key}", "key");
    assert_eq!(key["schema"]["maxLength"], 255);
    assert_eq!(key["schema"]["minLength"], 1);
    let create = &doc["components"]["schemas"]["MetadataCreate"]["properties"];
    assert_eq!(create["metadata"]["required"], json!(["name"]));
    assert_eq!(create["metadata"]["propertyNames"]["maxLength"], 255);
    assert!(create["resource_id"]["pattern"].is_string());
    // Each status a route answers is documented with the error body.
    for (method, path, status) in [
        ("delete", "/sites/{siteId}", "400"),
        ("get", "/sites", "400"),
        ("get", "/metadata/{resource_id}/{key}", "422"),
        ("post", "/sites", "415"),
    ] {
        assert_eq!(
            operation(method, path)["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorResponse",
            "{method} {path} {status}"
        );
    }
    // Altostrat's operations answer every refusal of the request's content with 400.
    for (method, path) in [
        ("post", "/metadata"),
        ("put", "/tags/{tagId}/values/{correlationId}"),
    ] {
        let responses = operation(method, path)["responses"].clone();
        assert!(responses["400"].is_object(), "{method} {path}");
        for status in ["409", "415", "422"] {
            assert!(responses[status].is_null(), "{method} {path} {status}");
        }
    }
}

#[tokio::test]
async fn api_paths_never_answer_html() {
    let app = spawn_app().await;
    let manager = Client::new(&app, Role::Manager).await;
    manager
        .get("/no/such/route")
        .await
        .assert_error(StatusCode::NOT_FOUND, "route_missing");
    for path in ["/api/v2/metadata", "/api", "/api/", "/api/v1", "/api/v1/"] {
        let reply = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        reply.assert_error(StatusCode::NOT_FOUND, "route_missing");
    }
    manager
        .call(Method::POST, "/metadata/x")
        .json(&json!({}))
        .send()
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn every_error_doc_url_resolves_on_this_server() {
    let app = spawn_app_with(&["--public-url", "https://sitebook.example.net/"]).await;
    let reply = Call::new(&app, Method::GET, "/metadata/x", None)
        .send()
        .await;
    let doc_url = reply.json()["doc_url"].as_str().unwrap().to_owned();
    assert_eq!(
        doc_url,
        "https://sitebook.example.net/api/v1/errors/token_missing"
    );
    let doc = Call::new(&app, Method::GET, "/errors/token_missing", None)
        .send()
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    assert_eq!(doc.json()["status"], 401);
    Call::new(&app, Method::GET, "/errors/no_such_code", None)
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
}

/// Compression wraps the whole router: a client that accepts gzip gets gzip, and one that
/// does not gets the bytes as they are.
#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    let app = spawn_app().await;
    let request = |encoding: Option<&str>| {
        let mut request = Request::get("/api/v1/openapi.json");
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.body(Body::empty()).unwrap()
    };
    let (status, headers, bytes) = app.send_bytes(request(Some("gzip"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(&bytes[..2], [0x1f, 0x8b], "the gzip magic number");
    let (_, headers, bytes) = app.send_bytes(request(None)).await;
    assert!(headers.get("content-encoding").is_none());
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
}
