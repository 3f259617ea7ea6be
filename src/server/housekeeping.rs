//! What the server tidies on the disk it owns: at its start, before it listens, and then on a
//! schedule while it runs. Only the server does this; CLI commands open the same data beside
//! a running server and must not touch its uploads.

use std::time::{Duration, SystemTime};

use crate::core::CoreError;
use crate::store::Store;

/// How often a running server looks again for blobs no file refers to (a delete that a
/// full disk kept from removing its blob leaves one until then).
pub const ORPHAN_SWEEP_EVERY: Duration = Duration::from_secs(60 * 60);

/// Clears uploads a crash left half-written and blobs whose rows never committed. Nothing is
/// served yet, so after this every blob on disk belongs to a file.
pub async fn at_start(store: &Store, started: SystemTime) -> Result<(), CoreError> {
    let cleared = store.clear_abandoned_uploads(started)?;
    if cleared > 0 {
        tracing::info!("cleared {cleared} upload(s) a crash left half-written");
    }
    let swept = store.sweep_orphan_blobs().await?;
    if swept > 0 {
        tracing::info!("removed {swept} stored file(s) no site file refers to");
    }
    Ok(())
}

/// Sweeps orphan blobs every [`ORPHAN_SWEEP_EVERY`] until the server stops. A failed sweep is
/// logged and tried again next time: it only means some bytes stay a while longer.
pub fn spawn_orphan_sweeps(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(ORPHAN_SWEEP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await; // the first tick is now, and the start has just swept
        loop {
            every.tick().await;
            match store.sweep_orphan_blobs().await {
                Ok(0) => {}
                Ok(swept) => tracing::info!("removed {swept} orphan stored file(s)"),
                Err(e) => tracing::warn!("the sweep of orphan stored files failed: {e}"),
            }
        }
    })
}
