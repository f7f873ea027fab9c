//! Soak: thousands of tool calls against the demo emulator — every skill, valid and invalid
//! arguments, unknown tools, and random injected faults (throttling, 503, 504, slowness past
//! the timeout, dropped connections, malformed JSON) — chosen by a seeded generator and run
//! sixteen at a time. Every reply must be well-formed (an error has a documented kind, its
//! markdown and a message; a success has the output schema's required fields and lists its
//! Graph requests), arguments that are invalid by construction must be refused before any
//! Graph request, nothing may panic or hang, and memory must not grow without bound.
//!
//! `cargo test` runs 2,000 calls. The long run, with its figures printed:
//!
//! ```sh
//! ENTRA_MCP_SOAK_CALLS=50000 cargo test --release --test soak -- --nocapture
//! ```
//!
//! `ENTRA_MCP_SOAK_SEED` picks another seed (the default is fixed, so a failure reproduces).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_mcp::auth::Caller;
use entra_mcp::auth::demo::DemoTokenSource;
use entra_mcp::demo::{DemoGraph, DemoOptions, Fault, FaultRule};
use entra_mcp::graph::{GraphService, GraphSettings};
use entra_mcp::server::{EntraServer, to_call_tool_result};
use entra_mcp::skill::SkillReply;
use entra_mcp::skills::{Selection, catalog};
use futures::StreamExt;
use serde_json::{Value, json};

const KARITA: &str = "karita@woodgrovebank.com";
/// The documented error kinds.
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
/// The most any one call may take, injected faults included.
const BOUND: Duration = Duration::from_secs(10);
/// Calls in flight at once.
const CONCURRENCY: usize = 16;
/// Calls between two clean-ups of fault rules that matched nothing.
const CHUNK: usize = 250;
/// Allowed growth of the resident set between the 10% mark and the end.
const RSS_GROWTH_LIMIT_KB: i64 = 50 * 1024;

/// SplitMix64: small, seeded, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn guid(&mut self) -> String {
        uuid::Uuid::from_u64_pair(self.next(), self.next()).to_string()
    }

    /// Text a model might send by mistake, or on purpose.
    fn junk(&mut self) -> String {
        const PIECES: [&str; 14] =
            ["'", " or 1 eq 1", "(", "$top=1", "&", "#", "ü", "🚀", "\n", "a", "@", "/", "..", "%2F"];
        (0..self.below(8)).map(|_| self.pick(&PIECES)).collect()
    }
}

/// What the generator meant a call to be, and so what its reply must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    /// Arguments of the accepted forms: any outcome but a malformed one.
    Valid,
    /// Arguments refused by construction: `invalid_input`, before any Graph request.
    Invalid,
    /// Random values in real fields: valid or not, the reply must be well-formed.
    Fuzzed,
    /// A tool that does not exist.
    UnknownTool,
}

struct Call {
    skill: String,
    args: Value,
    intent: Intent,
    fault: Option<FaultRule>,
}

fn since(rng: &mut Rng) -> String {
    rng.pick(&["1h", "3h", "24h", "48h", "7d", "30d", "2026-01-01T00:00:00Z"]).to_string()
}

/// Arguments of the accepted forms for `skill`: one of its examples, sometimes with another
/// `limit`.
fn valid_args(skill: &str, rng: &mut Rng) -> Value {
    let skill = catalog().iter().find(|s| s.name() == skill).expect("a catalog skill");
    let example = rng.pick(skill.decl.examples);
    let mut args = example.arguments().unwrap_or_else(|e| panic!("{}: {e}", skill.name()));
    if has_field(skill.name(), "limit") && rng.chance(30) {
        args.insert("limit".into(), json!(1 + rng.below(60)));
    }
    Value::Object(args)
}

fn has_field(skill: &str, field: &str) -> bool {
    catalog()
        .iter()
        .find(|s| s.name() == skill)
        .and_then(|s| s.input_schema().get("properties").and_then(Value::as_object).map(|p| p.contains_key(field)))
        .unwrap_or(false)
}

/// Arguments that every skill must refuse before calling Graph.
fn invalid_args(skill: &str, rng: &mut Rng) -> Value {
    let mut args = valid_args(skill, rng);
    let Value::Object(map) = &mut args else { unreachable!("arguments are objects") };
    match rng.below(4) {
        // Every parameter struct denies unknown fields.
        0 => {
            map.insert(format!("unknown_{}", rng.below(100)), json!(rng.junk()));
        }
        1 if has_field(skill, "limit") => {
            map.insert(
                "limit".into(),
                rng.pick(&[json!(0), json!(-3), json!(501), json!(1_000_000), json!("ten"), json!(2.5)]),
            );
        }
        2 if map.contains_key("user") => {
            map.insert("user".into(), json!(rng.pick(&["karita", "a b@c.com", "x@y.com/../me", "' or 1 eq 1", ""])));
        }
        // A value no field accepts (an array of numbers, an object) in a field.
        _ => {
            let field = map.keys().next().cloned().unwrap_or_else(|| "unknown".into());
            map.insert(field, rng.pick(&[json!([1, 2]), json!({"a": 1})]));
        }
    }
    args
}

/// Real fields with random values of random types.
fn fuzzed_args(skill: &str, rng: &mut Rng) -> Value {
    let fields: Vec<String> = catalog()
        .iter()
        .find(|s| s.name() == skill)
        .and_then(|s| {
            s.input_schema().get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect())
        })
        .unwrap_or_default();
    let mut map = serde_json::Map::new();
    // A skill without parameters (`get_me`, `count_groups_by_type`) has no field to fuzz.
    if fields.is_empty() {
        return Value::Object(map);
    }
    for _ in 0..1 + rng.below(3) {
        let value = match rng.below(6) {
            0 => json!(rng.junk()),
            1 => json!(rng.next() as i64 >> rng.below(64)),
            2 => json!(rng.guid()),
            3 => json!(since(rng)),
            4 => Value::Null,
            _ => json!([rng.junk()]),
        };
        map.insert(rng.pick(&fields), value);
    }
    Value::Object(map)
}

fn fault(rng: &mut Rng) -> FaultRule {
    let fault = match rng.below(21) {
        0..=3 => Fault::Throttle { retry_after: None },
        // Rare: each costs a second of waiting.
        4 => Fault::Throttle { retry_after: Some(1) },
        5..=8 => Fault::ServiceUnavailable,
        9..=11 => Fault::GatewayTimeout,
        12 => Fault::Delay { ms: 400 },
        13..=14 => Fault::Delay { ms: 30 },
        15..=17 => Fault::Reset,
        _ => Fault::MalformedJson,
    };
    let mut rule = FaultRule::new(fault).times(1 + rng.below(4) as u32);
    if rng.chance(50) {
        rule = rule.on_path(rng.pick(&[
            "users",
            "signIns",
            "groups",
            "risky",
            "riskDetections",
            "directoryAudits",
            "evaluate",
            "$count",
        ]));
    }
    rule
}

fn generate(rng: &mut Rng) -> Call {
    let skills: Vec<&str> = catalog().iter().map(|s| s.name()).collect();
    let skill = rng.pick(&skills);
    let (skill, args, intent) = match rng.below(20) {
        0..=11 => (skill.to_string(), valid_args(skill, rng), Intent::Valid),
        12..=15 => (skill.to_string(), invalid_args(skill, rng), Intent::Invalid),
        16..=18 => (skill.to_string(), fuzzed_args(skill, rng), Intent::Fuzzed),
        _ => (format!("{skill}_{}", rng.junk()), json!({}), Intent::UnknownTool),
    };
    let fault = rng.chance(25).then(|| fault(rng));
    Call { skill, args, intent, fault }
}

/// The reply's outcome (`ok` or the error kind); panics if it is malformed.
fn check(call: &Call, reply: &SkillReply) -> String {
    let context = || format!("{} {} ({:?}, fault {:?})", call.skill, call.args, call.intent, call.fault);
    assert!(!reply.markdown.trim().is_empty(), "{}: empty markdown", context());
    assert!(reply.structured.is_object(), "{}: structured is not an object", context());
    // The MCP result carries the same facts in both forms.
    let result = serde_json::to_value(to_call_tool_result(reply.clone())).expect("the MCP result serialises");
    assert_eq!(result["isError"].as_bool().unwrap_or(false), reply.is_error, "{}", context());
    assert_eq!(result["content"][0]["text"], reply.markdown.as_str(), "{}", context());
    assert_eq!(result["structuredContent"], reply.structured, "{}", context());

    if reply.is_error {
        let error = &reply.structured["error"];
        let kind = error["kind"].as_str().unwrap_or_default();
        assert!(KINDS.contains(&kind), "{}: undocumented kind {kind:?}", context());
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", context());
        assert!(reply.markdown.starts_with(&format!("**{kind}**: ")), "{}: {}", context(), reply.markdown);
        if call.intent != Intent::UnknownTool {
            assert!(reply.structured["graph_requests"].is_array(), "{}: lists its Graph requests", context());
        }
        if matches!(call.intent, Intent::Invalid | Intent::UnknownTool) {
            assert_eq!(kind, "invalid_input", "{}: {}", context(), reply.markdown);
            assert!(reply.graph_requests.is_empty(), "{}: refused only after calling Graph", context());
        }
        kind.to_string()
    } else {
        assert!(matches!(call.intent, Intent::Valid | Intent::Fuzzed), "{}: accepted: {}", context(), reply.markdown);
        let skill = catalog().iter().find(|s| s.name() == call.skill).expect("a catalog skill");
        let schema = serde_json::Value::Object(skill.output_schema().as_ref().clone());
        let invalid = entra_mcp::skill::portable::validate(&schema, &reply.structured);
        assert!(invalid.is_empty(), "{}: the answer does not match the output schema: {invalid:?}", context());
        let requests = reply.structured["graph_requests"].as_array().cloned().unwrap_or_default();
        assert!(!requests.is_empty(), "{}: a success lists its Graph requests", context());
        for request in &requests {
            assert!(matches!(request["method"].as_str(), Some("GET" | "POST")), "{}: {request}", context());
            assert!(request.get("request_id").is_none(), "{}: request ids stay in the audit log", context());
            assert!(request["path"].as_str().is_some_and(|p| p.starts_with('/')), "{}: {request}", context());
        }
        "ok".to_string()
    }
}

/// The resident set of this process, in kB.
fn rss_kb() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_random_calls_stay_well_formed_and_bounded() {
    let calls: usize = std::env::var("ENTRA_MCP_SOAK_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let seed: u64 = std::env::var("ENTRA_MCP_SOAK_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(0x5EED);

    let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator starts");
    let persona = entra_mcp::demo::persona_object_id();
    let settings = GraphSettings {
        base_url: demo.base_url(),
        timeout: Duration::from_millis(250),
        max_retries: 3,
        max_retry_wait: Duration::from_millis(1500),
        initial_backoff: Duration::from_millis(5),
        ..GraphSettings::default()
    };
    let graph = GraphService::new(settings, Arc::new(DemoTokenSource::new(persona.clone()))).expect("graph client");
    let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
    // Every skill, writes included: a write without `confirm` only ever previews.
    let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());

    let mut rng = Rng(seed);
    let injector = demo.faults().clone();
    let mut faults_injected = 0usize;
    // Calls are generated as they start, so the generator holds no backlog in memory.
    let generated = (0..calls).map(|n| {
        if n % CHUNK == 0 {
            // Rules for paths no later call took would pile up; a real outage ends too.
            injector.clear();
        }
        let call = generate(&mut rng);
        faults_injected += usize::from(call.fault.is_some());
        call
    });
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut slowest = Duration::ZERO;
    let mut rss_at_mark = None;
    let mark = (calls / 10).max(1);
    let started = Instant::now();
    let mut replies = futures::stream::iter(generated)
        .map(|call| {
            let (server, caller, faults) = (&server, caller.clone(), demo.faults());
            async move {
                if let Some(rule) = &call.fault {
                    faults.push(rule.clone());
                }
                let began = Instant::now();
                let reply =
                    tokio::time::timeout(BOUND, server.call(&call.skill, call.args.as_object().cloned(), caller))
                        .await
                        .unwrap_or_else(|_| panic!("{} {} did not answer within {BOUND:?}", call.skill, call.args));
                let outcome = match reply {
                    Ok(reply) => check(&call, &reply),
                    Err(error) => {
                        // Only an unknown tool name is a protocol error: -32602, naming it.
                        assert_eq!(call.intent, Intent::UnknownTool, "{} {}: {error:?}", call.skill, call.args);
                        assert_eq!(error.code.0, -32602, "{}", call.skill);
                        assert!(error.message.contains("there is no tool"), "{}", error.message);
                        "unknown_tool".to_string()
                    }
                };
                (outcome, began.elapsed())
            }
        })
        .buffer_unordered(CONCURRENCY);
    let mut done = 0usize;
    while let Some((outcome, elapsed)) = replies.next().await {
        *outcomes.entry(outcome).or_default() += 1;
        slowest = slowest.max(elapsed);
        done += 1;
        if done == mark {
            rss_at_mark = Some(rss_kb());
        }
    }
    drop(replies);
    let elapsed = started.elapsed();
    let rss_end = rss_kb();
    let rss_mark = rss_at_mark.unwrap_or(rss_end);
    eprintln!(
        "soak: {calls} calls (seed {seed:#x}) in {:.1} s, {:.0} calls/s; {faults_injected} faults injected; \
         slowest call {slowest:?}; outcomes {outcomes:?}; VmRSS {rss_mark} kB at 10%, {rss_end} kB at the end \
         ({:+} kB); {} Graph requests served",
        elapsed.as_secs_f64(),
        calls as f64 / elapsed.as_secs_f64(),
        rss_end - rss_mark,
        demo.request_count(),
    );
    assert_eq!(outcomes.values().sum::<usize>(), calls);
    assert!(outcomes.get("ok").is_some_and(|n| *n > calls / 5), "most valid calls succeed: {outcomes:?}");
    assert!(outcomes.get("invalid_input").is_some_and(|n| *n > calls / 10), "{outcomes:?}");
    assert!(rss_end - rss_mark < RSS_GROWTH_LIMIT_KB, "memory grew by {} kB", rss_end - rss_mark);
    // And the server still answers normally.
    let karita =
        server.call("get_user", json!({"user": KARITA}).as_object().cloned(), caller).await.expect("a known tool");
    assert!(!karita.is_error, "{}", karita.markdown);
    assert_eq!(karita.structured["display_name"], "Karita Ahlberg");
}
