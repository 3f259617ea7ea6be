//! Tag definition and tag value bodies (the seed's `TagValue` and `CorrelationType`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::core::tags::{AppliedTag, CorrelationType, TagDefinition, TagPatch, TagValue};

/// The type of resource being correlated.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(example = "site")]
pub enum CorrelationTypeSchema {
    Site,
    User,
    Wan,
    Account,
    /// Data Hub's streams.
    #[serde(rename = "datahub.stream")]
    #[schema(rename = "datahub.stream")]
    Stream,
    /// Nova's servers.
    #[serde(rename = "openstack.server")]
    #[schema(rename = "openstack.server")]
    Server,
}

/// A tag definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    #[schema(example = "tag_01E8Z4Q6J7B6A5P4E3D2C1B0A9")]
    pub id: String,
    #[schema(example = "Region")]
    pub name: String,
    pub description: String,
    /// `#rrggbb`.
    #[schema(example = "#1e90ff")]
    pub color: String,
    pub applies_to: Vec<CorrelationTypeSchema>,
    /// The values it may take, or null for any value.
    pub allowed_values: Option<Vec<String>>,
    /// How many resources carry it (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_count: Option<i64>,
    /// The user or token that defined it on first use through Data Hub's stream tags; absent
    /// for a definition an admin made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_defined_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn schema_type(t: CorrelationType) -> CorrelationTypeSchema {
    match t {
        CorrelationType::Site => CorrelationTypeSchema::Site,
        CorrelationType::User => CorrelationTypeSchema::User,
        CorrelationType::Wan => CorrelationTypeSchema::Wan,
        CorrelationType::Account => CorrelationTypeSchema::Account,
        CorrelationType::Stream => CorrelationTypeSchema::Stream,
        CorrelationType::Server => CorrelationTypeSchema::Server,
    }
}

impl Tag {
    pub fn new(tag: TagDefinition, usage_count: Option<i64>) -> Self {
        Self {
            id: tag.id.to_string(),
            name: tag.name,
            description: tag.description,
            color: tag.colour.to_string(),
            applies_to: tag.applies_to.into_iter().map(schema_type).collect(),
            allowed_values: tag.allowed_values,
            usage_count,
            auto_defined_by: tag.auto_defined_by,
            created_at: tag.created_at,
            updated_at: tag.updated_at,
        }
    }
}

/// `POST /tags`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagCreate {
    #[schema(example = "Region")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `#rrggbb` (`colour` is accepted too).
    #[serde(alias = "colour")]
    #[schema(example = "#1e90ff")]
    pub color: String,
    #[schema(example = json!(["site", "wan"]))]
    pub applies_to: Vec<String>,
    /// Omit or null for free text.
    #[serde(default)]
    #[schema(example = json!(["APAC", "EMEA", "AMER"]))]
    pub allowed_values: Option<Vec<String>>,
}

/// Tells a field sent as `null` from one left out.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `PATCH /tags/{tagId}`: fields left out stay; `allowed_values: null` allows any value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(alias = "colour")]
    pub color: Option<String>,
    pub applies_to: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub allowed_values: Option<Option<Vec<String>>>,
}

impl From<TagUpdate> for TagPatch {
    fn from(u: TagUpdate) -> Self {
        Self {
            name: u.name,
            description: u.description,
            colour: u.color,
            applies_to: u.applies_to,
            allowed_values: u.allowed_values,
        }
    }
}

/// `POST`/`PUT /tags/{tagId}/values/{correlationId}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagValueWrite {
    #[schema(value_type = CorrelationTypeSchema)]
    pub correlation_type: String,
    /// The value for the tag on this resource.
    #[schema(example = "Decommissioned")]
    pub value: String,
}

/// A tag applied to a resource (the seed's `TagValue`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TagValueResponse {
    #[schema(example = "tag_01E8Z4Q6J7B6A5P4E3D2C1B0A9")]
    pub tag_id: String,
    #[schema(example = "site_9b52d930f4324c0abac04c12dff85544")]
    pub correlation_id: String,
    pub correlation_type: CorrelationTypeSchema,
    #[schema(example = "APAC")]
    pub value: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TagValue> for TagValueResponse {
    fn from(v: TagValue) -> Self {
        Self {
            tag_id: v.tag_id.to_string(),
            correlation_id: v.correlation_id.to_string(),
            correlation_type: schema_type(v.correlation_type),
            value: v.value,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A resource's tag: the `TagValue` with its tag's name and colour.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceTag {
    #[serde(flatten)]
    pub value: TagValueResponse,
    pub tag_name: String,
    pub color: String,
}

impl From<AppliedTag> for ResourceTag {
    fn from(t: AppliedTag) -> Self {
        Self {
            tag_name: t.tag_name,
            color: t.colour.to_string(),
            value: t.value.into(),
        }
    }
}

/// `GET /resources/{id}/tags`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceTags {
    pub data: Vec<ResourceTag>,
}
