use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{MetaKey, MetaValue};
use crate::core::error::ValidationError;
use crate::core::resources::ResourceName;

/// A resource's metadata: keys in sorted order so output and change lists are stable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metadata(BTreeMap<MetaKey, MetaValue>);

/// Limits an operator may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataLimits {
    pub max_keys: usize,
}

impl MetadataLimits {
    /// Refuses a dictionary with more keys than these limits allow.
    pub fn check(self, metadata: &Metadata) -> Result<(), ValidationError> {
        if metadata.len() > self.max_keys {
            return Err(ValidationError::MetaTooManyKeys {
                max: self.max_keys,
                actual: metadata.len(),
            });
        }
        Ok(())
    }
}

impl Default for MetadataLimits {
    fn default() -> Self {
        Self { max_keys: 256 }
    }
}

/// One key's change: `old` is `None` when it was added, `new` is `None` when it was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyChange {
    pub key: MetaKey,
    pub old: Option<MetaValue>,
    pub new: Option<MetaValue>,
}

/// The dictionary after an operation and what changed, key by key (unchanged keys are absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub metadata: Metadata,
    pub changes: Vec<KeyChange>,
}

/// The key the Altostrat API requires when metadata is first created.
pub const NAME_KEY: &str = "name";

impl Metadata {
    pub fn from_entries(entries: impl IntoIterator<Item = (MetaKey, MetaValue)>) -> Self {
        Self(entries.into_iter().collect())
    }

    pub fn get(&self, key: &str) -> Option<&MetaValue> {
        self.0.get(key)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&MetaKey, &MetaValue)> {
        self.0.iter()
    }

    pub(super) fn entries(&self) -> &BTreeMap<MetaKey, MetaValue> {
        &self.0
    }

    /// The resource name the `name` key gives, when there is one. It must be text that is a
    /// valid resource name, because the catalogue lists and searches resources by it.
    pub fn resource_name(&self) -> Result<Option<ResourceName>, ValidationError> {
        self.resource_name_for("")
    }

    /// As [`Self::resource_name`], for a resource of `kind`, whose names may be longer
    /// ([`ResourceName::max_chars_for`]).
    pub fn resource_name_for(&self, kind: &str) -> Result<Option<ResourceName>, ValidationError> {
        match self.get(NAME_KEY) {
            None => Ok(None),
            Some(MetaValue::Text(text)) => ResourceName::parse_for(text, kind)
                .map(Some)
                .map_err(|e| ValidationError::MetaNameInvalid(Box::new(e))),
            Some(other) => Err(ValidationError::MetaNameNotText {
                actual: other.type_name(),
            }),
        }
    }

    /// The name of a new resource created with this whole dictionary (an imported item): the
    /// `name` key is required, as when a write creates a resource, and the dictionary must
    /// keep within the limits every write keeps within.
    pub fn new_resource_name(
        &self,
        limits: MetadataLimits,
    ) -> Result<ResourceName, ValidationError> {
        let name = self
            .resource_name()?
            .ok_or(ValidationError::MetaNameRequired)?;
        limits.check(self)?;
        Ok(name)
    }

    pub fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_json()))
                .collect(),
        )
    }

    /// Reads a whole dictionary from a JSON object; `null` is not a value here.
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let object = as_object(body)?;
        let mut map = BTreeMap::new();
        for (raw_key, raw_value) in object {
            let key = MetaKey::parse(raw_key)?;
            let value = MetaValue::from_json(&key, raw_value)?;
            map.insert(key, value);
        }
        Ok(Self(map))
    }

    /// Create-or-overwrite: the body becomes the whole dictionary. `current` is `None` when the
    /// resource has no metadata yet; then a `name` key is required, as the Altostrat API says.
    pub fn replace(
        current: Option<&Metadata>,
        body: &Value,
        limits: MetadataLimits,
    ) -> Result<Outcome, ValidationError> {
        let after = Self::from_json(body)?;
        if current.is_none() && after.get(NAME_KEY).is_none() {
            return Err(ValidationError::MetaNameRequired);
        }
        finish(current.cloned().unwrap_or_default(), after, limits)
    }

    /// JSON Merge Patch (RFC 7386) on a flat dictionary: each key in the body is set, and a key
    /// whose value is `null` is removed. Keys not in the body are left alone.
    pub fn merge(&self, body: &Value, limits: MetadataLimits) -> Result<Outcome, ValidationError> {
        let mut after = self.0.clone();
        for (raw_key, raw_value) in as_object(body)? {
            let key = MetaKey::parse(raw_key)?;
            if raw_value.is_null() {
                after.remove(&key);
            } else {
                let value = MetaValue::from_json(&key, raw_value)?;
                after.insert(key, value);
            }
        }
        finish(self.clone(), Self(after), limits)
    }

    /// Sets one key (create or overwrite).
    pub fn put(
        &self,
        key: MetaKey,
        value: MetaValue,
        limits: MetadataLimits,
    ) -> Result<Outcome, ValidationError> {
        let mut after = self.0.clone();
        after.insert(key, value);
        finish(self.clone(), Self(after), limits)
    }

    /// Removes one key; `None` when the key is not there (the face answers "not found").
    pub fn remove(&self, key: &str) -> Option<Outcome> {
        let mut after = self.0.clone();
        after.remove(key)?;
        Some(Outcome {
            changes: diff(self, &Self(after.clone())),
            metadata: Self(after),
        })
    }
}

impl Metadata {
    /// Delete-all: every key removed (the resource itself stays).
    pub fn clear(&self) -> Outcome {
        Outcome {
            changes: diff(self, &Self::default()),
            metadata: Self::default(),
        }
    }
}

fn as_object(body: &Value) -> Result<&Map<String, Value>, ValidationError> {
    body.as_object().ok_or(ValidationError::MetadataNotAnObject)
}

pub(super) fn finish(
    before: Metadata,
    after: Metadata,
    limits: MetadataLimits,
) -> Result<Outcome, ValidationError> {
    limits.check(&after)?;
    Ok(Outcome {
        changes: diff(&before, &after),
        metadata: after,
    })
}

fn diff(before: &Metadata, after: &Metadata) -> Vec<KeyChange> {
    let removed_or_changed = before
        .0
        .iter()
        .filter_map(|(key, old)| match after.0.get(key) {
            Some(new) if new == old => None,
            new => Some(KeyChange {
                key: key.clone(),
                old: Some(old.clone()),
                new: new.cloned(),
            }),
        });
    let added = after
        .0
        .iter()
        .filter(|(key, _)| !before.0.contains_key(*key))
        .map(|(key, new)| KeyChange {
            key: key.clone(),
            old: None,
            new: Some(new.clone()),
        });
    let mut changes: Vec<_> = removed_or_changed.chain(added).collect();
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LIMITS: MetadataLimits = MetadataLimits { max_keys: 256 };

    fn meta(body: Value) -> Metadata {
        Metadata::from_json(&body).unwrap()
    }

    fn key(k: &str) -> MetaKey {
        MetaKey::parse(k).unwrap()
    }

    #[test]
    fn creating_requires_a_name_key() {
        let body = json!({"location": "Level 5"});
        assert_eq!(
            Metadata::replace(None, &body, LIMITS),
            Err(ValidationError::MetaNameRequired)
        );
        let created =
            Metadata::replace(None, &json!({"name": "Main Office Router"}), LIMITS).unwrap();
        assert_eq!(created.changes.len(), 1);
    }

    #[test]
    fn clearing_removes_every_key_with_its_old_value() {
        let before = meta(json!({"a": 1, "name": "x"}));
        let outcome = before.clear();
        assert!(outcome.metadata.is_empty());
        assert_eq!(outcome.changes.len(), 2);
        assert!(
            outcome
                .changes
                .iter()
                .all(|c| c.new.is_none() && c.old.is_some())
        );
    }

    #[test]
    fn the_name_key_gives_the_resource_name_and_must_be_valid_text() {
        assert_eq!(meta(json!({"x": 1})).resource_name(), Ok(None));
        assert_eq!(
            meta(json!({"name": "  Edge 1 "}))
                .resource_name()
                .unwrap()
                .unwrap()
                .as_str(),
            "Edge 1"
        );
        assert_eq!(
            meta(json!({"name": 7})).resource_name(),
            Err(ValidationError::MetaNameNotText { actual: "number" })
        );
        assert_eq!(
            meta(json!({"name": "  "})).resource_name(),
            Err(ValidationError::MetaNameInvalid(Box::new(
                ValidationError::NameEmpty
            )))
        );
    }

    #[test]
    fn overwriting_existing_metadata_replaces_it_whole_and_needs_no_name() {
        let current = meta(json!({"name": "R1", "rack_units": 2}));
        let out = Metadata::replace(Some(&current), &json!({"circuit_id": "AS1"}), LIMITS).unwrap();
        assert_eq!(out.metadata.to_json(), json!({"circuit_id": "AS1"}));
        let keys: Vec<_> = out.changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["circuit_id", "name", "rack_units"]);
        assert!(
            out.changes
                .iter()
                .find(|c| c.key.as_str() == "name")
                .unwrap()
                .new
                .is_none()
        );
    }

    #[test]
    fn the_seed_example_round_trips_with_its_types() {
        let body = json!({"circuit_id": "AS12345-XYZ", "install_date": "2025-01-15", "is_critical": true, "rack_units": 2});
        let current = meta(json!({"name": "x"}));
        let out = Metadata::replace(Some(&current), &body, LIMITS).unwrap();
        assert_eq!(out.metadata.to_json(), body);
        assert_eq!(out.metadata.get("rack_units"), Some(&MetaValue::Integer(2)));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        for body in [json!([]), json!("x"), json!(null), json!(1)] {
            assert_eq!(
                Metadata::from_json(&body),
                Err(ValidationError::MetadataNotAnObject)
            );
        }
    }

    #[test]
    fn merge_sets_keys_removes_null_ones_and_leaves_the_rest() {
        let current = meta(json!({"name": "R1", "old": 1, "keep": true}));
        let out = current
            .merge(&json!({"old": null, "new": "x", "name": "R2"}), LIMITS)
            .unwrap();
        assert_eq!(
            out.metadata.to_json(),
            json!({"keep": true, "name": "R2", "new": "x"})
        );
        assert_eq!(out.changes.len(), 3, "keep is unchanged and not reported");
    }

    #[test]
    fn merge_removing_an_absent_key_changes_nothing() {
        let current = meta(json!({"name": "R1"}));
        let out = current.merge(&json!({"ghost": null}), LIMITS).unwrap();
        assert!(out.changes.is_empty());
        assert_eq!(out.metadata, current);
    }

    #[test]
    fn merge_with_a_bad_value_changes_nothing() {
        let current = meta(json!({"name": "R1"}));
        let err = current
            .merge(&json!({"a": 1, "b": [1, 2]}), LIMITS)
            .unwrap_err();
        assert_eq!(err, ValidationError::MetaValueNotScalar { key: "b".into() });
    }

    #[test]
    fn setting_the_same_value_again_records_no_change() {
        let current = meta(json!({"name": "R1"}));
        let out = current
            .put(key("name"), MetaValue::Text("R1".into()), LIMITS)
            .unwrap();
        assert!(out.changes.is_empty());
    }

    #[test]
    fn a_type_change_is_a_change() {
        let current = meta(json!({"rack_units": 2}));
        let out = current
            .put(key("rack_units"), MetaValue::Text("2".into()), LIMITS)
            .unwrap();
        assert_eq!(out.changes[0].old, Some(MetaValue::Integer(2)));
        assert_eq!(out.changes[0].new, Some(MetaValue::Text("2".into())));
    }

    #[test]
    fn the_key_limit_counts_the_result() {
        let limits = MetadataLimits { max_keys: 2 };
        let current = meta(json!({"a": 1, "b": 2}));
        assert_eq!(
            current.put(key("c"), MetaValue::Integer(3), limits),
            Err(ValidationError::MetaTooManyKeys { max: 2, actual: 3 })
        );
        // Replacing one key with another stays within the limit.
        assert!(current.merge(&json!({"a": null, "c": 3}), limits).is_ok());
        let too_many = json!({"name": "x", "a": 1, "b": 2});
        assert!(Metadata::replace(None, &too_many, limits).is_err());
    }

    #[test]
    fn remove_reports_the_removed_value_or_none_when_absent() {
        let current = meta(json!({"name": "R1", "x": false}));
        let out = current.remove("x").unwrap();
        assert_eq!(
            out.changes,
            vec![KeyChange {
                key: key("x"),
                old: Some(MetaValue::Bool(false)),
                new: None
            }]
        );
        assert!(current.remove("missing").is_none());
    }

    #[test]
    fn a_new_resource_needs_a_valid_name_and_keys_within_the_limit() {
        let limits = MetadataLimits { max_keys: 2 };
        assert_eq!(
            meta(json!({"name": " Edge ", "a": 1}))
                .new_resource_name(limits)
                .unwrap()
                .as_str(),
            "Edge"
        );
        assert_eq!(
            meta(json!({"a": 1})).new_resource_name(limits),
            Err(ValidationError::MetaNameRequired)
        );
        assert_eq!(
            meta(json!({"name": 1})).new_resource_name(limits),
            Err(ValidationError::MetaNameNotText { actual: "number" })
        );
        assert_eq!(
            meta(json!({"name": "Edge", "a": 1, "b": 2})).new_resource_name(limits),
            Err(ValidationError::MetaTooManyKeys { max: 2, actual: 3 })
        );
    }
}
