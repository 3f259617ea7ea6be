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

/// The largest definition kept, as stored (canonical JSON). Far above real types (the
/// library's sample types are under 1 KiB); a bound on what every later read and list of the
/// namespace's types must carry, since a type's free-form parts (`GenericArguments`,
/// `DerivedTypes`, a property's `Value`) are kept as sent.
pub const MAX_DEFINITION_BYTES: usize = 32 * 1024;

/// What a type answer holds when its definition leaves a field out.
const ANSWER_DEFAULTS: [(&str, &str); 6] = [
    ("SdsTypeCode", "1"),
    ("IsGenericType", "false"),
    ("IsReferenceType", "false"),
    ("Properties", "[]"),
    ("InterpolationMode", "0"),
    ("ExtrapolationMode", "0"),
];

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
        let size = definition.to_string().len();
        if size > MAX_DEFINITION_BYTES {
            return Err(ValidationError::SdsBodyInvalid(format!(
                "A type's definition may be at most {MAX_DEFINITION_BYTES} bytes as stored; \
                 this one is {size}."
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

    /// The answer [`SdsType::to_json`] makes, written from a stored definition's text without
    /// building it as a value: only its top-level fields are read, each kept as the raw text
    /// it is, so listing a namespace's types costs about their stored size (parsing every
    /// definition whole once cost sixteen times that).
    pub fn answer_from_stored(
        id: &SdsId,
        stored: &str,
        created: &str,
        modified: &str,
    ) -> Result<String, serde_json::Error> {
        use std::collections::BTreeMap;
        let fields: BTreeMap<String, &serde_json::value::RawValue> = serde_json::from_str(stored)?;
        let quoted = |text: &str| Value::from(text).to_string();
        let (id, created, modified) = (quoted(id.as_str()), quoted(created), quoted(modified));
        // Sorted by name, as the answer built as a value is (serde_json's map is ordered).
        let mut answer: BTreeMap<&str, &str> = ANSWER_DEFAULTS.into_iter().collect();
        for (name, raw) in &fields {
            answer.insert(name, raw.get());
        }
        answer.insert("Id", &id);
        answer.insert("CreatedDate", &created);
        answer.insert("ModifiedDate", &modified);
        let mut text = String::with_capacity(stored.len() + 256);
        text.push('{');
        for (n, (name, raw)) in answer.into_iter().enumerate() {
            if n > 0 {
                text.push(',');
            }
            text.push_str(&quoted(name));
            text.push(':');
            text.push_str(raw);
        }
        text.push('}');
        Ok(text)
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
        // Written from the stored text, the answer is the same, byte for byte.
        let stored = a.definition.to_string();
        let written = SdsType::answer_from_stored(&a.id, &stored, "c", "m").unwrap();
        assert_eq!(written, answer.to_string());
        let mut generic = a.clone();
        generic.definition["IsGenericType"] = true.into();
        generic.definition["GenericArguments"] = json!([{"Id": "x", "SdsTypeCode": 3}]);
        let stored = generic.definition.to_string();
        assert_eq!(
            SdsType::answer_from_stored(&a.id, &stored, "c", "m").unwrap(),
            generic.to_json("c", "m").to_string()
        );
    }

    /// Used to: a type could carry any JSON of any size in its free-form parts, and every
    /// list of types parsed every one (20 planted types made one list cost 1.2 GB).
    #[test]
    fn a_definition_is_bounded_in_size() {
        let big = "x".repeat(MAX_DEFINITION_BYTES);
        let body = json!({"Id": "A", "SdsTypeCode": 1, "DerivedTypes": [big]});
        assert!(matches!(
            SdsType::parse(&id("A"), &body),
            Err(ValidationError::SdsBodyInvalid(m)) if m.contains("at most")
        ));
        let fits = json!({"Id": "A", "SdsTypeCode": 1, "DerivedTypes": ["x".repeat(1000)]});
        assert!(SdsType::parse(&id("A"), &fits).is_ok());
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
