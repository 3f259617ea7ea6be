//! Acknowledgements that wait for the disk, off the metadata writer's path.
//!
//! With `synchronous = FULL` a commit returns only once the WAL is fsynced, and the writer can
//! start nothing while it waits. Under load that fsync took about half of a group's time, as
//! it queues on the disk behind the checkpointer's writes. So the writer's own connection
//! commits with `synchronous = NORMAL` (the WAL is written, not yet synced) and hands the
//! group's answers here. This thread fsyncs the WAL file and only then sends them, while the
//! writer already runs the next group. One fsync covers every group committed before it began.
//!
//! No answer leaves before an fsync that began after its commit, so an acknowledged write is
//! as durable as under FULL. A crash keeps a prefix of the WAL (its frames carry chained
//! checksums), so a later commit, which may have read an earlier one, never survives without
//! it. What changes is that other connections can read a commit up to one fsync (about a
//! millisecond) before it is acknowledged; a power loss in that window loses a write that
//! nobody was told was done.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::{Arc, mpsc};

use crate::store::durability::Durability;

/// What to do once the WAL is on disk, or the error that kept it from getting there.
pub(in crate::store) type AfterSync = Box<dyn FnOnce(Result<(), &io::Error>) + Send>;

/// The handle on the sync thread. The thread ends with the last handle.
#[derive(Clone, Debug)]
pub(in crate::store) struct WalSync {
    queue: mpsc::Sender<AfterSync>,
}

impl WalSync {
    /// Starts syncing the WAL file at `wal`, which must exist (SQLite keeps it while any
    /// connection is open, and the writer's stays open).
    /// A failed fsync halts `durability`, and from then on nothing is synced or confirmed: a
    /// later fsync could succeed with the failed pages already dropped.
    pub(in crate::store) fn start(wal: &Path, durability: Arc<Durability>) -> io::Result<Self> {
        let file: File = OpenOptions::new().write(true).open(wal)?;
        Self::with_sync(move || file.sync_data(), durability)
    }

    fn with_sync(
        mut sync: impl FnMut() -> io::Result<()> + Send + 'static,
        durability: Arc<Durability>,
    ) -> io::Result<Self> {
        let (queue, waiting) = mpsc::channel::<AfterSync>();
        // A thread of its own, not Tokio's blocking pool: it is busy for as long as writes
        // come, and a blocking-pool task per fsync would add a hand-off to each.
        std::thread::Builder::new()
            .name("sitebook-wal-sync".to_owned())
            .spawn(move || {
                while let Ok(first) = waiting.recv() {
                    // Everything queued so far committed before this fsync starts.
                    let covered: Vec<AfterSync> =
                        std::iter::once(first).chain(waiting.try_iter()).collect();
                    let synced = match durability.halted() {
                        Some(reason) => Err(io::Error::other(format!(
                            "writes halted after an earlier failure ({reason})"
                        ))),
                        None => sync().inspect_err(|e| durability.halt("syncing the WAL", e)),
                    };
                    for after in covered {
                        after(synced.as_ref().map(|_| ()));
                    }
                }
            })?;
        Ok(Self { queue })
    }

    /// Runs `after` once everything written to the WAL before this call is on disk.
    pub(in crate::store) fn after_sync(&self, after: AfterSync) {
        if let Err(mpsc::SendError(after)) = self.queue.send(after) {
            after(Err(&io::Error::other("the WAL sync thread has stopped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::{Arc, Durability, WalSync};

    /// A sync that waits to be let through, and tells when it starts.
    fn gated() -> (WalSync, mpsc::Receiver<()>, mpsc::Sender<io::Result<()>>) {
        let (sync, starts, gate, _) = gated_with_durability();
        (sync, starts, gate)
    }

    fn gated_with_durability() -> (
        WalSync,
        mpsc::Receiver<()>,
        mpsc::Sender<io::Result<()>>,
        Arc<Durability>,
    ) {
        let (started, starts) = mpsc::channel();
        let (gate, opens) = mpsc::channel();
        let durability = Arc::new(Durability::default());
        let sync = WalSync::with_sync(
            move || {
                started.send(()).unwrap();
                opens.recv().unwrap()
            },
            durability.clone(),
        )
        .unwrap();
        (sync, starts, gate, durability)
    }

    fn acknowledge(sync: &WalSync, name: &'static str, acks: &mpsc::Sender<String>) {
        let acks = acks.clone();
        sync.after_sync(Box::new(move |synced| {
            let outcome = synced.map_or_else(|e| format!("{name}: {e}"), |()| name.to_owned());
            acks.send(outcome).unwrap();
        }));
    }

    const A_WHILE: Duration = Duration::from_millis(100);

    #[test]
    fn an_acknowledgement_waits_for_a_sync_that_began_after_it_was_queued() {
        let (sync, starts, gate) = gated();
        let (acks, acknowledged) = mpsc::channel();
        acknowledge(&sync, "first", &acks);
        starts.recv().unwrap();
        // Queued while the first sync runs: that sync may have begun before its commit.
        acknowledge(&sync, "second", &acks);
        assert!(acknowledged.recv_timeout(A_WHILE).is_err());

        gate.send(Ok(())).unwrap();
        assert_eq!(acknowledged.recv().unwrap(), "first");
        starts.recv().unwrap();
        assert!(acknowledged.recv_timeout(A_WHILE).is_err());

        gate.send(Ok(())).unwrap();
        assert_eq!(acknowledged.recv().unwrap(), "second");
    }

    #[test]
    fn one_sync_covers_everything_queued_before_it_began() {
        let (sync, starts, gate) = gated();
        let (acks, acknowledged) = mpsc::channel();
        acknowledge(&sync, "blocker", &acks);
        starts.recv().unwrap();
        for name in ["a", "b", "c"] {
            acknowledge(&sync, name, &acks);
        }
        gate.send(Ok(())).unwrap();
        assert_eq!(acknowledged.recv().unwrap(), "blocker");
        starts.recv().unwrap();
        gate.send(Ok(())).unwrap();
        let rest: Vec<String> = (0..3).map(|_| acknowledged.recv().unwrap()).collect();
        assert_eq!(rest, ["a", "b", "c"]);
        assert!(starts.recv_timeout(A_WHILE).is_err(), "a third sync ran");
    }

    /// Used to: a failed fsync failed its own group, and the next fsync (which Linux may let
    /// succeed with the failed pages gone) confirmed the writes after it.
    #[test]
    fn after_a_failed_sync_nothing_more_is_synced_or_confirmed() {
        let (sync, starts, gate, durability) = gated_with_durability();
        let (acks, acknowledged) = mpsc::channel();
        acknowledge(&sync, "lost", &acks);
        starts.recv().unwrap();
        gate.send(Err(io::Error::other("EIO"))).unwrap();
        assert_eq!(acknowledged.recv().unwrap(), "lost: EIO");
        assert!(durability.halted().is_some_and(|why| why.contains("EIO")));

        acknowledge(&sync, "later", &acks);
        let later = acknowledged.recv().unwrap();
        assert!(later.starts_with("later: writes halted"), "{later}");
        assert!(starts.recv_timeout(A_WHILE).is_err(), "it synced again");
    }

    #[test]
    fn a_failed_sync_is_reported_to_everything_it_covered() {
        let (sync, starts, gate) = gated();
        let (acks, acknowledged) = mpsc::channel();
        acknowledge(&sync, "write", &acks);
        starts.recv().unwrap();
        gate.send(Err(io::Error::other("disk gone"))).unwrap();
        assert_eq!(acknowledged.recv().unwrap(), "write: disk gone");
    }
}
