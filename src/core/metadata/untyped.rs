//! Metadata as the dialects whose values are all strings (OpenStack Nova, AVEVA Data Hub) see
//! it. The `name` key names the resource in Sitebook; to those dialects it is the resource's
//! name, not an item, so it is hidden from their reads, kept by their replaces, and refused in
//! their writes. Values read and write through `MetaValue::to_untyped` / `from_untyped`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::operations::{NAME_KEY, finish};
use super::{MetaKey, MetaValue, Metadata, MetadataLimits, Outcome};
use crate::core::error::ValidationError;

/// Every item but `name`, each value as its untyped text, by key.
pub fn items(metadata: &Metadata) -> BTreeMap<String, String> {
    metadata
        .iter()
        .filter(|(key, _)| key.as_str() != NAME_KEY)
        .map(|(key, value)| (key.as_str().to_owned(), value.to_untyped()))
        .collect()
}

/// The same items as a dictionary of text values, for operations (a JSON Patch) that run on
/// what the dialect sees.
pub fn view(metadata: &Metadata) -> Metadata {
    Metadata::from_entries(
        metadata
            .iter()
            .filter(|(key, _)| key.as_str() != NAME_KEY)
            .map(|(key, value)| (key.clone(), MetaValue::Text(value.to_untyped()))),
    )
}

/// Whether a write through an untyped dialect names `name`, which it may not change.
pub fn names_the_name_key<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    keys.any(|key| key == NAME_KEY)
}

/// The typed dictionary after an untyped write of `written`: with `replace` it becomes every
/// item (the `name` key kept), otherwise it is merged in. Each string keeps the type its key
/// holds now where it reads as that type (the core's untyped rule).
pub fn write(
    current: &Metadata,
    written: impl IntoIterator<Item = (String, String)>,
    replace: bool,
    limits: MetadataLimits,
) -> Result<Outcome, ValidationError> {
    let mut after: BTreeMap<MetaKey, MetaValue> = current
        .iter()
        .filter(|(key, _)| !replace || key.as_str() == NAME_KEY)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (raw_key, text) in written {
        if raw_key == NAME_KEY {
            return Err(ValidationError::MetaNameNotAnItem);
        }
        let key = MetaKey::parse(&raw_key)?;
        let value = MetaValue::from_untyped(&key, &text, current.get(&raw_key))?;
        after.insert(key, value);
    }
    finish(current.clone(), Metadata::from_entries(after), limits)
}

/// A JSON object of string values as written items, or the rule it breaks.
/// A write in an untyped dialect (Nova's server metadata, Data Hub's stream metadata, Nova's
/// aggregate metadata): the strings it brings, applied to the typed dictionary by [`write`]'s
/// rule, the `name` key kept as the resource's name whatever the change.
#[derive(Debug, Clone)]
pub enum UntypedChange {
    /// Each key set to its string, or removed for `None` (nothing when absent); others kept.
    Merge(Vec<(String, Option<String>)>),
    /// The items become exactly these.
    Replace(Vec<(String, String)>),
    /// A JSON Patch on the items as the dialect sees them (every value its text), all or
    /// nothing; what it leaves must still be text.
    Patch(super::JsonPatch),
    /// One key removed; a key the resource lacks is not found.
    Remove(String),
}

/// An untyped write with the dialect's bound on the items it may leave (Nova's
/// `metadata_items` quota; `None` for none beyond the metadata limits).
#[derive(Debug, Clone)]
pub struct UntypedWrite {
    pub change: UntypedChange,
    pub max_items: Option<usize>,
}

impl UntypedWrite {
    /// The dictionary after this write, all or nothing.
    pub fn apply(
        &self,
        current: &Metadata,
        limits: MetadataLimits,
    ) -> Result<Outcome, crate::core::CoreError> {
        let outcome = match &self.change {
            UntypedChange::Merge(items) => merge(current, items, None, limits)?,
            UntypedChange::Replace(items) => write(current, items.iter().cloned(), true, limits)?,
            UntypedChange::Patch(patch) => {
                let seen = patch.apply(&view(current), limits)?;
                let items = seen
                    .metadata
                    .iter()
                    .map(|(key, value)| match value {
                        MetaValue::Text(text) => Ok((key.as_str().to_owned(), text.clone())),
                        _ => Err(ValidationError::MetaValueNotText {
                            key: key.as_str().to_owned(),
                        }),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                write(current, items, true, limits)?
            }
            UntypedChange::Remove(key) => {
                if key == NAME_KEY || current.get(key).is_none() {
                    return Err(crate::core::CoreError::NotFound {
                        what: "metadata key",
                        id: key.clone(),
                    });
                }
                merge(current, &[(key.clone(), None)], None, limits)?
            }
        };
        if let Some(max) = self.max_items {
            let actual = outcome
                .metadata
                .iter()
                .filter(|(key, _)| key.as_str() != NAME_KEY)
                .count();
            if actual > max {
                return Err(ValidationError::MetaItemsOverQuota { max, actual }.into());
            }
        }
        Ok(outcome)
    }
}

/// [`UntypedChange::Merge`]: strings keep the type their key has (see [`write`]); `None`
/// removes its key. `rename` gives the resource a new name in the same change (an aggregate's
/// update names it; items never do).
pub fn merge(
    current: &Metadata,
    items: &[(String, Option<String>)],
    rename: Option<&str>,
    limits: MetadataLimits,
) -> Result<Outcome, ValidationError> {
    let mut after: BTreeMap<MetaKey, MetaValue> = current
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(name) = rename {
        after.insert(MetaKey::parse(NAME_KEY)?, MetaValue::Text(name.to_owned()));
    }
    for (raw_key, text) in items {
        if raw_key == NAME_KEY {
            return Err(ValidationError::MetaNameNotAnItem);
        }
        let key = MetaKey::parse(raw_key)?;
        match text {
            Some(text) => {
                let value = MetaValue::from_untyped(&key, text, current.get(raw_key))?;
                after.insert(key, value);
            }
            None => {
                after.remove(&key);
            }
        }
    }
    finish(current.clone(), Metadata::from_entries(after), limits)
}

pub fn read_object(body: &Value) -> Result<Vec<(String, String)>, ValidationError> {
    let object = body
        .as_object()
        .ok_or(ValidationError::MetadataNotAnObject)?;
    object
        .iter()
        .map(|(key, value)| match value {
            Value::String(text) => Ok((key.clone(), text.clone())),
            _ => Err(ValidationError::MetaValueNotText { key: key.clone() }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn current() -> Metadata {
        Metadata::from_json(&json!({"name": "pump 1", "rack": 4, "live": true, "note": "x"}))
            .unwrap()
    }

    #[test]
    fn reads_hide_the_name_and_show_every_value_as_text() {
        let items = items(&current());
        assert_eq!(
            items.into_iter().collect::<Vec<_>>(),
            [
                ("live".to_owned(), "true".to_owned()),
                ("note".to_owned(), "x".to_owned()),
                ("rack".to_owned(), "4".to_owned())
            ]
        );
    }

    #[test]
    fn a_replace_keeps_the_name_and_the_types_that_still_read() {
        let written = [
            ("rack".to_owned(), "5".to_owned()),
            ("new".to_owned(), "7".to_owned()),
        ];
        let outcome = write(&current(), written, true, MetadataLimits::default()).unwrap();
        assert_eq!(
            outcome.metadata.to_json(),
            json!({"name": "pump 1", "rack": 5, "new": "7"})
        );
    }

    #[test]
    fn a_string_that_is_not_of_the_keys_type_is_refused_naming_it() {
        let written = [("rack".to_owned(), "four".to_owned())];
        let refused = write(&current(), written, false, MetadataLimits::default()).unwrap_err();
        assert!(
            matches!(
                refused,
                ValidationError::MetaValueNotOfType {
                    expected: "number",
                    ..
                }
            ),
            "{refused:?}"
        );
        let named = [("name".to_owned(), "renamed".to_owned())];
        assert_eq!(
            write(&current(), named, false, MetadataLimits::default()).unwrap_err(),
            ValidationError::MetaNameNotAnItem
        );
    }

    #[test]
    fn a_merge_sets_and_removes_and_the_quota_counts_what_is_left() {
        let merge = |items: Vec<(&str, Option<&str>)>, max_items| {
            UntypedWrite {
                change: UntypedChange::Merge(
                    items
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v.map(str::to_owned)))
                        .collect(),
                ),
                max_items,
            }
            .apply(&current(), MetadataLimits::default())
        };
        let outcome = merge(vec![("rack", Some("6")), ("note", None)], None).unwrap();
        assert_eq!(
            outcome.metadata.to_json(),
            json!({"name": "pump 1", "rack": 6, "live": true})
        );
        // Three items now; the name is not one.
        assert!(merge(vec![], Some(3)).is_ok());
        assert!(matches!(
            merge(vec![("more", Some("x"))], Some(3)),
            Err(crate::core::CoreError::Invalid(
                ValidationError::MetaItemsOverQuota { max: 3, actual: 4 }
            ))
        ));
        assert!(merge(vec![("more", Some("x")), ("note", None)], Some(3)).is_ok());
    }

    #[test]
    fn a_removal_of_a_key_that_is_not_there_or_of_the_name_is_not_found() {
        for key in ["absent", "name"] {
            let refused = UntypedWrite {
                change: UntypedChange::Remove(key.into()),
                max_items: None,
            }
            .apply(&current(), MetadataLimits::default());
            assert!(
                matches!(refused, Err(crate::core::CoreError::NotFound { .. })),
                "{key}"
            );
        }
    }

    #[test]
    fn only_string_values_are_items() {
        assert_eq!(
            read_object(&json!({"a": "1", "b": 2})).unwrap_err(),
            ValidationError::MetaValueNotText { key: "b".into() }
        );
        assert_eq!(
            read_object(&json!([])).unwrap_err(),
            ValidationError::MetadataNotAnObject
        );
    }
}
