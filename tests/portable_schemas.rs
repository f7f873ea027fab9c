//! Every host loads every tool: each tool's input and output schema — in the catalog, in
//! `tools/list` and in the `tools/` snapshots — is in the plain subset (no `$ref`, `$defs`,
//! unions, type arrays, exclusive bounds, boolean schemas; objects with `properties`, arrays
//! with `items`), and every skill answers the same when its optional parameters arrive as
//! `null`, as some hosts send them.

mod common;

use entra_mcp::demo::DemoOptions;
use entra_mcp::skill::portable::violations;
use entra_mcp::skills::Selection;
use serde_json::Value;

#[test]
fn every_schema_of_every_tool_is_plain() {
    let mut found = Vec::new();
    let mut tools: Vec<rmcp::model::Tool> = Selection::everything().skills().iter().map(|s| s.tool()).collect();
    tools.extend(entra_mcp::discovery::tools());
    for tool in &tools {
        let input = Value::Object(tool.input_schema.as_ref().clone());
        found.extend(violations(&input).into_iter().map(|v| format!("{} input{v}", tool.name)));
        if let Some(output) = &tool.output_schema {
            let output = Value::Object(output.as_ref().clone());
            found.extend(violations(&output).into_iter().map(|v| format!("{} output{v}", tool.name)));
        }
        assert_eq!(input["type"], "object", "{}", tool.name);
    }
    let snapshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    for entry in std::fs::read_dir(&snapshots).expect("tools/").flatten() {
        if entry.path().extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(entry.path()).expect("snapshot");
            let snapshot: Value = serde_json::from_str(&text).expect("JSON");
            for part in ["inputSchema", "outputSchema"] {
                found.extend(
                    violations(&snapshot[part])
                        .into_iter()
                        .map(|v| format!("{} {part}{v}", entry.file_name().to_string_lossy())),
                );
            }
        }
    }
    assert!(found.is_empty(), "constructs some hosts refuse:\n{}", found.join("\n"));
}

#[tokio::test]
async fn optional_parameters_sent_as_null_are_absent() {
    let (_demo, server, caller) = common::demo_server(DemoOptions::default(), Selection::everything()).await;
    let mut checked = 0;
    for skill in Selection::everything().skills() {
        let properties: Vec<String> = skill
            .input_schema()
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let required: Vec<&str> = skill
            .input_schema()
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for example in skill.decl.examples {
            let plain = example.arguments().expect("example arguments");
            let mut with_nulls = plain.clone();
            for name in &properties {
                if !required.contains(&name.as_str()) && !with_nulls.contains_key(name) {
                    with_nulls.insert(name.clone(), Value::Null);
                }
            }
            let a = server.call(skill.name(), Some(plain), caller.clone()).await.expect("a known tool");
            let b = server.call(skill.name(), Some(with_nulls), caller.clone()).await.expect("a known tool");
            assert_eq!(a.is_error, b.is_error, "{} {}: {}", skill.name(), example.args, b.markdown);
            let strip = |mut v: Value| {
                if let Value::Object(map) = &mut v {
                    for moving in ["confirmation", "expires", "since", "until", "graph_requests"] {
                        map.remove(moving);
                    }
                    // Graph's request-id and date of a failure are the request's own.
                    if let Some(Value::Object(error)) = map.get_mut("error") {
                        error.remove("request_id");
                        error.remove("date");
                    }
                }
                v
            };
            assert_eq!(strip(a.structured), strip(b.structured), "{} {}", skill.name(), example.args);
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} examples");
}
