use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{Blob, BlobStore, BlobUpload, UploadError};
use crate::core::CoreError;
use crate::core::files::SNIFF_BYTES;
use crate::store::durability::Durability;

/// Blobs as files under one directory: `<root>/<first 2 hex>/<sha256>`, with uploads in
/// progress under `<root>/incoming/` (the same file system, so the final rename is atomic).
#[derive(Debug, Clone)]
pub struct LocalDisk {
    root: PathBuf,
    /// Halted by a failed sync of a blob or its directory, as the database's are.
    durability: Arc<Durability>,
}

fn io(context: &str, e: std::io::Error) -> CoreError {
    CoreError::io(context, &e)
}

impl LocalDisk {
    /// Uses (creating if needed) `root`. Uploads in progress are left alone: a CLI command
    /// opens the store beside a running server, whose live uploads are in `incoming/`.
    pub fn open(root: &Path, durability: Arc<Durability>) -> Result<Self, CoreError> {
        let incoming = root.join("incoming");
        if !incoming.is_dir() {
            std::fs::create_dir_all(&incoming)
                .map_err(|e| io("creating the files directory", e))?;
            sync_dir_blocking(root)?;
            if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
                sync_dir_blocking(parent)?;
            }
        }
        Ok(Self {
            root: root.to_owned(),
            durability,
        })
    }

    /// The addresses of every blob on disk: each `<2 hex>/<64 hex>` file whose name starts
    /// with its directory's. Anything else under the root (`incoming/`, a stray file) is not
    /// a blob and is never offered for removal.
    pub async fn stored(&self) -> Result<Vec<String>, CoreError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || stored_blobs(&root))
            .await
            .map_err(|e| CoreError::Storage(format!("listing the stored files: {e}")))?
    }

    /// Whether the bytes of `sha256` are on disk: a file deleted earlier can come back (by a
    /// revert) only while they are. Anything but a hex digest is no blob of ours.
    pub async fn holds(&self, sha256: &str) -> Result<bool, CoreError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        tokio::fs::try_exists(self.root.join(&sha256[..2]).join(sha256))
            .await
            .map_err(|e| io("looking for a stored file", e))
    }

    /// Removes uploads a crash left half-written: files in `incoming/` last written before
    /// `before`. Only a server's start calls this, with its own start time, so nothing a
    /// running upload is still writing (its file's time moves with every write) goes.
    /// Answers how many went.
    pub fn clear_abandoned_uploads(&self, before: SystemTime) -> Result<usize, CoreError> {
        let mut cleared = 0;
        let entries = std::fs::read_dir(self.root.join("incoming"))
            .map_err(|e| io("reading the uploads in progress", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io("reading the uploads in progress", e))?;
            let written = entry.metadata().and_then(|m| m.modified());
            // A file that vanished meanwhile finished or was removed by its own upload.
            if written.is_ok_and(|at| at < before) {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => cleared += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io("clearing an abandoned upload", e)),
                }
            }
        }
        Ok(cleared)
    }
}

impl BlobStore for LocalDisk {
    type Upload = LocalUpload;

    async fn begin_upload(&self, limit: u64) -> Result<LocalUpload, CoreError> {
        self.durability.check()?;
        let mut name = [0u8; 16];
        getrandom::fill(&mut name).map_err(|e| CoreError::Storage(e.to_string()))?;
        let temp = self.root.join("incoming").join(hex::encode(name));
        let file = tokio::fs::File::create_new(&temp)
            .await
            .map_err(|e| io("creating an upload file", e))?;
        Ok(LocalUpload {
            file: Some(file),
            temp,
            root: self.root.clone(),
            durability: self.durability.clone(),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(SNIFF_BYTES),
            limit,
        })
    }

    async fn remove(&self, sha256: &str) -> Result<(), CoreError> {
        match tokio::fs::remove_file(self.path(sha256)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("removing a file", e)),
        }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        // Only hex digests reach here (computed by us), so the path cannot escape the root.
        debug_assert!(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()));
        self.root.join(&sha256[..2]).join(sha256)
    }
}

/// Makes a directory's entries (a file renamed or created in it) durable.
/// A failed sync halts writing (see `durability`).
async fn sync_dir(dir: &Path, durability: &Durability) -> Result<(), CoreError> {
    let handle = tokio::fs::File::open(dir)
        .await
        .map_err(|e| io("opening a files directory to sync it", e))?;
    handle.sync_all().await.map_err(|e| {
        durability.halt("syncing a files directory", &e);
        io("syncing a files directory", e)
    })
}

fn sync_dir_blocking(dir: &Path) -> Result<(), CoreError> {
    std::fs::File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(|e| io("syncing a files directory", e))
}

fn is_hex(name: &str, len: usize) -> bool {
    name.len() == len && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn stored_blobs(root: &Path) -> Result<Vec<String>, CoreError> {
    let listing = |e| io("listing the stored files", e);
    let mut found = Vec::new();
    for shard in std::fs::read_dir(root).map_err(listing)? {
        let shard = shard.map_err(listing)?;
        let shard_name = shard.file_name();
        let Some(prefix) = shard_name.to_str().filter(|n| is_hex(n, 2)) else {
            continue;
        };
        if !shard.file_type().map_err(listing)?.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(shard.path()).map_err(listing)? {
            let name = entry.map_err(listing)?.file_name();
            if let Some(name) = name
                .to_str()
                .filter(|n| is_hex(n, 64) && n.starts_with(prefix))
            {
                found.push(name.to_owned());
            }
        }
    }
    Ok(found)
}

/// An upload being written to a temporary file, hashed as it streams.
pub struct LocalUpload {
    /// `None` once finished, so `Drop` knows there is nothing to clean up.
    file: Option<tokio::fs::File>,
    temp: PathBuf,
    root: PathBuf,
    durability: Arc<Durability>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    limit: u64,
}

impl BlobUpload for LocalUpload {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        let size = self.size + chunk.len() as u64;
        if size > self.limit {
            return Err(UploadError::TooLarge { limit: self.limit });
        }
        let room = SNIFF_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        self.hasher.update(chunk);
        let file = self.file.as_mut().expect("writes happen before finish");
        file.write_all(chunk)
            .await
            .map_err(|e| UploadError::Storage(io("writing an upload", e)))?;
        self.size = size;
        Ok(())
    }

    fn head(&self) -> &[u8] {
        &self.head
    }

    fn size(&self) -> u64 {
        self.size
    }

    async fn finish(mut self) -> Result<Blob, CoreError> {
        self.durability.check()?;
        let mut file = self.file.take().expect("finish happens once");
        file.flush()
            .await
            .map_err(|e| io("flushing an upload", e))?;
        // The bytes must be on disk before the rename makes them visible, or a crash could
        // leave a complete-looking blob with missing content.
        if let Err(e) = file.sync_all().await {
            self.durability.halt("syncing an upload", &e);
            return Err(io("syncing an upload", e));
        }
        drop(file);
        let sha256 = hex::encode(self.hasher.clone().finalize());
        let dir = self.root.join(&sha256[..2]);
        if !tokio::fs::try_exists(&dir).await.unwrap_or(false) {
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| io("creating a files directory", e))?;
            // A new shard directory is an entry in the root: until the root is synced, a
            // power cut can take the directory, and the blob with it, after the row committed.
            sync_dir(&self.root, &self.durability).await?;
        }
        let target = dir.join(&sha256);
        tokio::fs::rename(&self.temp, &target)
            .await
            .map_err(|e| io("placing an upload", e))?;
        // The rename is durable only once its directory is; an error here means the blob may
        // not survive a crash, so the upload is refused rather than acknowledged.
        sync_dir(&dir, &self.durability).await?;
        Ok(Blob {
            sha256,
            size: self.size,
        })
    }
}

impl Drop for LocalUpload {
    fn drop(&mut self) {
        if self.file.is_some() {
            // An abandoned or refused upload: nothing of it may stay behind.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_in(dir: &Path) -> usize {
        walk(dir).len()
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.push(path);
            }
        }
        found
    }

    #[tokio::test]
    async fn a_finished_upload_is_stored_once_by_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let disk = LocalDisk::open(dir.path(), Default::default()).unwrap();
        let mut blobs = Vec::new();
        for _ in 0..2 {
            let mut upload = disk.begin_upload(100).await.unwrap();
            upload.write(b"hello ").await.unwrap();
            upload.write(b"world").await.unwrap();
            assert_eq!(upload.head(), b"hello world");
            blobs.push(upload.finish().await.unwrap());
        }
        assert_eq!(blobs[0], blobs[1]);
        assert_eq!(
            blobs[0].sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            std::fs::read(disk.path(&blobs[0].sha256)).unwrap(),
            b"hello world"
        );
        assert_eq!(files_in(dir.path()), 1);
        disk.remove(&blobs[0].sha256).await.unwrap();
        disk.remove(&blobs[0].sha256).await.unwrap();
        assert_eq!(files_in(dir.path()), 0);
    }

    /// Used to: every open emptied `incoming/`, so any CLI command run beside a server broke
    /// its live uploads (a 3 MB upload answered 500 after `sitebook token create`).
    #[tokio::test]
    async fn opening_again_keeps_live_uploads_and_a_start_clears_only_older_ones() {
        let dir = tempfile::tempdir().unwrap();
        let server = LocalDisk::open(dir.path(), Default::default()).unwrap();
        let mut crashed = server.begin_upload(100).await.unwrap();
        crashed.write(b"left by a crash").await.unwrap();
        std::mem::forget(crashed);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let started = SystemTime::now();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let mut live = server.begin_upload(100).await.unwrap();
        live.write(b"still coming").await.unwrap();

        // What a CLI command does: open the same directory.
        let _command = LocalDisk::open(dir.path(), Default::default()).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path().join("incoming"))
                .unwrap()
                .count(),
            2
        );

        assert_eq!(server.clear_abandoned_uploads(started).unwrap(), 1);
        live.write(b" and done").await.unwrap();
        let blob = live.finish().await.unwrap();
        assert_eq!(
            std::fs::read(server.path(&blob.sha256)).unwrap(),
            b"still coming and done"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("incoming"))
                .unwrap()
                .count(),
            0
        );
    }

    #[tokio::test]
    async fn stored_lists_blobs_only() {
        let dir = tempfile::tempdir().unwrap();
        let disk = LocalDisk::open(dir.path(), Default::default()).unwrap();
        let mut upload = disk.begin_upload(100).await.unwrap();
        upload.write(b"a blob").await.unwrap();
        let blob = upload.finish().await.unwrap();
        let mut live = disk.begin_upload(100).await.unwrap();
        live.write(b"in progress").await.unwrap();
        std::fs::write(dir.path().join(&blob.sha256[..2]).join("notes.txt"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("zz")).unwrap();
        std::fs::write(dir.path().join("zz").join("0".repeat(64)), b"x").unwrap();
        assert_eq!(disk.stored().await.unwrap(), vec![blob.sha256]);
    }

    #[tokio::test]
    async fn an_oversized_or_abandoned_upload_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let disk = LocalDisk::open(dir.path(), Default::default()).unwrap();
        let mut upload = disk.begin_upload(8).await.unwrap();
        upload.write(b"12345").await.unwrap();
        assert!(matches!(
            upload.write(b"6789").await,
            Err(UploadError::TooLarge { limit: 8 })
        ));
        drop(upload);
        let abandoned = disk.begin_upload(8).await.unwrap();
        drop(abandoned);
        assert_eq!(files_in(dir.path()), 0);
    }
}
