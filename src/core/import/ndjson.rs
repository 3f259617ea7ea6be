//! An NDJSON import line: the native `POST /metadata` body (`resource_id`, `type`,
//! `metadata`), plus an optional `parent` and `"tags": {"Region": "APAC"}`. Values are typed
//! already; `null` removes a key, a tag or the parent.

use serde_json::{Map, Value};

use super::{Cell, ImportRow, RowError};

fn text_field(
    object: &Map<String, Value>,
    field: &str,
    line: u64,
) -> Result<Option<String>, RowError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(RowError::new(
            line,
            Some(field),
            "parameter_invalid",
            format!("'{field}' is a string."),
        )),
    }
}

/// The rows of an NDJSON file, read a line at a time from its bytes (`B`: a slice, or the
/// request's own buffer, so that a large file's rows are never all held).
pub struct NdjsonRows<B: AsRef<[u8]>> {
    bytes: B,
    at: usize,
    line: u64,
}

impl<B: AsRef<[u8]>> NdjsonRows<B> {
    pub fn new(bytes: B) -> Self {
        Self {
            bytes,
            at: 0,
            line: 0,
        }
    }
}

impl<B: AsRef<[u8]>> Iterator for NdjsonRows<B> {
    type Item = Result<ImportRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let all = self.bytes.as_ref();
            if self.at > all.len() || (self.at == all.len() && self.line > 0) {
                return None;
            }
            let rest = &all[self.at..];
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            self.at += end + 1;
            self.line += 1;
            let found = match std::str::from_utf8(&rest[..end]) {
                Ok(text) => row(text, self.line).transpose(),
                Err(_) => Some(Err(RowError::new(
                    self.line,
                    None,
                    "import_unreadable",
                    "The line is not UTF-8 text.",
                ))),
            };
            if found.is_some() {
                return found;
            }
        }
    }
}

/// One line of the file (`line` its number); blank lines are none.
pub fn row(text: &str, line: u64) -> Result<Option<ImportRow>, RowError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        RowError::new(
            line,
            None,
            "parameter_invalid",
            format!("The line is not JSON: {e}"),
        )
    })?;
    let Value::Object(object) = value else {
        return Err(RowError::new(
            line,
            None,
            "parameter_invalid",
            "Each line is a JSON object like a POST /metadata body.",
        ));
    };
    for field in object.keys() {
        if !matches!(
            field.as_str(),
            "resource_id" | "type" | "metadata" | "parent" | "tags"
        ) {
            return Err(RowError::new(
                line,
                Some(field),
                "parameter_invalid",
                format!(
                    "'{field}' is not a field an import line takes: resource_id, type, \
                     metadata, parent, tags."
                ),
            ));
        }
    }
    let mut meta = Vec::new();
    let mut name = None;
    match object.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                if key == "name" {
                    match value {
                        Value::String(s) => name = Some(s.clone()),
                        _ => {
                            return Err(RowError::new(
                                line,
                                Some("meta.name"),
                                "metadata_name_not_text",
                                "A resource's name is a string.",
                            ));
                        }
                    }
                    continue;
                }
                let cell = match value {
                    Value::Null => Cell::Remove,
                    other => Cell::Typed(other.clone()),
                };
                meta.push((key.clone(), None, cell));
            }
        }
        Some(_) => {
            return Err(RowError::new(
                line,
                Some("metadata"),
                "metadata_not_an_object",
                "'metadata' is an object of keys and values.",
            ));
        }
    }
    let mut tags = Vec::new();
    match object.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (tag, value) in entries {
                let cell = match value {
                    Value::Null => Cell::Remove,
                    Value::String(s) => Cell::Text(s.clone()),
                    _ => {
                        return Err(RowError::new(
                            line,
                            Some(&format!("tag:{tag}")),
                            "parameter_invalid",
                            "A tag's value is a string (null removes it).",
                        ));
                    }
                };
                tags.push((tag.clone(), cell));
            }
        }
        Some(_) => {
            return Err(RowError::new(
                line,
                Some("tags"),
                "parameter_invalid",
                "'tags' is an object of tag names and values.",
            ));
        }
    }
    let parent = match object.get("parent") {
        None => None,
        Some(Value::Null) => Some(Cell::Remove),
        Some(Value::String(s)) => Some(Cell::Text(s.clone())),
        Some(_) => {
            return Err(RowError::new(
                line,
                Some("parent"),
                "parameter_invalid",
                "'parent' is a resource id or a site's name (null: no parent).",
            ));
        }
    };
    Ok(Some(ImportRow {
        line,
        id: text_field(&object, "resource_id", line)?.filter(|s| !s.is_empty()),
        kind: text_field(&object, "type", line)?,
        name,
        parent,
        tags,
        meta,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_rows_are_read_a_line_at_a_time_with_their_numbers() {
        let file: &[u8] =
            b"{\"resource_id\": \"a\", \"type\": \"site\"}\n\n\xff\n{\"resource_id\": \"b\"}";
        let rows: Vec<_> = NdjsonRows::new(file).collect();
        assert_eq!(rows.len(), 3, "the blank line is nothing");
        assert_eq!(rows[0].as_ref().unwrap().id.as_deref(), Some("a"));
        assert_eq!(rows[1].as_ref().unwrap_err().line, 3);
        assert_eq!(rows[1].as_ref().unwrap_err().code, "import_unreadable");
        assert_eq!(rows[2].as_ref().unwrap().line, 4);
        assert_eq!(NdjsonRows::new(&b""[..]).count(), 0);
        assert_eq!(NdjsonRows::new(&b"\n\n"[..]).count(), 0);
    }

    #[test]
    fn a_line_is_a_metadata_body_with_parent_and_tags() {
        let line = json!({"resource_id": "d1", "type": "device", "parent": "HQ",
            "metadata": {"name": "sw-1", "rack_units": 2, "old": null},
            "tags": {"Region": "APAC", "Tier": null}})
        .to_string();
        let row = row(&line, 3).unwrap().unwrap();
        assert_eq!(row.line, 3);
        assert_eq!(row.id.as_deref(), Some("d1"));
        assert_eq!(row.name.as_deref(), Some("sw-1"));
        assert_eq!(row.parent, Some(Cell::Text("HQ".into())));
        assert!(
            row.meta
                .contains(&("rack_units".into(), None, Cell::Typed(json!(2))))
        );
        assert!(row.meta.contains(&("old".into(), None, Cell::Remove)));
        assert!(row.tags.contains(&("Tier".into(), Cell::Remove)));
        assert_eq!(super::row("   ", 4).unwrap(), None);
    }

    #[test]
    fn a_bad_line_names_its_line_and_field() {
        assert_eq!(row("{nope", 7).unwrap_err().line, 7);
        assert_eq!(row("[1]", 7).unwrap_err().code, "parameter_invalid");
        let unknown = row(r#"{"resource_id": "x", "colour": 1}"#, 2).unwrap_err();
        assert_eq!(unknown.column.as_deref(), Some("colour"));
        let tag = row(r#"{"tags": {"Region": 5}}"#, 2).unwrap_err();
        assert_eq!(tag.column.as_deref(), Some("tag:Region"));
    }
}
