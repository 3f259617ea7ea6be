//! An SdsStream's own properties, read from any spelling Data Hub accepts.

use serde_json::{Map, Value};

use super::SdsId;
use super::names::{EXTRAPOLATION_MODES, Fields, INTERPOLATION_MODES};
use crate::core::error::ValidationError;
use crate::core::resources::ResourceName;

#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub id: SdsId,
    pub name: Option<String>,
    pub description: Option<String>,
    pub type_id: SdsId,
    /// `Indexes`, `InterpolationMode`, `ExtrapolationMode` and `PropertyOverrides`, canonical
    /// (PascalCase, modes as numbers, unset ones left out).
    pub settings: Value,
}

impl Stream {
    /// The stream a `POST`/`PUT Streams/{id}` body describes; its `Id` must name the URL's.
    pub fn parse(url_id: &SdsId, body: &Value) -> Result<Self, ValidationError> {
        let fields = Fields::of("stream", body)?;
        let body_id = fields.text("Id")?.unwrap_or(url_id.as_str());
        if !url_id.same_as(body_id) {
            return Err(ValidationError::SdsBodyInvalid(format!(
                "The stream's Id '{body_id}' does not match the Id '{}' in the URL.",
                url_id.as_str()
            )));
        }
        let type_id = fields
            .text("TypeId")?
            .ok_or_else(|| ValidationError::SdsBodyInvalid("A stream needs a TypeId.".into()))?;
        let mut settings = Map::new();
        let indexes = fields
            .list("Indexes")?
            .iter()
            .map(|index| {
                property_reference(index).map(|id| serde_json::json!({"SdsTypePropertyId": id}))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !indexes.is_empty() {
            settings.insert("Indexes".into(), indexes.into());
        }
        let modes = [
            ("InterpolationMode", INTERPOLATION_MODES),
            ("ExtrapolationMode", EXTRAPOLATION_MODES),
        ];
        for (field, table) in modes {
            if let Some(code) = fields.mode(field, table)? {
                settings.insert(field.into(), code.into());
            }
        }
        let overrides = fields
            .list("PropertyOverrides")?
            .iter()
            .map(property_override)
            .collect::<Result<Vec<_>, _>>()?;
        if !overrides.is_empty() {
            settings.insert("PropertyOverrides".into(), overrides.into());
        }
        let stream = Self {
            id: url_id.clone(),
            name: fields.text("Name")?.map(str::to_owned),
            description: fields.text("Description")?.map(str::to_owned),
            type_id: SdsId::parse("type", type_id)?,
            settings: Value::Object(settings),
        };
        stream.resource_name()?;
        Ok(stream)
    }

    /// The name the stream goes by in Sitebook: its `Name`, or its `Id` without one.
    pub fn resource_name(&self) -> Result<ResourceName, ValidationError> {
        ResourceName::parse(self.name.as_deref().unwrap_or(self.id.as_str()))
    }

    /// The stream as Data Hub answers it (null and unset fields left out, as its default
    /// non-verbose answers do).
    pub fn to_json(&self, created: &str, modified: &str) -> Value {
        let mut out = Map::new();
        out.insert("Id".into(), self.id.as_str().into());
        if let Some(name) = &self.name {
            out.insert("Name".into(), name.as_str().into());
        }
        if let Some(description) = &self.description {
            out.insert("Description".into(), description.as_str().into());
        }
        out.insert("TypeId".into(), self.type_id.as_str().into());
        if let Some(settings) = self.settings.as_object() {
            out.extend(settings.clone());
        }
        out.insert("CreatedDate".into(), created.into());
        out.insert("ModifiedDate".into(), modified.into());
        Value::Object(out)
    }

    /// Whether a `POST` of `other` asks for this same stream (Data Hub answers it with the
    /// stream; a different one conflicts).
    pub fn same_as(&self, other: &Stream) -> bool {
        self.id.same_as(other.id.as_str())
            && self.type_id.same_as(other.type_id.as_str())
            && self.name == other.name
            && self.description == other.description
            && self.settings == other.settings
    }
}

fn property_reference(value: &Value) -> Result<String, ValidationError> {
    let fields = Fields::of("index", value)?;
    let id = fields.text("SdsTypePropertyId")?.ok_or_else(|| {
        ValidationError::SdsBodyInvalid("An index needs an SdsTypePropertyId.".into())
    })?;
    Ok(SdsId::parse("type property", id)?.as_str().to_owned())
}

fn property_override(value: &Value) -> Result<Value, ValidationError> {
    let fields = Fields::of("property override", value)?;
    let mut out = Map::new();
    out.insert(
        "SdsTypePropertyId".into(),
        property_reference(value)?.into(),
    );
    if let Some(uom) = fields.text("Uom")? {
        out.insert("Uom".into(), uom.into());
    }
    if let Some(code) = fields.mode("InterpolationMode", INTERPOLATION_MODES)? {
        out.insert("InterpolationMode".into(), code.into());
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(raw: &str) -> SdsId {
        SdsId::parse("stream", raw).unwrap()
    }

    #[test]
    fn a_stream_reads_names_in_any_case_and_modes_as_numbers() {
        let stream = Stream::parse(
            &id("Tank1"),
            &json!({"id": "tank1", "typeId": "Simple", "name": "Tank 1", "InterpolationMode": "Discrete",
                    "ExtrapolationMode": "none", "PropertyOverrides": [{"SdsTypePropertyId": "V", "Uom": "m", "InterpolationMode": 1}]}),
        )
        .unwrap();
        assert_eq!(stream.resource_name().unwrap().as_str(), "Tank 1");
        let answer = stream.to_json("c", "m");
        assert_eq!(answer["Id"], "Tank1");
        assert_eq!(answer["InterpolationMode"], 3);
        assert_eq!(answer["ExtrapolationMode"], 1);
        assert_eq!(answer["PropertyOverrides"][0]["InterpolationMode"], 1);
        assert!(answer.get("Description").is_none());
        let again = Stream::parse(&id("Tank1"), &json!({"Id": "Tank1", "TypeId": "simple", "Name": "Tank 1",
            "InterpolationMode": 3, "ExtrapolationMode": 1,
            "PropertyOverrides": [{"SdsTypePropertyId": "V", "Uom": "m", "InterpolationMode": "StepwiseContinuousLeading"}]}))
        .unwrap();
        assert!(stream.same_as(&again));
    }

    #[test]
    fn a_stream_needs_its_urls_id_and_a_type() {
        assert!(Stream::parse(&id("A"), &json!({"Id": "B", "TypeId": "T"})).is_err());
        assert!(Stream::parse(&id("A"), &json!({"Id": "A"})).is_err());
        assert!(
            Stream::parse(
                &id("A"),
                &json!({"Id": "A", "TypeId": "T", "InterpolationMode": "Wobbly"})
            )
            .is_err()
        );
        assert_eq!(
            Stream::parse(&id("A"), &json!({"TypeId": "T"}))
                .unwrap()
                .resource_name()
                .unwrap()
                .as_str(),
            "A"
        );
    }
}
