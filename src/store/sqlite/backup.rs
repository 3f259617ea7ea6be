//! A consistent copy of a live SQLite installation, and bringing one back.
//!
//! [`make`] copies the database through SQLite's online backup API in one step, that is in
//! one read transaction: the copy is the database as of one commit, while the server goes on
//! writing (in WAL mode a reader holds up no writer). The file bytes that copy refers to are
//! content-addressed and never change, so they are copied after it. One already gone by then
//! was deleted after the snapshot: the snapshot is taken again (it no longer refers to it),
//! keeping the bytes copied so far.
//!
//! The archive is a tar file: `files/<2 hex>/<sha256>` for each file's bytes, then
//! `sitebook.db`, then `sitebook-backup.json`, the manifest [`restore`] checks all of it
//! against (every checksum, every table's row count, SQLite's integrity check) before it
//! touches the installation it restores into.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::serving::ServingLock;

const FORMAT: u32 = 1;
const DATABASE_ENTRY: &str = "sitebook.db";
const MANIFEST_ENTRY: &str = "sitebook-backup.json";
/// Snapshots taken again, at most, while files the last one referred to keep being deleted.
const SNAPSHOTS: usize = 5;

/// Where an installation keeps its database and its file bytes.
#[derive(Debug, Clone)]
pub struct Installation {
    pub database: PathBuf,
    pub files: PathBuf,
}

/// What a backup holds, written last into it and checked first on restore.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub made_at: String,
    pub made_by: String,
    pub database_sha256: String,
    pub database_bytes: u64,
    /// Every table's row count in the copy.
    pub rows: BTreeMap<String, i64>,
    pub files: u64,
    pub file_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackupError(String);

fn fail(context: impl std::fmt::Display, e: impl std::fmt::Display) -> BackupError {
    BackupError(format!("{context}: {e}"))
}

type Outcome<T> = Result<T, BackupError>;

/// Copies `from` into a new archive at `to` (replaced only once complete), telling
/// `progress` of each file copied.
pub fn make(
    from: &Installation,
    to: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Outcome<Manifest> {
    if !from.database.is_file() {
        return Err(BackupError(format!(
            "there is no database at {}",
            from.database.display()
        )));
    }
    let partial = beside(to, ".partial");
    let snapshot_path = beside(to, ".db-partial");
    let result = write_archive(from, &partial, &snapshot_path, progress).and_then(|manifest| {
        std::fs::rename(&partial, to).map_err(|e| fail(format!("naming {}", to.display()), e))?;
        sync_parent(to)?;
        Ok(manifest)
    });
    let _ = std::fs::remove_file(&snapshot_path);
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn write_archive(
    from: &Installation,
    partial: &Path,
    snapshot_path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Outcome<Manifest> {
    let out =
        File::create(partial).map_err(|e| fail(format!("creating {}", partial.display()), e))?;
    let mut archive = tar::Builder::new(BufWriter::with_capacity(1 << 20, out));
    // Each file copied so far, with its size.
    let mut copied = BTreeMap::new();
    for attempt in 1..=SNAPSHOTS {
        snapshot(&from.database, snapshot_path)?;
        let referenced = referenced_files(snapshot_path)?;
        let mut missing = Vec::new();
        for sha256 in &referenced {
            if copied.contains_key(sha256) {
                continue;
            }
            let path = blob_path(&from.files, sha256);
            match File::open(&path) {
                Ok(file) => {
                    let size = append_checked(&mut archive, &entry_name(sha256), file, sha256)?;
                    copied.insert(sha256.clone(), size);
                    progress(copied.len() as u64, referenced.len() as u64);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(sha256.clone()),
                Err(e) => return Err(fail(format!("reading {}", path.display()), e)),
            }
        }
        if missing.is_empty() {
            let (database_sha256, database_bytes) = sha256_of(snapshot_path)?;
            let manifest = Manifest {
                format: FORMAT,
                made_at: crate::store::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                made_by: format!("sitebook {}", env!("CARGO_PKG_VERSION")),
                database_sha256,
                database_bytes,
                rows: row_counts(&open(snapshot_path)?)?,
                // Only what the copy refers to: bytes copied for a snapshot taken earlier
                // and since deleted are in the archive too, for the server to sweep.
                files: referenced.len() as u64,
                file_bytes: referenced.iter().map(|sha| copied[sha]).sum(),
            };
            let database =
                File::open(snapshot_path).map_err(|e| fail("reading the database copy", e))?;
            append(&mut archive, DATABASE_ENTRY, database_bytes, database)?;
            let json = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
            append(
                &mut archive,
                MANIFEST_ENTRY,
                json.len() as u64,
                json.as_slice(),
            )?;
            let file = archive
                .into_inner()
                .and_then(|buffered| buffered.into_inner().map_err(|e| e.into_error()))
                .map_err(|e| fail("writing the archive", e))?;
            file.sync_all()
                .map_err(|e| fail("syncing the archive", e))?;
            return Ok(manifest);
        }
        if attempt == SNAPSHOTS {
            return Err(BackupError(format!(
                "{} stored file(s) the database refers to are missing from {} (the first: {}); \
                 the installation is damaged",
                missing.len(),
                from.files.display(),
                missing[0]
            )));
        }
    }
    unreachable!("the last attempt returns")
}

/// The database as of one commit, in `to`, as a file of its own (rollback journal, no WAL).
fn snapshot(database: &Path, to: &Path) -> Outcome<()> {
    let _ = std::fs::remove_file(to);
    let source = open(database)?;
    let mut copy = Connection::open(to).map_err(|e| fail("creating the database copy", e))?;
    {
        let backup = Backup::new(&source, &mut copy).map_err(|e| fail("starting the copy", e))?;
        loop {
            // All pages in one step: one read transaction, so one consistent state.
            match backup
                .step(-1)
                .map_err(|e| fail("copying the database", e))?
            {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    std::thread::sleep(std::time::Duration::from_millis(50))
                }
                _ => {}
            }
        }
    }
    let mode: String = copy
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| fail("making the copy one file", e))?;
    debug_assert_eq!(mode, "delete");
    Ok(())
}

fn open(database: &Path) -> Outcome<Connection> {
    let connection = Connection::open(database)
        .map_err(|e| fail(format!("opening {}", database.display()), e))?;
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| fail("setting the busy timeout", e))?;
    Ok(connection)
}

fn referenced_files(database: &Path) -> Outcome<BTreeSet<String>> {
    let connection = open(database)?;
    let mut statement = connection
        .prepare("SELECT DISTINCT sha256 FROM site_files")
        .map_err(|e| fail("listing the stored files", e))?;
    let rows = statement
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| fail("listing the stored files", e))?;
    rows.collect::<Result<_, _>>()
        .map_err(|e| fail("listing the stored files", e))
}

fn row_counts(connection: &Connection) -> Outcome<BTreeMap<String, i64>> {
    let tables: Vec<String> = {
        let mut statement = connection
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .map_err(|e| fail("listing the tables", e))?;
        statement
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| fail("listing the tables", e))?
    };
    tables
        .into_iter()
        .map(|table| {
            let quoted = table.replace('"', "\"\"");
            connection
                .query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |r| {
                    r.get(0)
                })
                .map(|count| (table.clone(), count))
                .map_err(|e| fail(format!("counting the rows of {table}"), e))
        })
        .collect()
}

fn entry_name(sha256: &str) -> String {
    format!("files/{}/{sha256}", &sha256[..2])
}

fn blob_path(files: &Path, sha256: &str) -> PathBuf {
    files.join(&sha256[..2]).join(sha256)
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn append(
    archive: &mut tar::Builder<impl Write>,
    name: &str,
    size: u64,
    data: impl Read,
) -> Outcome<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(crate::store::now().timestamp().max(0) as u64);
    header.set_entry_type(tar::EntryType::Regular);
    archive
        .append_data(&mut header, name, data)
        .map_err(|e| fail(format!("writing {name} into the archive"), e))
}

/// Appends a stored file, checking on the way that its bytes still are the ones named.
fn append_checked(
    archive: &mut tar::Builder<impl Write>,
    name: &str,
    file: File,
    sha256: &str,
) -> Outcome<u64> {
    let size = file
        .metadata()
        .map_err(|e| fail(format!("reading {name}"), e))?
        .len();
    let mut reader = Hashing::new(file.take(size));
    append(archive, name, size, &mut reader)?;
    if reader.hex() != sha256 {
        return Err(BackupError(format!(
            "the stored bytes of {sha256} no longer match their checksum: damaged on disk"
        )));
    }
    Ok(size)
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn sha256_of(path: &Path) -> Outcome<(String, u64)> {
    let file = File::open(path).map_err(|e| fail(format!("reading {}", path.display()), e))?;
    let mut reader = Hashing::new(file);
    std::io::copy(&mut reader, &mut std::io::sink())
        .map_err(|e| fail(format!("reading {}", path.display()), e))?;
    Ok((reader.hex(), reader.bytes))
}

fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_parent(path: &Path) -> Outcome<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(parent)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| fail(format!("syncing {}", parent.display()), e))
}

/// What a restore brought back, and where the database it replaced went.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    pub replaced: Option<PathBuf>,
}

/// Brings the archive at `from` back into `into`, whose server must be stopped. Everything
/// is extracted and checked beside the installation first; only then is its database (kept
/// as `<database>.before-restore-<time>` when `replace` allows replacing one) swapped.
pub fn restore(from: &Path, into: &Installation, replace: bool) -> Outcome<Restored> {
    let _serving = ServingLock::take(&into.database).map_err(|e| BackupError(e.to_string()))?;
    if into.database.exists() && !replace {
        return Err(BackupError(format!(
            "{} already holds a database; pass --replace to replace it (it is kept beside, \
             renamed)",
            into.database.display()
        )));
    }
    let home = into
        .database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(home).map_err(|e| fail(format!("creating {}", home.display()), e))?;
    let staging = home.join(".sitebook-restore");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| fail("creating the restore's staging", e))?;
    let result = extract_and_check(from, &staging).and_then(|(manifest, blobs)| {
        let replaced = swap_in(into, &staging, &blobs)?;
        Ok(Restored { manifest, replaced })
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// The archive's manifest and stored files, extracted into `staging` and checked.
fn extract_and_check(from: &Path, staging: &Path) -> Outcome<(Manifest, Vec<String>)> {
    let damaged =
        |what: String| BackupError(format!("{} is not a sound backup: {what}", from.display()));
    let file = File::open(from).map_err(|e| fail(format!("opening {}", from.display()), e))?;
    let mut archive = tar::Archive::new(std::io::BufReader::with_capacity(1 << 20, file));
    let mut manifest: Option<Manifest> = None;
    let mut database: Option<(String, u64)> = None;
    // Each stored file's address and size.
    let mut blobs = BTreeMap::new();
    let entries = archive
        .entries()
        .map_err(|e| damaged(format!("reading it failed: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged(format!("reading it failed: {e}")))?;
        let name = entry
            .path()
            .map_err(|e| damaged(format!("an entry's name: {e}")))?
            .to_string_lossy()
            .into_owned();
        if name == MANIFEST_ENTRY {
            let mut json = Vec::new();
            entry
                .read_to_end(&mut json)
                .map_err(|e| damaged(format!("reading the manifest failed: {e}")))?;
            manifest = Some(
                serde_json::from_slice(&json)
                    .map_err(|e| damaged(format!("the manifest does not read: {e}")))?,
            );
        } else if name == DATABASE_ENTRY {
            database = Some(extract(&mut entry, &staging.join(DATABASE_ENTRY))?);
        } else if let Some(sha256) = name
            .strip_prefix("files/")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(prefix, sha)| is_sha256(sha) && sha.starts_with(prefix))
            .map(|(_, sha)| sha.to_owned())
        {
            let (actual, size) = extract(&mut entry, &staging.join(&sha256))?;
            if actual != sha256 {
                return Err(damaged(format!(
                    "the bytes of {name} do not match their checksum"
                )));
            }
            blobs.insert(sha256, size);
        } else {
            return Err(damaged(format!("it holds {name}, which no backup does")));
        }
    }
    let manifest =
        manifest.ok_or_else(|| damaged("it has no manifest (it was cut short?)".into()))?;
    if manifest.format != FORMAT {
        return Err(damaged(format!(
            "its format {} is not the {FORMAT} this Sitebook reads",
            manifest.format
        )));
    }
    let (database_sha256, database_bytes) =
        database.ok_or_else(|| damaged("it holds no database".into()))?;
    if (database_sha256.as_str(), database_bytes)
        != (manifest.database_sha256.as_str(), manifest.database_bytes)
    {
        return Err(damaged(
            "the database's bytes do not match the manifest".into(),
        ));
    }
    let copy = open(&staging.join(DATABASE_ENTRY))?;
    let integrity: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| fail("checking the database", e))?;
    if integrity != "ok" {
        return Err(damaged(format!(
            "SQLite's integrity check says: {integrity}"
        )));
    }
    let rows = row_counts(&copy)?;
    if rows != manifest.rows {
        return Err(damaged(
            "the database's row counts do not match the manifest".into(),
        ));
    }
    check_migrations(&copy)?;
    drop(copy);
    let referenced = referenced_files(&staging.join(DATABASE_ENTRY))?;
    if let Some(absent) = referenced.iter().find(|sha| !blobs.contains_key(*sha)) {
        return Err(damaged(format!(
            "the bytes of stored file {absent} are not in it"
        )));
    }
    let file_bytes: u64 = referenced.iter().map(|sha| blobs[sha]).sum();
    if (referenced.len() as u64, file_bytes) != (manifest.files, manifest.file_bytes) {
        return Err(damaged(
            "its files do not match the manifest's count and size".into(),
        ));
    }
    Ok((manifest, blobs.into_keys().collect()))
}

/// Refuses a database migrated further than this build knows: its server would refuse it.
fn check_migrations(copy: &Connection) -> Outcome<()> {
    let newest: Option<i64> = copy
        .query_row("SELECT max(version) FROM _sqlx_migrations", [], |r| {
            r.get(0)
        })
        .map_err(|e| fail("reading the database's migrations", e))?;
    let known = crate::store::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or_default();
    match newest {
        Some(newest) if newest > known => Err(BackupError(format!(
            "the backup was made by a newer Sitebook (its database is at migration {newest}; \
             this one knows up to {known}): restore it with that version or later"
        ))),
        _ => Ok(()),
    }
}

/// Writes an entry to `to`, answering its SHA-256 and size.
fn extract(entry: &mut impl Read, to: &Path) -> Outcome<(String, u64)> {
    let out = File::create(to).map_err(|e| fail(format!("creating {}", to.display()), e))?;
    let mut writer = BufWriter::with_capacity(1 << 20, out);
    let mut reader = Hashing::new(entry);
    std::io::copy(&mut reader, &mut writer)
        .and_then(|_| writer.into_inner().map_err(|e| e.into_error()))
        .and_then(|file| file.sync_all())
        .map_err(|e| fail(format!("extracting {}", to.display()), e))?;
    Ok((reader.hex(), reader.bytes))
}

/// Moves the checked database and files into place; the database there before is renamed
/// aside (with its WAL and shared memory, which belong to it).
fn swap_in(into: &Installation, staging: &Path, blobs: &[String]) -> Outcome<Option<PathBuf>> {
    for sha256 in blobs {
        let at = blob_path(&into.files, sha256);
        if at.is_file() {
            continue;
        }
        let dir = at.parent().expect("a blob lives in a directory");
        std::fs::create_dir_all(dir).map_err(|e| fail(format!("creating {}", dir.display()), e))?;
        move_file(&staging.join(sha256), &at)?;
    }
    let mut replaced = None;
    if into.database.exists() {
        let stamp = crate::store::now().format("%Y%m%dT%H%M%SZ");
        let aside = beside(&into.database, &format!(".before-restore-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let (current, moved) = (beside(&into.database, suffix), beside(&aside, suffix));
            if current.exists() {
                std::fs::rename(&current, &moved)
                    .map_err(|e| fail(format!("moving {} aside", current.display()), e))?;
            }
        }
        replaced = Some(aside);
    }
    move_file(&staging.join(DATABASE_ENTRY), &into.database)?;
    sync_parent(&into.database)?;
    Ok(replaced)
}

/// Renames, or copies when `to` is on another file system.
fn move_file(from: &Path, to: &Path) -> Outcome<()> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            std::fs::copy(from, to)
                .and_then(|_| File::open(to)?.sync_all())
                .map_err(|e| fail(format!("copying to {}", to.display()), e))?;
            sync_parent(to)
        }
        Err(e) => Err(fail(format!("moving to {}", to.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::Role;
    use crate::core::metadata::{MetaKey, MetaValue, MetadataLimits, Precondition};
    use crate::core::resources::ResourceId;
    use crate::store::blobs::{BlobStore, BlobUpload};
    use crate::store::testing::{actor_of, manager, site};
    use crate::store::{NewFile, Store};

    fn installation(dir: &Path) -> Installation {
        Installation {
            database: dir.join("sitebook.db"),
            files: dir.join("files"),
        }
    }

    async fn open(dir: &Path) -> Store {
        Store::open_file(&installation(dir).database).await.unwrap()
    }

    async fn put(store: &Store, id: &ResourceId, key: &str, value: MetaValue) {
        let entry = (MetaKey::parse(key).unwrap(), value);
        store
            .put_metadata_key(
                &manager(),
                id,
                entry.into(),
                &Precondition::Any,
                MetadataLimits::default(),
            )
            .await
            .unwrap();
    }

    async fn attach(store: &Store, id: &ResourceId, name: &str, bytes: &[u8], random: u128) {
        let mut upload = store.blobs().begin_upload(1 << 20).await.unwrap();
        upload.write(bytes).await.unwrap();
        let file = NewFile {
            name: name.into(),
            ..NewFile::default()
        };
        store
            .add_file(&manager(), id, file, upload, random)
            .await
            .unwrap();
    }

    async fn history(store: &Store, id: &ResourceId) -> usize {
        store
            .list_changes(&actor_of("default", Role::Admin), id, 0, 100_000)
            .await
            .unwrap()
            .len()
    }

    /// A backup taken while a writer goes on is the installation as of one commit: the
    /// counter's value and its history agree, and every file's bytes come back.
    #[tokio::test]
    async fn a_backup_made_while_writes_go_on_restores_one_consistent_state() {
        let (live_dir, archive_dir, restored_dir) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let live = open(live_dir.path()).await;
        let hq = site(&live, "HQ", 1).await;
        let branch = site(&live, "Branch", 2).await;
        put(&live, &hq, "circuit_id", MetaValue::Text("CID-1".into())).await;
        put(
            &live,
            &branch,
            "ratio",
            MetaValue::Float(0.30000000000000004),
        )
        .await;
        attach(&live, &hq, "rack.txt", b"rack 1 of 4", 1).await;
        attach(&live, &branch, "same.txt", b"rack 1 of 4", 2).await;
        attach(&live, &branch, "plan.txt", b"floor plan", 3).await;
        let counter = site(&live, "Counter", 3).await;
        let writes = tokio::spawn({
            let live = live.clone();
            let counter = counter.clone();
            async move {
                for n in 1..=400 {
                    put(&live, &counter, "n", MetaValue::Integer(n)).await;
                }
            }
        });
        // Started once the writer is under way, so the copy falls among its commits.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let archive = archive_dir.path().join("sitebook.tar");
        let from = installation(live_dir.path());
        let manifest = tokio::task::spawn_blocking({
            let archive = archive.clone();
            move || make(&from, &archive, &mut |_, _| {})
        })
        .await
        .unwrap()
        .unwrap();
        writes.await.unwrap();
        assert_eq!((manifest.files, manifest.file_bytes), (2, 21));

        let into = installation(restored_dir.path());
        let restored = restore(&archive, &into, false).unwrap();
        assert_eq!(restored.manifest, manifest);
        assert!(restored.replaced.is_none());
        let back = open(restored_dir.path()).await;
        let reader = manager();
        let record = back.read_metadata(&reader, &counter).await.unwrap();
        let Some(MetaValue::Integer(n)) = record.metadata().get("n").cloned() else {
            panic!("the counter came back without its key: {record:?}");
        };
        // Its creation, then one record per write the copy saw.
        assert_eq!(history(&back, &counter).await, 1 + n as usize, "n = {n}");
        assert_eq!(
            back.read_metadata(&reader, &branch)
                .await
                .unwrap()
                .metadata()
                .get("ratio"),
            Some(&MetaValue::Float(0.30000000000000004))
        );
        let files = back.list_files(&reader, &branch).await.unwrap();
        assert_eq!(files.len(), 2);
        for file in files {
            let bytes = std::fs::read(back.blobs().path(&file.sha256)).unwrap();
            let expected: &[u8] = if file.name == "plan.txt" {
                b"floor plan"
            } else {
                b"rack 1 of 4"
            };
            assert_eq!(bytes, expected);
        }
        back.close().await;
        live.close().await;
    }

    /// A byte changed anywhere is found before anything is replaced; a server's installation
    /// is not restored into; one already there is replaced only when asked, and kept.
    #[tokio::test]
    async fn a_damaged_archive_a_served_or_occupied_installation_is_refused() {
        let (live_dir, other_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let live = open(live_dir.path()).await;
        let hq = site(&live, "HQ", 1).await;
        attach(&live, &hq, "rack.txt", b"the bytes that matter", 1).await;
        live.close().await;
        let archive = other_dir.path().join("sitebook.tar");
        make(&installation(live_dir.path()), &archive, &mut |_, _| {}).unwrap();

        let into = installation(other_dir.path());
        std::fs::write(&into.database, b"the database already here").unwrap();
        let refused = restore(&archive, &into, false).unwrap_err().to_string();
        assert!(refused.contains("--replace"), "{refused}");

        let mut bytes = std::fs::read(&archive).unwrap();
        let at = bytes
            .windows(5)
            .position(|w| w == b"bytes")
            .expect("the file's bytes are in the archive");
        bytes[at] = b'B';
        let damaged = other_dir.path().join("damaged.tar");
        std::fs::write(&damaged, &bytes).unwrap();
        let refused = restore(&damaged, &into, true).unwrap_err().to_string();
        assert!(refused.contains("do not match their checksum"), "{refused}");
        let cut = other_dir.path().join("cut.tar");
        std::fs::write(&cut, &std::fs::read(&archive).unwrap()[..2048]).unwrap();
        assert!(restore(&cut, &into, true).is_err());
        assert_eq!(
            std::fs::read(&into.database).unwrap(),
            b"the database already here",
            "nothing replaced by a refused restore"
        );

        let serving = ServingLock::take(&into.database).unwrap();
        let refused = restore(&archive, &into, true).unwrap_err().to_string();
        assert!(refused.contains("stop it first"), "{refused}");
        drop(serving);

        let restored = restore(&archive, &into, true).unwrap();
        let kept = restored.replaced.expect("the replaced database is kept");
        assert_eq!(std::fs::read(kept).unwrap(), b"the database already here");
        let back = open(other_dir.path()).await;
        let files = back.list_files(&manager(), &hq).await.unwrap();
        assert_eq!(
            std::fs::read(back.blobs().path(&files[0].sha256)).unwrap(),
            b"the bytes that matter"
        );
        back.close().await;
    }
}
