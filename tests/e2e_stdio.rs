//! The real binary over stdio, as an MCP host runs it: every skill's examples on the demo
//! tenant, the prompts, and a clean shutdown.

mod common;

use rmcp::ServiceExt;
use rmcp::model::GetPromptRequestParams;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use tokio::process::Command;

async fn spawn() -> common::Client {
    let transport = TokioChildProcess::new(Command::new(env!("CARGO_BIN_EXE_entra-mcp")).configure(|c| {
        c.args(["stdio", "--demo", "--toolsets", "all", "--allow-writes", "--beta"]).env("ENTRA_MCP_LOG", "error");
    }))
    .expect("spawn entra-mcp");
    ().serve(transport).await.expect("initialize over stdio")
}

#[tokio::test]
async fn every_skill_answers_its_examples_over_stdio() {
    let client = spawn().await;
    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().map(|i| i.name.as_str()), Some("entra-mcp"));
    assert!(info.instructions.as_deref().is_some_and(|i| i.contains("Entra")));
    common::check_every_skill(&client, &entra_mcp::skills::Selection::everything()).await;
    client.cancel().await.expect("shutdown");
}

#[tokio::test]
async fn prompts_chain_the_skills() {
    let client = spawn().await;
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "investigate_user",
            "investigate_risky_user",
            "triage_failed_sign_in",
            "prepare_access_audit",
            "review_conditional_access"
        ]
    );
    let mut args = serde_json::Map::new();
    args.insert("user".into(), "karita@woodgrovebank.com".into());
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("investigate_risky_user").with_arguments(args))
        .await
        .expect("prompts/get");
    let text = format!("{:?}", prompt.messages);
    assert!(text.contains("get_risky_user with user=karita@woodgrovebank.com"));

    // The spawned server allows writes: the playbook ends with the remediation calls.
    let mut args = serde_json::Map::new();
    args.insert("user".into(), "karita@woodgrovebank.com".into());
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("investigate_user").with_arguments(args))
        .await
        .expect("prompts/get");
    let text = format!("{:?}", prompt.messages);
    assert!(text.contains("get_user with user=karita@woodgrovebank.com"), "{text}");
    assert!(text.contains("revoke_user_sessions with user=karita@woodgrovebank.com"), "{text}");

    // The Conditional Access review takes no argument and ends with report-only drafts.
    let prompt =
        client.get_prompt(GetPromptRequestParams::new("review_conditional_access")).await.expect("prompts/get");
    let text = format!("{:?}", prompt.messages);
    assert!(text.contains("get_ca_coverage_gaps"), "{text}");
    assert!(text.contains("create_ca_policy_report_only with"), "{text}");
    client.cancel().await.expect("shutdown");
}
