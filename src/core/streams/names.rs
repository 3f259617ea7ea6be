//! Data Hub's enums, which clients send by name (any case) or by number and which are always
//! answered as numbers (the Python library reads some only by number), and its property names,
//! matched ignoring case as .NET servers do.

use serde_json::{Map, Value};

use crate::core::error::ValidationError;

const TYPE_CODES: &[(&str, i64)] = &[
    ("Empty", 0),
    ("Object", 1),
    ("DBNull", 2),
    ("Boolean", 3),
    ("Char", 4),
    ("SByte", 5),
    ("Byte", 6),
    ("Int16", 7),
    ("UInt16", 8),
    ("Int32", 9),
    ("UInt32", 10),
    ("Int64", 11),
    ("UInt64", 12),
    ("Single", 13),
    ("Double", 14),
    ("Decimal", 15),
    ("DateTime", 16),
    ("String", 18),
    ("Guid", 19),
    ("DateTimeOffset", 20),
    ("TimeSpan", 21),
    ("Version", 22),
];

const COLLECTION_CODES: &[(&str, i64)] = &[
    ("Array", 400),
    ("IList", 401),
    ("IDictionary", 402),
    ("IEnumerable", 403),
    ("SdsType", 501),
    ("SdsTypeProperty", 502),
    ("SdsStreamView", 503),
    ("SdsStreamViewProperty", 504),
    ("SdsStreamViewMap", 505),
    ("SdsStreamViewMapProperty", 506),
    ("SdsStreamViewMode", 507),
    ("SdsStream", 508),
    ("SdsStreamIndex", 509),
    ("SdsTable", 510),
    ("SdsColumn", 511),
    ("SdsObject", 512),
];

pub const INTERPOLATION_MODES: &[(&str, i64)] = &[
    ("Continuous", 0),
    ("Default", 0),
    ("StepwiseContinuousLeading", 1),
    ("StepwiseContinuousTrailing", 2),
    ("Discrete", 3),
    ("ContinuousNullableLeading", 4),
    ("ContinuousNullableTrailing", 5),
];

pub const EXTRAPOLATION_MODES: &[(&str, i64)] =
    &[("All", 0), ("None", 1), ("Forward", 2), ("Backward", 3)];

fn find(table: &[(&str, i64)], name: &str) -> Option<i64> {
    table
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, code)| *code)
}

fn all_codes() -> impl Iterator<Item = i64> {
    let base = TYPE_CODES.iter().map(|(_, c)| *c);
    let integral = 5..=12;
    base.clone()
        .filter(|c| *c >= 3)
        .map(|c| c + 100)
        .chain(base.clone().filter(|c| *c >= 3).map(|c| c + 200))
        .chain(integral.clone().map(|c| c + 600))
        .chain(integral.map(|c| c + 700))
        .chain(base)
        .chain(COLLECTION_CODES.iter().map(|(_, c)| *c))
}

/// An `SdsTypeCode` by number or name: a base name (`Double`), `Nullable…`, `…Array`,
/// `…Enum` / `Nullable…Enum` for the integral types, or a collection or SDS name.
pub fn type_code(value: &Value) -> Result<i64, ValidationError> {
    let invalid = || ValidationError::SdsBodyInvalid(format!("'{value}' is not an SdsTypeCode."));
    if let Some(code) = value.as_i64() {
        return all_codes()
            .any(|c| c == code)
            .then_some(code)
            .ok_or_else(invalid);
    }
    let name = value.as_str().ok_or_else(invalid)?;
    let integral = |code: i64| (5..=12).contains(&code);
    let lower = name.to_ascii_lowercase();
    let base = |n: &str| find(TYPE_CODES, n);
    if let Some(code) = find(TYPE_CODES, name).or_else(|| find(COLLECTION_CODES, name)) {
        return Ok(code);
    }
    if let Some(rest) = lower.strip_prefix("nullable") {
        if let Some(inner) = rest.strip_suffix("enum")
            && let Some(code) = base(inner).filter(|c| integral(*c))
        {
            return Ok(code + 700);
        }
        if let Some(code) = base(rest).filter(|c| *c >= 3) {
            return Ok(code + 100);
        }
    }
    if let Some(inner) = lower.strip_suffix("array")
        && let Some(code) = base(inner).filter(|c| *c >= 3)
    {
        return Ok(code + 200);
    }
    if let Some(inner) = lower.strip_suffix("enum")
        && let Some(code) = base(inner).filter(|c| integral(*c))
    {
        return Ok(code + 600);
    }
    Err(invalid())
}

/// An interpolation or extrapolation mode by number or name; `null` stays unset.
pub fn mode(
    field: &str,
    table: &[(&str, i64)],
    value: &Value,
) -> Result<Option<i64>, ValidationError> {
    let known = |code: i64| table.iter().any(|(_, c)| *c == code);
    match value {
        Value::Null => Ok(None),
        Value::Number(n) if n.as_i64().is_some_and(known) => Ok(n.as_i64()),
        Value::String(name) if find(table, name).is_some() => Ok(find(table, name)),
        other => Err(ValidationError::SdsBodyInvalid(format!(
            "'{other}' is not a valid {field}."
        ))),
    }
}

/// A JSON object whose property names are matched ignoring case.
pub struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    pub fn of(what: &str, value: &'a Value) -> Result<Self, ValidationError> {
        value.as_object().map(Self).ok_or_else(|| {
            ValidationError::SdsBodyInvalid(format!("The {what} must be a JSON object."))
        })
    }

    /// The property `name`, any case; `null` counts as absent.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
            .filter(|value| !value.is_null())
    }

    pub fn text(&self, name: &str) -> Result<Option<&'a str>, ValidationError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ValidationError::SdsBodyInvalid(format!(
                "{name} must be a string, not {other}."
            ))),
        }
    }

    pub fn flag(&self, name: &str) -> Result<bool, ValidationError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(ValidationError::SdsBodyInvalid(format!(
                "{name} must be true or false, not {other}."
            ))),
        }
    }

    pub fn integer(&self, name: &str) -> Result<i64, ValidationError> {
        match self.get(name) {
            None => Ok(0),
            Some(value) => value.as_i64().ok_or_else(|| {
                ValidationError::SdsBodyInvalid(format!("{name} must be an integer, not {value}."))
            }),
        }
    }

    /// An interpolation or extrapolation mode property, by number or name; unset when absent.
    pub fn mode(&self, name: &str, table: &[(&str, i64)]) -> Result<Option<i64>, ValidationError> {
        self.get(name)
            .map_or(Ok(None), |value| mode(name, table, value))
    }

    pub fn list(&self, name: &str) -> Result<&'a [Value], ValidationError> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(ValidationError::SdsBodyInvalid(format!(
                "{name} must be a list, not {other}."
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_codes_read_by_number_or_any_spelling_of_their_name() {
        for (value, code) in [
            (json!("Double"), 14),
            (json!("double"), 14),
            (json!(14), 14),
            (json!("NullableDouble"), 114),
            (json!("DoubleArray"), 214),
            (json!("Int32Enum"), 609),
            (json!("NullableInt32Enum"), 709),
            (json!("Object"), 1),
            (json!("SdsObject"), 512),
        ] {
            assert_eq!(type_code(&value).unwrap(), code, "{value}");
        }
        for bad in [json!("Triple"), json!(17), json!("DoubleEnum"), json!(true)] {
            assert!(type_code(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn modes_read_by_number_or_name_and_null_is_unset() {
        let read = |v| mode("ExtrapolationMode", EXTRAPOLATION_MODES, &v);
        assert_eq!(read(json!("none")).unwrap(), Some(1));
        assert_eq!(read(json!(3)).unwrap(), Some(3));
        assert_eq!(read(json!(null)).unwrap(), None);
        assert!(read(json!("Sideways")).is_err());
        assert!(read(json!(9)).is_err());
    }
}
