//! A 200 MiB upload streamed through the real router: memory stays flat, the stored bytes are
//! exactly the sent ones, and nothing is buffered whole. Its own binary, so no other test's
//! allocations can move the process's peak memory while it is measured.

#[path = "support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use sitebook::core::access::Role;
use support::{Client, spawn_app_with};

const BOUNDARY: &str = "memory-test";
const CHUNK: usize = 64 * 1024;
const TOTAL: usize = 200 * 1024 * 1024;

/// Peak resident memory of this process since the last reset, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// Current resident memory, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0 and later). Where
    // /proc is read-only the old peak stays, which can only make the growth look smaller
    // than it is by what happened before this test, a few MiB of setup.
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("cannot reset the peak RSS ({e}); measuring from the current RSS");
    }
}

/// The nth chunk of the file: a PNG signature first, then a pattern.
fn chunk(n: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..CHUNK).map(|i| ((i * 7 + n) % 251) as u8).collect();
    if n == 0 {
        bytes[..16].copy_from_slice(&[
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
        ]);
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mib_upload_streams_with_flat_memory() {
    let app = spawn_app_with(&["--max-file-bytes", &(300 * 1024 * 1024).to_string()]).await;
    let manager = Client::new(&app, Role::Manager).await;
    let site = manager
        .call(Method::POST, "/sites")
        .json(&serde_json::json!({"name": "Field site"}))
        .send()
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut expected = Sha256::new();
    for n in 0..TOTAL / CHUNK {
        expected.update(chunk(n));
    }
    let expected = hex::encode(expected.finalize());

    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let parts = std::iter::once(Bytes::from(head))
        .chain((0..TOTAL / CHUNK).map(|n| Bytes::from(chunk(n))))
        .chain(std::iter::once(Bytes::from(tail)))
        .map(Ok::<_, std::io::Error>);
    let body = Body::from_stream(futures_util::stream::iter(parts));

    reset_peak_rss();
    let before = rss();
    let reply = manager
        .call(Method::POST, &format!("/sites/{site}/files"))
        .raw(&format!("multipart/form-data; boundary={BOUNDARY}"), body)
        .send()
        .await;
    let growth = peak_rss().saturating_sub(before);

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let file = reply.json();
    assert_eq!(file["size"], TOTAL as u64);
    assert_eq!(
        file["sha256"],
        expected.as_str(),
        "the stored bytes are the sent bytes"
    );
    eprintln!(
        "peak RSS grew by {} KiB during a {} MiB upload",
        growth / 1024,
        TOTAL >> 20
    );
    assert!(
        growth < 64 * 1024 * 1024,
        "peak RSS grew by {growth} bytes for a {TOTAL}-byte upload"
    );
}
