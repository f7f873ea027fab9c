//! The same skills with beta off, as a server started without `--beta` runs them: "+beta"
//! parts give way to their v1.0 paths, and beta-only paths are unknown on v1.0.

use std::sync::Arc;

use entra_mcp::auth::Caller;
use entra_mcp::auth::demo::DemoTokenSource;
use entra_mcp::demo::{DemoGraph, DemoOptions};
use entra_mcp::graph::{GraphService, GraphSettings};
use entra_mcp::server::EntraServer;
use entra_mcp::skill::{SkillReply, Toolset};
use entra_mcp::skills::Selection;
use serde_json::{Value, json};

async fn call(demo: &DemoGraph, beta: bool, tool: &str, args: Value) -> SkillReply {
    let persona = entra_mcp::demo::persona_object_id();
    let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
    let graph = GraphService::new(GraphSettings { base_url: demo.base_url(), ..GraphSettings::default() }, tokens)
        .expect("graph client");
    let selection = Selection { toolsets: Some(Toolset::ALL.to_vec()), writes: Vec::new(), beta, discover: false };
    let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
    let server = EntraServer::new(graph, Arc::new(selection), caller.clone());
    server.call(tool, args.as_object().cloned(), caller).await.expect("a known tool")
}

fn paths(reply: &SkillReply) -> Vec<String> {
    reply.structured["graph_requests"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|r| format!("{} {}", r["version"].as_str().unwrap_or(""), r["path"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn team_size_is_one_count_on_beta_and_a_walk_per_level_on_v1() {
    let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
    let grace = json!({"user": "grace.whitfield@woodgrovebank.com"});

    let counted = call(&demo, true, "get_user_reports", grace.clone()).await;
    assert!(!counted.is_error, "{}", counted.markdown);
    assert_eq!(counted.structured["direct_count"], 3);
    assert_eq!(counted.structured["indirect_count"], 9);
    assert_eq!(counted.structured["per_level"], json!([3]));
    let requests = paths(&counted);
    assert!(
        requests.iter().any(|p| p.starts_with("beta ") && p.ends_with("/transitiveReports/$count")),
        "{requests:?}"
    );
    assert!(
        !requests.iter().any(|p| p.contains("/users/") && p.ends_with("/directReports") && !p.contains("grace")),
        "{requests:?}"
    );

    let walked = call(&demo, false, "get_user_reports", grace).await;
    assert!(!walked.is_error, "{}", walked.markdown);
    assert_eq!(walked.structured["indirect_count"], 9);
    assert_eq!(walked.structured["complete"], true);
    let levels = walked.structured["per_level"].as_array().expect("levels").len();
    assert!(levels >= 2, "{}", walked.structured["per_level"]);
    assert!(paths(&walked).iter().all(|p| !p.contains("transitiveReports")), "{:?}", paths(&walked));

    // Graph serves transitiveReports on beta only.
    let url = format!("{}/v1.0/users/grace.whitfield@woodgrovebank.com/transitiveReports/$count", demo.base_url());
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(format!("demo:{}", entra_mcp::demo::persona_object_id()))
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .expect("request");
    assert!(response.status().is_client_error(), "{}", response.status());
}
