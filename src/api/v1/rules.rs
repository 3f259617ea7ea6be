//! The rules the handlers and the core enforce, written into the generated OpenAPI document
//! from the same constants, so a client (or schemathesis) generated from the document sends
//! what the server accepts and expects every status the server answers with.
//!
//! Done on the finished document rather than field by field in the derive attributes, because
//! most rules apply to many places at once (every `If-Match`, every `limit`, every name) and
//! utoipa's attributes take literals, not the core's constants.

use serde_json::{Map, Value, json};

use super::schemas::MAX_PAGE;
use crate::core::files::FileKind;
use crate::core::metadata::{JsonPatch, MetaKey, MetaValue, MetadataLimits};
use crate::core::resources::{ResourceId, ResourceName, ResourceType};
use crate::core::tags::{
    CorrelationType, MAX_ALLOWED_VALUES, MAX_DESCRIPTION_CHARS, MAX_TAG_NAME_CHARS, TagValueText,
};

/// The operations Altostrat's own document describes. It documents only 200, 400 and 500 for
/// them, so clients generated from it understand nothing else: there, every refusal of the
/// request's content is a 400, its precise `code` in the body.
pub const ALTOSTRAT_OPERATIONS: [&str; 2] = ["createMetadata", "updateTagOnResource"];

/// `char::is_control` (Unicode's Cc), as a regex character-class body.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// What `str::trim` removes (Unicode's White_Space), as a regex character-class body.
const WHITE_SPACE: &str = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// `If-Match` as `etag::expected` reads it: `*`, one quoted version, or empty (no tag, so never
/// met). Eighteen digits always fit an `i64`.
const IF_MATCH_PATTERN: &str = r#"^(\*|"[+-]?[0-9]{1,18}")?$"#;

/// Text that is trimmed and then must be 1 to `max` characters without control characters:
/// resource, site and tag names, tag values.
fn trimmed_text(max: usize) -> Value {
    let (w, c) = (WHITE_SPACE, CONTROL);
    json!({
        "type": "string",
        "pattern": format!("^[{w}]*[^{w}{c}](?:[^{c}]{{0,{}}}[^{w}{c}])?[{w}]*$", max - 2),
    })
}

fn metadata_key() -> Value {
    json!({
        "type": "string",
        "minLength": 1,
        "maxLength": MetaKey::MAX_CHARS,
        "pattern": format!("^[^{CONTROL}]*$"),
    })
}

/// A metadata value. Strings are bounded in UTF-8 bytes; a string of more characters than
/// that many bytes is always too long, which is what `maxLength` can state.
fn metadata_value() -> Value {
    json!({
        "oneOf": [
            {"type": "string", "maxLength": MetaValue::MAX_TEXT_BYTES},
            {"type": "number"},
            {"type": "boolean"},
        ],
    })
}

/// A whole dictionary; `name`, when present, names the resource.
fn dictionary() -> Value {
    json!({
        "type": "object",
        "description": format!(
            "Keys are 1 to {} characters without control characters; values are strings of at \
             most {} KiB, numbers or booleans. At most {} keys by default (the operator may \
             change the limit). `name` renames the resource, so it must be a valid name.",
            MetaKey::MAX_CHARS,
            MetaValue::MAX_TEXT_BYTES / 1024,
            MetadataLimits::default().max_keys,
        ),
        "maxProperties": MetadataLimits::default().max_keys,
        "propertyNames": metadata_key(),
        "properties": {"name": trimmed_text(ResourceName::MAX_CHARS)},
        "additionalProperties": metadata_value(),
    })
}

fn resource_id() -> Value {
    let reserved = crate::core::access::PRINCIPAL_ID_PREFIXES.join("|");
    json!({
        "type": "string",
        "pattern": format!("^(?!{reserved})[A-Za-z0-9._:-]{{1,{}}}$", ResourceId::MAX_LEN),
    })
}

fn resource_type() -> Value {
    json!({
        "type": "string",
        "maxLength": ResourceType::MAX_LEN,
        "pattern": "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$",
    })
}

fn correlation_types() -> Value {
    // Written from the core's list, with Data Hub's stream type too.
    let names: Vec<&str> = CorrelationType::ALL.iter().map(|t| t.as_str()).collect();
    json!({"type": "string", "enum": names})
}

fn allowed_values() -> Value {
    json!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": MAX_ALLOWED_VALUES,
        "uniqueItems": true,
        "items": trimmed_text(TagValueText::MAX_CHARS),
    })
}

fn file_kind() -> Value {
    let names: Vec<&str> = FileKind::ALL.iter().map(|k| k.as_str()).collect();
    json!({"type": "string", "enum": names})
}

/// A JSON Patch as the core reads it: top-level paths only, `/` and a key (`~1` standing for
/// `/` and `~0` for `~` in it), each operation with the members RFC 6902 gives it.
fn json_patch() -> Value {
    let path = json!({
        "type": "string",
        "pattern": format!("^/(?:[^/~{CONTROL}]|~[01]){{1,{}}}$", MetaKey::MAX_CHARS),
    });
    let operation = |ops: &[&str], members: Value| {
        let mut required = vec!["op", "path"];
        required.extend(
            members
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str()),
        );
        let mut properties = json!({"op": {"type": "string", "enum": ops}, "path": path});
        if let (Some(properties), Some(members)) = (properties.as_object_mut(), members.as_object())
        {
            properties.extend(members.clone());
        }
        json!({"type": "object", "required": required, "properties": properties})
    };
    json!({
        "type": "array",
        "maxItems": JsonPatch::max_operations(MetadataLimits::default()),
        "items": {
            "oneOf": [
                operation(&["add", "replace", "test"], json!({"value": metadata_value()})),
                operation(&["remove"], json!({})),
                operation(&["move", "copy"], json!({"from": path})),
            ],
        },
    })
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    })
}

/// Sets `rules` (a map of property name to schema) on the properties of a component schema,
/// keeping each property's description and example.
fn set_properties(document: &mut Value, component: &str, rules: &[(&str, Value)]) {
    let Some(properties) = document
        .pointer_mut(&format!("/components/schemas/{component}/properties"))
        .and_then(Value::as_object_mut)
    else {
        panic!("the OpenAPI document has no component {component}");
    };
    for (name, rule) in rules {
        let property = properties
            .entry(name.to_string())
            .or_insert_with(|| json!({}));
        let kept: Map<String, Value> = property
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| matches!(k.as_str(), "description" | "example" | "default"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut merged = rule.as_object().cloned().unwrap_or_default();
        merged.extend(kept);
        *property = Value::Object(merged);
    }
}

/// Writes the server's rules into the generated document.
pub fn state(document: &mut Value) {
    components(document);
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if matches!(method.as_str(), "get" | "put" | "post" | "patch" | "delete") {
                operation_rules(operation, method != "get");
            }
        }
    }
}

fn components(document: &mut Value) {
    let name = trimmed_text(ResourceName::MAX_CHARS);
    let mut create_dictionary = dictionary();
    create_dictionary["required"] = json!(["name"]);
    set_properties(
        document,
        "MetadataCreate",
        &[
            ("resource_id", resource_id()),
            ("type", resource_type()),
            ("metadata", create_dictionary),
        ],
    );
    set_properties(
        document,
        "MetadataValueBody",
        &[("value", metadata_value())],
    );
    set_properties(
        document,
        "MetadataKeyResponse",
        &[("value", metadata_value())],
    );
    // What is stored was checked when written, under limits the operator may since have
    // lowered: a response states only the shape.
    let stored = json!({"type": "object", "additionalProperties": metadata_value()});
    set_properties(document, "MetadataResponse", &[("metadata", stored)]);
    // A change records whatever it changed: a metadata value, a name, a tag value, a role.
    set_properties(
        document,
        "ChangeResponse",
        &[("old", json!({})), ("new", json!({}))],
    );
    // So does a revert's conflict, on both sides (null: removed).
    set_properties(
        document,
        "ConflictResponse",
        &[("set_wrote", json!({})), ("now", json!({}))],
    );
    set_properties(document, "SiteWrite", &[("name", name)]);
    let tag_rules = [
        ("name", trimmed_text(MAX_TAG_NAME_CHARS)),
        (
            "description",
            json!({"type": "string", "maxLength": MAX_DESCRIPTION_CHARS}),
        ),
        (
            "color",
            json!({"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}),
        ),
        (
            "applies_to",
            json!({"type": "array", "minItems": 1, "items": correlation_types()}),
        ),
        ("allowed_values", allowed_values()),
    ];
    set_properties(document, "TagCreate", &tag_rules);
    set_properties(document, "TagUpdate", &tag_rules);
    set_properties(
        document,
        "TagValueWrite",
        &[
            ("correlation_type", correlation_types()),
            ("value", trimmed_text(TagValueText::MAX_CHARS)),
        ],
    );
    set_properties(document, "FileUpdate", &[("kind", file_kind())]);
    set_properties(document, "FileUploadForm", &[("kind", file_kind())]);
}

fn operation_rules(operation: &mut Value, writes: bool) {
    let reads_one_key = operation["operationId"] == "getMetadataKey";
    let mut bad_request = false;
    let mut bad_key = false;
    for parameter in operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let place = parameter["in"].as_str().unwrap_or_default().to_owned();
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        match (place.as_str(), name.as_str()) {
            ("header", "If-Match") => {
                parameter["schema"] = json!({"type": "string", "pattern": IF_MATCH_PATTERN});
                parameter["description"] = json!(
                    "Only if still at this ETag (`\"7\"`); `*`: whatever the version; empty: \
                     never (412)"
                );
                bad_request = true;
            }
            ("query", "limit") => {
                parameter["schema"] = json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE});
                bad_request = true;
            }
            ("query", _) => bad_request = true,
            ("path", "key") => {
                parameter["schema"] = metadata_key();
                if reads_one_key {
                    // GET of this path is the history; that key is read with all the others.
                    // In the pattern rather than as `not`, which would make `changes` the
                    // value a generator tries first when it wants a refusal.
                    parameter["schema"]["pattern"] = json!(format!("^(?!changes$)[^{CONTROL}]*$"));
                }
                bad_key = true;
            }
            _ => {}
        }
    }
    let body = operation.get_mut("requestBody");
    let json_body = body
        .as_ref()
        .and_then(|b| b.pointer("/content/application~1json"))
        .is_some();
    if let Some(body) = body {
        bad_request = true;
        for (media_type, content) in body
            .get_mut("content")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            match media_type.as_str() {
                "application/json" if content.pointer("/schema/type") == Some(&json!("object")) => {
                    content["schema"] = dictionary();
                }
                "application/merge-patch+json" => {
                    // null removes a key in a merge patch.
                    let mut merge = dictionary();
                    merge["additionalProperties"] = json!({
                        "oneOf": [metadata_value(), {"type": "null"}],
                    });
                    merge["properties"]["name"] = trimmed_text(ResourceName::MAX_CHARS);
                    content["schema"] = merge;
                }
                "application/json-patch+json" => content["schema"] = json_patch(),
                _ => {}
            }
        }
    }
    let has_body = operation.get("requestBody").is_some();
    let altostrat = operation["operationId"]
        .as_str()
        .is_some_and(|id| ALTOSTRAT_OPERATIONS.contains(&id));
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if has_body {
        responses.entry("408").or_insert_with(|| {
            error_response("The body did not arrive in time (`request_timeout`)")
        });
    }
    if writes {
        responses.entry("503").or_insert_with(|| {
            error_response(
                "Too many requests are being received (`busy`, see `Retry-After`), or the \
                 server stopped writing after its disk failed (`writes_halted`)",
            )
        });
        responses.entry("507").or_insert_with(|| {
            error_response(
                "The server's disk is full; nothing was written (`insufficient_storage`)",
            )
        });
    }
    if altostrat {
        for status in ["409", "415", "422"] {
            responses.remove(status);
        }
        responses.insert(
            "400".into(),
            error_response(
                "The request was malformed or invalid: every refusal of its content, the precise \
                 reason in `code` (as Altostrat's document has it)",
            ),
        );
        return;
    }
    if bad_request {
        responses
            .entry("400")
            .or_insert_with(|| error_response("The request is malformed"));
    }
    if json_body {
        responses
            .entry("415")
            .or_insert_with(|| error_response("The body is not sent as JSON"));
    }
    if bad_key {
        responses
            .entry("422")
            .or_insert_with(|| error_response("The key breaks the key rules"));
    }
}
