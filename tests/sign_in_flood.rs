//! Hardening fault 3: 500 sign-in posts at once, each from its own address and for an unknown
//! user (so the throttle lets every one through to a password check, as a botnet's would), must
//! leave the server's memory under 200 MiB of growth and its other pages answering. Each
//! argon2 check works in 19 MiB; unbounded, 500 at once would take 9.5 GiB, and bounded to 4
//! but allocated afresh each time, glibc's per-thread arenas still kept 670-730 MiB. Its own
//! binary, so no other test's allocations move the process's peak memory while it is measured;
//! on glibc's allocator, the one that holds on to freed blocks longest.

#[path = "support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::spawn_app_with;

const ATTEMPTS: usize = 500;
const GROWTH_ALLOWED: u64 = 200 * 1024 * 1024;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS; where /proc is read-only the
    // old peak stays, which can only make the growth look larger, never hide it.
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("cannot reset the peak RSS ({e})");
    }
}

fn sign_in_post(n: usize) -> Request<Body> {
    // Behind the trusted proxy the last X-Forwarded-For entry is the client: one per attempt.
    let address = format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256);
    Request::post("/rpc/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", address)
        .body(Body::from(format!(
            "username=nobody{n}&password=guess+number+{n}"
        )))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_sign_ins_stay_under_200_mib_and_pages_still_answer() {
    let app = std::sync::Arc::new(spawn_app_with(&["--trusted-proxy"]).await);
    // One page first, so what it loads once (templates, the pool's connections) is not
    // counted as the flood's growth.
    assert_eq!(
        app.send(Request::get("/login").body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::OK
    );

    reset_peak_rss();
    let before = status_kib("VmRSS:") * 1024;
    let attempts: Vec<_> = (0..ATTEMPTS)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { app.send(sign_in_post(n)).await })
        })
        .collect();

    // While every attempt is in flight, another page and a health check still answer.
    tokio::task::yield_now().await;
    let page = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        app.send(Request::get("/login").body(Body::empty()).unwrap()),
    )
    .await
    .expect("the sign-in page answers during the flood");
    assert_eq!(page.status, StatusCode::OK);
    let health = app
        .send(Request::get("/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.body);

    let (mut refused, mut told_to_retry) = (0, 0);
    for attempt in attempts {
        let reply = attempt.await.unwrap();
        match reply.status {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(
                    reply.header(header::RETRY_AFTER).is_some(),
                    "{}",
                    reply.body
                );
                told_to_retry += 1;
            }
            other => panic!("a sign-in answered {other}: {}", reply.body),
        }
    }
    let growth = (status_kib("VmHWM:") * 1024).saturating_sub(before);
    eprintln!(
        "{ATTEMPTS} sign-ins: {refused} checked and refused, {told_to_retry} told to retry; \
         peak RSS grew by {} MiB",
        growth >> 20
    );
    assert_eq!(refused + told_to_retry, ATTEMPTS);
    assert!(refused > 0, "some attempts were checked");
    assert!(
        growth < GROWTH_ALLOWED,
        "peak RSS grew by {} MiB",
        growth >> 20
    );
}
