//! Arguments as hosts actually send them, brought to the canonical form the schemas state
//! before they are parsed: an optional parameter sent as `null` is absent; an enum value in
//! another casing or with `-`, `_` or spaces (`report-only`, `reportOnly`) is the canonical
//! one; a numeric string (`"25"`) for an integer is the number, `"true"`/`"false"` for a
//! boolean the boolean; a string sent in Power Platform's typed form (`{"value": "48h"}`) is
//! the string. What still does not fit is refused by the parser, naming the field and the
//! accepted forms.

use serde_json::{Map, Value};

/// `reportOnly`, `report-only`, `Report Only` → `reportonly`.
fn folded(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect()
}

/// One value against its property schema.
fn fit(value: &mut Value, schema: &Value) {
    let kind = schema.get("type").and_then(Value::as_str);
    // Power Platform's typed form of a plain value.
    if let Value::Object(map) = value
        && kind.is_some_and(|k| k != "object")
        && map.len() == 1
        && let Some(inner) = map.get("value").cloned()
    {
        *value = inner;
    }
    match (kind, &*value) {
        (Some("integer"), Value::String(text)) => {
            if let Ok(n) = text.trim().parse::<i64>() {
                *value = Value::from(n);
            }
        }
        (Some("boolean"), Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => *value = Value::Bool(true),
            "false" => *value = Value::Bool(false),
            _ => {}
        },
        _ => {}
    }
    if let (Some(Value::Array(allowed)), Value::String(given)) = (schema.get("enum"), &*value)
        && !allowed.iter().any(|a| a.as_str() == Some(given.as_str()))
    {
        let wanted = folded(given);
        if let Some(canonical) = allowed.iter().find(|a| a.as_str().is_some_and(|a| folded(a) == wanted)) {
            *value = canonical.clone();
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        items.iter_mut().for_each(|item| fit(item, item_schema));
    }
}

/// Brings top-level arguments to their canonical form against the tool's input schema.
pub fn canonical(args: &mut Map<String, Value>, input_schema: &Map<String, Value>) {
    args.retain(|_, v| !v.is_null());
    let Some(Value::Object(properties)) = input_schema.get("properties") else { return };
    for (name, value) in args.iter_mut() {
        if let Some(schema) = properties.get(name) {
            fit(value, schema);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_hosts_send_becomes_the_canonical_form() {
        let schema = json!({"type": "object", "properties": {
            "state": {"type": "string", "enum": ["at_risk", "report_only"]},
            "states": {"type": "array", "items": {"type": "string", "enum": ["at_risk", "dismissed"]}},
            "limit": {"type": "integer"},
            "nested": {"type": "boolean"},
            "since": {"type": "string"},
            "user": {"type": "string"}
        }});
        let Value::Object(schema) = schema else { return };
        let mut args = json!({
            "state": "Report-Only", "states": ["atRisk", "DISMISSED"], "limit": "25", "nested": "true",
            "since": {"value": "48h"}, "user": null
        });
        let Value::Object(args_map) = &mut args else { return };
        canonical(args_map, &schema);
        assert_eq!(
            Value::Object(args_map.clone()),
            json!({"state": "report_only", "states": ["at_risk", "dismissed"], "limit": 25, "nested": true, "since": "48h"})
        );
    }

    #[test]
    fn what_does_not_fit_is_left_for_the_parser_to_refuse() {
        let Value::Object(schema) = json!({"type": "object", "properties": {
            "state": {"type": "string", "enum": ["at_risk"]}, "limit": {"type": "integer"}
        }}) else {
            return;
        };
        let Value::Object(mut args) = json!({"state": "maybe", "limit": "ten"}) else { return };
        canonical(&mut args, &schema);
        assert_eq!(args["state"], "maybe");
        assert_eq!(args["limit"], "ten");
    }
}
