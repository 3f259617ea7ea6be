//! How far an import has got while its request runs, for a page that shows a progress bar with
//! the row count so far. Plain atomics: the reading thread and the writer bump it, a request
//! that asks reads it, and none of them waits for another.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// The steps an import goes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// The file has arrived and waits for its turn at the writer (one transaction at a time).
    Waiting,
    /// Each row is read and checked (and written, in a commit) inside the import's
    /// transaction.
    Checking,
    /// The answer is on its way.
    Done,
}

impl ImportPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Checking => "checking",
            Self::Done => "done",
        }
    }
}

/// Rows done in the current phase.
#[derive(Debug, Default)]
pub struct ImportProgress {
    phase: AtomicU8,
    rows: AtomicU64,
}

impl ImportProgress {
    pub fn row_done(&self) {
        self.rows.fetch_add(1, Ordering::Relaxed);
    }

    /// Moves to `phase`, its row count from zero.
    pub fn enter(&self, phase: ImportPhase) {
        self.rows.store(0, Ordering::Relaxed);
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    pub fn phase(&self) -> ImportPhase {
        match self.phase.load(Ordering::Relaxed) {
            0 => ImportPhase::Waiting,
            1 => ImportPhase::Checking,
            _ => ImportPhase::Done,
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_phase_counts_its_rows_from_zero() {
        let progress = ImportProgress::default();
        assert_eq!(progress.phase(), ImportPhase::Waiting);
        progress.row_done();
        progress.row_done();
        assert_eq!(progress.rows(), 2);
        progress.enter(ImportPhase::Checking);
        assert_eq!(
            (progress.phase(), progress.rows()),
            (ImportPhase::Checking, 0)
        );
        progress.row_done();
        progress.enter(ImportPhase::Done);
        assert_eq!(progress.phase().as_str(), "done");
    }
}
