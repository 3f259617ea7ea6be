//! What reverting a change set means, decided from change records alone: which things the set
//! changed, what each must go back to (the value before the set's first change of it), and
//! which of them someone changed since (a conflict). The store loads the records, applies the
//! steps in one transaction and records them as a change set of their own, which is why a
//! revert of a revert re-applies: its records are ordinary records with their own befores.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::core::changes::{Action, ChangeRecord};

/// One thing inside a resource that a record changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Thing {
    /// The resource itself: created, imported or deleted.
    Existence,
    Parent,
    Key(String),
    /// A tag value, by the tag's id.
    Tag(String),
    /// A site file, by its id.
    File(String),
}

impl Thing {
    /// The thing a record is about, or `None` for records a revert cannot undo.
    fn of(record: &ChangeRecord) -> Option<Self> {
        let subject = record.subject.clone();
        Some(match record.action {
            Action::ResourceCreate | Action::ResourceImport | Action::ResourceDelete => {
                Self::Existence
            }
            Action::ResourceParent => Self::Parent,
            Action::MetadataSet | Action::MetadataRemove => Self::Key(subject),
            Action::TagSet | Action::TagRemove => Self::Tag(subject),
            Action::FileAdd | Action::FileUpdate | Action::FileDelete => Self::File(subject),
            _ => return None,
        })
    }

    /// How the thing is named in a conflict: `resource`, `parent`, `key:<k>`, `tag:<id>`,
    /// `file:<id>`.
    pub fn describe(&self) -> String {
        match self {
            Self::Existence => "resource".to_owned(),
            Self::Parent => "parent".to_owned(),
            Self::Key(key) => format!("key:{key}"),
            Self::Tag(tag) => format!("tag:{tag}"),
            Self::File(file) => format!("file:{file}"),
        }
    }
}

/// What a thing goes back to.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Bring back a deleted resource (its keys, tags and files follow as their own steps).
    Recreate {
        resource_id: String,
        kind: String,
        name: String,
        parent: Option<String>,
    },
    /// A key back to its value (typed, as the record keeps it), or removed (`None`).
    Key {
        resource_id: String,
        key: String,
        value: Option<Value>,
    },
    /// A tag value back, or removed.
    Tag {
        resource_id: String,
        tag_id: String,
        value: Option<String>,
    },
    Parent {
        resource_id: String,
        parent: Option<String>,
    },
    /// A file back as the record describes it (restored when deleted, renamed or re-noted when
    /// changed), or removed (`None`).
    File {
        site_id: String,
        file_id: String,
        summary: Option<Value>,
    },
    /// Delete a resource the set created.
    Delete { resource_id: String },
}

impl Step {
    pub fn resource_id(&self) -> &str {
        match self {
            Self::Recreate { resource_id, .. }
            | Self::Key { resource_id, .. }
            | Self::Tag { resource_id, .. }
            | Self::Parent { resource_id, .. }
            | Self::Delete { resource_id } => resource_id,
            Self::File { site_id, .. } => site_id,
        }
    }

    /// Steps run in this order: resources come back before anything is set on them or put
    /// under them, and go away last.
    fn order(&self) -> u8 {
        match self {
            Self::Recreate { .. } => 0,
            Self::Parent { .. } => 1,
            Self::Key { .. } | Self::Tag { .. } | Self::File { .. } => 2,
            Self::Delete { .. } => 3,
        }
    }
}

/// A thing the set changed that someone changed again since.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub resource_id: String,
    /// `resource`, `parent`, `key:<k>`, `tag:<id>` or `file:<id>`.
    pub what: String,
    /// The value the set left it at (`null` for a removal).
    pub set_wrote: Option<Value>,
    /// The value the later change left it at.
    pub now: Option<Value>,
    pub changed_by: String,
    pub change_set: Option<String>,
    pub at: DateTime<Utc>,
}

/// Why a set cannot be reverted at all, whatever `force` says.
#[derive(Debug, Clone, PartialEq)]
pub enum Unrevertible {
    /// Records of things a revert does not undo (tag definitions, users, tokens, hosts).
    Actions(Vec<Action>),
}

impl Unrevertible {
    pub fn message(&self) -> String {
        match self {
            Self::Actions(actions) => format!(
                "This change set holds changes a revert does not undo ({}): tag definitions, \
                 users, tokens and aggregate hosts are changed back by hand.",
                actions
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The revert of a set: the steps that undo it, and the conflicts found.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub conflicts: Vec<Conflict>,
}

/// Plans the revert of the change set whose records are `set` (in record order) against the
/// records written since on the same resources by other change sets (`later`, in order).
/// See [`Planner`], which this feeds.
pub fn plan(set: &[ChangeRecord], later: &[ChangeRecord]) -> Result<Plan, Unrevertible> {
    let mut planner = Planner::new(later.iter().cloned());
    for record in set {
        planner.feed(record.clone());
    }
    planner.finish()
}

/// A revert planned from the set's records one at a time, so a set of millions of records
/// (an import) is planned in memory proportional to the things it changed, not its records;
/// a resource the set created and nobody touched since costs one entry, not one a key.
///
/// Each thing goes back to what it was before the set's first change of it. A thing is in
/// conflict when a later record changed it, or changed the resource's existence (a deleted
/// resource takes its keys with it); a resource the set created conflicts with any later
/// change on it, since deleting it would take that change away.
pub struct Planner {
    /// The later records, by resource: only those of a thing's own resource are looked at,
    /// so a large set against a long history costs their sizes added, not multiplied.
    later: HashMap<String, Vec<ChangeRecord>>,
    refused: Vec<Action>,
    /// Where each thing is in `touched`.
    index: HashMap<(String, Thing), usize>,
    /// The things the set changed, in the order it first changed them.
    touched: Vec<Touched>,
    /// Resources the set created that nothing changed since: deleting them undoes everything
    /// else the set did to them, so their other records need not be kept.
    created_untouched: HashSet<String>,
}

/// One thing the set changed: what it found before its first change, what it left.
struct Touched {
    resource_id: String,
    thing: Thing,
    first_old: Option<Value>,
    last_new: Option<Value>,
}

impl Planner {
    /// A planner against the records written since the set by other sets.
    pub fn new(later: impl IntoIterator<Item = ChangeRecord>) -> Self {
        let mut by_resource: HashMap<String, Vec<ChangeRecord>> = HashMap::new();
        for record in later {
            by_resource
                .entry(record.resource_id.clone())
                .or_default()
                .push(record);
        }
        Self {
            later: by_resource,
            refused: Vec::new(),
            index: HashMap::new(),
            touched: Vec::new(),
            created_untouched: HashSet::new(),
        }
    }

    /// Whether [`Planner::feed`] would set aside a record of `action` on `resource_id`
    /// unread: one on a resource the set made and nobody touched since. Lets the caller skip
    /// reading its values, most of an import's records.
    pub fn passes_over(&self, resource_id: &str, action: Action) -> bool {
        let undoable_inside = matches!(
            action,
            Action::ResourceParent
                | Action::MetadataSet
                | Action::MetadataRemove
                | Action::TagSet
                | Action::TagRemove
                | Action::FileAdd
                | Action::FileUpdate
                | Action::FileDelete
        );
        undoable_inside && self.created_untouched.contains(resource_id)
    }

    /// Takes in the set's next record (in record order).
    pub fn feed(&mut self, record: ChangeRecord) {
        let Some(thing) = Thing::of(&record) else {
            // A tag a face defined on first use (Nova's server tags, Data Hub's) is kept:
            // undoing its values is the revert; the definition harms nothing.
            if record.action != Action::TagCreate && !self.refused.contains(&record.action) {
                self.refused.push(record.action);
            }
            return;
        };
        if thing != Thing::Existence && self.created_untouched.contains(&record.resource_id) {
            return;
        }
        let key = (record.resource_id, thing);
        match self.index.get(&key) {
            Some(&at) => self.touched[at].last_new = record.new,
            None => {
                let (resource_id, thing) = key;
                if thing == Thing::Existence
                    && record.old.is_none()
                    && !self.later.contains_key(&resource_id)
                {
                    self.created_untouched.insert(resource_id.clone());
                }
                self.index
                    .insert((resource_id.clone(), thing.clone()), self.touched.len());
                self.touched.push(Touched {
                    resource_id,
                    thing,
                    first_old: record.old,
                    last_new: record.new,
                });
            }
        }
    }

    /// The plan: the steps and the conflicts, or why the set cannot be reverted.
    pub fn finish(self) -> Result<Plan, Unrevertible> {
        if !self.refused.is_empty() {
            return Err(Unrevertible::Actions(self.refused));
        }
        let mut steps: Vec<(usize, Step)> = Vec::new();
        let mut conflicts = Vec::new();
        for (position, touched) in self.touched.into_iter().enumerate() {
            let Touched {
                resource_id,
                thing,
                first_old,
                last_new,
            } = touched;
            let created = thing == Thing::Existence && first_old.is_none();
            let on_resource = self.later.get(&resource_id).map_or(&[][..], Vec::as_slice);
            let clash = on_resource
                .iter()
                .rev()
                .find(|record| match Thing::of(record) {
                    Some(Thing::Existence) => true,
                    Some(other) => created || other == thing,
                    None => created,
                });
            if let Some(clash) = clash {
                conflicts.push(Conflict {
                    resource_id: resource_id.clone(),
                    what: thing.describe(),
                    set_wrote: last_new,
                    now: clash.new.clone(),
                    changed_by: clash.actor_id.clone(),
                    change_set: clash.change_set.clone(),
                    at: clash.at,
                });
            }
            if let Some(step) = step_back(resource_id, &thing, first_old) {
                steps.push((position, step));
            }
        }
        // What the set put on a resource it created goes with the resource.
        let deleted: HashSet<String> = steps
            .iter()
            .filter_map(|(_, step)| match step {
                Step::Delete { resource_id } => Some(resource_id.clone()),
                _ => None,
            })
            .collect();
        steps.retain(|(_, step)| {
            matches!(step, Step::Delete { .. }) || !deleted.contains(step.resource_id())
        });
        // Resources come back, and go, in the reverse of the set's order: a parent the set
        // deleted after its child comes back before it, and a child the set made under a
        // parent it made goes first.
        steps.sort_by_key(|(position, step)| {
            let undo_order = match step {
                Step::Recreate { .. } | Step::Delete { .. } => usize::MAX - position,
                _ => *position,
            };
            (step.order(), undo_order)
        });
        Ok(Plan {
            steps: steps.into_iter().map(|(_, step)| step).collect(),
            conflicts,
        })
    }
}

/// The step that puts `thing` back to `first_old`, what the set's first record of it found.
fn step_back(resource_id: String, thing: &Thing, first_old: Option<Value>) -> Option<Step> {
    Some(match thing {
        Thing::Existence => match &first_old {
            None => Step::Delete { resource_id },
            Some(old) => Step::Recreate {
                resource_id,
                kind: old.get("type")?.as_str()?.to_owned(),
                name: old.get("name")?.as_str()?.to_owned(),
                parent: old.get("parent").and_then(Value::as_str).map(str::to_owned),
            },
        },
        Thing::Parent => Step::Parent {
            resource_id,
            parent: first_old
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        Thing::Key(key) => Step::Key {
            resource_id,
            key: key.clone(),
            value: first_old,
        },
        Thing::Tag(tag_id) => Step::Tag {
            resource_id,
            tag_id: tag_id.clone(),
            value: first_old
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        Thing::File(file_id) => Step::File {
            site_id: resource_id,
            file_id: file_id.clone(),
            summary: first_old,
        },
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(
        seq: i64,
        set: &str,
        resource: &str,
        action: Action,
        subject: &str,
        old: Option<Value>,
        new: Option<Value>,
    ) -> ChangeRecord {
        ChangeRecord {
            seq,
            resource_id: resource.to_owned(),
            actor_id: format!("usr_{set}"),
            actor_type: "user".to_owned(),
            action,
            subject: subject.to_owned(),
            old,
            new,
            request_id: None,
            change_set: Some(set.to_owned()),
            at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn each_key_goes_back_to_what_the_set_first_found() {
        let set = [
            record(
                1,
                "a",
                "s1",
                Action::MetadataSet,
                "rack",
                Some(json!(4)),
                Some(json!(5)),
            ),
            record(
                2,
                "a",
                "s1",
                Action::MetadataSet,
                "rack",
                Some(json!(5)),
                Some(json!(6)),
            ),
            record(
                3,
                "a",
                "s1",
                Action::MetadataSet,
                "new",
                None,
                Some(json!("x")),
            ),
            record(
                4,
                "a",
                "s1",
                Action::MetadataRemove,
                "old",
                Some(json!(true)),
                None,
            ),
        ];
        let plan = plan(&set, &[]).unwrap();
        assert!(plan.conflicts.is_empty());
        let key = |key: &str, value: Option<Value>| Step::Key {
            resource_id: "s1".into(),
            key: key.into(),
            value,
        };
        assert_eq!(
            plan.steps,
            vec![
                key("rack", Some(json!(4))),
                key("new", None),
                key("old", Some(json!(true)))
            ]
        );
    }

    #[test]
    fn a_later_change_of_the_same_key_is_a_conflict_and_of_another_is_not() {
        let set = [record(
            1,
            "a",
            "s1",
            Action::MetadataSet,
            "rack",
            Some(json!(4)),
            Some(json!(5)),
        )];
        let other_key = [record(
            2,
            "b",
            "s1",
            Action::MetadataSet,
            "owner",
            None,
            Some(json!("x")),
        )];
        assert!(plan(&set, &other_key).unwrap().conflicts.is_empty());
        let same_key = [record(
            3,
            "b",
            "s1",
            Action::MetadataSet,
            "rack",
            Some(json!(5)),
            Some(json!(7)),
        )];
        let conflicts = plan(&set, &same_key).unwrap().conflicts;
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].what, "key:rack");
        assert_eq!(conflicts[0].set_wrote, Some(json!(5)));
        assert_eq!(conflicts[0].now, Some(json!(7)));
        assert_eq!(conflicts[0].changed_by, "usr_b");
        assert_eq!(conflicts[0].change_set.as_deref(), Some("b"));
    }

    #[test]
    fn a_created_resource_is_deleted_last_and_conflicts_with_any_later_change_on_it() {
        let set = [
            record(
                1,
                "a",
                "d1",
                Action::ResourceCreate,
                "device",
                None,
                Some(json!({"type": "device", "name": "d"})),
            ),
            record(
                2,
                "a",
                "d1",
                Action::MetadataSet,
                "name",
                None,
                Some(json!("d")),
            ),
            record(
                3,
                "a",
                "d1",
                Action::ResourceParent,
                "parent",
                None,
                Some(json!("s1")),
            ),
        ];
        let plan_now = plan(&set, &[]).unwrap();
        assert_eq!(
            plan_now.steps,
            vec![Step::Delete {
                resource_id: "d1".into()
            }]
        );
        let later = [record(
            9,
            "b",
            "d1",
            Action::TagSet,
            "tag_1",
            None,
            Some(json!("APAC")),
        )];
        let conflicts = plan(&set, &later).unwrap().conflicts;
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].what, "resource");
    }

    #[test]
    fn what_a_made_and_untouched_resource_holds_is_passed_over_unread() {
        let made = |resource: &str| {
            record(
                1,
                "a",
                resource,
                Action::ResourceImport,
                "site",
                None,
                Some(json!({"type": "site", "name": resource})),
            )
        };
        let later = [record(
            9,
            "b",
            "s2",
            Action::TagSet,
            "tag_1",
            None,
            Some(json!("x")),
        )];
        let mut planner = Planner::new(later);
        assert!(!planner.passes_over("s1", Action::MetadataSet));
        planner.feed(made("s1"));
        planner.feed(made("s2"));
        assert!(planner.passes_over("s1", Action::MetadataSet));
        assert!(planner.passes_over("s1", Action::TagSet));
        // Its existence is always read; so is all of one changed since.
        assert!(!planner.passes_over("s1", Action::ResourceDelete));
        assert!(!planner.passes_over("s2", Action::MetadataSet));
    }

    #[test]
    fn resources_come_back_and_go_in_the_reverse_of_the_set_s_order() {
        let gone = |seq, resource: &str, kind: &str, parent: Option<&str>| {
            record(
                seq,
                "a",
                resource,
                Action::ResourceDelete,
                kind,
                Some(json!({"type": kind, "name": resource, "parent": parent})),
                None,
            )
        };
        // The child went first, then its site: the site comes back first.
        let set = [
            gone(1, "d1", "device", Some("s1")),
            gone(2, "s1", "site", None),
        ];
        let back = plan(&set, &[]).unwrap();
        let order: Vec<&str> = back.steps.iter().map(Step::resource_id).collect();
        assert_eq!(order, ["s1", "d1"]);

        let made = |seq, resource: &str| {
            record(
                seq,
                "a",
                resource,
                Action::ResourceImport,
                "site",
                None,
                Some(json!({"type": "site", "name": resource})),
            )
        };
        let key = |seq, resource: &str| {
            record(
                seq,
                "a",
                resource,
                Action::MetadataSet,
                "rack",
                None,
                Some(json!(1)),
            )
        };
        // Made in order, they go in reverse; their keys go with them.
        let set = [made(1, "s1"), key(2, "s1"), made(3, "s2"), key(4, "s2")];
        assert_eq!(
            plan(&set, &[]).unwrap().steps,
            vec![
                Step::Delete {
                    resource_id: "s2".into()
                },
                Step::Delete {
                    resource_id: "s1".into()
                }
            ]
        );
        // A key changed since on a made resource is still its own conflict, as is the
        // resource.
        let later = [record(
            9,
            "b",
            "s2",
            Action::MetadataSet,
            "rack",
            Some(json!(1)),
            Some(json!(2)),
        )];
        let conflicts = plan(&set, &later).unwrap().conflicts;
        let what: Vec<&str> = conflicts.iter().map(|c| c.what.as_str()).collect();
        assert_eq!(what, ["resource", "key:rack"]);
    }

    #[test]
    fn a_deleted_resource_comes_back_first_with_its_parent_keys_tags_and_files() {
        let summary = json!({"name": "rack.png", "sha256": "ab"});
        let set = [
            record(
                1,
                "a",
                "s1",
                Action::MetadataRemove,
                "rack",
                Some(json!(4)),
                None,
            ),
            record(
                2,
                "a",
                "s1",
                Action::TagRemove,
                "tag_1",
                Some(json!("APAC")),
                None,
            ),
            record(
                3,
                "a",
                "s1",
                Action::FileDelete,
                "file_1",
                Some(summary.clone()),
                None,
            ),
            record(
                4,
                "a",
                "d1",
                Action::ResourceParent,
                "parent",
                Some(json!("s1")),
                None,
            ),
            record(
                5,
                "a",
                "s1",
                Action::ResourceDelete,
                "site",
                Some(json!({"type": "site", "name": "HQ", "parent": "r1"})),
                None,
            ),
        ];
        let steps = plan(&set, &[]).unwrap().steps;
        assert_eq!(
            steps[0],
            Step::Recreate {
                resource_id: "s1".into(),
                kind: "site".into(),
                name: "HQ".into(),
                parent: Some("r1".into())
            }
        );
        assert_eq!(
            steps[1],
            Step::Parent {
                resource_id: "d1".into(),
                parent: Some("s1".into())
            }
        );
        assert!(steps.contains(&Step::Tag {
            resource_id: "s1".into(),
            tag_id: "tag_1".into(),
            value: Some("APAC".into())
        }));
        assert!(steps.contains(&Step::File {
            site_id: "s1".into(),
            file_id: "file_1".into(),
            summary: Some(summary)
        }));
        // Someone deleting the resource again since is a conflict for each thing on it.
        let later = [record(
            9,
            "b",
            "s1",
            Action::ResourceCreate,
            "site",
            None,
            Some(json!({"type": "site", "name": "HQ"})),
        )];
        assert_eq!(plan(&set, &later).unwrap().conflicts.len(), 4);
    }

    #[test]
    fn a_revert_of_the_revert_puts_the_set_s_values_back() {
        let set = [record(
            1,
            "a",
            "s1",
            Action::MetadataSet,
            "rack",
            Some(json!(4)),
            Some(json!(5)),
        )];
        let reverted = plan(&set, &[]).unwrap();
        assert_eq!(
            reverted.steps,
            vec![Step::Key {
                resource_id: "s1".into(),
                key: "rack".into(),
                value: Some(json!(4))
            }]
        );
        // The revert wrote 5 -> 4; its own revert goes back to 5.
        let revert = [record(
            2,
            "r",
            "s1",
            Action::MetadataSet,
            "rack",
            Some(json!(5)),
            Some(json!(4)),
        )];
        assert_eq!(
            plan(&revert, &[]).unwrap().steps,
            vec![Step::Key {
                resource_id: "s1".into(),
                key: "rack".into(),
                value: Some(json!(5))
            }]
        );
    }

    #[test]
    fn definitions_users_and_tokens_are_not_reverted_but_auto_defined_tags_are_kept() {
        let set = [
            record(
                1,
                "a",
                "tag_1",
                Action::TagCreate,
                "web",
                None,
                Some(json!({})),
            ),
            record(
                2,
                "a",
                "srv",
                Action::TagSet,
                "tag_1",
                None,
                Some(json!("")),
            ),
        ];
        assert_eq!(plan(&set, &[]).unwrap().steps.len(), 1);
        let set = [record(
            1,
            "a",
            "usr_1",
            Action::UserDisable,
            "usr_1",
            None,
            None,
        )];
        assert_eq!(
            plan(&set, &[]),
            Err(Unrevertible::Actions(vec![Action::UserDisable]))
        );
    }
}
