//! WAL checkpoints off the write path.
//!
//! Left to itself, SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
//! that commit copies every page back into the database file and fsyncs it (about 20 ms on
//! this kind of disk), and the writes queued behind it wait. Under a steady stream of metadata
//! writes that was a fifth of the writer's time. So a task of its own, on its own connection,
//! copies the pages in the background while writes go on (a PASSIVE checkpoint takes no
//! lock that writers need) and syncs the database file, a few times until a pass finds only a
//! short tail of new frames, and only that tail is copied holding the write turn: the WAL must
//! be copied in full, with no write between, before the next write can start it over from the
//! beginning instead of growing it.
//!
//! SQLite's own checkpoint stays on as a backstop, at a larger size (see `BACKSTOP_PAGES`),
//! for when this task falls behind.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqliteConnection;
use tokio::fs::File;
use tokio::sync::{Mutex, mpsc};

use crate::store::durability::Durability;

/// The WAL size, in pages, at which a commit checkpoints inline after all. Far above what
/// the background task lets the WAL reach, so it only acts when that task cannot keep up.
pub(in crate::store) const BACKSTOP_PAGES: &str = "10000";

/// How long the task lets writes gather after the first one it hears of. Copying a page once
/// for several writes to it is cheaper than once per write; about a thousand pages gather in
/// this time under a heavy write load.
const GATHER: Duration = Duration::from_millis(50);

/// New frames in a background pass below which the rest is copied holding the write turn.
const SHORT_TAIL: i64 = 64;

/// Background passes before the locked one, however long the tail still is: each pass copies
/// what the writes added during the one before, so the tail shrinks quickly unless writes
/// outpace copying, and then waiting longer would not help.
const MOST_BACKGROUND_PASSES: usize = 4;

/// Wakes the checkpoint task after commits. Cheap to clone; the task ends with the last copy.
#[derive(Clone, Debug)]
pub(in crate::store) struct Checkpointer {
    wake: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts the task on the current Tokio runtime, checkpointing through `connection`.
    /// `database` is the database file, synced by the task itself (see `checkpoint`); `None`
    /// for a database without one.
    pub(in crate::store) fn start(
        connection: SqliteConnection,
        database: Option<File>,
        write_lock: Arc<Mutex<()>>,
        durability: Arc<Durability>,
    ) -> Self {
        // One pending wake is enough: the task checkpoints everything committed before it runs.
        let (wake, woken) = mpsc::channel(1);
        tokio::spawn(run(connection, database, write_lock, durability, woken));
        Self { wake }
    }

    /// Tells the task that a write committed. Never waits.
    pub(in crate::store) fn committed(&self) {
        let _ = self.wake.try_send(());
    }
}

async fn run(
    mut connection: SqliteConnection,
    database: Option<File>,
    write_lock: Arc<Mutex<()>>,
    durability: Arc<Durability>,
    mut woken: mpsc::Receiver<()>,
) {
    while woken.recv().await.is_some() {
        // After a failed sync the WAL is all that may hold the last writes: leave it be.
        if durability.halted().is_some() {
            continue;
        }
        tokio::time::sleep(GATHER).await;
        match checkpoint(&mut connection, database.as_ref(), &write_lock).await {
            Ok(()) => {}
            Err(Failed::Sync(e)) => durability.halt("syncing the database file", &e),
            Err(Failed::Sql(e)) if crate::store::is_sync_failure(&e) => {
                durability.halt("a checkpoint's sync", &e);
            }
            // The backstop checkpoint still bounds the WAL; say why this one did not run.
            Err(Failed::Sql(e)) => tracing::warn!("background WAL checkpoint failed: {e}"),
        }
    }
}

enum Failed {
    Sql(sqlx::Error),
    Sync(std::io::Error),
}

impl From<sqlx::Error> for Failed {
    fn from(e: sqlx::Error) -> Self {
        Self::Sql(e)
    }
}

/// The WAL as a PASSIVE checkpoint leaves it.
struct Pass {
    /// Frames in the WAL.
    frames: i64,
    /// Of those, the frames now copied into the database file.
    copied: i64,
}

async fn passive(connection: &mut SqliteConnection) -> Result<Pass, sqlx::Error> {
    let (_busy, frames, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(connection)
        .await?;
    Ok(Pass { frames, copied })
}

async fn checkpoint(
    connection: &mut SqliteConnection,
    database: Option<&File>,
    write_lock: &Mutex<()>,
) -> Result<(), Failed> {
    let mut copied_before = 0;
    for _ in 0..MOST_BACKGROUND_PASSES {
        let pass = passive(connection).await?;
        if pass.frames <= 0 {
            // An empty WAL (or none): nothing to copy and nothing to start over.
            return Ok(());
        }
        if let Some(database) = database {
            // SQLite syncs the file only in a pass that ends with no newer commit than it
            // began with. Under steady writes that is none of these, which would leave the
            // writing out of every page they copied to the locked pass, while writes wait.
            database.sync_data().await.map_err(Failed::Sync)?;
        }
        let fresh = pass.copied - copied_before;
        copied_before = pass.copied;
        if fresh <= SHORT_TAIL {
            break;
        }
    }
    // Even with every frame copied, this pass is needed: writes went on since, and the WAL
    // starts over only at a write that finds it copied in full.
    let _turn = write_lock.lock().await;
    passive(connection).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::core::metadata::{MetadataLimits, Precondition};
    use crate::store::MetadataTarget;
    use crate::store::testing::{manager, site, temp_store};

    /// Writes go on all the time here, so the WAL is never copied in full when a write begins
    /// unless the task makes it so; SQLite alone would start it over only at its backstop.
    #[tokio::test]
    async fn under_steady_writes_the_wal_starts_over_instead_of_growing() {
        let (dir, store) = temp_store().await;
        let mut sites = Vec::new();
        for n in 0..50u128 {
            sites.push(site(&store, &format!("Site {n}"), n).await);
        }
        for round in 0..20 {
            for id in &sites {
                let body = serde_json::json!({ "counter": round });
                store
                    .change_metadata(
                        &manager(),
                        MetadataTarget::Existing(id),
                        &Precondition::Any,
                        move |current| {
                            let current = current.cloned().unwrap_or_default();
                            Ok(current.merge(&body, MetadataLimits::default())?)
                        },
                    )
                    .await
                    .unwrap();
            }
        }
        // A thousand commits of several pages each: about 32 MiB if it never started over,
        // and about 2 MiB here when it does.
        let wal = std::fs::metadata(dir.path().join("test.db-wal"))
            .unwrap()
            .len();
        assert!(wal < 8 << 20, "the WAL grew to {wal} bytes");
    }

    /// SQLite alone would leave these pages in the WAL until it holds `BACKSTOP_PAGES`.
    #[tokio::test]
    async fn committed_pages_reach_the_database_file_in_the_background() {
        let (dir, store) = temp_store().await;
        let database = dir.path().join("test.db");
        let size = || std::fs::metadata(&database).unwrap().len();
        let before = size();
        for n in 0..50u128 {
            site(&store, &format!("Site {n}"), n).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while size() <= before {
            assert!(
                Instant::now() < deadline,
                "the database file stayed at {before} bytes"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
