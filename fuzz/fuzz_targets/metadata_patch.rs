//! Metadata values and every way of changing them, on any JSON body: a merge patch, a JSON
//! Patch (as the native and the Data Hub faces apply it), a replace, and the untyped writes of
//! Nova and Data Hub. Whatever the body, a change that is accepted leaves a dictionary within
//! the core's rules (valid keys, scalar values, at most `max_keys` of them), reports exactly
//! the keys it changed, and agrees with the `json-patch` crate's reading of the same document.
//!
//! Input: the body, then optionally a 0xFF byte (never part of UTF-8 JSON) and the current
//! dictionary as a JSON object; without one, a small dictionary of every value type is used.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::{Value, json};
use sitebook::core::metadata::{
    JsonPatch, MetaKey, MetaValue, MetaValueType, Metadata, MetadataLimits, Outcome, untyped,
};

/// Small, so that the key and operation limits are reached by small inputs.
const LIMITS: MetadataLimits = MetadataLimits { max_keys: 8 };

fuzz_target!(|data: &[u8]| {
    let (body, current) = match data.iter().position(|b| *b == 0xff) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    // The faces answer a body that is not JSON before any of this runs.
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let current = current
        .and_then(|raw| serde_json::from_slice::<Value>(raw).ok())
        .and_then(|raw| Metadata::from_json(&raw).ok())
        .filter(|m| LIMITS.check(m).is_ok())
        .unwrap_or_else(|| {
            Metadata::from_json(&json!({
                "name": "Main Office Router", "circuit_id": "AS12345-XYZ",
                "rack_units": 2, "ratio": 0.5, "is_critical": true,
            }))
            .expect("a valid dictionary")
        });

    if let Ok(outcome) = current.merge(&body, LIMITS) {
        check(&current, &outcome);
        let mut expected = current.to_json();
        json_patch::merge(&mut expected, &body);
        assert_eq!(outcome.metadata.to_json(), expected, "RFC 7386 disagrees");
    }

    if let Ok(patch) = JsonPatch::parse(&body, LIMITS) {
        let operations = body.as_array().map_or(1, Vec::len);
        assert!(operations <= JsonPatch::max_operations(LIMITS));
        if let Ok(outcome) = patch.apply(&current, LIMITS) {
            check(&current, &outcome);
            let reference = json_patch::Patch::deserialize(&body).expect("a patch we read");
            let mut expected = current.to_json();
            json_patch::patch(&mut expected, &reference).expect("RFC 6902 applies it too");
            assert_eq!(outcome.metadata.to_json(), expected, "RFC 6902 disagrees");
        }
        // As the Data Hub face applies it: to the dictionary as it sees it, all text.
        let seen = untyped::view(&current);
        if let Ok(outcome) = patch.apply(&seen, LIMITS) {
            check(&seen, &outcome);
            let items: Option<Vec<_>> = outcome
                .metadata
                .iter()
                .map(|(key, value)| match value {
                    MetaValue::Text(text) => Some((key.as_str().to_owned(), text.clone())),
                    _ => None,
                })
                .collect();
            if let Some(items) = items {
                untyped_write(&current, items, true);
            }
        }
    }

    for existing in [Some(&current), None] {
        if let Ok(outcome) = Metadata::replace(existing, &body, LIMITS) {
            check(existing.unwrap_or(&Metadata::default()), &outcome);
            assert_eq!(Ok(&outcome.metadata), Metadata::from_json(&body).as_ref());
            assert!(existing.is_some() || outcome.metadata.get("name").is_some());
        }
    }

    if let Ok(items) = untyped::read_object(&body) {
        untyped_write(&current, items.clone(), true);
        untyped_write(&current, items, false);
    }
});

/// A write through a dialect whose values are all strings: `name` is never touched, and each
/// written key keeps the type it holds (text for a new key).
fn untyped_write(current: &Metadata, items: Vec<(String, String)>, replace: bool) {
    let Ok(outcome) = untyped::write(current, items.clone(), replace, LIMITS) else {
        return;
    };
    check(current, &outcome);
    let after = &outcome.metadata;
    assert_eq!(after.get("name"), current.get("name"));
    for (key, _) in &items {
        let kind = current
            .get(key)
            .map_or(MetaValueType::String, MetaValue::value_type);
        assert_eq!(
            after.get(key).map(MetaValue::value_type),
            Some(kind),
            "{key}"
        );
    }
    let written = |key: &str| items.iter().any(|(k, _)| k == key);
    for (key, value) in current.iter() {
        if !written(key.as_str()) && (!replace || key.as_str() == "name") {
            assert_eq!(after.get(key.as_str()), Some(value));
        }
    }
    if replace {
        assert!(
            after
                .iter()
                .all(|(k, _)| k.as_str() == "name" || written(k.as_str()))
        );
    }
}

/// The rules every accepted change keeps.
fn check(before: &Metadata, outcome: &Outcome) {
    let after = &outcome.metadata;
    assert!(after.len() <= LIMITS.max_keys, "{} keys", after.len());
    for (key, value) in after.iter() {
        assert_eq!(MetaKey::parse(key.as_str()).as_ref(), Ok(key));
        if let MetaValue::Float(f) = value {
            assert!(f.is_finite());
        }
        assert_eq!(
            MetaValue::from_json(key, &value.to_json()).as_ref(),
            Ok(value)
        );
    }
    // What is stored and sent reads back as the same dictionary.
    assert_eq!(Metadata::from_json(&after.to_json()).as_ref(), Ok(after));
    let serialised = serde_json::to_value(after).expect("metadata serialises");
    assert_eq!(serialised, after.to_json());
    assert_eq!(
        serde_json::from_value::<Metadata>(serialised).ok().as_ref(),
        Some(after)
    );

    let changes = &outcome.changes;
    assert!(
        changes.windows(2).all(|w| w[0].key < w[1].key),
        "sorted, once each"
    );
    for change in changes {
        let key = change.key.as_str();
        assert_eq!(change.old.as_ref(), before.get(key), "{key}");
        assert_eq!(change.new.as_ref(), after.get(key), "{key}");
        assert_ne!(change.old, change.new, "{key} did not change");
    }
    let reported = |key: &MetaKey| changes.iter().any(|c| &c.key == key);
    for (key, _) in before.iter().chain(after.iter()) {
        if !reported(key) {
            assert_eq!(before.get(key.as_str()), after.get(key.as_str()), "{key}");
        }
    }
}
