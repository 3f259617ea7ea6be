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
