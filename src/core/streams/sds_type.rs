//! An SdsType as stored: read from any spelling Data Hub accepts (property names in any case,
//! enums by name or number) into one canonical form, so that "the same type posted twice" is a
//! plain comparison and answers always carry numbers.

use serde_json::{Map, Value, json};

use super::SdsId;
use super::names::{EXTRAPOLATION_MODES, Fields, INTERPOLATION_MODES, type_code};
use crate::core::error::ValidationError;

/// How deep types may nest through their properties and base types: far beyond real models,
/// and a bound on the work (and the stack) one request can ask for.
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub struct SdsType {
    pub id: SdsId,
    /// The canonical definition: PascalCase names, numbers for enums, defaults left out,
    /// server-set dates dropped.
    pub definition: Value,
}

impl SdsType {
    /// The type a `POST Types/{id}` body defines; its `Id` must name the URL's type.
    pub fn parse(url_id: &SdsId, body: &Value) -> Result<Self, ValidationError> {
        let definition = canonical_type(body, 0, true)?;
        let body_id = definition
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !url_id.same_as(body_id) {
            return Err(ValidationError::SdsBodyInvalid(format!(
                "The type's Id '{body_id}' does not match the Id '{}' in the URL.",
                url_id.as_str()
            )));
        }
        Ok(Self {
            id: url_id.clone(),
            definition,
        })
    }

    /// A stored definition, as `parse` made it.
    pub fn stored(id: SdsId, definition: Value) -> Self {
        Self { id, definition }
    }

    /// The definition as Data Hub answers it: every non-nullable field present.
    pub fn to_json(&self, created: &str, modified: &str) -> Value {
        let mut out = json!({
            "Id": self.id.as_str(),
            "SdsTypeCode": 1,
            "IsGenericType": false,
            "IsReferenceType": false,
            "Properties": [],
            "InterpolationMode": 0,
            "ExtrapolationMode": 0,
        });
        if let (Some(out), Some(definition)) = (out.as_object_mut(), self.definition.as_object()) {
            for (key, value) in definition {
                if key != "Id" {
                    out.insert(key.clone(), value.clone());
                }
            }
            out.insert("CreatedDate".into(), created.into());
            out.insert("ModifiedDate".into(), modified.into());
        }
        out
    }

    /// Whether the type has a property a stream can be indexed by.
    pub fn has_key(&self) -> bool {
        self.definition["Properties"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["IsKey"] == Value::Bool(true)))
    }
}

fn too_deep() -> ValidationError {
    ValidationError::SdsBodyInvalid(format!("Types may nest at most {MAX_DEPTH} levels deep."))
}

fn canonical_type(value: &Value, depth: usize, top: bool) -> Result<Value, ValidationError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let fields = Fields::of("type", value)?;
    let mut out = Map::new();
    match fields.text("Id")? {
        Some(id) => {
            out.insert("Id".into(), SdsId::parse("type", id)?.as_str().into());
        }
        None if top => {
            return Err(ValidationError::SdsBodyInvalid(
                "A type needs an Id.".into(),
            ));
        }
        None => {}
    }
    for name in ["Name", "Description"] {
        if let Some(text) = fields.text(name)? {
            out.insert(name.into(), text.into());
        }
    }
    match fields.get("SdsTypeCode") {
        Some(code) => {
            out.insert("SdsTypeCode".into(), type_code(code)?.into());
        }
        None if top => {
            return Err(ValidationError::SdsBodyInvalid(
                "A type needs an SdsTypeCode.".into(),
            ));
        }
        None => {}
    }
    for flag in ["IsGenericType", "IsReferenceType"] {
        if fields.flag(flag)? {
            out.insert(flag.into(), true.into());
        }
    }
    for kept in ["GenericArguments", "DerivedTypes"] {
        if let Some(value) = fields.get(kept) {
            out.insert(kept.into(), value.clone());
        }
    }
    let properties = fields
        .list("Properties")?
        .iter()
        .map(|p| canonical_property(p, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    if !properties.is_empty() {
        out.insert("Properties".into(), properties.into());
    }
    if let Some(base) = fields.get("BaseType") {
        out.insert("BaseType".into(), canonical_type(base, depth + 1, false)?);
    }
    let modes = [
        ("InterpolationMode", INTERPOLATION_MODES),
        ("ExtrapolationMode", EXTRAPOLATION_MODES),
    ];
    for (field, table) in modes {
        if let Some(code) = fields.mode(field, table)?.filter(|c| *c != 0) {
            out.insert(field.into(), code.into());
        }
    }
    Ok(Value::Object(out))
}

fn canonical_property(value: &Value, depth: usize) -> Result<Value, ValidationError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let fields = Fields::of("type property", value)?;
    let id = fields
        .text("Id")?
        .ok_or_else(|| ValidationError::SdsBodyInvalid("A type property needs an Id.".into()))?;
    let mut out = Map::new();
    out.insert(
        "Id".into(),
        SdsId::parse("type property", id)?.as_str().into(),
    );
    for name in ["Name", "Description", "Uom"] {
        if let Some(text) = fields.text(name)? {
            out.insert(name.into(), text.into());
        }
    }
    for number in ["Order", "FixedSize"] {
        let n = fields.integer(number)?;
        if n != 0 {
            out.insert(number.into(), n.into());
        }
    }
    for flag in ["IsKey", "IsQuality"] {
        if fields.flag(flag)? {
            out.insert(flag.into(), true.into());
        }
    }
    if let Some(value) = fields.get("Value") {
        out.insert("Value".into(), value.clone());
    }
    if let Some(kind) = fields.get("SdsType") {
        out.insert("SdsType".into(), canonical_type(kind, depth + 1, false)?);
    }
    if let Some(code) = fields.mode("InterpolationMode", INTERPOLATION_MODES)? {
        out.insert("InterpolationMode".into(), code.into());
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(raw: &str) -> SdsId {
        SdsId::parse("type", raw).unwrap()
    }

    #[test]
    fn the_same_type_in_two_spellings_is_one_definition() {
        let by_name = json!({"Id": "TestType", "SdsTypeCode": "Object", "Properties": [
            {"Id": "Tan", "IsKey": true, "SdsType": {"Id": "doubleType", "SdsTypeCode": "Double", "Properties": []}}
        ]});
        let by_number = json!({"id": "testtype", "sdsTypeCode": 1, "IsGenericType": false,
            "InterpolationMode": "Continuous", "Properties": [
            {"Id": "Tan", "IsKey": true, "Order": 0, "SdsType": {"Id": "doubleType", "SdsTypeCode": 14}}
        ], "CreatedDate": "2020-01-01T00:00:00Z"});
        let a = SdsType::parse(&id("TestType"), &by_name).unwrap();
        let b = SdsType::parse(&id("TestType"), &by_number).unwrap();
        assert_eq!(
            a.definition,
            json!({"Id": "TestType", "SdsTypeCode": 1, "Properties": [
                {"Id": "Tan", "IsKey": true, "SdsType": {"Id": "doubleType", "SdsTypeCode": 14}}
            ]})
        );
        assert_ne!(a.definition, b.definition, "the Id keeps its case as given");
        assert_eq!(a.definition["Properties"], b.definition["Properties"]);
        assert!(a.has_key());
        let answer = a.to_json("c", "m");
        assert_eq!(answer["ExtrapolationMode"], 0);
        assert_eq!(answer["ModifiedDate"], "m");
    }

    #[test]
    fn a_type_must_name_its_url_and_its_code_and_not_nest_without_end() {
        assert!(SdsType::parse(&id("A"), &json!({"Id": "B", "SdsTypeCode": 1})).is_err());
        assert!(SdsType::parse(&id("A"), &json!({"Id": "A"})).is_err());
        assert!(SdsType::parse(&id("A"), &json!({"Id": "A", "SdsTypeCode": "Nope"})).is_err());
        let mut nested = json!({"Id": "leaf", "SdsTypeCode": 14});
        for _ in 0..40 {
            nested = json!({"Id": "n", "SdsTypeCode": 1, "BaseType": nested});
        }
        nested["Id"] = "A".into();
        assert!(SdsType::parse(&id("A"), &nested).is_err());
    }
}
