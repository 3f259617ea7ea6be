//! The faces' bodies on any bytes, read as each face reads them: Keystone's login (typed, under
//! its rules), Nova's metadata and meta bodies, Data Hub's tag list and type definition. Each
//! answers a value within the faces' bounds or a refusal, never a panic.
//!
//! Input: one byte naming the reader, then the body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sitebook::api::datahub::tag_names;
use sitebook::api::openstack::compute::read_items;
use sitebook::api::openstack::identity::Login;
use sitebook::core::openstack::MAX_CHARS;
use sitebook::core::streams::{MAX_STREAM_TAGS, SdsId, SdsType, StreamTags};

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            let _ = Login::read(body);
        }
        reader => {
            let Ok(json) = serde_json::from_slice::<Value>(body) else {
                return;
            };
            match reader {
                1 => {
                    for field in ["metadata", "meta"] {
                        if let Ok(items) = read_items(&json, field) {
                            for (key, value) in &items {
                                assert!((1..=MAX_CHARS).contains(&key.chars().count()));
                                let text = value.as_str().expect("items are strings");
                                assert!(text.chars().count() <= MAX_CHARS);
                            }
                        }
                    }
                }
                2 => {
                    if let Ok(names) = tag_names(&json)
                        && let Ok(tags) = StreamTags::parse(&names, MAX_STREAM_TAGS)
                    {
                        assert!(tags.names().len() <= MAX_STREAM_TAGS);
                        assert!(tags.names().len() <= names.len());
                    }
                }
                _ => {
                    let id = json
                        .get("Id")
                        .and_then(Value::as_str)
                        .and_then(|id| SdsId::parse("type", id).ok())
                        .unwrap_or_else(|| SdsId::parse("type", "T").expect("a valid id"));
                    if let Ok(parsed) = SdsType::parse(&id, &json) {
                        let stored = parsed.definition.to_string();
                        assert!(stored.len() <= sitebook::core::streams::MAX_DEFINITION_BYTES);
                        let written = SdsType::answer_from_stored(&id, &stored, "c", "m")
                            .expect("a stored definition is written back");
                        assert_eq!(written, parsed.to_json("c", "m").to_string());
                    }
                }
            }
        }
    }
});
