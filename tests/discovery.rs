//! `--toolsets discover` over the real binary: two tools listed; `find_skills` ranks each
//! skill first for its own examples' questions; `run_skill` answers exactly as the direct call,
//! refusals included.

mod common;

use entra_mcp::skills::{Selection, catalog};
use rmcp::ServiceExt;
use rmcp::service::ServiceError;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use serde_json::{Value, json};
use tokio::process::Command;

async fn spawn(toolsets: &str) -> common::Client {
    let transport = TokioChildProcess::new(Command::new(env!("CARGO_BIN_EXE_entra-mcp")).configure(|c| {
        c.args(["stdio", "--demo", "--toolsets", toolsets, "--allow-writes", "--beta"]).env("ENTRA_MCP_LOG", "error");
    }))
    .expect("spawn entra-mcp");
    ().serve(transport).await.expect("initialize over stdio")
}

/// An answer without what legitimately differs between two calls moments apart: a preview's
/// token and expiry, a window's start (`48h` ago is a moment later), and the order in which
/// concurrent Graph requests completed — of which the method and path stay.
fn comparable(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        for moving in ["confirmation", "expires", "since", "until"] {
            map.remove(moving);
        }
        if let Some(Value::Array(requests)) = map.get_mut("graph_requests") {
            let mut kept: Vec<Value> = requests.iter().map(|r| json!([r["method"], r["path"]])).collect();
            kept.sort_by_key(|r| r.to_string());
            *requests = kept;
        }
    }
    value
}

#[tokio::test]
async fn discovery_lists_two_tools_that_reach_every_skill() {
    let client = spawn("discover").await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["find_skills", "run_skill"]);

    let mut misranked = Vec::new();
    for skill in Selection::everything().skills() {
        for example in skill.decl.examples {
            let found = common::ok_local(&client, "find_skills", json!({"question": example.question})).await;
            let first = found["skills"][0]["name"].as_str().unwrap_or_default().to_string();
            if first != skill.name() {
                misranked.push(format!("\"{}\" → {first}, not {}", example.question, skill.name()));
            }
            assert!(found["skills"][0]["input_schema"]["type"] == "object", "schemas come with the names");
        }
    }
    assert!(misranked.is_empty(), "find_skills ranks another skill first:\n{}", misranked.join("\n"));

    // Skills stay callable by name in discovery mode; one process, one demo anchor.
    let direct = &client;
    for skill in catalog() {
        let example = skill.decl.examples.first().expect("every skill has an example");
        let args: Value = serde_json::from_str(example.args).expect("example args");
        // A log window ends at "now", so a row can leave it between two calls; a second pair
        // of calls settles that, and a real difference persists.
        let mut pair = None;
        for _ in 0..2 {
            let via = common::call(&client, "run_skill", json!({"name": skill.name(), "arguments": args})).await;
            let straight = common::call(direct, skill.name(), args.clone()).await;
            let same = via.is_error == straight.is_error
                && comparable(via.structured.clone()) == comparable(straight.structured.clone());
            pair = Some((via, straight));
            if same {
                break;
            }
        }
        let (via, straight) = pair.expect("two calls made");
        assert_eq!(via.is_error, straight.is_error, "{}", skill.name());
        assert_eq!(comparable(via.structured), comparable(straight.structured), "{}", skill.name());
        // Bad arguments: the same refusal, word for word.
        let bad = json!({"no_such_argument": 1});
        let via = common::call(&client, "run_skill", json!({"name": skill.name(), "arguments": bad})).await;
        let straight = common::call(direct, skill.name(), bad).await;
        assert!(via.is_error && straight.is_error);
        assert_eq!(via.text, straight.text, "{}", skill.name());
    }

    // An unknown name is the protocol error a direct call gets.
    match common::try_call(&client, "run_skill", json!({"name": "get_usr", "arguments": {}})).await {
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602);
            assert!(error.message.contains("get_user"), "{}", error.message);
        }
        other => panic!("run_skill with an unknown name is -32602: {:?}", other.map(|a| a.text)),
    }
    let (kind, text) = common::err(&client, "find_skills", json!({"question": ""})).await;
    assert_eq!(kind, "invalid_input");
    assert!(text.contains("`question`"), "{text}");
    client.cancel().await.expect("shutdown");
}
