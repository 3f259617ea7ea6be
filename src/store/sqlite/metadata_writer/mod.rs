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
mod plan;

pub(in crate::store) use engine::{Shared, Writer};
pub(in crate::store) use plan::{Current, load};

use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::metadata::{Metadata, Outcome, Precondition};
use crate::core::resources::{ResourceId, ResourceType};

/// A metadata operation: the dictionary now (`None` when the resource has none) to what it
/// becomes. It may run twice (see the module note), so it must be a function of its input.
pub(crate) type Operation =
    Box<dyn Fn(Option<&Metadata>) -> Result<Outcome, CoreError> + Send + Sync>;

/// One metadata write, owning all it needs to run on the writer thread.
/// What a write expects of its resource's type (one field, so a queued write stays small).
#[derive(Debug, Clone)]
pub(crate) enum KindRule {
    /// Any type; the resource must exist.
    Any,
    /// The Altostrat create-or-overwrite: the type to create the resource as when the tenant
    /// has none with this id, and that an existing one must have.
    CreateAs(ResourceType),
    /// A face that serves one type: a resource of another, or none, is not found.
    OfType(ResourceType),
}

impl KindRule {
    pub(crate) fn create_as(&self) -> Option<&ResourceType> {
        match self {
            Self::CreateAs(kind) => Some(kind),
            _ => None,
        }
    }

    pub(crate) fn of_type(&self) -> Option<&ResourceType> {
        match self {
            Self::OfType(kind) => Some(kind),
            _ => None,
        }
    }
}

pub(crate) struct Write {
    pub(crate) actor: Actor,
    pub(crate) id: ResourceId,
    /// What the write expects of the resource's type.
    pub(crate) kind: KindRule,
    pub(crate) precondition: Precondition,
    pub(crate) operation: Operation,
}
