//! `/sites/{siteId}/files`: uploads streamed to the blob store, notes, details and downloads.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use multer::{Constraints, Field, Multipart, SizeLimit};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::ApiState;
use super::error::{ApiError, ErrorResponse};
use super::etag;
use super::extract::{ApiJson, ApiPath, Caller, Writer};
use super::schemas::{FileUpdate, FileUploadForm, NoteCreate, SiteFileList, SiteFileResponse};
use super::upload_stream::{OneChunkAtATime, until_stalled};
use crate::core::CoreError;
use crate::core::files::MAX_NOTE_BYTES;
use crate::core::files::{Disposition, FileId, FileKind, SiteFile, download_name};
use crate::core::resources::ResourceId;
use crate::store::blobs::{BlobStore, BlobUpload, LocalUpload, UploadError};
use crate::store::{FileChange, NewFile, Store};

const TAG: &str = "Site Files";

/// Text parts of an upload form are short; anything longer is refused, not buffered.
const MAX_TEXT_PART: usize = 4096;

// A note's JSON body may be up to seven times `MAX_NOTE_BYTES`, for escaped characters.

fn note_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "A note's text can be at most {MAX_NOTE_BYTES} bytes; upload longer text as a file."
        ),
    )
}

fn file_response(file: SiteFile, status: StatusCode) -> Response {
    (
        status,
        [(header::ETAG, etag::header_value(file.version))],
        Json(SiteFileResponse::from(file)),
    )
        .into_response()
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("A file can be at most {limit} bytes; this one is larger, so nothing was kept."),
    )
}

/// The most parts one upload form may have: the file, its name, kind and description, and a
/// few extra fields an HTML form may send.
const MAX_PARTS: usize = 16;
/// What a form may carry beyond its file: part headers, boundaries, the text parts.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// Bounds on everything multer buffers: the whole body (so a preamble or a part's headers
/// that never end cannot grow past it), and each text part.
fn form_limits(file_limit: u64) -> Constraints {
    let text = MAX_TEXT_PART as u64;
    Constraints::new().size_limit(
        SizeLimit::new()
            .whole_stream(file_limit.saturating_add(FORM_OVERHEAD))
            .per_field(file_limit)
            .for_field("name", text)
            .for_field("kind", text)
            .for_field("description", text),
    )
}

fn multipart_error(e: multer::Error) -> ApiError {
    if let multer::Error::StreamReadFailed(read) = &e
        && let Some(stalled) = stalled(read.as_ref())
    {
        return ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("The upload stopped: {stalled}, so nothing was kept. Send it again."),
        );
    }
    if let multer::Error::StreamSizeExceeded { limit }
    | multer::Error::FieldSizeExceeded { limit, .. } = e
    {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "The form, or one of its parts, is larger than the {limit} bytes allowed, so nothing was kept."
            ),
        );
    }
    ApiError::bad_request(
        "parameter_invalid",
        format!("The multipart body could not be read, so nothing was kept: {e}"),
    )
}

/// The stall that ended a body's read, however deep in the error's sources.
fn stalled<'a>(
    mut error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a super::upload_stream::Stalled> {
    loop {
        if let Some(stalled) = error.downcast_ref() {
            return Some(stalled);
        }
        error = error.source()?;
    }
}

fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::TooLarge { limit } => too_large(limit),
        UploadError::Storage(e) => e.into(),
    }
}

async fn text_part(mut field: Field<'_>) -> Result<String, ApiError> {
    let name = field.name().unwrap_or_default().to_owned();
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_TEXT_PART {
            return Err(ApiError::bad_request(
                "parameter_invalid",
                format!("The '{name}' part is longer than {MAX_TEXT_PART} bytes."),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::bad_request(
            "parameter_invalid",
            format!("The '{name}' part is not UTF-8 text."),
        )
    })
}

/// Reads an upload form from a `multipart/form-data` body with this `Content-Type`: the `file`
/// part goes chunk by chunk to a new upload of `blobs`, so memory stays flat whatever the
/// size, and the other parts are bounded text. The upload handler's whole reading of a form;
/// public so that the fuzz target `multipart_upload` drives this very code, with a blob store
/// in memory and no database.
///
/// A body that sends no byte for `stall` ends the read (408).
pub async fn read_upload_form<B: BlobStore>(
    blobs: &B,
    limit: u64,
    content_type: &str,
    body: Body,
    stall: std::time::Duration,
) -> Result<(NewFile, B::Upload), ApiError> {
    let boundary = multer::parse_boundary(content_type).map_err(multipart_error)?;
    let body = OneChunkAtATime::new(until_stalled(body, stall));
    receive_form(
        blobs,
        limit,
        Multipart::with_constraints(body, boundary, form_limits(limit)),
    )
    .await
}

async fn receive_form<B: BlobStore>(
    blobs: &B,
    limit: u64,
    mut form: Multipart<'_>,
) -> Result<(NewFile, B::Upload), ApiError> {
    let mut new = NewFile::default();
    let mut name_part = None;
    let mut upload = None;
    let mut parts = 0;
    let mut texts_seen: Vec<String> = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::bad_request(
                "parameter_invalid",
                format!("A form has at most {MAX_PARTS} parts, so nothing was kept."),
            ));
        }
        // A field sent twice has no one value: which would the client mean?
        if let Some(text @ ("name" | "kind" | "description")) = field.name() {
            if texts_seen.iter().any(|seen| seen == text) {
                return Err(ApiError::bad_request(
                    "parameter_invalid",
                    format!("The '{text}' part is sent more than once; send it once."),
                ));
            }
            texts_seen.push(text.to_owned());
        }
        match field.name() {
            Some("file") => {
                if upload.is_some() {
                    return Err(ApiError::bad_request(
                        "parameter_invalid",
                        "Send one file per request (one 'file' part).",
                    ));
                }
                new.name = field.file_name().unwrap_or_default().to_owned();
                let mut receiving = blobs.begin_upload(limit).await?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    receiving.write(&chunk).await.map_err(upload_error)?;
                }
                upload = Some(receiving);
            }
            Some("name") => name_part = Some(text_part(field).await?),
            Some("kind") => new.kind = Some(FileKind::parse(text_part(field).await?.trim()).into()),
            Some("description") => new.description = text_part(field).await?,
            // Other parts are read and ignored, as HTML forms may send extra fields.
            _ => while field.chunk().await.map_err(multipart_error)?.is_some() {},
        }
    }
    let upload = upload.ok_or_else(|| {
        ApiError::bad_request("parameter_missing", "The form has no 'file' part.")
    })?;
    if let Some(name) = name_part.filter(|n| !n.trim().is_empty()) {
        new.name = name;
    }
    Ok((new, upload))
}

/// Writes text to a new upload, as the bytes of a note.
async fn text_upload(store: &Store, limit: u64, text: &str) -> Result<LocalUpload, ApiError> {
    let mut upload = store.blobs().begin_upload(limit).await?;
    upload.write(text.as_bytes()).await.map_err(upload_error)?;
    Ok(upload)
}

fn essence(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Attach a file: a multipart upload (streamed; its type is sniffed from the bytes and must be
/// on the allowlist), or a note written as JSON text.
#[utoipa::path(post, path = "/sites/{siteId}/files", tag = TAG, operation_id = "uploadSiteFile",
    params(("siteId" = String, Path)),
    request_body(content(
        (FileUploadForm = "multipart/form-data"),
        (NoteCreate = "application/json"),
    )),
    responses((status = 201, body = SiteFileResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 413, body = ErrorResponse),
        (status = 415, description = "The bytes are not of an accepted type", body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn upload_file(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Caller(actor): Caller,
    ApiPath(site_id): ApiPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let site_id = ResourceId::from_path(site_id);
    // Refuse before receiving any bytes when the site is missing or out of reach.
    store.authorize_file_write(&actor, &site_id).await?;
    let limit = api.settings.max_file_bytes;
    let (new, upload) = match essence(request.headers()).as_str() {
        "multipart/form-data" => {
            let (parts, body) = request.into_parts();
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            read_upload_form(
                store.blobs(),
                limit,
                content_type,
                body,
                api.settings.upload_stall,
            )
            .await?
        }
        "application/json" => {
            // This route streams uploads without axum's body limit, so a note's body is
            // bounded here before it is buffered.
            let bytes = tokio::time::timeout(
                api.settings.request_timeout,
                axum::body::to_bytes(request.into_body(), MAX_NOTE_BYTES * 7),
            )
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    "The note did not arrive in time, so nothing was kept. Send it again.",
                )
            })?
            .map_err(|_| note_too_large())?;
            let axum::Json(note) = axum::Json::<NoteCreate>::from_bytes(&bytes)?;
            if note.text.len() > MAX_NOTE_BYTES {
                return Err(note_too_large());
            }
            let upload = text_upload(&store, limit, &note.text).await?;
            let new = NewFile {
                name: note.name,
                kind: Some(FileKind::Note.into()),
                description: note.description,
            };
            (new, upload)
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "Upload a file as 'multipart/form-data' or write a note as \
                     'application/json', not '{other}'."
                ),
            ));
        }
    };
    let file = store
        .add_file(
            &actor,
            &site_id,
            new,
            upload,
            crate::core::random::id_bits(),
        )
        .await?;
    Ok(file_response(file, StatusCode::CREATED))
}

/// A site's files, newest first.
#[utoipa::path(get, path = "/sites/{siteId}/files", tag = TAG, operation_id = "listSiteFiles",
    params(("siteId" = String, Path)),
    responses((status = 200, body = SiteFileList),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn list_files(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath(site_id): ApiPath<String>,
) -> Result<Json<SiteFileList>, ApiError> {
    let files = store
        .list_files(&actor, &ResourceId::from_path(site_id))
        .await?;
    Ok(Json(SiteFileList {
        data: files.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/sites/{siteId}/files/{fileId}", tag = TAG, operation_id = "getSiteFile",
    params(("siteId" = String, Path), ("fileId" = String, Path)),
    responses((status = 200, body = SiteFileResponse, headers(("ETag" = String))),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_file(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((site_id, file_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let file = store
        .get_file(
            &actor,
            &ResourceId::from_path(site_id),
            &FileId::from_path(file_id),
        )
        .await?;
    Ok(file_response(file, StatusCode::OK))
}

/// Change a file's name, kind or description, or a note's text.
#[utoipa::path(patch, path = "/sites/{siteId}/files/{fileId}", tag = TAG, operation_id = "updateSiteFile",
    params(("siteId" = String, Path), ("fileId" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = FileUpdate,
    responses((status = 200, body = SiteFileResponse, headers(("ETag" = String))),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 412, body = ErrorResponse), (status = 415, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn update_file(
    State(store): State<Store>,
    State(api): State<ApiState>,
    Writer(actor): Writer,
    ApiPath((site_id, file_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<FileUpdate>,
) -> Result<Response, ApiError> {
    let expected = etag::expected(&headers)?;
    let change = FileChange {
        name: body.name,
        kind: body
            .kind
            .as_deref()
            .map(FileKind::parse)
            .transpose()
            .map_err(CoreError::from)?,
        description: body.description,
    };
    let content = match &body.text {
        Some(text) if text.len() > MAX_NOTE_BYTES => return Err(note_too_large()),
        Some(text) => Some(text_upload(&store, api.settings.max_file_bytes, text).await?),
        None => None,
    };
    let file = store
        .update_file(
            &actor,
            &ResourceId::from_path(site_id),
            &FileId::from_path(file_id),
            expected,
            &change,
            content,
        )
        .await?;
    Ok(file_response(file, StatusCode::OK))
}

#[utoipa::path(delete, path = "/sites/{siteId}/files/{fileId}", tag = TAG, operation_id = "deleteSiteFile",
    params(("siteId" = String, Path), ("fileId" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204, description = "Deleted"),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 412, body = ErrorResponse)))]
pub async fn delete_file(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((site_id, file_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = etag::expected(&headers)?;
    store
        .delete_file(
            &actor,
            &ResourceId::from_path(site_id),
            &FileId::from_path(file_id),
            expected,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266), or `inline` for raster images.
fn content_disposition(file: &SiteFile) -> HeaderValue {
    let disposition = match Disposition::for_content_type(&file.content_type) {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let name = download_name(&file.name, &file.content_type);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&name, NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The file's bytes, with `Range` support. Only raster images are shown inline; everything
/// else (SVG included) downloads, and nothing is ever content-sniffed by the browser.
#[utoipa::path(get, path = "/sites/{siteId}/files/{fileId}/content", tag = TAG,
    operation_id = "downloadSiteFile",
    params(("siteId" = String, Path), ("fileId" = String, Path),
        ("Range" = Option<String>, Header, description = "bytes=start-end")),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream"),
        (status = 206, description = "The requested range"),
        (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 416, description = "The range is outside the file")))]
pub async fn download_file(
    State(store): State<Store>,
    Caller(actor): Caller,
    ApiPath((site_id, file_id)): ApiPath<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let file = store
        .get_file(
            &actor,
            &ResourceId::from_path(site_id),
            &FileId::from_path(file_id),
        )
        .await?;
    serve(&store, &file, request).await
}

async fn serve(store: &Store, file: &SiteFile, request: Request) -> Result<Response, ApiError> {
    let mime: mime::Mime = file
        .content_type
        .parse()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let served = ServeFile::new_with_mime(store.blobs().path(&file.sha256), &mime)
        .oneshot(request)
        .await
        .map_err(|e| CoreError::Storage(format!("reading a stored file: {e}")))?;
    let mut response = served.map(Body::new);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_DISPOSITION, content_disposition(file));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even if a browser were talked into rendering the bytes, they could run nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    // A browser downloads with its session cookie, which a shared cache would not tell apart
    // from anyone else's request: the bytes are the reader's alone, and checked again (a
    // cheap 304 by ETag) so a revoked reader or a deleted file stops showing.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", file.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}
