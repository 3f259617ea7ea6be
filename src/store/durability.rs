//! Whether the store may still acknowledge writes.
//!
//! When an fsync fails, the kernel may already have dropped the dirty pages it could not
//! write and marked them clean, so a later fsync of the same file can succeed with the data
//! gone ("fsyncgate"). Nothing written after that can be promised durable, and carrying on
//! would acknowledge writes built on a state the disk may not hold. So the first failed sync
//! halts writing for the life of the process: every later write is refused (reads go on),
//! and the health endpoint says why, until an operator has checked the disk and restarted.

use std::sync::OnceLock;

use crate::core::CoreError;

#[derive(Debug, Default)]
pub struct Durability {
    halted: OnceLock<String>,
}

impl Durability {
    /// Records that `what` failed to reach the disk. The first reason is the one kept.
    pub fn halt(&self, what: &str, error: &dyn std::fmt::Display) {
        let reason = format!("{what} failed: {error}");
        if self.halted.set(reason.clone()).is_ok() {
            tracing::error!(
                "writes halted until restart: {reason}; check the disk, then restart Sitebook"
            );
        }
    }

    /// Why writing stopped, if it has.
    pub fn halted(&self) -> Option<&str> {
        self.halted.get().map(String::as_str)
    }

    /// Refuses a write once writing has stopped.
    pub fn check(&self) -> Result<(), CoreError> {
        match self.halted() {
            Some(reason) => Err(CoreError::WritesHalted(reason.to_owned())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_halts_for_good_and_is_the_reason_given() {
        let durability = Durability::default();
        assert!(durability.check().is_ok());
        durability.halt("syncing the WAL", &"EIO");
        durability.halt("syncing a files directory", &"ENOSPC");
        assert_eq!(durability.halted(), Some("syncing the WAL failed: EIO"));
        assert!(matches!(
            durability.check(),
            Err(CoreError::WritesHalted(reason)) if reason.contains("EIO")
        ));
    }
}
