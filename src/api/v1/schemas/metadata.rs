//! Metadata bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::core::changes::ChangeRecord;
use crate::core::metadata::{MetadataEntry, MetadataRecord};

/// `POST /metadata`: the resource and the whole dictionary to store for it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MetadataCreate {
    /// The resource's id: a UUID, or a Sitebook id such as `site_…`.
    #[schema(example = "9b52d930-f432-4c0a-bac0-4c12dff85544")]
    pub resource_id: String,
    /// The resource's type: lowercase words joined by dots.
    #[serde(rename = "type")]
    #[schema(example = "mikrotik.device")]
    pub kind: String,
    /// The key-value data. A `name` key is required when creating new metadata.
    #[schema(value_type = Object, example = json!({"name": "Main Office Router", "location": "Level 5, Server Room A"}))]
    pub metadata: Value,
}

/// A resource's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetadataResponse {
    #[schema(example = "9b52d930-f432-4c0a-bac0-4c12dff85544")]
    pub resource_id: String,
    #[serde(rename = "type")]
    #[schema(example = "mikrotik.device")]
    pub kind: String,
    /// Keys and values: strings, numbers or booleans.
    #[schema(value_type = Object, example = json!({"circuit_id": "AS12345-XYZ", "is_critical": true, "rack_units": 2}))]
    pub metadata: Value,
}

/// What is sent for a [`MetadataResponse`]: the same fields, written straight from the record
/// (no intermediate copies or JSON tree), because it answers the most frequent request.
pub struct MetadataBody<'a>(pub &'a MetadataRecord);

impl Serialize for MetadataBody<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};

        struct Entries<'a>(&'a MetadataRecord);
        impl Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.entries.len()))?;
                for entry in &self.0.entries {
                    map.serialize_entry(entry.key.as_str(), &entry.value)?;
                }
                map.end()
            }
        }

        let record = self.0;
        let mut body = serializer.serialize_struct("MetadataResponse", 3)?;
        body.serialize_field("resource_id", record.resource.id.as_str())?;
        body.serialize_field("type", record.resource.kind.as_str())?;
        body.serialize_field("metadata", &Entries(record))?;
        body.end()
    }
}

/// `PUT /metadata/{resource_id}/{key}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MetadataValueBody {
    /// A string, a finite number or a boolean.
    #[schema(value_type = Object, example = json!("AS12345-XYZ"))]
    pub value: Value,
}

/// One key with who changed it last and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetadataKeyResponse {
    pub resource_id: String,
    pub key: String,
    #[schema(value_type = Object, example = json!(2))]
    pub value: Value,
    /// `string`, `number` or `boolean`.
    pub value_type: &'static str,
    pub changed_at: DateTime<Utc>,
    /// The user or token id that made the last change.
    pub changed_by: String,
    /// `user`, `client` or `rule`.
    pub creator_type: &'static str,
}

impl MetadataKeyResponse {
    pub fn new(resource_id: &str, entry: &MetadataEntry) -> Self {
        Self {
            resource_id: resource_id.to_owned(),
            key: entry.key.to_string(),
            value: entry.value.to_json(),
            value_type: entry.value.type_name(),
            changed_at: entry.changed_at,
            changed_by: entry.changed_by.clone(),
            creator_type: entry.creator_type.as_str(),
        }
    }
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeResponse {
    /// Increases with every change; pass the last one seen as `after` to read on.
    pub seq: i64,
    pub resource_id: String,
    pub actor_id: String,
    pub actor_type: String,
    #[schema(example = "metadata.set")]
    pub action: String,
    #[schema(example = "rack_units")]
    pub subject: String,
    #[schema(value_type = Object)]
    pub old: Option<Value>,
    #[schema(value_type = Object)]
    pub new: Option<Value>,
    pub request_id: Option<String>,
    /// The change set the change belongs to (`GET /change-sets/{id}`).
    pub change_set: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<ChangeRecord> for ChangeResponse {
    fn from(c: ChangeRecord) -> Self {
        Self {
            seq: c.seq,
            resource_id: c.resource_id,
            actor_id: c.actor_id,
            actor_type: c.actor_type,
            action: c.action.as_str().to_owned(),
            subject: c.subject,
            old: c.old,
            new: c.new,
            request_id: c.request_id,
            change_set: c.change_set,
            at: c.at,
        }
    }
}

/// A page of changes, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    pub data: Vec<ChangeResponse>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// `GET /metadata/{resource_id}/changes` paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Only changes after this `seq` (0 or absent: from the start).
    #[serde(default)]
    pub after: i64,
    /// At most this many (1 to 1000; default 100).
    pub limit: Option<u32>,
}
