//! Which process serves a SQLite database. The server's group commit and write queue are
//! per process, so two servers on one file would each think their writes the only ones; and
//! a restore must not swap the file out under a server. The server holds an exclusive lock
//! on `<database>.lock` for its life; the kernel drops it when the process ends, however it
//! ends, so a crash leaves nothing to clean up.
//!
//! The lock is on a file of its own, not on the database: SQLite's locks are POSIX record
//! locks, which the process loses on closing any descriptor of the file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct ServingLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum NotServable {
    #[error(
        "another Sitebook server is serving {}; stop it first (its lock is {})",
        .database.display(),
        .lock.display()
    )]
    Served { database: PathBuf, lock: PathBuf },
    #[error("cannot take the lock {}: {error}", .lock.display())]
    Io {
        lock: PathBuf,
        error: std::io::Error,
    },
}

impl ServingLock {
    /// Takes the lock of `database`, or says which server holds it.
    pub fn take(database: &Path) -> Result<Self, NotServable> {
        let lock = lock_path(database);
        let io = |error| NotServable::Io {
            lock: lock.clone(),
            error,
        };
        if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(NotServable::Served {
                database: database.to_owned(),
                lock,
            }),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_free_again_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("sitebook.db");
        let held = ServingLock::take(&database).unwrap();
        let refused = ServingLock::take(&database).unwrap_err();
        assert!(
            refused.to_string().contains("another Sitebook server"),
            "{refused}"
        );
        drop(held);
        ServingLock::take(&database).expect("free once its holder is gone");
    }
}
