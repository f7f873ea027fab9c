//! The plain subset of JSON Schema that every host reads the same way — Copilot Studio, the
//! Copilot IDE plugins, Gemini, Claude — and the one step that turns what schemars emits into
//! it. Hosts differ in what they refuse: a `$ref` hides a tool from Copilot Studio, a type
//! array drops every tool of the server in Eclipse, Gemini answers 400 for `anyOf` and
//! `additionalProperties`, a nullable union loses its enum in Claude Desktop. So every schema
//! a tool shows is, after [`normalise`]:
//!
//! - inlined: no `$ref`, `$defs` or `definitions` (a reference site's description wins);
//! - without unions: no `anyOf`, `oneOf`, `allOf`; nullable fields are simply not required; a
//!   union of strings is an `enum` of `type: "string"`; a union of objects is one object with
//!   the fields of all, required only where all require them;
//! - single-typed: every `type` one string; `const` an `enum` of one;
//! - complete: every object has `properties`, every array `items`;
//! - plain: no boolean schemas, no `additionalProperties`, integer bounds only as `minimum` and
//!   `maximum`.

use serde_json::{Map, Value, json};

/// The constructs [`normalise`] removes; a test walks every tool for them.
pub const FORBIDDEN_KEYS: &[&str] = &[
    "$ref",
    "$defs",
    "definitions",
    "anyOf",
    "oneOf",
    "allOf",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "additionalProperties",
    "const",
];

/// Turns a schema into the plain subset, in place.
pub fn normalise(schema: &mut Map<String, Value>) {
    let defs = schema.remove("$defs").or_else(|| schema.remove("definitions"));
    let defs = match defs {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    let mut root = Value::Object(std::mem::take(schema));
    inline(&mut root, &defs, 0);
    plain(&mut root);
    if let Value::Object(map) = root {
        *schema = map;
    }
}

/// Replaces every `$ref` to a local definition by the definition.
fn inline(value: &mut Value, defs: &Map<String, Value>, depth: usize) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref").cloned() {
                let name = reference.rsplit('/').next().unwrap_or_default();
                // The catalog's types are not recursive; the bound only keeps a mistake finite.
                if let Some(Value::Object(def)) = defs.get(name).filter(|_| depth < 32) {
                    map.remove("$ref");
                    for (key, field) in def {
                        // The reference site's own words (its description) win.
                        map.entry(key.clone()).or_insert_with(|| field.clone());
                    }
                    inline(value, defs, depth + 1);
                    return;
                }
                map.remove("$ref");
            }
            map.values_mut().for_each(|v| inline(v, defs, depth));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| inline(v, defs, depth)),
        _ => {}
    }
}

fn is_null_schema(value: &Value) -> bool {
    value.get("type").is_some_and(|t| t == "null") || value.get("const").is_some_and(Value::is_null)
}

/// Merges branches of a union into one schema.
fn merge_union(branches: Vec<Value>) -> Map<String, Value> {
    let branches: Vec<Value> = branches.into_iter().filter(|b| !is_null_schema(b)).collect();
    // Strings alone (`const`s or `enum`s): one enum.
    let strings: Option<Vec<Value>> = branches
        .iter()
        .map(|b| match (b.get("const"), b.get("enum")) {
            (Some(c @ Value::String(_)), _) => Some(vec![c.clone()]),
            (_, Some(Value::Array(values))) if values.iter().all(Value::is_string) => Some(values.clone()),
            _ => None,
        })
        .collect::<Option<Vec<Vec<Value>>>>()
        .map(|v| v.concat());
    if let Some(values) = strings.filter(|v| !v.is_empty()) {
        let mut merged = Map::new();
        merged.insert("type".into(), json!("string"));
        merged.insert("enum".into(), Value::Array(values));
        let notes: Vec<String> = branches
            .iter()
            .filter_map(|b| {
                let value = b.get("const").or_else(|| b.get("enum").and_then(|e| e.as_array()?.first()))?;
                Some(format!("`{}`: {}", value.as_str()?, b.get("description")?.as_str()?))
            })
            .collect();
        if !notes.is_empty() {
            merged.insert("description".into(), json!(notes.join("; ")));
        }
        return merged;
    }
    // Objects (or requirement-only branches): one object with every field, required where all
    // branches require it.
    if branches.iter().all(|b| b.get("type").is_none_or(|t| t == "object")) && !branches.is_empty() {
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required: Option<Vec<Value>> = None;
        for branch in &branches {
            if let Some(Value::Object(props)) = branch.get("properties") {
                for (k, v) in props {
                    properties.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            let these = branch.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            required = Some(match required {
                None => these,
                Some(before) => before.into_iter().filter(|r| these.contains(r)).collect(),
            });
        }
        if branches.iter().any(|b| b.get("type").is_some() || b.get("properties").is_some()) {
            merged.insert("type".into(), json!("object"));
        }
        if !properties.is_empty() {
            merged.insert("properties".into(), Value::Object(properties));
        }
        if let Some(required) = required.filter(|r| !r.is_empty()) {
            merged.insert("required".into(), Value::Array(required));
        }
        return merged;
    }
    // Anything else: the first alternative stands for all.
    match branches.into_iter().next() {
        Some(Value::Object(first)) => first,
        _ => Map::new(),
    }
}

/// Removes unions, type arrays, boolean schemas and the rest of what hosts refuse.
fn plain(value: &mut Value) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(plain);
        }
        return;
    };
    for union in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(branches)) = map.remove(union) {
            let mut branches = branches;
            branches.iter_mut().for_each(plain);
            let merged = merge_union(branches);
            for (key, field) in merged {
                match (key.as_str(), map.get_mut(&key)) {
                    // An object with its own properties and a requirement-only union: the
                    // union's requirement is dropped with it (every branch's field is optional).
                    ("required", Some(_)) => {}
                    ("properties", Some(Value::Object(own))) => {
                        if let Value::Object(more) = field {
                            for (k, v) in more {
                                own.entry(k).or_insert(v);
                            }
                        }
                    }
                    _ => {
                        map.entry(key).or_insert(field);
                    }
                }
            }
        }
    }
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let single = types.into_iter().find(|t| t != "null").unwrap_or(json!("string"));
        map.insert("type".into(), single);
    }
    if let Some(constant) = map.remove("const") {
        if map.get("type").is_none() {
            let kind = match &constant {
                Value::Bool(_) => "boolean",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                _ => "string",
            };
            map.insert("type".into(), json!(kind));
        }
        map.insert("enum".into(), json!([constant]));
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    for (bound, inclusive) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(limit) = map.remove(bound).and_then(|l| l.as_f64()) {
            let step = if bound == "exclusiveMinimum" { 1.0 } else { -1.0 };
            let value = if map.get("type").is_some_and(|t| t == "integer") { limit + step } else { limit };
            map.entry(inclusive.to_string()).or_insert(json!(value));
        }
    }
    map.remove("additionalProperties");
    map.remove("$schema");
    let is_object = map.get("type").is_some_and(|t| t == "object") || map.contains_key("properties");
    if is_object {
        map.entry("type".to_string()).or_insert(json!("object"));
        let properties = map.entry("properties".to_string()).or_insert_with(|| json!({}));
        if !properties.is_object() {
            *properties = json!({});
        }
    }
    if map.get("type").is_some_and(|t| t == "array") {
        let items = map.entry("items".to_string()).or_insert_with(|| json!({}));
        if items.is_boolean() || items.is_array() {
            *items = json!({});
        }
    }
    // Boolean schemas anywhere below become the empty schema.
    for (key, field) in map.iter_mut() {
        if key == "properties" {
            if let Value::Object(props) = field {
                for prop in props.values_mut() {
                    if prop.is_boolean() {
                        *prop = json!({});
                    }
                    plain(prop);
                }
            }
        } else if matches!(key.as_str(), "items") {
            if field.is_boolean() {
                *field = json!({});
            }
            plain(field);
        }
    }
}

/// Every construct of [`FORBIDDEN_KEYS`], a type array, a boolean schema, an object without
/// `properties` or an array without `items`, as paths into the schema.
pub fn violations(schema: &Value) -> Vec<String> {
    fn walk(value: &Value, path: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for key in FORBIDDEN_KEYS {
                    if map.contains_key(*key) {
                        out.push(format!("{path}: {key}"));
                    }
                }
                if map.get("type").is_some_and(Value::is_array) {
                    out.push(format!("{path}: type array"));
                }
                if map.get("type").is_some_and(|t| t == "object")
                    && !map.get("properties").is_some_and(Value::is_object)
                {
                    out.push(format!("{path}: object without properties"));
                }
                if map.get("type").is_some_and(|t| t == "array") && !map.get("items").is_some_and(Value::is_object) {
                    out.push(format!("{path}: array without items"));
                }
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, prop) in props {
                        if prop.is_boolean() {
                            out.push(format!("{path}/{name}: boolean schema"));
                        }
                        walk(prop, &format!("{path}/{name}"), out);
                    }
                }
                if let Some(items) = map.get("items") {
                    walk(items, &format!("{path}[]"), out);
                }
            }
            Value::Bool(_) => out.push(format!("{path}: boolean schema")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(schema, "", &mut out);
    out
}

/// Checks a value against a schema of the plain subset (types, properties, required, items,
/// enum, bounds): what a host that validates `structuredContent` checks. Returns what fails,
/// as paths.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    fn check(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
        let Value::Object(rules) = schema else { return };
        if let Some(kind) = rules.get("type").and_then(Value::as_str) {
            let ok = match kind {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "null" => value.is_null(),
                _ => true,
            };
            if !ok {
                out.push(format!("{path}: expected {kind}, got {value}"));
                return;
            }
        }
        if let Some(Value::Array(allowed)) = rules.get("enum")
            && !allowed.contains(value)
        {
            out.push(format!("{path}: {value} is not one of {allowed:?}"));
        }
        if let (Some(min), Some(n)) = (rules.get("minimum").and_then(Value::as_f64), value.as_f64())
            && n < min
        {
            out.push(format!("{path}: {n} < minimum {min}"));
        }
        if let (Some(max), Some(n)) = (rules.get("maximum").and_then(Value::as_f64), value.as_f64())
            && n > max
        {
            out.push(format!("{path}: {n} > maximum {max}"));
        }
        if let Value::Object(fields) = value {
            for required in rules.get("required").and_then(Value::as_array).into_iter().flatten() {
                if let Some(name) = required.as_str()
                    && !fields.contains_key(name)
                {
                    out.push(format!("{path}: `{name}` is required"));
                }
            }
            if let Some(Value::Object(props)) = rules.get("properties") {
                for (name, field) in fields {
                    if let Some(prop) = props.get(name) {
                        check(prop, field, &format!("{path}/{name}"), out);
                    }
                }
            }
        }
        if let (Value::Array(items), Some(item_schema)) = (value, rules.get("items")) {
            for (i, item) in items.iter().enumerate() {
                check(item_schema, item, &format!("{path}/{i}"), out);
            }
        }
    }
    let mut out = Vec::new();
    check(schema, value, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(value: Value) -> Value {
        let Value::Object(mut map) = value else { return Value::Null };
        normalise(&mut map);
        Value::Object(map)
    }

    #[test]
    fn references_unions_and_type_arrays_become_plain() {
        let schema = normalised(json!({
            "$defs": {
                "Kind": {"type": "string", "enum": ["member", "guest"], "description": "the kind"},
                "Person": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
                "Level": {"oneOf": [{"const": "low", "description": "a little"}, {"const": "high", "description": "a lot"}]}
            },
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "kind": {"$ref": "#/$defs/Kind", "description": "member or guest"},
                "maybe": {"type": ["string", "null"]},
                "manager": {"anyOf": [{"$ref": "#/$defs/Person"}, {"type": "null"}]},
                "level": {"$ref": "#/$defs/Level"},
                "count": {"type": "integer", "exclusiveMinimum": 0},
                "list": {"type": "array"},
                "anything": true
            },
            "required": ["kind"]
        }));
        assert!(violations(&schema).is_empty(), "{:?}\n{schema:#}", violations(&schema));
        let props = &schema["properties"];
        assert_eq!(
            props["kind"],
            json!({"type": "string", "enum": ["member", "guest"], "description": "member or guest"})
        );
        assert_eq!(props["maybe"], json!({"type": "string"}));
        assert_eq!(props["manager"]["properties"]["id"], json!({"type": "string"}));
        assert_eq!(props["level"]["enum"], json!(["low", "high"]));
        assert_eq!(props["level"]["description"], "`low`: a little; `high`: a lot");
        assert_eq!(props["count"]["minimum"], 1.0);
        assert_eq!(props["list"]["items"], json!({}));
        assert_eq!(props["anything"], json!({}));
        assert_eq!(schema["required"], json!(["kind"]));
    }

    #[test]
    fn a_tagged_union_is_one_object_with_the_tag_an_enum() {
        let schema = normalised(json!({
            "oneOf": [
                {"type": "object", "properties": {"kind": {"const": "user"}, "upn": {"type": "string"}}, "required": ["kind", "upn"]},
                {"type": "object", "properties": {"kind": {"const": "app"}, "app_id": {"type": "string"}}, "required": ["kind", "app_id"]}
            ]
        }));
        assert!(violations(&schema).is_empty(), "{schema:#}");
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["kind"]));
        assert!(schema["properties"]["upn"].is_object() && schema["properties"]["app_id"].is_object());
    }

    #[test]
    fn the_walk_sees_what_is_left() {
        let bad = json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}, "b": {"$ref": "#/x"}, "c": {"type": "array"}}});
        let found = violations(&bad);
        assert!(found.iter().any(|v| v.contains("/a: type array")), "{found:?}");
        assert!(found.iter().any(|v| v.contains("/b: $ref")), "{found:?}");
        assert!(found.iter().any(|v| v.contains("/c: array without items")), "{found:?}");
        assert!(violations(&json!({"type": "object"})).iter().any(|v| v.contains("without properties")));
    }
}
