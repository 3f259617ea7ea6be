//! How an imported cell's text becomes a typed value. Values are never guessed: the column's
//! declared type decides, else the stored key's type, else the text stays text (`00123` is the
//! string `00123`, `TRUE` the string `TRUE`, unless the column says `:number` or `:boolean`).

use serde_json::Value;

use super::ValueKind;
use crate::core::error::ValidationError;
use crate::core::metadata::{MetaKey, MetaValue};

/// The kind a stored value has, as a column would declare it.
pub fn kind_of(value: &MetaValue) -> ValueKind {
    match value {
        MetaValue::Text(_) => ValueKind::String,
        MetaValue::Integer(_) | MetaValue::Float(_) => ValueKind::Number,
        MetaValue::Bool(_) => ValueKind::Boolean,
    }
}

/// The value of `text` for `key`: of the `declared` type, else of the `stored` value's type,
/// else a string. Each refusal is the core's own (`metadata_value_type_mismatch`, too long, …).
pub fn typed(
    key: &MetaKey,
    text: &str,
    declared: Option<ValueKind>,
    stored: Option<&MetaValue>,
) -> Result<MetaValue, ValidationError> {
    let kind = declared
        .or_else(|| stored.map(kind_of))
        .unwrap_or(ValueKind::String);
    let mismatch = |expected: &'static str| ValidationError::MetaValueNotOfType {
        key: key.as_str().to_owned(),
        expected,
        text: text.to_owned(),
    };
    match kind {
        ValueKind::String => MetaValue::from_json(key, &Value::String(text.to_owned())),
        ValueKind::Number => {
            let trimmed = text.trim();
            if let Ok(integer) = trimmed.parse::<i64>() {
                return Ok(MetaValue::Integer(integer));
            }
            // Rust's float syntax also takes `inf` and `NaN`, which are no JSON numbers.
            let looks_numeric = trimmed
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
            match trimmed.parse::<f64>() {
                Ok(float) if looks_numeric && float.is_finite() => Ok(MetaValue::Float(float)),
                _ => Err(mismatch("number")),
            }
        }
        ValueKind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(MetaValue::Bool(true)),
            "false" => Ok(MetaValue::Bool(false)),
            _ => Err(mismatch("boolean")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MetaKey {
        MetaKey::parse("k").unwrap()
    }

    #[test]
    fn text_stays_text_unless_the_column_or_the_stored_key_says_otherwise() {
        assert_eq!(
            typed(&key(), "00123", None, None),
            Ok(MetaValue::Text("00123".into()))
        );
        assert_eq!(
            typed(&key(), "TRUE", None, None),
            Ok(MetaValue::Text("TRUE".into()))
        );
        assert_eq!(
            typed(&key(), "00123", Some(ValueKind::Number), None),
            Ok(MetaValue::Integer(123))
        );
        assert_eq!(
            typed(&key(), "TRUE", Some(ValueKind::Boolean), None),
            Ok(MetaValue::Bool(true))
        );
        // A stored number keeps its type; the declared type wins over it.
        let stored = MetaValue::Integer(4);
        assert_eq!(
            typed(&key(), "2.5", None, Some(&stored)),
            Ok(MetaValue::Float(2.5))
        );
        assert_eq!(
            typed(&key(), "2.5", Some(ValueKind::String), Some(&stored)),
            Ok(MetaValue::Text("2.5".into()))
        );
    }

    #[test]
    fn a_value_not_of_its_type_is_refused_with_the_core_s_code() {
        for (text, kind) in [
            ("two", ValueKind::Number),
            ("inf", ValueKind::Number),
            ("NaN", ValueKind::Number),
            ("yes", ValueKind::Boolean),
        ] {
            let refused = typed(&key(), text, Some(kind), None).unwrap_err();
            assert_eq!(refused.code(), "metadata_value_type_mismatch", "{text}");
        }
        let long = "x".repeat(MetaValue::MAX_TEXT_BYTES + 1);
        assert_eq!(
            typed(&key(), &long, None, None).unwrap_err().code(),
            "metadata_value_too_long"
        );
    }
}
