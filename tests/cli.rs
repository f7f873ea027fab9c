//! The binary as a host starts it: boolean environment variables in their usual spellings, a
//! line on stdin that is not a message answered with its own id, and the demo listening on a
//! loopback address other than 127.0.0.1 accepting requests addressed to it.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::Command;

fn entra_mcp() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_entra-mcp"));
    command
        .env_remove("ENTRA_MCP_DEMO")
        .env_remove("ENTRA_MCP_BETA")
        .env("ENTRA_MCP_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Reads stdout lines until one is the answer to `id`.
async fn answer_to(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>, id: &Value) -> Value {
    let read = async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            let message: Value = serde_json::from_str(&line).expect("stdout carries only JSON-RPC");
            if &message["id"] == id {
                return message;
            }
        }
        panic!("stdout ended before the answer to {id}");
    };
    tokio::time::timeout(Duration::from_secs(20), read).await.unwrap_or_else(|_| panic!("no answer to {id}"))
}

#[tokio::test]
async fn stdio_answers_a_line_that_is_not_a_message_with_its_id_and_demo_takes_1() {
    let mut child =
        entra_mcp().env("ENTRA_MCP_DEMO", "1").env("ENTRA_MCP_BETA", "no").arg("stdio").spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut send = async |line: &str| {
        stdin.write_all(format!("{line}\n").as_bytes()).await.expect("write");
        stdin.flush().await.expect("flush");
    };
    send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#).await;
    let initialized = answer_to(&mut lines, &json!(1)).await;
    assert!(initialized["result"]["serverInfo"].is_object(), "{initialized}");
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;

    // Well-formed JSON with an id that is not a request: answered, with that id.
    send(r#"{"jsonrpc":"2.0","id":7,"method":42}"#).await;
    let answer = answer_to(&mut lines, &json!(7)).await;
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    send(r#"{"jsonrpc":"2.0","id":"abc","bogus":true}"#).await;
    let answer = answer_to(&mut lines, &json!("abc")).await;
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    // Not JSON at all: a parse error with a null id.
    send(r#"{"jsonrpc":"2.0","id":8,"method":"tools/list""#).await;
    let answer = answer_to(&mut lines, &Value::Null).await;
    assert_eq!(answer["error"]["code"], -32700, "{answer}");

    // The session goes on, and the demo tenant is what it serves.
    send(r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_user","arguments":{"user":"karita@woodgrovebank.com"}}}"#).await;
    let answer = answer_to(&mut lines, &json!(9)).await;
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert!(answer["result"]["structuredContent"]["display_name"].is_string(), "{answer}");
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits").expect("status");
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn boolean_variables_take_the_usual_spellings() {
    for (value, ok) in [("1", true), ("yes", true), ("TRUE", true), ("0", true), ("No", true), ("maybe", false)] {
        let output = entra_mcp()
            .env("ENTRA_MCP_DEMO", value)
            .env("ENTRA_MCP_BETA", value)
            .args(["tools", "list"])
            .output()
            .await
            .expect("run");
        assert_eq!(output.status.success(), ok, "{value}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

#[tokio::test]
async fn the_demo_on_127_0_0_2_accepts_requests_addressed_to_it() {
    let mut child = entra_mcp().args(["http", "--demo", "--listen", "127.0.0.2:0"]).spawn().expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let find = async {
        while let Some(line) = stderr.next_line().await.expect("read stderr") {
            if let Some(rest) = line.split("MCP endpoint ").nth(1) {
                return rest.split_whitespace().next().unwrap_or_default().to_string();
            }
        }
        panic!("the server never said where it listens");
    };
    let endpoint = tokio::time::timeout(Duration::from_secs(30), find).await.expect("started");
    assert!(endpoint.starts_with("http://127.0.0.2:"), "{endpoint}");
    let response = reqwest::Client::new()
        .post(&endpoint)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200, "{:?}", response.text().await);
    child.kill().await.expect("stop");
}

#[tokio::test]
async fn tools_list_shows_what_a_host_would_list_in_discovery_mode() {
    let output = entra_mcp().args(["tools", "list", "--json", "--toolsets", "discover"]).output().await.expect("run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tools: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: Vec<&str> = tools.as_array().expect("a list").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["find_skills", "run_skill"]);
}
