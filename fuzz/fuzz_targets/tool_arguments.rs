//! Fuzzes every skill's argument handling with arbitrary bytes: the first byte picks a skill,
//! the rest is its arguments — a JSON object when it parses as one, else the text as the value
//! of one of the skill's own fields. The call runs through `EntraServer::call` with a token
//! source that refuses every Graph token, so a skill runs its parsing and validation and stops
//! at its first Graph request. Every answer must be a tool error of a documented kind, never a
//! panic. The shared parameter parsers (`user`, `since`, `limit`) get the raw text as well: a
//! user reference that is accepted must become exactly one path segment.

#![no_main]

use std::sync::{Arc, LazyLock};

use entra_mcp::auth::{AccessToken, Caller, TokenSource};
use entra_mcp::graph::{GraphService, GraphSettings};
use entra_mcp::server::EntraServer;
use entra_mcp::skills::{ErrorKind, Limit, Selection, Since, SkillError, Toolset, UserRef, catalog};
use futures::future::BoxFuture;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// Refuses every token, so no request leaves the process; its kind marks "parsing passed".
struct NoGraph;

impl TokenSource for NoGraph {
    fn graph_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(async { Err(SkillError::new(ErrorKind::ConsentRequired, "no Graph while fuzzing")) })
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    server: EntraServer,
    caller: Arc<Caller>,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let settings = GraphSettings { base_url: "http://127.0.0.1:9".into(), ..GraphSettings::default() };
    let graph = GraphService::new(settings, Arc::new(NoGraph)).expect("graph service");
    let selection = Selection { toolsets: Toolset::ALL.to_vec(), allow_writes: true, beta: true };
    let caller = Arc::new(Caller::default());
    let server = EntraServer::new(graph, Arc::new(selection), caller.clone());
    Harness { runtime, server, caller }
});

/// The kinds a tool error may have (DESIGN.md §6).
const KINDS: [&str; 8] = [
    "invalid_input",
    "not_found",
    "ambiguous",
    "forbidden",
    "license_required",
    "consent_required",
    "throttled",
    "upstream",
];

fn arguments(skill: usize, selector: u8, rest: &[u8]) -> Map<String, Value> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(rest) {
        return map;
    }
    let text = String::from_utf8_lossy(rest).into_owned();
    let fields: Vec<&String> = catalog()[skill]
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    let mut map = Map::new();
    if let Some(field) = fields.get(selector as usize % fields.len().max(1)) {
        // Numbers and booleans reach typed fields as themselves, anything else as a string.
        let value = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
        map.insert((*field).clone(), value);
    }
    map
}

fuzz_target!(|data: &[u8]| {
    let [pick, selector, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest);

    if let Ok(key) = UserRef::new(text.as_ref()).parse("user") {
        let path = key.path();
        assert!(path == "/me" || path.starts_with("/users/"), "{path}");
        assert_eq!(path.matches('/').count(), if path == "/me" { 1 } else { 2 }, "one segment: {path}");
        assert!(!path.contains(['?', '#', ' ', '\'', '\\']), "{path}");
    }
    let _ = Since::new(text.as_ref()).resolve("since", chrono::Utc::now());
    if let Ok(n) = text.trim().parse::<i64>() {
        let limit = Limit::new(n).get();
        assert_eq!(limit.is_ok(), (1..=500).contains(&n));
    }

    let skill = *pick as usize % catalog().len();
    let name = catalog()[skill].name();
    let args = arguments(skill, *selector, rest);
    let harness = &*HARNESS;
    let reply = harness.runtime.block_on(harness.server.call(name, Some(args.clone()), harness.caller.clone()));
    let kind = reply.structured["error"]["kind"].as_str().unwrap_or_default();
    assert!(reply.is_error, "{name} {args:?} answered without Graph: {}", reply.markdown);
    assert!(KINDS.contains(&kind), "{name}: undocumented error kind {kind:?}");
    assert!(reply.markdown.starts_with(&format!("**{kind}**: ")), "{name}: {}", reply.markdown);
    assert!(reply.structured["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
});
