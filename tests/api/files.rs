//! `/sites/{siteId}/files`: streamed multipart uploads, sniffing, notes, downloads with ranges.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use bytes::Bytes;
use serde_json::json;
use sitebook::core::access::Role;

use crate::support::{Client, TestApp, files_left, spawn_app, spawn_app_with};

const BOUNDARY: &str = "sitebook-test-boundary";

/// The first 16 bytes of a PNG, then filler: sniffing looks only at the start.
pub(crate) fn png(len: usize) -> Vec<u8> {
    let mut bytes = vec![
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
    ];
    bytes.extend((0..len.saturating_sub(16)).map(|i| (i % 251) as u8));
    bytes
}

/// A multipart body with one file part (claiming `claimed` as its type) and text parts.
pub(crate) fn form(filename: &str, claimed: &str, bytes: &[u8], texts: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in texts {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {claimed}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) fn multipart() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

async fn site(client: &Client<'_>) -> String {
    let reply = client
        .call(Method::POST, "/sites")
        .json(&json!({"name": "HQ"}))
        .send()
        .await;
    reply.json()["id"].as_str().unwrap().to_owned()
}

async fn setup(app: &TestApp) -> (Client<'_>, String) {
    let manager = Client::new(app, Role::Manager).await;
    let id = site(&manager).await;
    (manager, id)
}

#[tokio::test]
async fn an_upload_is_typed_by_its_bytes_and_downloads_byte_identical() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    let bytes = png(5000);
    let uploaded = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(
            &multipart(),
            form(
                "../../etc/rack.pdf",
                "application/pdf",
                &bytes,
                &[("description", "Front of rack")],
            ),
        )
        .send()
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let file = uploaded.json();
    assert_eq!(
        file["content_type"], "image/png",
        "the client's claim is not trusted"
    );
    assert_eq!(
        file["name"], "rack.pdf",
        "only the last path segment is kept"
    );
    assert_eq!(file["kind"], "image");
    assert_eq!(file["size"], 5000);
    assert_eq!(file["description"], "Front of rack");
    let id = file["id"].as_str().unwrap();

    let listed = manager.get(&format!("/sites/{site}/files")).await.json();
    assert_eq!(listed["data"][0]["id"], id);

    let content = format!("/api/v1/sites/{site}/files/{id}/content");
    let download = app
        .send_bytes(
            axum::http::Request::get(&content)
                .header(header::AUTHORIZATION, format!("Bearer {}", manager.token))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(download.0, StatusCode::OK);
    assert_eq!(download.2, bytes, "byte-identical");
    let headers = download.1;
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    let ranged = app
        .send_bytes(
            axum::http::Request::get(&content)
                .header(header::AUTHORIZATION, format!("Bearer {}", manager.token))
                .header(header::RANGE, "bytes=1-3")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(ranged.0, StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.2, b"PNG");
    assert_eq!(ranged.1[header::CONTENT_RANGE], "bytes 1-3/5000");
}

#[tokio::test]
async fn svg_and_documents_are_never_served_inline() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    let uploaded = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(&multipart(), form("diagram.svg", "image/svg+xml", svg, &[]))
        .send()
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    assert_eq!(uploaded.json()["kind"], "diagram");
    let id = uploaded.json()["id"].as_str().unwrap().to_owned();
    let download = manager
        .get(&format!("/sites/{site}/files/{id}/content"))
        .await;
    let disposition = download.header(header::CONTENT_DISPOSITION).unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"diagram.svg\""),
        "{disposition}"
    );
    assert!(
        download
            .header(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .contains("sandbox")
    );
}

#[tokio::test]
async fn refused_uploads_keep_nothing() {
    let app = spawn_app_with(&["--max-file-bytes", "4096"]).await;
    let (manager, site) = setup(&app).await;
    let path = format!("/sites/{site}/files");
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff rest of a program";
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), form("photo.jpg", "image/jpeg", exe, &[]))
        .send()
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), form("big.png", "image/png", &png(4097), &[]))
        .send()
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), form("empty.png", "image/png", b"", &[]))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "file_empty");
    manager
        .call(Method::POST, &path)
        .raw(
            &multipart(),
            form("x.png", "image/png", &png(100), &[("kind", "video")]),
        )
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "file_kind_invalid");
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n"))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_missing");
    manager
        .call(Method::POST, &path)
        .raw("application/octet-stream", png(100))
        .send()
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let staff = Client::new(&app, Role::Staff).await;
    staff
        .call(Method::POST, &path)
        .raw(&multipart(), form("x.png", "image/png", &png(100), &[]))
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    manager
        .call(Method::POST, "/sites/site_nope/files")
        .raw(&multipart(), form("x.png", "image/png", &png(100), &[]))
        .send()
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");

    assert_eq!(manager.get(&path).await.json()["data"], json!([]));
    assert_eq!(files_left(&app), Vec::<String>::new());
}

#[tokio::test]
async fn an_aborted_upload_leaves_neither_a_file_nor_a_row() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    let mut start = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
    )
    .into_bytes();
    start.extend(png(64 * 1024));
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(start)),
        Ok(Bytes::from(vec![7u8; 64 * 1024])),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ];
    let reply = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(
            &multipart(),
            Body::from_stream(futures_util::stream::iter(chunks)),
        )
        .send()
        .await;
    assert!(
        reply.status.is_client_error(),
        "{} {}",
        reply.status,
        reply.body
    );
    assert_eq!(
        manager.get(&format!("/sites/{site}/files")).await.json()["data"],
        json!([])
    );
    assert_eq!(files_left(&app), Vec::<String>::new());
}

/// Used to: an upload whose client stopped sending held its connection and its upload file
/// for as long as the client liked.
#[tokio::test]
async fn a_stalled_upload_is_abandoned_with_408_and_keeps_nothing() {
    let app = spawn_app_with(&["--upload-stall-seconds", "1"]).await;
    let (manager, site) = setup(&app).await;
    let mut start = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
    )
    .into_bytes();
    start.extend(png(1024));
    use futures_util::StreamExt;
    // The first chunk, then nothing, never an end.
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(start))])
        .chain(futures_util::stream::pending());
    let started = std::time::Instant::now();
    let reply = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(&multipart(), Body::from_stream(body))
        .send()
        .await;
    reply.assert_error(StatusCode::REQUEST_TIMEOUT, "request_timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(
        manager.get(&format!("/sites/{site}/files")).await.json()["data"],
        json!([])
    );
    assert_eq!(files_left(&app), Vec::<String>::new());
}

#[tokio::test]
async fn notes_are_written_as_text_and_edited_in_place() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    let created = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .json(
            &json!({"name": "Access", "text": "Key at reception.", "description": "How to get in"}),
        )
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let note = created.json();
    assert_eq!(
        (note["kind"].clone(), note["content_type"].clone()),
        (json!("note"), json!("text/plain"))
    );
    let id = note["id"].as_str().unwrap().to_owned();
    let file_path = format!("/sites/{site}/files/{id}");

    let edited = manager
        .call(Method::PATCH, &file_path)
        .json(&json!({"text": "Badge 4411 at reception.", "name": "Access (updated)"}))
        .header("if-match", "\"1\"")
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["name"], "Access (updated)");
    let text = manager.get(&format!("{file_path}/content")).await;
    assert_eq!(text.body, "Badge 4411 at reception.");
    manager
        .call(Method::PATCH, &file_path)
        .json(&json!({"text": "again"}))
        .header("if-match", "\"1\"")
        .send()
        .await
        .assert_error(StatusCode::PRECONDITION_FAILED, "precondition_failed");

    let photo = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(&multipart(), form("p.png", "image/png", &png(100), &[]))
        .send()
        .await
        .json();
    manager
        .call(
            Method::PATCH,
            &format!("/sites/{site}/files/{}", photo["id"].as_str().unwrap()),
        )
        .json(&json!({"text": "not a note"}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "note_not_text");

    assert_eq!(
        manager.call(Method::DELETE, &file_path).send().await.status,
        StatusCode::NO_CONTENT
    );
    manager
        .get(&file_path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "resource_missing");
    let history = manager
        .get(&format!("/metadata/{site}/changes"))
        .await
        .json();
    let actions: Vec<_> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.ends_with(&[
            "file.add".into(),
            "file.update".into(),
            "file.add".into(),
            "file.delete".into()
        ]),
        "{actions:?}"
    );
}

/// Staff are refused for their role, not told what is wrong with their file.
#[tokio::test]
async fn staff_uploads_are_refused_before_the_file_is_judged() {
    let app = spawn_app().await;
    let (_manager, site) = setup(&app).await;
    let staff = Client::new(&app, Role::Staff).await;
    for (bytes, kind) in [
        (b"MZ\x90\x00 a program".to_vec(), "document"),
        (png(100), "spaceship"),
    ] {
        staff
            .call(Method::POST, &format!("/sites/{site}/files"))
            .raw(
                &multipart(),
                form(
                    "x.bin",
                    "application/octet-stream",
                    &bytes,
                    &[("kind", kind)],
                ),
            )
            .send()
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

/// Used to: multer read any number of parts, and buffered a preamble or part headers with no
/// end for as long as the client sent them.
#[tokio::test]
async fn a_form_with_too_many_parts_or_endless_headers_is_refused_and_keeps_nothing() {
    let app = spawn_app_with(&["--max-file-bytes", "4096"]).await;
    let (manager, site) = setup(&app).await;
    let path = format!("/sites/{site}/files");
    let extra: Vec<(String, String)> = (0..16).map(|n| (format!("x{n}"), "1".to_owned())).collect();
    let extra: Vec<(&str, &str)> = extra
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), form("x.png", "image/png", &png(100), &extra))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    // 16 parts in all are fine.
    let fine = manager
        .call(Method::POST, &path)
        .raw(
            &multipart(),
            form("x.png", "image/png", &png(100), &extra[..15]),
        )
        .send()
        .await;
    assert_eq!(fine.status, StatusCode::CREATED, "{}", fine.body);

    let mut endless = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nX-Pad: ")
        .into_bytes();
    endless.extend(std::iter::repeat_n(b'a', 200 * 1024));
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), endless)
        .send()
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let mut preamble = vec![b'p'; 200 * 1024];
    preamble.extend(form("x.png", "image/png", &png(100), &[]));
    manager
        .call(Method::POST, &path)
        .raw(&multipart(), preamble)
        .send()
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let listed = manager.get(&path).await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
}

/// Used to: a file kept its uploader's extension whatever its bytes were, so text could be
/// saved as `setup.js` or `fix.hta`, and a U+202E override could disguise a name.
/// Used to: a text part (a description) was read whole, however long, before being judged.
#[tokio::test]
async fn a_text_part_over_4_kib_is_refused_and_keeps_nothing() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    let long = "d".repeat(4097);
    let reply = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(
            &multipart(),
            form("x.png", "image/png", &png(100), &[("description", &long)]),
        )
        .send()
        .await;
    reply.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(
        manager.get(&format!("/sites/{site}/files")).await.json()["data"],
        json!([])
    );
    assert_eq!(files_left(&app), Vec::<String>::new());
}

/// Used to: a form naming its description twice was stored with whichever came last, though
/// the client may have meant either (schemathesis sends such forms).
#[tokio::test]
async fn a_text_part_sent_twice_is_refused_and_keeps_nothing() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    let twice = [("description", "rack A"), ("description", "rack B")];
    manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(&multipart(), form("x.png", "image/png", &png(100), &twice))
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "parameter_invalid");
    assert_eq!(files_left(&app), Vec::<String>::new());
}

#[tokio::test]
async fn a_download_is_named_by_what_its_bytes_are_and_without_bidi_overrides() {
    let app = spawn_app().await;
    let (manager, site) = setup(&app).await;
    for (uploaded_as, served_as) in [
        ("setup.js", "setup.js.txt"),
        ("fix.hta", "fix.hta.txt"),
        ("notes\u{202E}txt.exe", "notestxt.exe.txt"),
        ("readme.txt", "readme.txt"),
    ] {
        let uploaded = manager
            .call(Method::POST, &format!("/sites/{site}/files"))
            .raw(
                &multipart(),
                form(uploaded_as, "text/plain", b"just text\n", &[]),
            )
            .send()
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
        let id = uploaded.json()["id"].as_str().unwrap().to_owned();
        let download = manager
            .get(&format!("/sites/{site}/files/{id}/content"))
            .await;
        let disposition = download.header(header::CONTENT_DISPOSITION).unwrap();
        assert!(
            disposition.starts_with(&format!("attachment; filename=\"{served_as}\"")),
            "{uploaded_as}: {disposition}"
        );
    }
}
