//! `get_user_access_summary` beyond its examples: a section that fails (other than by
//! throttling, which fails the call so it can be retried) becomes a note while the rest of the
//! answer stands, the direct roles are required, and its reads are bounded in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_mcp::auth::Caller;
use entra_mcp::auth::demo::DemoTokenSource;
use entra_mcp::demo::{DemoGraph, DemoOptions, Fault, FaultRule};
use entra_mcp::graph::{GraphService, GraphSettings};
use entra_mcp::server::EntraServer;
use entra_mcp::skill::SkillReply;
use entra_mcp::skills::Selection;
use serde_json::{Value, json};

/// Tom Okafor's object id: given an id, the summary makes twelve reads in one round.
const TOM: &str = "f49c4912-8b12-57db-8142-86b257371952";

struct Stack {
    demo: DemoGraph,
    server: EntraServer,
    caller: Arc<Caller>,
}

async fn stack(latency_ms: u64) -> Stack {
    let demo = DemoGraph::start(DemoOptions { latency_ms, ..DemoOptions::default() }).await.expect("emulator starts");
    let persona = entra_mcp::demo::persona_object_id();
    let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
    let settings = GraphSettings {
        base_url: demo.base_url(),
        max_retries: 1,
        max_retry_wait: Duration::from_millis(200),
        initial_backoff: Duration::from_millis(10),
        ..GraphSettings::default()
    };
    let graph = GraphService::new(settings, tokens).expect("graph client");
    let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
    let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());
    Stack { demo, server, caller }
}

impl Stack {
    async fn summary(&self, user: &str) -> SkillReply {
        let args = json!({ "user": user });
        self.server
            .call("get_user_access_summary", args.as_object().cloned(), self.caller.clone())
            .await
            .expect("a known tool")
    }
}

fn notes(reply: &SkillReply) -> Vec<String> {
    reply.structured["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_unreadable_section_becomes_a_note_and_the_rest_stands() {
    let stack = stack(0).await;
    stack.demo.faults().push(FaultRule::new(Fault::MalformedJson).on_path("privilegedAccess/group").times(1000));
    stack.demo.faults().push(FaultRule::new(Fault::MalformedJson).on_path("/beta/").times(1000));
    let reply = stack.summary("jordan@woodgrovebank.com").await;
    assert!(!reply.is_error, "{}", reply.markdown);
    let notes = notes(&reply);
    assert!(notes.iter().any(|n| n == "PIM for Groups eligibilities unavailable: upstream"), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("privileged flags unavailable")), "{notes:?}");
    let roles: Vec<&str> = reply.structured["roles"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["role"].as_str()).collect())
        .unwrap_or_default();
    assert!(roles.contains(&"Security Reader") && roles.contains(&"Security Administrator"), "{roles:?}");
    // Without the PIM for Groups reads, Helpdesk Operators' roles are not reached.
    assert!(!roles.contains(&"Helpdesk Administrator"), "{roles:?}");
    assert!(reply.markdown.contains("note: PIM for Groups eligibilities unavailable"), "{}", reply.markdown);
}

#[tokio::test]
async fn the_direct_roles_are_required() {
    let stack = stack(0).await;
    stack
        .demo
        .faults()
        .push(FaultRule::new(Fault::MalformedJson).on_path("/roleManagement/directory/roleAssignments?").times(1000));
    let reply = stack.summary(TOM).await;
    assert!(reply.is_error, "{}", reply.markdown);
    assert_eq!(reply.structured["error"]["kind"], "upstream", "{}", reply.structured);
}

#[tokio::test]
async fn at_most_eight_reads_are_in_flight() {
    const LATENCY: u64 = 150;
    let stack = stack(LATENCY).await;
    let started = Instant::now();
    let reply = stack.summary(TOM).await;
    let elapsed = started.elapsed();
    assert!(!reply.is_error, "{}", reply.markdown);
    assert_eq!(reply.graph_requests.len(), 12, "{:?}", reply.graph_requests);
    // Twelve reads, eight at a time: two waves at least, where twelve at once would take one.
    assert!(elapsed >= Duration::from_millis(2 * LATENCY), "{elapsed:?}");
}
