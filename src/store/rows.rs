//! The stored rows the store reads, and their decoding into core types. A failure to decode
//! means the database holds what this code never wrote, so it is a storage error.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::core::CoreError;
use crate::core::access::CreatorType;
use crate::core::metadata::{MetaKey, MetaValue, MetadataEntry};
use crate::core::resources::{Resource, ResourceId, ResourceName, ResourceType};
use crate::core::tags::{Colour, CorrelationType, TagDefinition, TagId};

/// A resource as stored, with what the rules need beside it (its key and its site).
/// Also read from a JSON array of the columns in this order (see [`resource_with_keys_json`]).
#[derive(FromRow, serde::Deserialize, Clone)]
pub(in crate::store) struct ResourceRow {
    pub(in crate::store) pk: i64,
    pub(in crate::store) id: String,
    #[sqlx(rename = "type")]
    pub(in crate::store) kind: String,
    pub(in crate::store) name: String,
    pub(in crate::store) parent_id: Option<String>,
    /// The nearest site above the resource (see [`site_above`]).
    pub(in crate::store) site_above: Option<String>,
    pub(in crate::store) version: i64,
    #[serde(deserialize_with = "time_from_rfc3339")]
    pub(in crate::store) created_at: DateTime<Utc>,
    #[serde(deserialize_with = "time_from_rfc3339")]
    pub(in crate::store) updated_at: DateTime<Utc>,
}

impl ResourceRow {
    pub(in crate::store) fn id(&self) -> &str {
        &self.id
    }

    pub(in crate::store) fn kind(&self) -> &str {
        &self.kind
    }

    pub(in crate::store) fn name(&self) -> &str {
        &self.name
    }

    /// The site whose grants cover this resource (see [`Resource::governing_site`]).
    pub(in crate::store) fn site(&self) -> Option<ResourceId> {
        Resource::governing_site(&self.kind, &self.id, self.site_above.as_deref())
    }

    /// The row as a write that bumps its version (and maybe renames it) leaves it.
    pub(in crate::store) fn touched(
        &self,
        rename: Option<&ResourceName>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            name: rename.map_or_else(|| self.name.clone(), |n| n.as_str().to_owned()),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        }
    }

    pub(in crate::store) fn clone_resource(&self) -> Result<Resource, CoreError> {
        Ok(Resource {
            id: ResourceId::from_path(self.id.clone()),
            kind: ResourceType::parse(&self.kind).map_err(|e| CoreError::Storage(e.to_string()))?,
            name: self.name.clone(),
            parent: self.parent_id.clone().map(ResourceId::from_path),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    pub(in crate::store) fn into_resource(self) -> Result<Resource, CoreError> {
        Ok(Resource {
            id: ResourceId::from_path(self.id),
            // Only parsed types are ever written, so a bad one here means a damaged database.
            kind: ResourceType::parse(&self.kind).map_err(|e| CoreError::Storage(e.to_string()))?,
            name: self.name,
            parent: self.parent_id.map(ResourceId::from_path),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The SQL of the nearest site above a resource `r` whose parent is `p`: the parent when it is
/// a site, else the first site up the parent's chain (at most [`MAX_DEPTH`] deep), else NULL.
/// Most resources sit directly under a site or under nothing, and `CASE` stops there, so the
/// chain is walked only for what nests deeper (a port under a device under a site).
///
/// [`MAX_DEPTH`]: crate::core::resources::MAX_DEPTH
macro_rules! site_above {
    () => {
        "CASE WHEN p.type = 'site' THEN p.id WHEN p.parent_pk IS NULL THEN NULL ELSE \
           (WITH RECURSIVE up (pk, depth) AS (SELECT p.parent_pk, 2 UNION ALL \
              SELECT x.parent_pk, up.depth + 1 FROM up JOIN resources x ON x.pk = up.pk \
              WHERE x.type <> 'site' AND x.parent_pk IS NOT NULL AND up.depth < 32) \
            SELECT s.id FROM up JOIN resources s ON s.pk = up.pk WHERE s.type = 'site' LIMIT 1) \
         END"
    };
}
pub(in crate::store) use site_above;

/// Keeps each query a `&'static str` (what sqlx accepts without an escape hatch) while the
/// column list is written once.
macro_rules! select_resources {
    ($($tail:tt)+) => {
        concat!(
            "SELECT r.pk, r.id, r.type, r.name, p.id AS parent_id, ",
            $crate::store::rows::site_above!(),
            " AS site_above, r.version, r.created_at, r.updated_at \
             FROM resources r LEFT JOIN resources p ON p.pk = r.parent_pk ",
            $($tail)+
        )
    };
}
pub(in crate::store) use select_resources;

/// One key's row, read from a JSON array of the columns in this order (see
/// [`resource_with_keys_json`]), where a float comes as SQLite's `quote()` text, which reads
/// back as the very same number (JSON's own rendering of a float keeps only 15 digits).
#[derive(serde::Deserialize)]
pub(in crate::store) struct EntryRow {
    key: String,
    value_type: String,
    text_value: Option<String>,
    int_value: Option<i64>,
    #[serde(deserialize_with = "float_from_quoted")]
    real_value: Option<f64>,
    revision: i64,
    #[serde(deserialize_with = "time_from_rfc3339")]
    changed_at: DateTime<Utc>,
    changed_by: String,
    creator_type: String,
}

fn float_from_quoted<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    let quoted: Option<&str> = serde::Deserialize::deserialize(deserializer)?;
    quoted
        .map(|text| text.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// Times are stored as RFC 3339, which chrono's strict parser reads in a fraction of the
/// instructions of its serde default (a general pattern matcher that also takes a space for
/// the `T`). Anything else falls back to that default, so whatever read before still reads.
pub(in crate::store) fn time_from_rfc3339<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    struct Rfc3339;
    impl serde::de::Visitor<'_> for Rfc3339 {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 time")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            DateTime::parse_from_rfc3339(text)
                .or_else(|_| text.parse())
                .map(|time| time.with_timezone(&Utc))
                .map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Rfc3339)
}

/// A key's value as a row stores it: its type, and the one of the text, integer (booleans
/// too, as 0 or 1) or float that type reads; `None` when they do not agree (a damaged row).
pub(in crate::store) fn stored_value(
    value_type: &str,
    text: Option<String>,
    int: Option<i64>,
    real: Option<f64>,
) -> Option<MetaValue> {
    Some(match (value_type, text, int, real) {
        ("string", Some(s), _, _) => MetaValue::Text(s),
        ("integer", _, Some(i), _) => MetaValue::Integer(i),
        ("boolean", _, Some(i), _) => MetaValue::Bool(i != 0),
        ("float", _, _, Some(f)) => MetaValue::Float(f),
        _ => return None,
    })
}

impl EntryRow {
    pub(in crate::store) fn into_entry(self) -> Result<MetadataEntry, CoreError> {
        let damaged = || CoreError::Storage(format!("damaged metadata row for key {:?}", self.key));
        let value = stored_value(
            &self.value_type,
            self.text_value,
            self.int_value,
            self.real_value,
        )
        .ok_or_else(damaged)?;
        Ok(MetadataEntry {
            key: MetaKey::parse(&self.key).map_err(|_| damaged())?,
            value,
            revision: self.revision,
            changed_at: self.changed_at,
            changed_by: self.changed_by,
            creator_type: CreatorType::parse(&self.creator_type).ok_or_else(damaged)?,
        })
    }
}

/// The SQL of one resource (`r`, with its parent `p`) and all its keys as a single JSON value:
/// `[tenant, [resource columns], [[key columns], …]]`, in the column orders [`ResourceRow`]
/// and [`EntryRow`] read. One value instead of one row per key, because sqlx copies every
/// value of every row out of SQLite and frees it again: with rows repeating the resource's
/// columns for each key, that copying was most of a read's time. Keys come in no promised
/// order; [`LoadedRecord::into_parts`] sorts them.
///
/// The outer array is joined as text from JSON that SQLite's functions made, instead of by
/// `json_array`: a subquery's JSON reaches the outer query as plain text, so `json_array`
/// would need it wrapped in `json(…)`, which parses it again: a twentieth of a metadata
/// write's instructions.
macro_rules! resource_with_keys_json {
    () => {
        concat!(
            "'[' || json_quote(r.tenant_id) || ',' || \
             json_array(r.pk, r.id, r.type, r.name, p.id, ",
            $crate::store::rows::site_above!(),
            ", r.version, r.created_at, r.updated_at) || ',' || \
           (SELECT json_group_array(json_array(m.key, m.value_type, \
               CASE WHEN m.value_type = 'string' THEN m.value END, \
               CASE WHEN m.value_type = 'integer' OR m.value_type = 'boolean' THEN m.value END, \
               CASE WHEN m.value_type = 'float' THEN quote(m.value) END, \
               m.revision, m.changed_at, m.changed_by, m.creator_type)) \
             FROM metadata m WHERE m.resource_pk = r.pk) || ']'"
        )
    };
}
pub(in crate::store) use resource_with_keys_json;

/// One resource of a tenant with its keys, as [`resource_with_keys_json`] renders it.
#[derive(serde::Deserialize)]
pub(in crate::store) struct LoadedRecord(String, ResourceRow, Vec<EntryRow>);

impl LoadedRecord {
    /// The tenant, the resource, and its entries in key order.
    pub(in crate::store) fn into_parts(
        self,
    ) -> Result<(String, ResourceRow, Vec<MetadataEntry>), CoreError> {
        let Self(tenant, row, entries) = self;
        let mut entries = entries
            .into_iter()
            .map(EntryRow::into_entry)
            .collect::<Result<Vec<_>, _>>()?;
        entries.sort_unstable_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
        Ok((tenant, row, entries))
    }
}

/// Reads what SQLite rendered as JSON; a failure means the stored data is not what this code
/// wrote, so it is a storage error.
pub(in crate::store) fn from_json<T: serde::de::DeserializeOwned>(
    json: &str,
) -> Result<T, CoreError> {
    serde_json::from_str(json)
        .map_err(|e| CoreError::Storage(format!("cannot read the loaded metadata: {e}")))
}

#[derive(FromRow)]
pub(in crate::store) struct TagRow {
    pub(in crate::store) pk: i64,
    pub(in crate::store) id: String,
    pub(in crate::store) name: String,
    pub(in crate::store) description: String,
    pub(in crate::store) colour: String,
    pub(in crate::store) applies_to: String,
    pub(in crate::store) allowed_values: Option<String>,
    pub(in crate::store) auto_defined_by: Option<String>,
    pub(in crate::store) version: i64,
    pub(in crate::store) created_at: DateTime<Utc>,
    pub(in crate::store) updated_at: DateTime<Utc>,
}

impl TagRow {
    pub(in crate::store) fn into_definition(self) -> Result<TagDefinition, CoreError> {
        let damaged =
            |e: &dyn std::fmt::Display| CoreError::Storage(format!("damaged tag {}: {e}", self.id));
        let applies_to: Vec<CorrelationType> =
            serde_json::from_str(&self.applies_to).map_err(|e| damaged(&e))?;
        let allowed_values: Option<Vec<String>> = self
            .allowed_values
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| damaged(&e))?;
        let colour = Colour::parse(&self.colour).map_err(|e| damaged(&e))?;
        Ok(TagDefinition {
            id: TagId::from_path(self.id),
            name: self.name,
            description: self.description,
            colour,
            applies_to,
            allowed_values,
            auto_defined_by: self.auto_defined_by,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The loaded times take the strict RFC 3339 path, and the relaxed forms the serde default
    /// read (a space for the `T`, a `Z`) still read, to the same instant.
    #[test]
    fn loaded_times_read_strict_rfc3339_and_the_relaxed_forms() {
        #[derive(serde::Deserialize)]
        struct Time(#[serde(deserialize_with = "time_from_rfc3339")] DateTime<Utc>);
        let read = |text: &str| {
            serde_json::from_value::<Time>(json!(text))
                .map(|t| t.0)
                .map_err(|e| e.to_string())
        };
        let stored = read("2026-11-22T10:11:12.123456789+00:00").unwrap();
        assert_eq!(
            stored.timestamp_nanos_opt(),
            Some(1_795_342_272_123_456_789)
        );
        assert_eq!(read("2026-11-22 10:11:12.123456789Z").unwrap(), stored);
        assert_eq!(read("2026-11-22T12:11:12.123456789+02:00").unwrap(), stored);
        assert!(read("yesterday").is_err());
    }
}
