//! Extractors that refuse bad input with the API's own error body instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;

use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::core::access::{Actor, csrf_matches};
use crate::store::Store;
use crate::web::{edge, session_cookie};

/// A JSON object body (`Content-Type: application/json` or a `+json` type).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
    super::ApiState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(request.headers()) {
            return Err(not_json());
        }
        // The turn is held through parsing too, which may take as much memory again.
        let ApiBody { bytes, _turn } = ApiBody::from_request(request, state).await?;
        // serde reads a struct from an array too, so `[]` would pass for a body whose fields
        // are all optional; every body here is an object.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|&b| b != b'{')
            && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok()
        {
            return Err(ApiError::bad_request(
                "parameter_invalid",
                "The body must be a JSON object.",
            ));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(Self(value))
    }
}

/// A whole body, read through the edge (`web::edge::body`): in one of the turns every face
/// shares, under the route's limit and the arrival deadline. Drop it once the body is parsed,
/// to give the turn back.
pub struct ApiBody {
    pub bytes: Bytes,
    _turn: tokio::sync::OwnedSemaphorePermit,
}

impl<S> FromRequest<S> for ApiBody
where
    S: Send + Sync,
    super::ApiState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRef;
        let api = super::ApiState::from_ref(state);
        let (bytes, turn) = edge::body::read(request, &api.settings).await?;
        Ok(Self { bytes, _turn: turn })
    }
}

/// What axum's `Json` takes: `application/json`, or any `application/…+json`.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let essence = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Send the body as JSON with 'Content-Type: application/json'.",
    )
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The body is larger than this endpoint accepts.",
    )
}

/// Path parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Query-string parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        match rejection {
            JsonRejection::MissingJsonContentType(_) => not_json(),
            JsonRejection::JsonSyntaxError(_) => ApiError::bad_request(
                "invalid_json",
                format!("The body is not valid JSON: {detail}"),
            ),
            JsonRejection::JsonDataError(_) if detail.contains("missing field") => {
                ApiError::bad_request("parameter_missing", detail)
            }
            JsonRejection::JsonDataError(_) => ApiError::bad_request("parameter_invalid", detail),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            _ => ApiError::bad_request("parameter_invalid", detail),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::bad_request("parameter_invalid", rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request("parameter_invalid", rejection.body_text())
    }
}

/// The authenticated caller: a script with `Authorization: Bearer <token>`, or a signed-in
/// browser with its session cookie. A browser's state-changing request must also carry the
/// session's CSRF token in `X-CSRF-Token`, which a cross-site page cannot read, so a forged
/// form or fetch from elsewhere is refused even though the browser attaches the cookie.
pub struct Caller(pub Actor);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Store: axum::extract::FromRef<S>,
    super::ApiState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRef;
        let store = Store::from_ref(state);
        let request_id = edge::request_id::of(&parts.headers);
        let Some(secret) = edge::bearer::bearer(&parts.headers)? else {
            let secure = super::ApiState::from_ref(state).settings.is_https();
            return match session_cookie::secret(&parts.headers, secure) {
                Some(secret) => browser_caller(&store, parts, secret, request_id).await,
                None => Err(edge::Refusal::CredentialsMissing.into()),
            };
        };
        let actor = store.authenticate_token(secret, request_id).await?;
        Ok(Self(actor))
    }
}

/// A caller who may change the catalogue (a manager or an admin), known before the body is
/// read: a reader's 32 MiB body is refused unread, and learns nothing from its validation.
/// The core checks the role again (and the caller's sites); this only refuses early.
pub struct Writer(pub Actor);

impl<S> FromRequestParts<S> for Writer
where
    S: Send + Sync,
    Store: axum::extract::FromRef<S>,
    super::ApiState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        actor.require_writer()?;
        Ok(Self(actor))
    }
}

/// An admin, known before the body is read (tag definitions, settings); see [`Writer`].
pub struct Admin(pub Actor);

impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    Store: axum::extract::FromRef<S>,
    super::ApiState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        actor.require_admin()?;
        Ok(Self(actor))
    }
}

async fn browser_caller(
    store: &Store,
    parts: &Parts,
    secret: &str,
    request_id: Option<String>,
) -> Result<Caller, ApiError> {
    let session = store.session(secret).await?;
    if !parts.method.is_safe() {
        let sent = parts
            .headers
            .get(session_cookie::CSRF_HEADER)
            .and_then(|v| v.to_str().ok());
        if !csrf_matches(&session.csrf_token, sent) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_invalid",
                "A browser's change must carry its page's token in 'X-CSRF-Token'; reload the page and try again.",
            ));
        }
    }
    let mut actor = session
        .actor
        .in_new_change_set(crate::core::change_sets::Via::Web);
    actor.request_id = request_id;
    Ok(Caller(actor))
}
