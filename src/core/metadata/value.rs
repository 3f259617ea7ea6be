use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::MetaKey;
use crate::core::error::ValidationError;

/// A metadata value: a string, a finite number or a boolean. Integers are kept apart from
/// floating-point numbers so that an id such as 9007199254740993 round-trips exactly.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Value")]
pub enum MetaValue {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

impl MetaValue {
    /// 64 KiB, counted in UTF-8 bytes: what the value costs to store and send.
    pub const MAX_TEXT_BYTES: usize = 64 * 1024;

    /// Reads a JSON value given for `key`. `null` is refused here: only a merge gives it a
    /// meaning (remove the key), and that operation handles it before calling this.
    pub fn from_json(key: &MetaKey, value: &Value) -> Result<Self, ValidationError> {
        let key = || key.as_str().to_owned();
        match value {
            Value::String(s) if s.len() > Self::MAX_TEXT_BYTES => {
                Err(ValidationError::MetaValueTooLong {
                    key: key(),
                    max: Self::MAX_TEXT_BYTES,
                    actual: s.len(),
                })
            }
            Value::String(s) => Ok(Self::Text(s.clone())),
            Value::Bool(b) => Ok(Self::Bool(*b)),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Self::Integer(i))
                } else if n.is_u64() {
                    // Above i64::MAX: stored as a float it would silently lose digits.
                    Err(ValidationError::MetaIntegerOutOfRange { key: key() })
                } else {
                    match n.as_f64() {
                        Some(f) if f.is_finite() => Ok(Self::Float(f)),
                        _ => Err(ValidationError::MetaValueNotScalar { key: key() }),
                    }
                }
            }
            Value::Null => Err(ValidationError::MetaValueNull { key: key() }),
            Value::Array(_) | Value::Object(_) => {
                Err(ValidationError::MetaValueNotScalar { key: key() })
            }
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Self::Text(s) => Value::String(s.clone()),
            Self::Integer(i) => Value::from(*i),
            Self::Float(f) => Value::from(*f),
            Self::Bool(b) => Value::Bool(*b),
        }
    }

    /// The type's name as people see it in the UI and in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text(_) => "string",
            Self::Integer(_) | Self::Float(_) => "number",
            Self::Bool(_) => "boolean",
        }
    }
}

/// The three kinds of value, as a person picks one in a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetaValueType {
    String,
    Number,
    Boolean,
}

impl MetaValueType {
    pub const ALL: [Self; 3] = [Self::String, Self::Number, Self::Boolean];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
        }
    }

    /// Reads the name a form sends; anything else is taken as a string, the type that
    /// accepts every text.
    pub fn parse(name: &str) -> Self {
        match name {
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            _ => Self::String,
        }
    }
}

impl MetaValue {
    pub fn value_type(&self) -> MetaValueType {
        match self {
            Self::Text(_) => MetaValueType::String,
            Self::Integer(_) | Self::Float(_) => MetaValueType::Number,
            Self::Bool(_) => MetaValueType::Boolean,
        }
    }

    /// Reads what a person typed into a form as a value of the type they picked. Numbers go
    /// through JSON's grammar, so "2" stays an exact integer and "1e400" is refused.
    pub fn from_text(
        key: &MetaKey,
        kind: MetaValueType,
        text: &str,
    ) -> Result<Self, ValidationError> {
        let mismatch = || ValidationError::MetaValueNotOfType {
            key: key.as_str().to_owned(),
            expected: kind.as_str(),
            text: text.to_owned(),
        };
        match kind {
            MetaValueType::String => Self::from_json(key, &Value::String(text.to_owned())),
            MetaValueType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Self::Bool(true)),
                "false" => Ok(Self::Bool(false)),
                _ => Err(mismatch()),
            },
            MetaValueType::Number => {
                let number = serde_json::from_str::<serde_json::Number>(text.trim())
                    .map_err(|_| mismatch())?;
                Self::from_json(key, &Value::Number(number))
            }
        }
    }

    /// The value as a person edits it: the inverse of [`MetaValue::from_text`].
    pub fn to_text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Integer(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

/// The dialects whose metadata values are all strings (OpenStack Nova, AVEVA Data Hub) see
/// Sitebook's typed values through one rule, kept here so every such face agrees.
impl MetaValue {
    /// Text as it is, numbers as their JSON text (`2`, `2.5`, `2.0`), booleans `true`/`false`.
    pub fn to_untyped(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Float(f) => Value::from(*f).to_string(),
            other => other.to_text(),
        }
    }

    /// A string written through an untyped dialect. A key that holds a number or a boolean
    /// keeps its type when the string reads as that type (`"4"` stays the number 4), and the
    /// write is refused, naming the type, when it does not: silently turning a number into
    /// text would break every typed reader of that key. A new key, or one that holds text,
    /// takes the string as text.
    pub fn from_untyped(
        key: &MetaKey,
        text: &str,
        current: Option<&MetaValue>,
    ) -> Result<Self, ValidationError> {
        let kind = current.map_or(MetaValueType::String, MetaValue::value_type);
        Self::from_text(key, kind, text)
    }
}

impl Serialize for MetaValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(s) => serializer.serialize_str(s),
            Self::Integer(i) => serializer.serialize_i64(*i),
            Self::Float(f) => serializer.serialize_f64(*f),
            Self::Bool(b) => serializer.serialize_bool(*b),
        }
    }
}

impl TryFrom<Value> for MetaValue {
    type Error = ValidationError;
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        // Deserialising outside a dictionary has no key to name in a message.
        Self::from_json(&MetaKey::parse("value").expect("a valid key"), &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<MetaValue, ValidationError> {
        MetaValue::from_json(&MetaKey::parse("k").unwrap(), &v)
    }

    #[test]
    fn strings_numbers_and_booleans_are_values() {
        assert_eq!(
            parse(json!("AS12345-XYZ")),
            Ok(MetaValue::Text("AS12345-XYZ".into()))
        );
        assert_eq!(parse(json!(2)), Ok(MetaValue::Integer(2)));
        assert_eq!(parse(json!(-2.5)), Ok(MetaValue::Float(-2.5)));
        assert_eq!(parse(json!(true)), Ok(MetaValue::Bool(true)));
    }

    #[test]
    fn typed_text_is_read_as_the_picked_type() {
        let key = MetaKey::parse("rack_units").unwrap();
        let read = |kind, text| MetaValue::from_text(&key, kind, text);
        assert_eq!(
            read(MetaValueType::Number, " 2 "),
            Ok(MetaValue::Integer(2))
        );
        assert_eq!(
            read(MetaValueType::Number, "-3.5"),
            Ok(MetaValue::Float(-3.5))
        );
        assert_eq!(
            read(MetaValueType::Boolean, "True"),
            Ok(MetaValue::Bool(true))
        );
        assert_eq!(
            read(MetaValueType::String, "2"),
            Ok(MetaValue::Text("2".into()))
        );
        for (kind, text) in [
            (MetaValueType::Number, "two"),
            (MetaValueType::Number, "1e400"),
            (MetaValueType::Number, "NaN"),
            (MetaValueType::Boolean, "yes"),
        ] {
            let err = read(kind, text).unwrap_err();
            assert!(
                matches!(
                    err,
                    ValidationError::MetaValueNotOfType { .. }
                        | ValidationError::MetaValueNotScalar { .. }
                ),
                "{text}: {err:?}"
            );
        }
        let big = read(MetaValueType::Number, "9007199254740993").unwrap();
        assert_eq!(big.to_text(), "9007199254740993");
        assert_eq!(
            read(MetaValueType::Number, &MetaValue::Float(0.1).to_text()),
            Ok(MetaValue::Float(0.1))
        );
    }

    #[test]
    fn large_integers_stay_exact() {
        let big: i64 = 9_007_199_254_740_993; // 2^53 + 1: not representable as f64
        let value = parse(json!(big)).unwrap();
        assert_eq!(value, MetaValue::Integer(big));
        assert_eq!(serde_json::to_string(&value).unwrap(), "9007199254740993");
    }

    #[test]
    fn an_integer_above_i64_is_refused_rather_than_rounded() {
        assert_eq!(
            parse(json!(u64::MAX)),
            Err(ValidationError::MetaIntegerOutOfRange { key: "k".into() })
        );
    }

    #[test]
    fn a_float_written_with_a_point_stays_a_float() {
        let value: MetaValue = serde_json::from_str("1.0").unwrap();
        assert_eq!(value, MetaValue::Float(1.0));
        assert_eq!(serde_json::to_string(&value).unwrap(), "1.0");
    }

    #[test]
    fn null_arrays_and_objects_are_not_values() {
        assert_eq!(
            parse(json!(null)),
            Err(ValidationError::MetaValueNull { key: "k".into() })
        );
        assert_eq!(
            parse(json!([1])),
            Err(ValidationError::MetaValueNotScalar { key: "k".into() })
        );
        assert_eq!(
            parse(json!({"a": 1})),
            Err(ValidationError::MetaValueNotScalar { key: "k".into() })
        );
    }

    #[test]
    fn a_string_of_64_kib_is_accepted_and_one_byte_more_refused() {
        assert!(parse(json!("x".repeat(65_536))).is_ok());
        assert_eq!(
            parse(json!("x".repeat(65_537))),
            Err(ValidationError::MetaValueTooLong {
                key: "k".into(),
                max: 65_536,
                actual: 65_537
            })
        );
    }

    #[test]
    fn each_value_names_its_type() {
        assert_eq!(MetaValue::Text(String::new()).type_name(), "string");
        assert_eq!(MetaValue::Integer(1).type_name(), "number");
        assert_eq!(MetaValue::Float(1.5).type_name(), "number");
        assert_eq!(MetaValue::Bool(false).type_name(), "boolean");
    }

    #[test]
    fn untyped_dialects_read_typed_values_as_strings() {
        assert_eq!(MetaValue::Text("x".into()).to_untyped(), "x");
        assert_eq!(MetaValue::Integer(-7).to_untyped(), "-7");
        assert_eq!(MetaValue::Float(2.5).to_untyped(), "2.5");
        assert_eq!(MetaValue::Float(2.0).to_untyped(), "2.0");
        assert_eq!(MetaValue::Bool(true).to_untyped(), "true");
    }

    #[test]
    fn an_untyped_write_keeps_a_keys_type_or_is_refused_naming_it() {
        let key = MetaKey::parse("rack_units").unwrap();
        let number = MetaValue::Integer(2);
        let flag = MetaValue::Bool(false);
        let text = MetaValue::Text("a".into());
        let write = |value: &str, current| MetaValue::from_untyped(&key, value, current);
        assert_eq!(write("4", Some(&number)), Ok(MetaValue::Integer(4)));
        assert_eq!(write("4.5", Some(&number)), Ok(MetaValue::Float(4.5)));
        assert_eq!(write("true", Some(&flag)), Ok(MetaValue::Bool(true)));
        assert_eq!(write("4", Some(&text)), Ok(MetaValue::Text("4".into())));
        assert_eq!(write("4", None), Ok(MetaValue::Text("4".into())));
        assert_eq!(
            write("four", Some(&number)),
            Err(ValidationError::MetaValueNotOfType {
                key: "rack_units".into(),
                expected: "number",
                text: "four".into()
            })
        );
        assert!(write("yes", Some(&flag)).is_err());
    }
}
