//! How Data Hub's client libraries log in: OpenID discovery, then OAuth 2.0 client credentials
//! (RFC 6749 §4.4). The client is a Sitebook API token: its id is the client id and its secret
//! the client secret. The access token is the store's short-lived issued token (the same one a
//! Keystone login gets): stored hashed, it acts with the API token's role and grants as they
//! are at each call, and dies with the API token.
//!
//! The answers are OAuth's, not the SDS error body: the Python library reads `error` from the
//! token answer and ignores the status code.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::DataHub;
use super::error::SdsError;
use super::extract::Sds;
use crate::core::CoreError;
use crate::core::access::AccessCredential;
use crate::core::random;
use crate::web::edge;

/// `GET identity/.well-known/openid-configuration`, with absolute URLs: the library posts to
/// `token_endpoint` exactly as given.
pub async fn discovery(State(state): State<DataHub>) -> Json<Value> {
    Json(json!({
        "issuer": state.url("/identity"),
        "token_endpoint": state.url("/identity/connect/token"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["token"],
        "scopes_supported": ["ocsapi"],
    }))
}

/// The token request's form fields (a field given twice keeps its first value).
#[derive(Default)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

impl TokenRequest {
    fn read(form: &[u8]) -> Self {
        let mut request = Self::default();
        for (name, value) in form_urlencoded::parse(form) {
            let field = match name.as_ref() {
                "grant_type" => &mut request.grant_type,
                "client_id" => &mut request.client_id,
                "client_secret" => &mut request.client_secret,
                _ => continue,
            };
            field.get_or_insert_with(|| value.into_owned());
        }
        request
    }
}

/// An OAuth error answer (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    no_store(&mut response);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sitebook\""),
        );
    }
    response
}

fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// Client credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1: each part
/// form-urlencoded, then base64).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .get(..6)
        .filter(|scheme| scheme.eq_ignore_ascii_case("basic "))
        .map(|_| value[6..].trim())?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

/// `+` is a space and `%XX` a byte, as in a form body.
fn form_decode(part: &str) -> String {
    form_urlencoded::parse(format!("v={part}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// `POST identity/connect/token` with `grant_type=client_credentials`.
pub async fn token(
    State(state): State<DataHub>,
    parts: axum::http::request::Parts,
    body: Result<edge::Body<Sds>, SdsError>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(refused) => {
            let mut response = oauth_error(
                refused.status,
                if refused.status.is_server_error() {
                    "temporarily_unavailable"
                } else {
                    "invalid_request"
                },
                &refused.error,
            );
            if let Some(wait) = refused.retry_after() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.clone());
            }
            return response;
        }
    };
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !is_form && !body.bytes.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send an application/x-www-form-urlencoded body.",
        );
    }
    let request = TokenRequest::read(&body.bytes);
    drop(body);
    match request.grant_type.as_deref() {
        Some("client_credentials") => {}
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required.",
            );
        }
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only the client_credentials grant is supported.",
            );
        }
    }
    let credentials = match (request.client_id, request.client_secret) {
        (Some(id), Some(secret)) => Some((id, secret)),
        _ => basic_credentials(&parts.headers),
    };
    let Some((client_id, client_secret)) = credentials else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id and client_secret are required: a Sitebook API token's id and secret.",
        );
    };
    let credential = AccessCredential::ApiToken {
        id: Some(client_id),
        secret: client_secret,
    };
    let address = state.settings.client_address(&parts);
    let issued = state
        .store
        .issue_access_token(None, &credential, address.as_deref(), random::secret())
        .await;
    match issued {
        Ok((secret, token)) => {
            let expires_in = (token.expires_at - chrono::Utc::now()).num_seconds().max(0);
            let mut response = Json(json!({
                "access_token": secret,
                "token_type": "Bearer",
                "expires_in": expires_in,
                "scope": "ocsapi",
            }))
            .into_response();
            no_store(&mut response);
            response
        }
        Err(CoreError::Unauthenticated(_)) => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client id and secret are not an active Sitebook API token.",
        ),
        Err(other) => {
            let status = crate::web::status::of(&other);
            if status.is_server_error() {
                tracing::error!("the Data Hub token endpoint failed: {other}");
            }
            oauth_error(status, "temporarily_unavailable", &other.to_string())
        }
    }
}
