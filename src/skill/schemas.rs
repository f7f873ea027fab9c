//! JSON schemas as MCP hosts want them: draft 2020-12, inlined, without the `$schema` and
//! `title` noise that would cost every host context on every tool. Write skills get the
//! confirmation arguments and the preview fields here, so no write skill declares them itself.

use std::sync::Arc;

use rmcp::model::JsonObject;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use super::portable;
use super::write::Preview;
use crate::error::SkillError;
use crate::graph::GraphCall;

fn generate<T: JsonSchema>(for_output: bool) -> JsonObject {
    let mut settings = SchemaSettings::draft2020_12().with(|s| {
        s.meta_schema = None;
    });
    if for_output {
        settings = settings.for_serialize();
    }
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut object = match serde_json::to_value(schema) {
        Ok(Value::Object(object)) => object,
        _ => JsonObject::new(),
    };
    object.remove("title");
    let mut value = Value::Object(object);
    strip_numeric_formats(&mut value);
    if for_output {
        optional_when_nullable(&mut value);
    }
    match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    }
}

/// An answer leaves absent fields out rather than writing `null`, so a field that may be null
/// is not required.
fn optional_when_nullable(value: &mut Value) {
    fn nullable(schema: &Value) -> bool {
        let null = |t: &Value| t == "null";
        match schema {
            Value::Object(map) => {
                map.get("type").is_some_and(|t| null(t) || t.as_array().is_some_and(|a| a.iter().any(null)))
                    || ["anyOf", "oneOf"].iter().any(|k| {
                        map.get(*k).and_then(Value::as_array).is_some_and(|branches| branches.iter().any(nullable))
                    })
            }
            _ => false,
        }
    }
    match value {
        Value::Object(map) => {
            let nullable_props: Vec<String> = map
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.iter().filter(|(_, s)| nullable(s)).map(|(k, _)| k.clone()).collect())
                .unwrap_or_default();
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.retain(|r| r.as_str().is_none_or(|r| !nullable_props.iter().any(|p| p == r)));
            }
            map.values_mut().for_each(optional_when_nullable);
        }
        Value::Array(items) => items.iter_mut().for_each(optional_when_nullable),
        _ => {}
    }
}

/// schemars marks Rust integer widths as `format: uint16`, `int64`, …: not JSON Schema
/// formats, so validators warn on them, and they cost every host bytes. `minimum` stays.
fn strip_numeric_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let numeric = map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("int") || f.starts_with("uint") || f == "float" || f == "double");
            if numeric {
                map.remove("format");
            }
            map.values_mut().for_each(strip_numeric_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_numeric_formats),
        _ => {}
    }
}

pub fn input<T: JsonSchema>(write: bool) -> Arc<JsonObject> {
    let mut object = generate::<T>(false);
    object.remove("description");
    // A tool without parameters still shows an object with `properties`.
    object.entry("properties").or_insert_with(|| json!({}));
    if write && let Some(Value::Object(props)) = object.get_mut("properties") {
        props.insert(
            "confirm".into(),
            json!({"type": "string", "description": "the confirmation token of the preview, once the human agreed"}),
        );
        props.insert(
            "confirm_target".into(),
            json!({"type": "string", "description": "for changes that remove access: the target as the human re-typed it"}),
        );
    }
    portable::normalise(&mut object);
    Arc::new(object)
}

/// Moves a part's `$defs` to the root, where its `$ref`s point.
fn hoist_defs(root: &mut JsonObject, part: &mut JsonObject) {
    if let Some(Value::Object(defs)) = part.remove("$defs") {
        let entry = root.entry("$defs").or_insert_with(|| Value::Object(JsonObject::new()));
        if let Value::Object(entry) = entry {
            entry.extend(defs);
        }
    }
}

/// The output schema also carries the envelope every answer has: `graph_requests`, optional
/// `notes`, and, on failure, `error` instead of the skill's own fields. A write's answer is
/// either its preview or its result. Both schemas leave here in the plain subset of
/// `portable.rs`.
pub fn output<T: JsonSchema>(write: bool) -> Arc<JsonObject> {
    let mut object = generate::<T>(true);
    object.remove("description");
    let mut call = generate::<GraphCall>(true);
    let mut error = generate::<SkillError>(true);
    hoist_defs(&mut object, &mut call);
    hoist_defs(&mut object, &mut error);
    let mut preview = if write { generate::<Preview>(true) } else { JsonObject::new() };
    hoist_defs(&mut object, &mut preview);
    // An answer is the skill's own fields, a preview (writes) or an error, so none of them is
    // required at the top; the request trail is in every one.
    object.remove("required");
    if let Some(Value::Object(props)) = object.get_mut("properties") {
        props.insert("graph_requests".into(), json!({"type": "array", "items": call}));
        props.insert("notes".into(), json!({"type": "array", "items": {"type": "string"}}));
        props.insert("error".into(), Value::Object(error));
        if write && let Some(Value::Object(preview_props)) = preview.remove("properties") {
            props.extend(preview_props);
        }
    }
    object.insert("required".into(), json!(["graph_requests"]));
    portable::normalise(&mut object);
    Arc::new(object)
}
