//! JSON Patch (RFC 6902) read for what metadata is: a flat dictionary of scalars.
//!
//! The `json-patch` crate parses the document (its operation types and JSON Pointers), but its
//! `patch` function applies operations to an unbounded `serde_json::Value`: `copy` of `/x` into
//! `/x/-` doubles a document per operation, and `add`/`move` can nest arrays deep enough that
//! dropping them overflows the writer thread's stack. Here every path must name one top-level key
//! (or the whole dictionary), every value must be a metadata value, and the number of operations
//! is capped, all checked before anything is applied; applying is then a few map operations on
//! the flat dictionary, so no patch can grow the server or hold the writer for long.

use std::collections::BTreeMap;

use json_patch::PatchOperation;
use json_patch::jsonptr::Pointer;
use serde::Deserialize;
use serde_json::Value;

use super::operations::finish;
use super::{MetaKey, MetaValue, Metadata, MetadataLimits, Outcome};
use crate::core::error::ValidationError;

/// A checked JSON Patch: each operation names keys of the dictionary and carries valid values.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPatch(Vec<Operation>);

/// Where an operation points: one key, or (the empty pointer) the whole dictionary.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    Key(MetaKey),
    Whole,
}

#[derive(Debug, Clone, PartialEq)]
enum Operation {
    /// `add` (the key may be new) or `replace` (it must exist) of one key.
    Set {
        key: MetaKey,
        value: MetaValue,
        must_exist: bool,
    },
    /// `add` or `replace` at the root: the value becomes the whole dictionary.
    SetWhole(Metadata),
    Remove(MetaKey),
    Move {
        from: MetaKey,
        to: MetaKey,
    },
    Copy {
        from: MetaKey,
        to: MetaKey,
    },
    Test {
        place: Place,
        value: Value,
    },
}

impl JsonPatch {
    /// The most operations one patch may hold: enough to rewrite every key twice over.
    pub fn max_operations(limits: MetadataLimits) -> usize {
        limits.max_keys.saturating_mul(2)
    }

    /// Reads and checks a patch document; nothing is applied yet.
    pub fn parse(body: &Value, limits: MetadataLimits) -> Result<Self, ValidationError> {
        let max = Self::max_operations(limits);
        if let Some(operations) = body.as_array()
            && operations.len() > max
        {
            return Err(ValidationError::PatchTooLong {
                max,
                actual: operations.len(),
            });
        }
        // Deserialised from the borrowed value, so a large body is not copied first.
        let patch = json_patch::Patch::deserialize(body)
            .map_err(|e| ValidationError::PatchMalformed(e.to_string()))?;
        patch
            .0
            .into_iter()
            .enumerate()
            .map(|(index, operation)| read_operation(index, operation))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Applies every operation in order to a copy of `current`. Atomic: the first operation
    /// that fails (a `test` included) fails the whole patch and `current` is untouched.
    pub fn apply(
        &self,
        current: &Metadata,
        limits: MetadataLimits,
    ) -> Result<Outcome, ValidationError> {
        let mut map = current.entries().clone();
        for (index, operation) in self.0.iter().enumerate() {
            apply_one(&mut map, index, operation)?;
        }
        finish(current.clone(), Metadata::from_entries(map), limits)
    }
}

fn read_operation(index: usize, operation: PatchOperation) -> Result<Operation, ValidationError> {
    Ok(match operation {
        PatchOperation::Add(op) => set(index, "add", &op.path, op.value, false)?,
        PatchOperation::Replace(op) => set(index, "replace", &op.path, op.value, true)?,
        PatchOperation::Remove(op) => Operation::Remove(key_only(index, "remove", &op.path)?),
        PatchOperation::Move(op) => Operation::Move {
            from: key_only(index, "move", &op.from)?,
            to: key_only(index, "move", &op.path)?,
        },
        PatchOperation::Copy(op) => Operation::Copy {
            from: key_only(index, "copy", &op.from)?,
            to: key_only(index, "copy", &op.path)?,
        },
        PatchOperation::Test(op) => Operation::Test {
            place: place(index, "test", &op.path)?,
            value: op.value,
        },
    })
}

fn set(
    index: usize,
    name: &str,
    path: &Pointer,
    value: Value,
    must_exist: bool,
) -> Result<Operation, ValidationError> {
    Ok(match place(index, name, path)? {
        Place::Key(key) => Operation::Set {
            value: MetaValue::from_json(&key, &value)?,
            key,
            must_exist,
        },
        Place::Whole => Operation::SetWhole(Metadata::from_json(&value)?),
    })
}

/// `/key` (with `~1` for '/' and `~0` for '~') is a key; the empty pointer is the dictionary;
/// anything deeper points inside a scalar, where nothing can be.
fn place(index: usize, name: &str, path: &Pointer) -> Result<Place, ValidationError> {
    let Some((token, rest)) = path.split_front() else {
        return Ok(Place::Whole);
    };
    if !rest.is_root() {
        return Err(failed(
            index,
            name,
            format!(
                "'{path}' points inside a value, but metadata is a flat dictionary: a path names \
                 one key, such as '/rack_units'"
            ),
        ));
    }
    Ok(Place::Key(MetaKey::parse(&token.decoded())?))
}

fn key_only(index: usize, name: &str, path: &Pointer) -> Result<MetaKey, ValidationError> {
    match place(index, name, path)? {
        Place::Key(key) => Ok(key),
        Place::Whole => Err(failed(
            index,
            name,
            "a move or copy names keys, not the whole dictionary".to_owned(),
        )),
    }
}

fn apply_one(
    map: &mut BTreeMap<MetaKey, MetaValue>,
    index: usize,
    operation: &Operation,
) -> Result<(), ValidationError> {
    let missing = |name: &str, key: &MetaKey| failed(index, name, format!("no key '{key}'"));
    match operation {
        Operation::Set {
            key,
            value,
            must_exist,
        } => {
            if *must_exist && !map.contains_key(key) {
                return Err(missing("replace", key));
            }
            map.insert(key.clone(), value.clone());
        }
        Operation::SetWhole(whole) => *map = whole.entries().clone(),
        Operation::Remove(key) => {
            map.remove(key).ok_or_else(|| missing("remove", key))?;
        }
        Operation::Move { from, to } => {
            let value = map.remove(from).ok_or_else(|| missing("move", from))?;
            map.insert(to.clone(), value);
        }
        Operation::Copy { from, to } => {
            let value = map.get(from).ok_or_else(|| missing("copy", from))?.clone();
            map.insert(to.clone(), value);
        }
        Operation::Test { place, value } => {
            let actual = match place {
                Place::Key(key) => map.get(key).ok_or_else(|| missing("test", key))?.to_json(),
                Place::Whole => Metadata::from_entries(map.clone()).to_json(),
            };
            if actual != *value {
                return Err(ValidationError::PatchTestFailed(format!(
                    "operation {} (test) expected {value} but found {actual}",
                    index + 1
                )));
            }
        }
    }
    Ok(())
}

fn failed(index: usize, name: &str, detail: String) -> ValidationError {
    ValidationError::PatchFailed(format!("operation {} ({name}): {detail}", index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LIMITS: MetadataLimits = MetadataLimits { max_keys: 256 };

    fn meta(body: Value) -> Metadata {
        Metadata::from_json(&body).unwrap()
    }

    fn patch(current: &Metadata, body: Value) -> Result<Outcome, ValidationError> {
        JsonPatch::parse(&body, LIMITS)?.apply(current, LIMITS)
    }

    #[test]
    fn all_six_operations_apply_to_keys() {
        let current = meta(json!({"name": "R1", "a": 1, "b": "two", "c": true}));
        let out = patch(
            &current,
            json!([
                {"op": "add", "path": "/d", "value": 4},
                {"op": "remove", "path": "/a"},
                {"op": "replace", "path": "/b", "value": "deux"},
                {"op": "move", "from": "/c", "path": "/moved"},
                {"op": "copy", "from": "/name", "path": "/name_copy"},
                {"op": "test", "path": "/b", "value": "deux"}
            ]),
        )
        .unwrap();
        assert_eq!(
            out.metadata.to_json(),
            json!({"b": "deux", "d": 4, "moved": true, "name": "R1", "name_copy": "R1"})
        );
    }

    #[test]
    fn a_failed_test_changes_nothing() {
        let current = meta(json!({"name": "R1", "a": 1}));
        let err = patch(
            &current,
            json!([
                {"op": "replace", "path": "/a", "value": 2},
                {"op": "test", "path": "/a", "value": 99}
            ]),
        )
        .unwrap_err();
        assert!(
            matches!(err, ValidationError::PatchTestFailed(_)),
            "{err:?}"
        );
        assert_eq!(current.get("a"), Some(&MetaValue::Integer(1)));
    }

    #[test]
    fn a_missing_key_fails_the_whole_patch() {
        let current = meta(json!({"name": "R1"}));
        for op in [
            json!({"op": "remove", "path": "/missing"}),
            json!({"op": "replace", "path": "/missing", "value": 1}),
            json!({"op": "move", "from": "/missing", "path": "/x"}),
            json!({"op": "copy", "from": "/missing", "path": "/x"}),
            json!({"op": "test", "path": "/missing", "value": 1}),
        ] {
            let body = json!([{"op": "add", "path": "/ok", "value": 1}, op]);
            assert!(
                matches!(patch(&current, body), Err(ValidationError::PatchFailed(_))),
                "{op}"
            );
        }
    }

    #[test]
    fn paths_inside_a_value_are_refused_before_anything_applies() {
        for body in [
            json!([{"op": "copy", "from": "/x", "path": "/x/-"}]),
            json!([{"op": "add", "path": "/x/0", "value": 1}]),
            json!([{"op": "remove", "path": "/x/y"}]),
            json!([{"op": "move", "from": "/x", "path": ""}]),
        ] {
            assert!(
                matches!(
                    JsonPatch::parse(&body, LIMITS),
                    Err(ValidationError::PatchFailed(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn values_must_be_metadata_values() {
        let current = meta(json!({"name": "R1"}));
        assert_eq!(
            patch(
                &current,
                json!([{"op": "add", "path": "/obj", "value": {"x": 1}}])
            ),
            Err(ValidationError::MetaValueNotScalar { key: "obj".into() })
        );
        assert_eq!(
            patch(
                &current,
                json!([{"op": "add", "path": "/a", "value": [[[1]]]}])
            ),
            Err(ValidationError::MetaValueNotScalar { key: "a".into() })
        );
        assert_eq!(
            patch(
                &current,
                json!([{"op": "replace", "path": "", "value": [1]}])
            ),
            Err(ValidationError::MetadataNotAnObject)
        );
    }

    #[test]
    fn the_root_path_replaces_or_tests_the_whole_dictionary() {
        let current = meta(json!({"name": "R1", "a": 1}));
        let out = patch(
            &current,
            json!([
                {"op": "test", "path": "", "value": {"name": "R1", "a": 1}},
                {"op": "replace", "path": "", "value": {"name": "R2"}}
            ]),
        )
        .unwrap();
        assert_eq!(out.metadata.to_json(), json!({"name": "R2"}));
    }

    #[test]
    fn the_number_of_operations_is_capped_at_twice_the_key_limit() {
        let limits = MetadataLimits { max_keys: 2 };
        let op = json!({"op": "add", "path": "/a", "value": 1});
        assert!(JsonPatch::parse(&json!([op, op, op, op]), limits).is_ok());
        assert_eq!(
            JsonPatch::parse(&json!([op, op, op, op, op]), limits),
            Err(ValidationError::PatchTooLong { max: 4, actual: 5 })
        );
    }

    /// The patch that aborted the server: 150,001 operations nesting arrays ever deeper. It is
    /// refused by its length, and even a patch within the cap cannot nest anything.
    #[test]
    fn a_flood_of_nesting_operations_is_refused_without_building_anything() {
        let mut ops = vec![json!({"op": "add", "path": "/x", "value": "seed"})];
        ops.extend((0..150_000).map(|_| json!({"op": "add", "path": "/x/-", "value": "y"})));
        assert!(matches!(
            JsonPatch::parse(&Value::Array(ops), LIMITS),
            Err(ValidationError::PatchTooLong { .. })
        ));
        let doubling: Vec<_> = (0..23)
            .map(|_| json!({"op": "copy", "from": "/x", "path": "/x/-"}))
            .collect();
        assert!(matches!(
            JsonPatch::parse(&Value::Array(doubling), LIMITS),
            Err(ValidationError::PatchFailed(_))
        ));
    }

    #[test]
    fn malformed_documents_are_refused() {
        for body in [
            json!({"op": "add"}),
            json!([{"op": "frobnicate", "path": "/a"}]),
            json!([{"path": "/a"}]),
            json!([{"op": "add", "path": "no-slash", "value": 1}]),
        ] {
            assert!(
                matches!(
                    JsonPatch::parse(&body, LIMITS),
                    Err(ValidationError::PatchMalformed(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn pointer_escapes_reach_keys_with_slashes_and_tildes() {
        let current = meta(json!({"a/b": 1, "c~d": 2}));
        let out = patch(
            &current,
            json!([{"op": "remove", "path": "/a~1b"}, {"op": "remove", "path": "/c~0d"}]),
        )
        .unwrap();
        assert!(out.metadata.is_empty());
    }
}
