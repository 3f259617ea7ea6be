//! Group commit for metadata writes.
//!
//! Writes to one SQLite database go one at a time, and a write's time is mostly not its
//! statements: it is getting to run at all (a turn of the database, a thread to run on) and the
//! commit's fsync. So one writer thread takes every metadata write waiting at that moment and
//! applies the group in one transaction: one read of all the resources it touches, its
//! statements, one commit. Each write is still checked and applied in arrival order against the
//! state the writes before it left, so every answer is the one running them one by one would
//! give, and no answer is sent before the commit.
//!
//! The thread runs its statements itself, synchronously, through rusqlite on the handle of a
//! connection sqlx opened (so it has every setting the pool's connections have). Through sqlx
//! each call is a trip to the connection's own thread and back, and on this path those trips
//! cost more than the statements: under load, about half of a group's time went to waiting for
//! one thread or the other to be scheduled, with two trips and a wake-up per statement result
//! in every group.
//!
//! When the group's statements or commit fail as a whole (say a rename to a site name that
//! another write of the same group took), the group is rolled back and its writes replayed one
//! per transaction, so each gets its own answer and none is lost to another's error.
//!
//! The engine (`engine`) is the thread, the grouping, the commit and the wait for the WAL's
//! fsync; the plan (`plan`) is what each write checks and stages, with every rule that needs
//! no database left to the core (`metadata::admit`, `Precondition::check`, the operations).

mod engine;
mod load;

pub(in crate::store) use engine::{Shared, Writer};
pub(in crate::store) use load::load;
