//! The thread that runs metadata writes: it gathers the writes waiting, applies each group in
//! one transaction (replaying a failed group one write at a time), and answers once the commit
//! is on disk.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use super::load;
use crate::core::CoreError;
use crate::core::metadata::MetadataRecord;
use crate::core::resources::ResourceType;
use crate::store::batch::Batch;
use crate::store::cache::ReadCache;
use crate::store::durability::Durability;
use crate::store::metadata::plan::{
    Creation, Current, Plan, Planned, Write, WriteKey, key_of, plan,
};
use crate::store::resources;
use crate::store::sqlite::batch::{failed, unique_violation};
use crate::store::sqlite::checkpointer::{BACKSTOP_PAGES, Checkpointer};
use crate::store::sqlite::wal_sync::{AfterSync, WalSync};

/// The most writes one transaction takes. Enough to amortise a commit many times over while
/// keeping one group's statements (and the wait of the last write in it) small.
const MOST_PER_GROUP: usize = 64;

/// Writes queued beyond this wait in their callers (back-pressure) instead of in memory.
const QUEUE: usize = 1024;

type Reply = oneshot::Sender<Result<MetadataRecord, CoreError>>;

/// What the writer thread is asked to do.
// Writes are nearly every job, and boxing them would cost each an allocation to save the
// queue some bytes on the rare transactions of their own.
#[allow(clippy::large_enum_variant)]
enum Job {
    /// A metadata write, grouped with the others waiting.
    Write(Write, Reply),
    /// A transaction of its own (see [`Writer::transaction`]): it runs it, then hands back
    /// what to do once the transaction is on disk.
    Alone(Box<dyn FnOnce(&rusqlite::Connection) -> AfterSync + Send>),
}

/// Each write's answer, in the order of the writes.
type Answers = Vec<Result<MetadataRecord, CoreError>>;

/// What the writer thread shares with the store that feeds it.
#[derive(Clone)]
pub(in crate::store) struct Shared {
    pub(in crate::store) cache: Arc<ReadCache>,
    /// The process's write turn, also taken by every other kind of write.
    pub(in crate::store) write_lock: Arc<tokio::sync::Mutex<()>>,
    pub(in crate::store) checkpointer: Checkpointer,
    /// Once a sync has failed, nothing more is written (see `durability`).
    pub(in crate::store) durability: Arc<Durability>,
    /// Transactions run, for the tests that check writes are grouped.
    #[cfg(test)]
    pub(in crate::store) groups: Arc<std::sync::atomic::AtomicUsize>,
}

/// The store's handle on the writer thread.
#[derive(Clone)]
pub(in crate::store) struct Writer {
    queue: mpsc::Sender<Job>,
    durability: Arc<Durability>,
    #[cfg(test)]
    shared: Shared,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writer thread, writing through `connection` alone. It ends when the last
    /// handle is dropped. A thread rather than a task, because its statements block; and so
    /// it outlives the runtime that started it, as a store shared between test runtimes does.
    ///
    /// The connection is the writer's own rather than one from the pool: in WAL mode SQLite
    /// drops a connection's page cache whenever another connection has written since its last
    /// transaction, so writes spread over the pool would read every page from the file again.
    ///
    /// With `wal_sync`, the connection commits without syncing and answers wait for that
    /// thread's fsync instead (see `wal_sync`); without it, each commit syncs.
    pub(in crate::store) fn start(
        shared: Shared,
        connection: SqliteConnection,
        wal_sync: Option<WalSync>,
    ) -> Result<Self, CoreError> {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Handle::current();
        let on_thread = shared.clone();
        let durability = shared.durability.clone();
        std::thread::Builder::new()
            .name("sitebook-metadata-writer".to_owned())
            .spawn(move || run(&on_thread, connection, wal_sync, receiver, &runtime))
            .map_err(|e| CoreError::Storage(format!("cannot start the metadata writer: {e}")))?;
        #[cfg(not(test))]
        let _ = shared;
        Ok(Self {
            queue,
            durability,
            #[cfg(test)]
            shared,
        })
    }

    /// Applies one write, grouped with whatever else is waiting, and answers once it is
    /// committed (or refused).
    pub(in crate::store) async fn write(&self, write: Write) -> Result<MetadataRecord, CoreError> {
        self.durability.check()?;
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job::Write(write, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Runs `work` in a transaction of its own on the writer's connection, committed if it
    /// returns `Ok` and rolled back otherwise, and answers once the commit is on disk. For
    /// writes of many statements (an import): through a pool connection each statement would
    /// be a trip to that connection's thread and back, which on some machines cost ten times
    /// the statement itself.
    pub(in crate::store) async fn transaction<T: Send + 'static>(
        &self,
        work: impl FnOnce(&rusqlite::Connection) -> Result<T, CoreError> + Send + 'static,
    ) -> Result<T, CoreError> {
        self.transaction_deciding(move |db| work(db).map(|value| (value, true)))
            .await
    }

    /// [`Writer::transaction`] whose `work` also says whether to commit (`true`) or roll back
    /// (`false`) what it did: a preview runs the very statements of a commit, then undoes them.
    pub(in crate::store) async fn transaction_deciding<T: Send + 'static>(
        &self,
        work: impl FnOnce(&rusqlite::Connection) -> Result<(T, bool), CoreError> + Send + 'static,
    ) -> Result<T, CoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Alone(Box::new(move |db| {
            let done = in_transaction_or_rollback(db, work);
            Box::new(move |synced| {
                let _ = reply.send(match synced {
                    Ok(()) => done,
                    Err(e) => Err(unconfirmed(e)),
                });
            })
        }));
        self.durability.check()?;
        self.queue.send(job).await.map_err(|_| stopped())?;
        // A job dropped unrun was refused because writing had halted meanwhile.
        answer
            .await
            .unwrap_or_else(|_| self.durability.check().and(Err(stopped())))
    }
}

/// Runs `work` in a transaction; `work` says whether to commit: a preview runs every statement
/// a commit would and then rolls back. Any failure rolls back.
fn in_transaction_or_rollback<T>(
    db: &rusqlite::Connection,
    work: impl FnOnce(&rusqlite::Connection) -> Result<(T, bool), CoreError>,
) -> Result<T, CoreError> {
    run_cached(db, "BEGIN IMMEDIATE")?;
    let done = match work(db) {
        Ok((value, true)) => commit_leaving_checkpoint(db).map(|()| value),
        Ok((value, false)) => {
            let _ = db.execute_batch("ROLLBACK");
            Ok(value)
        }
        Err(e) => Err(e),
    };
    if done.is_err() && !db.is_autocommit() {
        let _ = db.execute_batch("ROLLBACK");
    }
    done
}

/// Commits a transaction of its own without SQLite's checkpoint inside the commit. Such a
/// transaction (an import, a revert) leaves far more WAL than the backstop (see
/// `checkpointer::BACKSTOP_PAGES`), so SQLite would copy all of it into the database before
/// the commit returns, seconds the caller would wait; the background checkpointer, told of
/// the commit as of any other, copies it instead.
fn commit_leaving_checkpoint(db: &rusqlite::Connection) -> Result<(), CoreError> {
    // The pragma answers its new value as a row, which only a batch may ignore.
    db.execute_batch("PRAGMA wal_autocheckpoint = 0")
        .map_err(failed)?;
    let committed = run_cached(db, "COMMIT");
    let backstop = db
        .execute_batch(&format!("PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}"))
        .map_err(failed);
    committed.and(backstop)
}

fn unconfirmed(e: &std::io::Error) -> CoreError {
    CoreError::Storage(format!(
        "cannot confirm the write: syncing the WAL to disk failed ({e})"
    ))
}

fn stopped() -> CoreError {
    CoreError::Storage("the metadata writer has stopped".to_owned())
}

/// The writer thread: takes the connection's handle from sqlx's own thread for good, then
/// serves groups until the queue closes.
fn run(
    shared: &Shared,
    mut connection: SqliteConnection,
    wal_sync: Option<WalSync>,
    mut queue: mpsc::Receiver<Job>,
    runtime: &tokio::runtime::Handle,
) {
    // Waiting for the lock needs no I/O or timer, so any runtime's handle can drive it, even
    // from this thread outside it.
    let mut handle = match runtime.block_on(connection.lock_handle()) {
        Ok(handle) => handle,
        Err(e) => {
            tracing::error!("the metadata writer cannot take its connection: {e}");
            return;
        }
    };
    // SAFETY: the handle is valid, and used by no other thread, for as long as sqlx's lock on
    // it is held, which is past this connection's last use: `db` is dropped first, finalizing
    // the statements it prepared, so sqlx can close the handle afterwards.
    let db = match unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) } {
        Ok(db) => db,
        Err(e) => {
            tracing::error!("the metadata writer cannot use its connection: {e}");
            return;
        }
    };
    // Its statements are prepared once each and kept: more kinds than rusqlite's default 16
    // (an import alone runs about twenty), which would otherwise push each other out.
    db.set_prepared_statement_cache_capacity(64);
    // A job taken while gathering a group that is not a metadata write: it runs next.
    let mut held = None;
    while let Some(first) = held.take().or_else(|| queue.blocking_recv()) {
        let _turn = shared.write_lock.blocking_lock();
        let first = match first {
            Job::Write(write, reply) => (write, reply),
            Job::Alone(job) => {
                if shared.durability.halted().is_none() {
                    run_alone(shared, &db, job, wal_sync.as_ref());
                }
                continue;
            }
        };
        let mut group = vec![first];
        while group.len() < MOST_PER_GROUP {
            match queue.try_recv() {
                Ok(Job::Write(write, reply)) => group.push((write, reply)),
                Ok(alone) => {
                    held = Some(alone);
                    break;
                }
                Err(_) => break,
            }
        }
        let (writes, replies): (Vec<Write>, Vec<Reply>) = group.into_iter().unzip();
        // Queued before a sync failed, answered after: nothing of it is written.
        if let Some(reason) = shared.durability.halted() {
            let refusals = writes
                .iter()
                .map(|_| Err(CoreError::WritesHalted(reason.to_owned())))
                .collect();
            send(replies, refusals);
            continue;
        }
        #[cfg(test)]
        shared
            .groups
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // An operation that panics (a bug) fails its group rather than every write to come.
        let answers = catch_unwind(AssertUnwindSafe(|| apply_or_replay(shared, &db, &writes)))
            .unwrap_or_else(|_| {
                if !db.is_autocommit() {
                    let _ = db.execute_batch("ROLLBACK");
                }
                let panicked = || Err(CoreError::Storage("the metadata write failed".to_owned()));
                writes.iter().map(|_| panicked()).collect()
            });
        // Refusals and unchanged answers wait too: they read what the group before committed.
        match &wal_sync {
            Some(wal_sync) => wal_sync.after_sync(Box::new(move |synced| match synced {
                Ok(()) => send(replies, answers),
                Err(e) => send(
                    replies,
                    answers.iter().map(|_| Err(unconfirmed(e))).collect(),
                ),
            })),
            None => send(replies, answers),
        }
    }
    drop(db);
    drop(handle);
}

/// Runs a transaction of its own, answering once it is on disk. A job that panics (a bug)
/// is rolled back and its caller told the writer stopped, rather than the thread ending.
fn run_alone(
    shared: &Shared,
    db: &rusqlite::Connection,
    job: Box<dyn FnOnce(&rusqlite::Connection) -> AfterSync + Send>,
    wal_sync: Option<&WalSync>,
) {
    let Ok(after) = catch_unwind(AssertUnwindSafe(|| job(db))) else {
        if !db.is_autocommit() {
            let _ = db.execute_batch("ROLLBACK");
        }
        return;
    };
    shared.checkpointer.committed();
    match wal_sync {
        Some(wal_sync) => wal_sync.after_sync(after),
        None => after(Ok(())),
    }
}

/// The group's answers: from one transaction, or when that fails as a whole, from one per
/// write.
fn apply_or_replay(shared: &Shared, db: &rusqlite::Connection, writes: &[Write]) -> Answers {
    match apply_group(shared, db, writes) {
        Ok(answers) => answers,
        Err(e) if writes.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::debug!(
                "a group of {} metadata writes failed ({e}); replaying them one by one",
                writes.len()
            );
            writes
                .iter()
                .map(|write| write_alone(shared, db, write))
                .collect()
        }
    }
}

fn send(replies: Vec<Reply>, answers: Answers) {
    for (reply, answer) in replies.into_iter().zip(answers) {
        // A caller that has gone away (its client disconnected) still had its write done.
        let _ = reply.send(answer);
    }
}

fn write_alone(
    shared: &Shared,
    db: &rusqlite::Connection,
    write: &Write,
) -> Result<MetadataRecord, CoreError> {
    apply_group(shared, db, std::slice::from_ref(write))?
        .pop()
        .expect("one answer per write")
}

/// Runs a group in one transaction. The outer error means the transaction as a whole failed
/// and nothing of it was kept; otherwise each write has its own answer.
fn apply_group(
    shared: &Shared,
    db: &rusqlite::Connection,
    writes: &[Write],
) -> Result<Answers, CoreError> {
    match apply_in_transaction(db, writes) {
        Ok((answers, changed)) => {
            shared.checkpointer.committed();
            for (tenant, id) in changed {
                shared.cache.forget_record(&tenant, &id);
            }
            Ok(answers)
        }
        Err(e) => {
            if !db.is_autocommit() {
                let _ = db.execute_batch("ROLLBACK");
            }
            Err(e)
        }
    }
}

/// The answers, and the resources changed.
fn apply_in_transaction(
    db: &rusqlite::Connection,
    writes: &[Write],
) -> Result<(Answers, Vec<WriteKey>), CoreError> {
    run_cached(db, "BEGIN IMMEDIATE")?;
    let mut state: HashMap<WriteKey, Option<Current>> =
        writes.iter().map(|w| (key_of(w), None)).collect();
    let wanted: Vec<&WriteKey> = state.keys().collect();
    for (key, current) in load(db, &wanted)? {
        state.insert(key, Some(current));
    }
    let mut batch = Batch::default();
    let mut answers = Vec::with_capacity(writes.len());
    let mut changed = Vec::new();
    let mut renamed = None;
    for write in writes {
        let key = key_of(write);
        let current = state.get(&key).and_then(Option::as_ref);
        let now = crate::store::now();
        let planned = match plan(write, current, now) {
            Ok(Plan::Unchanged(record)) => {
                answers.push(Ok(record));
                continue;
            }
            Ok(Plan::Write(planned)) => planned,
            Ok(Plan::Create(creation)) => match create(db, &mut batch, write, creation, now) {
                Ok(planned) => planned,
                Err(refused) => {
                    answers.push(Err(refused));
                    continue;
                }
            },
            Err(refused) => {
                answers.push(Err(refused));
                continue;
            }
        };
        planned.stage(&mut batch, write, current);
        if planned.rename.is_some() {
            renamed.clone_from(&planned.rename);
        }
        answers.push(Ok(planned.record()?));
        state.insert(key.clone(), Some(planned.next));
        changed.push(key);
    }
    batch.run(db).map_err(|e| match unique_violation(&e) {
        Some(detail) => resources::taken_by_write(&ResourceType::site(), renamed.as_ref(), detail),
        None => failed(e),
    })?;
    // After the batch, never in it: a batch runs its change records last (see `Batch::run`),
    // which would put them after a COMMIT staged there, in a transaction of their own.
    run_cached(db, "COMMIT")?;
    Ok((answers, changed))
}

/// Inserts the resource a write creates, inside the group's transaction (which keeps or drops
/// it with the rest) so the rest of the group sees it, and stages its record.
fn create(
    db: &rusqlite::Connection,
    batch: &mut Batch,
    write: &Write,
    creation: Creation,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Planned, CoreError> {
    let actor = &write.actor;
    resources::insert_in_writer(
        db,
        batch,
        actor,
        &write.id,
        &creation.kind,
        &creation.name,
        now,
    )?;
    let (_, created) = load(db, &[&key_of(write)])?
        .pop()
        .ok_or_else(|| CoreError::Storage("a resource vanished inside its transaction".into()))?;
    Ok(creation.planned(actor, created.row))
}

pub(super) fn run_cached(db: &rusqlite::Connection, sql: &'static str) -> Result<(), CoreError> {
    db.prepare_cached(sql)
        .and_then(|mut statement| statement.execute([]))
        .map(|_| ())
        .map_err(failed)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use serde_json::json;

    use super::Answers;

    use crate::core::CoreError;
    use crate::core::access::Actor;
    use crate::core::metadata::MetadataRecord;
    use crate::core::metadata::{MetaKey, MetaValue, Metadata, MetadataLimits, Precondition};
    use crate::core::resources::ResourceId;
    use crate::store::Store;
    use crate::store::metadata::MetadataTarget;
    use crate::store::testing::{manager, site, staff, temp_store};

    async fn merge(
        store: &Store,
        actor: &Actor,
        id: &ResourceId,
        precondition: Precondition,
        body: serde_json::Value,
    ) -> Result<MetadataRecord, CoreError> {
        store
            .change_metadata(
                actor,
                MetadataTarget::Existing(id),
                &precondition,
                move |current| {
                    Ok(current
                        .cloned()
                        .unwrap_or_default()
                        .merge(&body, MetadataLimits::default())?)
                },
            )
            .await
    }

    /// Queues `count` writes while another write holds the write turn, so the writer finds
    /// them all waiting when it gets the turn, then lets them go and collects the answers.
    async fn queued_together<F, Fut>(store: &Store, count: usize, write: F) -> Answers
    where
        F: Fn(usize) -> Fut,
        Fut: std::future::Future<Output = Result<MetadataRecord, CoreError>> + Send + 'static,
    {
        let held = store.write_tx().await.unwrap();
        let tasks: Vec<_> = (0..count).map(|n| tokio::spawn(write(n))).collect();
        while store.writer.queue.capacity() > super::QUEUE - (count - 1) {
            tokio::task::yield_now().await;
        }
        drop(held);
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        answers
    }

    /// `count` merges by a manager into `id`, queued together; the n-th merges `body(n)`.
    async fn merges_queued_together(
        store: &Store,
        id: &ResourceId,
        count: usize,
        precondition: Precondition,
        body: fn(usize) -> serde_json::Value,
    ) -> Answers {
        queued_together(store, count, |n| {
            let (store, id, precondition) = (store.clone(), id.clone(), precondition.clone());
            async move { merge(&store, &manager(), &id, precondition, body(n)).await }
        })
        .await
    }

    fn groups(store: &Store) -> usize {
        store.writer.shared.groups.load(Ordering::Relaxed)
    }

    #[tokio::test]
    async fn waiting_writes_share_one_transaction_and_each_gets_its_own_version() {
        let (_dir, store) = temp_store().await;
        let id = site(&store, "Depot", 1).await;
        let before = groups(&store);
        let answers = merges_queued_together(
            &store,
            &id,
            20,
            Precondition::Any,
            |n| json!({ format!("k{n}"): n }),
        )
        .await;
        // The writer may take the first write alone before the turn is free; the others wait
        // together and go in one transaction.
        assert!(
            groups(&store) - before <= 2,
            "{} groups",
            groups(&store) - before
        );
        let mut versions: Vec<i64> = answers
            .iter()
            .map(|a| a.as_ref().unwrap().resource.version)
            .collect();
        versions.sort_unstable();
        assert_eq!(versions, (2..=21).collect::<Vec<_>>());
        let read = store.read_metadata(&staff(), &id).await.unwrap();
        assert_eq!(read.resource.version, 21);
        assert_eq!(read.entries.len(), 20);
        let changes = store.list_changes(&staff(), &id, 0, 100).await.unwrap();
        assert_eq!(
            changes
                .iter()
                .filter(|c| c.subject.starts_with('k'))
                .count(),
            20
        );
    }

    #[tokio::test]
    async fn in_one_group_only_the_first_write_at_a_version_wins() {
        let (_dir, store) = temp_store().await;
        let id = site(&store, "Depot", 1).await;
        let version = store
            .read_metadata(&staff(), &id)
            .await
            .unwrap()
            .resource
            .version;
        let answers = merges_queued_together(
            &store,
            &id,
            6,
            Precondition::Resource(version),
            |n| json!({ "n": n }),
        )
        .await;
        let won: Vec<_> = answers.iter().filter(|a| a.is_ok()).collect();
        assert_eq!(won.len(), 1);
        for refused in answers.iter().filter(|a| a.is_err()) {
            assert!(matches!(
                refused.as_ref().unwrap_err(),
                CoreError::PreconditionFailed { current, .. } if *current == version + 1
            ));
        }
        let read = store.read_metadata(&staff(), &id).await.unwrap();
        assert_eq!(read.resource.version, version + 1);
        assert_eq!(read.entries.len(), 1);
    }

    #[tokio::test]
    async fn a_group_whose_batch_fails_is_replayed_so_only_the_offender_is_refused() {
        let (_dir, store) = temp_store().await;
        let sites = [
            site(&store, "North", 1).await,
            site(&store, "South", 2).await,
            site(&store, "East", 3).await,
        ];
        // The first write renames North to Hub; in the same group South's rename to Hub
        // breaks the unique name, which fails the group's batch.
        let answers = queued_together(&store, 4, |n| {
            let (store, sites) = (store.clone(), sites.clone());
            async move {
                let (target, body) = match n {
                    0 => (&sites[2], json!({"floor": 0})),
                    1 => (&sites[0], json!({"name": "Hub"})),
                    2 => (&sites[1], json!({"name": "Hub"})),
                    _ => (&sites[2], json!({"rooms": 3})),
                };
                merge(&store, &manager(), target, Precondition::Any, body).await
            }
        })
        .await;
        assert!(answers[0].is_ok() && answers[3].is_ok());
        // Whichever rename came first wins; the other alone is refused and changes nothing.
        let (won, lost) = match answers[1] {
            Ok(_) => (0, 1),
            Err(_) => (1, 0),
        };
        assert!(answers[1 + won].is_ok());
        assert!(
            matches!(&answers[1 + lost], Err(CoreError::Conflict(_, m)) if m.contains("Hub")),
            "{:?}",
            answers[1 + lost]
        );
        let winner = store.read_metadata(&staff(), &sites[won]).await.unwrap();
        assert_eq!(winner.resource.name, "Hub");
        let loser = store.read_metadata(&staff(), &sites[lost]).await.unwrap();
        assert_ne!(loser.resource.name, "Hub");
        assert!(loser.entries.is_empty());
        let east = store.read_metadata(&staff(), &sites[2]).await.unwrap();
        assert_eq!(east.entry("floor").unwrap().value, MetaValue::Integer(0));
        assert_eq!(east.entry("rooms").unwrap().value, MetaValue::Integer(3));
    }

    #[tokio::test]
    async fn a_refused_write_in_a_group_leaves_the_others_and_reads_see_every_commit() {
        let (_dir, store) = temp_store().await;
        let id = site(&store, "Depot", 1).await;
        // Warm the read cache so a stale cached record would show.
        store.read_metadata(&staff(), &id).await.unwrap();
        let missing = ResourceId::parse("site_missing").unwrap();
        let answers = queued_together(&store, 3, |n| {
            let (store, id, missing) = (store.clone(), id.clone(), missing.clone());
            async move {
                match n {
                    1 => {
                        merge(
                            &store,
                            &manager(),
                            &missing,
                            Precondition::Any,
                            json!({"a": 1}),
                        )
                        .await
                    }
                    2 => merge(&store, &staff(), &id, Precondition::Any, json!({"a": 2})).await,
                    _ => merge(&store, &manager(), &id, Precondition::Any, json!({"a": n})).await,
                }
            }
        })
        .await;
        assert!(answers[0].is_ok());
        assert!(matches!(answers[1], Err(CoreError::NotFound { .. })));
        assert!(matches!(answers[2], Err(CoreError::Forbidden(_))));
        let read = store.read_metadata(&staff(), &id).await.unwrap();
        assert_eq!(
            read.metadata(),
            Metadata::from_entries([(MetaKey::parse("a").unwrap(), MetaValue::Integer(0))])
        );
    }

    /// The group's load brings every resource with its keys in one JSON document: each write
    /// must see its own resource's keys, of every type and exactly, and no other's. The read
    /// after each write loads the record afresh through the same JSON, and must agree.
    #[tokio::test]
    async fn a_group_gives_each_write_its_own_resources_keys() {
        let (_dir, store) = temp_store().await;
        let mut sites = Vec::new();
        for n in 0..3u128 {
            let id = site(&store, &format!("Depot {n}"), n).await;
            let body = json!({
                "zone": format!("z{n}"), "units": n, "ratio": 0.1 + 0.2 + n as f64,
                "critical": n % 2 == 0, "big": 9_007_199_254_740_993_i64,
                "huge": f64::MAX, "tiny": 5e-324, "third": 1.0 / 3.0,
            });
            merge(&store, &manager(), &id, Precondition::Any, body)
                .await
                .unwrap();
            sites.push(id);
        }
        let answers = queued_together(&store, 3, |n| {
            let (store, id) = (store.clone(), sites[n].clone());
            async move {
                merge(
                    &store,
                    &manager(),
                    &id,
                    Precondition::Any,
                    json!({"added": n}),
                )
                .await
            }
        })
        .await;
        for (n, (answer, id)) in answers.into_iter().zip(&sites).enumerate() {
            let answer = answer.unwrap();
            let keys: Vec<&str> = answer.entries.iter().map(|e| e.key.as_str()).collect();
            assert_eq!(
                keys,
                [
                    "added", "big", "critical", "huge", "ratio", "third", "tiny", "units", "zone"
                ]
            );
            let value = |key: &str| answer.metadata().get(key).cloned();
            assert_eq!(value("zone"), Some(MetaValue::Text(format!("z{n}"))));
            assert_eq!(value("ratio"), Some(MetaValue::Float(0.1 + 0.2 + n as f64)));
            assert_eq!(
                value("big"),
                Some(MetaValue::Integer(9_007_199_254_740_993))
            );
            assert_eq!(value("critical"), Some(MetaValue::Bool(n % 2 == 0)));
            // Floats that need all 17 digits, and the extremes, come back bit for bit.
            for (key, float) in [("huge", f64::MAX), ("tiny", 5e-324), ("third", 1.0 / 3.0)] {
                assert_eq!(value(key), Some(MetaValue::Float(float)), "{key}");
            }
            assert_eq!(store.read_metadata(&staff(), id).await.unwrap(), answer);
        }
    }
}
