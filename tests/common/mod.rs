//! Shared end-to-end checks, driven by the catalog: every enabled skill's every example called
//! through a real MCP client, its facts asserted, plus the checks every skill owes whatever it
//! does (unknown arguments refused, an unknown tool a `-32602`). Used by the stdio and the HTTP
//! tests, so both transports are held to the same answers. Adding a skill adds nothing here.

#![allow(dead_code)]

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use serde_json::{Value, json};

use entra_mcp::skills::{Selection, catalog};

pub type Client = RunningService<RoleClient, ()>;

/// One tool call's answer.
pub struct Answer {
    pub is_error: bool,
    pub structured: Value,
    pub text: String,
}

pub async fn try_call(client: &Client, name: &str, args: Value) -> Result<Answer, ServiceError> {
    let arguments = args.as_object().cloned().unwrap_or_default();
    let result: CallToolResult =
        client.call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(arguments)).await?;
    let text = result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n");
    Ok(Answer {
        is_error: result.is_error == Some(true),
        structured: result.structured_content.unwrap_or(Value::Null),
        text,
    })
}

pub async fn call(client: &Client, name: &str, args: Value) -> Answer {
    try_call(client, name, args)
        .await
        .unwrap_or_else(|e| panic!("{name}: a bad call must be a tool error, not a protocol error: {e}"))
}

/// A successful call's structured answer.
pub async fn ok(client: &Client, name: &str, args: Value) -> Value {
    let answer = call(client, name, args.clone()).await;
    assert!(!answer.is_error, "{name} {args} failed: {}", answer.text);
    assert!(
        answer.structured["graph_requests"].as_array().is_some_and(|r| !r.is_empty()),
        "{name} lists its Graph requests"
    );
    answer.structured
}

/// A successful call's structured answer, for tools that make no Graph request of their own
/// (`find_skills`).
pub async fn ok_local(client: &Client, name: &str, args: Value) -> Value {
    let answer = call(client, name, args.clone()).await;
    assert!(!answer.is_error, "{name} {args} failed: {}", answer.text);
    answer.structured
}

/// A failed call's error kind and text.
pub async fn err(client: &Client, name: &str, args: Value) -> (String, String) {
    let answer = call(client, name, args.clone()).await;
    assert!(answer.is_error, "{name} {args} should fail: {}", answer.text);
    (answer.structured["error"]["kind"].as_str().unwrap_or_default().to_string(), answer.text)
}

/// Every example of every skill the server lists, facts checked. Returns how many ran.
pub async fn check_examples(client: &Client, selection: &Selection) -> usize {
    let mut failures = Vec::new();
    let mut ran = 0;
    for skill in selection.skills() {
        assert!(!skill.decl.examples.is_empty(), "{} has no example", skill.name());
        for example in skill.decl.examples {
            let args = Value::Object(example.arguments().unwrap_or_else(|e| panic!("{}: {e}", skill.name())));
            let answer = call(client, skill.name(), args).await;
            ran += 1;
            for missing in example.check(answer.is_error, &answer.structured, &answer.text) {
                failures.push(format!("{}: {missing}", skill.name()));
            }
            let schema = Value::Object(skill.output_schema().as_ref().clone());
            let invalid = entra_mcp::skill::portable::validate(&schema, &answer.structured);
            assert!(invalid.is_empty(), "{}: the answer does not match its output schema: {invalid:?}", skill.name());
            if !answer.is_error {
                let requests = answer.structured["graph_requests"].as_array().cloned().unwrap_or_default();
                assert!(!requests.is_empty(), "{} lists its Graph requests", skill.name());
                assert!(
                    requests.iter().all(|r| r.get("request_id").is_none() && r.get("status").is_none()),
                    "{}: request trail keeps method, version, path, query and headers only: {requests:?}",
                    skill.name()
                );
                assert!(!has_null(&answer.structured), "{}: absent fields are left out", skill.name());
            }
        }
    }
    assert!(failures.is_empty(), "examples whose facts do not hold:\n{}", failures.join("\n"));
    ran
}

fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.values().any(has_null),
        Value::Array(items) => items.iter().any(has_null),
        _ => false,
    }
}

/// What every skill owes whatever it does: an unknown argument is refused naming it, before
/// any Graph request; an unknown tool is the protocol error `-32602` naming the closest tools.
pub async fn check_refusals(client: &Client, selection: &Selection) {
    for skill in selection.skills() {
        let (kind, text) = err(client, skill.name(), json!({"no_such_argument": 1})).await;
        assert_eq!(kind, "invalid_input", "{}: {text}", skill.name());
        assert!(text.contains("no_such_argument"), "{}: names the field: {text}", skill.name());
    }
    match try_call(client, "get_usr", json!({})).await {
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602, "{error:?}");
            assert!(error.message.contains("get_user"), "names the closest tools: {}", error.message);
        }
        Err(other) => panic!("an unknown tool is a JSON-RPC error -32602, got {other}"),
        Ok(answer) => panic!("an unknown tool is a JSON-RPC error -32602, got a result: {}", answer.text),
    }
}

/// Everything, in one go: the listed tools are exactly the selection, and every example holds.
pub async fn check_every_skill(client: &Client, selection: &Selection) {
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut listed: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    let mut expected: Vec<&str> = selection.skills().iter().map(|s| s.name()).collect();
    listed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(listed, expected);
    assert!(expected.len() >= catalog().len() / 2, "the selection holds most of the catalog");
    let ran = check_examples(client, selection).await;
    assert!(ran >= expected.len(), "at least one example per skill");
    check_refusals(client, selection).await;
}

/// The risk skills' examples only (for the second protocol revision).
pub async fn check_risk(client: &Client) {
    let selection = Selection { toolsets: Some(vec![entra_mcp::skill::Toolset::Risk]), ..Selection::default() };
    check_examples(client, &selection).await;
}

/// The server as the demo wires it, in process: the emulator (which must outlive the server),
/// the server with `selection`, and the demo's signed-in caller.
pub async fn demo_server(
    options: entra_mcp::demo::DemoOptions,
    selection: Selection,
) -> (entra_mcp::demo::DemoGraph, entra_mcp::server::EntraServer, std::sync::Arc<entra_mcp::auth::Caller>) {
    use std::sync::Arc;
    let demo = entra_mcp::demo::DemoGraph::start(options).await.expect("emulator");
    let persona = entra_mcp::demo::persona_object_id();
    let tokens = Arc::new(entra_mcp::auth::demo::DemoTokenSource::new(persona.clone()));
    let settings = entra_mcp::graph::GraphSettings { base_url: demo.base_url(), ..Default::default() };
    let graph = entra_mcp::graph::GraphService::new(settings, tokens).expect("graph");
    let caller = Arc::new(entra_mcp::auth::Caller { object_id: Some(persona), ..Default::default() });
    let server = entra_mcp::server::EntraServer::new(graph, Arc::new(selection), caller.clone());
    (demo, server, caller)
}
