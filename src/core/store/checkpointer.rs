//! WAL checkpoints off the write path.
//!
//! Left to itself, SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
//! that commit copies every page back into the database file and fsyncs it (about 20 ms on
//! this kind of disk), and the writes queued behind it wait. Under a steady stream of metadata
//! writes that was a fifth of the writer's time. So a task of its own, on its own connection,
//! copies the pages in the background while writes go on (a PASSIVE checkpoint takes no
//! lock that writers need), a few times until only a short tail is left, and only that tail
//! is copied holding the write turn: the WAL must be copied in full, with no write between,
//! before the next write can start it over from the beginning instead of growing it.
//!
//! SQLite's own checkpoint stays on as a backstop, at a larger size (see `BACKSTOP_PAGES`),
//! for when this task falls behind.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqliteConnection;
use tokio::sync::{Mutex, mpsc};

/// The WAL size, in pages, at which a commit checkpoints inline after all. Far above what
/// the background task lets the WAL reach, so it only acts when that task cannot keep up.
pub(super) const BACKSTOP_PAGES: &str = "10000";

/// How long the task lets writes gather after the first one it hears of. Copying a page once
/// for several writes to it is cheaper than once per write; about a thousand pages gather in
/// this time under a heavy write load.
const GATHER: Duration = Duration::from_millis(50);

/// Pages left in the WAL below which the rest is copied holding the write turn.
const SHORT_TAIL: i64 = 64;

/// Background passes before the locked one, however long the tail still is: each pass copies
/// what the writes added during the one before, so the tail shrinks quickly unless writes
/// outpace copying, and then waiting longer would not help.
const MOST_BACKGROUND_PASSES: usize = 4;

/// Wakes the checkpoint task after commits. Cheap to clone; the task ends with the last copy.
#[derive(Clone, Debug)]
pub(super) struct Checkpointer {
    wake: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts the task on the current Tokio runtime, checkpointing through `connection`.
    pub(super) fn start(connection: SqliteConnection, write_lock: Arc<Mutex<()>>) -> Self {
        // One pending wake is enough: the task checkpoints everything committed before it runs.
        let (wake, woken) = mpsc::channel(1);
        tokio::spawn(run(connection, write_lock, woken));
        Self { wake }
    }

    /// Tells the task that a write committed. Never waits.
    pub(super) fn committed(&self) {
        let _ = self.wake.try_send(());
    }
}

async fn run(
    mut connection: SqliteConnection,
    write_lock: Arc<Mutex<()>>,
    mut woken: mpsc::Receiver<()>,
) {
    while woken.recv().await.is_some() {
        tokio::time::sleep(GATHER).await;
        if let Err(e) = checkpoint(&mut connection, &write_lock).await {
            // The backstop checkpoint still bounds the WAL; say why this one did not run.
            tracing::warn!("background WAL checkpoint failed: {e}");
        }
    }
}

/// The WAL as a PASSIVE checkpoint leaves it.
struct Pass {
    /// Pages in the WAL.
    pages: i64,
    /// Of those, the pages now in the database file.
    copied: i64,
}

impl Pass {
    fn left(&self) -> i64 {
        self.pages - self.copied
    }
}

async fn passive(connection: &mut SqliteConnection) -> Result<Pass, sqlx::Error> {
    let (_busy, pages, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(connection)
        .await?;
    Ok(Pass { pages, copied })
}

async fn checkpoint(
    connection: &mut SqliteConnection,
    write_lock: &Mutex<()>,
) -> Result<(), sqlx::Error> {
    let mut left = 0;
    for _ in 0..MOST_BACKGROUND_PASSES {
        left = passive(connection).await?.left();
        if left <= SHORT_TAIL {
            break;
        }
    }
    // Nothing left to copy: the next write starts the WAL over without this task's help.
    if left > 0 {
        let _turn = write_lock.lock().await;
        passive(connection).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::core::store::testing::{site, temp_store};

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
