//! Fault injection: every skill, against the demo emulator injecting throttling (with and
//! without `Retry-After`), 503, 504, timeouts, dropped connections and malformed JSON, ends
//! within a bounded time with its usual answer or a clear `throttled` / `upstream` tool error,
//! and answers normally again once the fault is gone.
//!
//! The stack is built in-process from the public APIs with short limits (a 400 ms request
//! timeout, 10 ms first backoff, a 2.5 s retry budget), so a whole fault matrix runs in seconds.
//! A page that fails midway through `@odata.nextLink` paging is covered twice: by the client
//! paging the emulator, and by `search_users` against a wiremock Graph that serves short pages
//! (the emulator always fills a page up to `$top`, which is the skills' cap, so they never
//! follow a next link there). One case runs through the HTTP transport with an rmcp client.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_mcp::auth::Caller;
use entra_mcp::auth::demo::DemoTokenSource;
use entra_mcp::demo::{DemoGraph, DemoOptions, Fault, FaultRule};
use entra_mcp::error::ErrorKind;
use entra_mcp::graph::{GraphRequest, GraphService, GraphSettings, Query};
use entra_mcp::server::EntraServer;
use entra_mcp::skill::{Example, SkillReply};
use entra_mcp::skills::Selection;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KARITA: &str = "karita@woodgrovebank.com";

/// The request timeout: an injected delay longer than this is a timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(400);
/// The retry budget. Long enough for one `Retry-After: 1`, short enough to keep the test quick.
const RETRY_BUDGET: Duration = Duration::from_millis(2500);
/// The most any one call may take, faults included: a skill's sequential Graph steps each stop
/// within the retry budget plus one request timeout.
const BOUND: Duration = Duration::from_secs(6);
/// Skills whose fault matrices run at once. With 142 skills, 32 at once loaded two cores enough
/// that an ordinary request sometimes passed the 400 ms timeout and a retry hid the injected
/// fault.
const MATRIX_IN_FLIGHT: usize = 16;
/// Enough occurrences that a fault outlasts every retry of every request of a call.
const PERSISTENT: u32 = 10_000;

fn graph_settings(base_url: String) -> GraphSettings {
    GraphSettings {
        base_url,
        timeout: REQUEST_TIMEOUT,
        max_retries: 3,
        max_retry_wait: RETRY_BUDGET,
        initial_backoff: Duration::from_millis(10),
        ..GraphSettings::default()
    }
}

/// The server as the demo wires it, with the short limits above.
struct Stack {
    demo: DemoGraph,
    server: EntraServer,
    caller: Arc<Caller>,
}

async fn stack() -> Stack {
    let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator starts");
    let persona = entra_mcp::demo::persona_object_id();
    let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
    let graph = GraphService::new(graph_settings(demo.base_url()), tokens).expect("graph client");
    let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
    let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());
    Stack { demo, server, caller }
}

impl Stack {
    /// One call, timed, failing the test if it outlives [`BOUND`].
    async fn call(&self, skill: &str, args: &Value) -> (SkillReply, Duration) {
        let started = Instant::now();
        let call = self.server.call(skill, args.as_object().cloned(), self.caller.clone());
        let reply = tokio::time::timeout(BOUND, call)
            .await
            .unwrap_or_else(|_| panic!("{skill} {args} did not answer within {BOUND:?}"))
            .unwrap_or_else(|e| panic!("{skill} is a known tool: {e}"));
        (reply, started.elapsed())
    }
}

/// The fault kinds of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Throttle,
    ThrottleRetryAfter,
    Unavailable,
    GatewayTimeout,
    Timeout,
    Reset,
    MalformedJson,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Throttle,
        Kind::ThrottleRetryAfter,
        Kind::Unavailable,
        Kind::GatewayTimeout,
        Kind::Timeout,
        Kind::Reset,
        Kind::MalformedJson,
    ];

    fn fault(self) -> Fault {
        match self {
            Kind::Throttle => Fault::Throttle { retry_after: None },
            Kind::ThrottleRetryAfter => Fault::Throttle { retry_after: Some(1) },
            Kind::Unavailable => Fault::ServiceUnavailable,
            Kind::GatewayTimeout => Fault::GatewayTimeout,
            // Two and a half request timeouts late: the client gives up long before.
            Kind::Timeout => Fault::Delay { ms: 1000 },
            Kind::Reset => Fault::Reset,
            Kind::MalformedJson => Fault::MalformedJson,
        }
    }

    /// Whether one occurrence is absorbed by a retry. A malformed 200 is not retried: Graph
    /// answered, and the answer is wrong.
    fn retried(self) -> bool {
        self != Kind::MalformedJson
    }

    /// What a fault that never stops ends as: the error kind, the Graph status the error
    /// carries (none when no HTTP answer came), and the remedy.
    fn persistent(self) -> (ErrorKind, Option<u16>, &'static str) {
        match self {
            Kind::Throttle => (ErrorKind::Throttled, Some(429), "retry after 60 s"),
            Kind::ThrottleRetryAfter => (ErrorKind::Throttled, Some(429), "retry after 1 s"),
            Kind::Unavailable => (ErrorKind::Throttled, Some(503), "retry after 60 s"),
            Kind::GatewayTimeout => (ErrorKind::Throttled, Some(504), "retry after 60 s"),
            Kind::Timeout | Kind::Reset => {
                (ErrorKind::Upstream, None, "retry in a moment; check the network path to Graph if it persists")
            }
            Kind::MalformedJson => (ErrorKind::Upstream, Some(200), "retry; quote the request-id if it persists"),
        }
    }

    /// Requests one GET makes under a persistent fault: one try plus the retries the budget
    /// allows (`Retry-After: 1` twice within 2.5 s; a malformed answer is never retried).
    fn attempts(self) -> u64 {
        match self {
            Kind::ThrottleRetryAfter => 3,
            Kind::MalformedJson => 1,
            _ => 4,
        }
    }
}

fn error_kind(reply: &SkillReply) -> &str {
    reply.structured["error"]["kind"].as_str().unwrap_or_default()
}

/// A failed reply: the expected kind, Graph status and remedy, in both forms.
fn assert_clear_error(reply: &SkillReply, kind: Kind, context: &str) {
    let (expected, status, remedy) = kind.persistent();
    assert!(reply.is_error, "{context}: should fail, got {}", reply.markdown);
    let error = &reply.structured["error"];
    assert_eq!(error_kind(reply), expected.as_str(), "{context}: {}", reply.markdown);
    assert_eq!(error["remedy"], remedy, "{context}");
    assert_eq!(error["status"].as_u64(), status.map(u64::from), "{context}: {error}");
    if status.is_some() {
        assert!(error["request_id"].as_str().is_some_and(|id| id.len() == 36), "{context}: quotable request-id");
    }
    assert!(reply.markdown.starts_with(&format!("**{}**: ", expected.as_str())), "{context}: {}", reply.markdown);
    assert!(reply.markdown.contains(&format!("next: {remedy}")), "{context}: {}", reply.markdown);
}

fn assert_success(reply: &SkillReply, context: &str) {
    assert!(!reply.is_error, "{context}: {}", reply.markdown);
    assert!(!reply.graph_requests.is_empty(), "{context}: lists its Graph requests");
    assert!(reply.graph_requests.iter().all(|r| r.status == 200), "{context}: {:?}", reply.graph_requests);
}

fn strings<'a>(rows: &'a Value, field: &str) -> Vec<&'a str> {
    rows.as_array().map(|a| a.iter().filter_map(|r| r[field].as_str()).collect()).unwrap_or_default()
}

/// One skill with arguments that succeed on the demo tenant and the facts its answer holds:
/// the first succeeding example of its declaration.
struct Case {
    skill: &'static str,
    example: Example,
}

impl Case {
    fn args(&self) -> Value {
        Value::Object(self.example.arguments().unwrap_or_else(|e| panic!("{}: {e}", self.skill)))
    }

    fn facts(&self, reply: &SkillReply) {
        let missing = self.example.check(reply.is_error, &reply.structured, &reply.markdown);
        assert!(missing.is_empty(), "{}: {missing:?}", self.skill);
    }
}

/// Every skill of the catalog, by its first example that answers.
fn cases() -> Vec<Case> {
    entra_mcp::skills::catalog()
        .iter()
        .map(|s| {
            let example = s.decl.examples.iter().find(|e| !e.expects_failure()).copied();
            Case {
                skill: s.decl.name,
                example: example.unwrap_or_else(|| panic!("{} has no answering example", s.decl.name)),
            }
        })
        .collect()
}

/// One skill through the whole matrix, on its own emulator (fault rules are per emulator).
/// Returns the slowest call.
async fn run_matrix(case: Case) -> Duration {
    let stack = stack().await;
    let faults = stack.demo.faults();
    let mut slowest = Duration::ZERO;
    let args = case.args();
    let (reply, elapsed) = stack.call(case.skill, &args).await;
    assert_success(&reply, &format!("{} before any fault", case.skill));
    case.facts(&reply);
    slowest = slowest.max(elapsed);

    for kind in Kind::ALL {
        // One occurrence: a retry absorbs it, except a malformed answer, which is an error
        // unless it hit a part of the answer the skill can do without.
        let context = format!("{} with one {kind:?}", case.skill);
        faults.push(FaultRule::new(kind.fault()));
        let (reply, elapsed) = stack.call(case.skill, &args).await;
        slowest = slowest.max(elapsed);
        if kind.retried() {
            assert!(!reply.is_error, "{context}: {}", reply.markdown);
            case.facts(&reply);
        } else if !reply.is_error {
            // A malformed page of an optional section: the answer stands, with a note.
            assert!(reply.structured["notes"].is_array(), "{context}: {}", reply.markdown);
        } else {
            assert_clear_error(&reply, kind, &context);
        }
        faults.clear();

        // A fault that does not stop: a clear error, within the bound.
        let context = format!("{} with persistent {kind:?}", case.skill);
        let before = stack.demo.request_count();
        faults.push(FaultRule::new(kind.fault()).times(PERSISTENT));
        let (reply, elapsed) = stack.call(case.skill, &args).await;
        slowest = slowest.max(elapsed);
        assert_clear_error(&reply, kind, &context);
        if case.skill == "get_user" {
            // One GET: exactly the tries the retry policy allows, no more.
            assert_eq!(stack.demo.request_count() - before, kind.attempts(), "{context}");
        }
        faults.clear();

        // And the same call answers normally once the fault is gone.
        let (reply, elapsed) = stack.call(case.skill, &args).await;
        slowest = slowest.max(elapsed);
        assert_success(&reply, &format!("{} after {kind:?} cleared", case.skill));
        case.facts(&reply);
    }
    slowest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_skill_ends_well_under_every_fault_and_recovers() {
    let started = Instant::now();
    let cases = cases();
    let count = cases.len();
    // Skills run concurrently, each on its own emulator, a bounded number at a time: the 400 ms
    // request timeout must measure the faults, not two cores shared by a hundred tenants
    // being generated at once.
    let permits = Arc::new(tokio::sync::Semaphore::new(MATRIX_IN_FLIGHT));
    let runs: Vec<_> = cases
        .into_iter()
        .map(|case| {
            let permits = permits.clone();
            (
                case.skill,
                tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await.expect("the semaphore stays open");
                    run_matrix(case).await
                }),
            )
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for (skill, run) in runs {
        match run.await {
            Ok(elapsed) => slowest = slowest.max(elapsed),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("{skill}: {e}"),
        }
    }
    eprintln!("fault matrix: {count} skills x 7 faults in {:?}; slowest call {slowest:?}", started.elapsed());
}

#[tokio::test]
async fn a_failing_what_if_replay_degrades_to_a_note() {
    let stack = stack().await;
    let args = json!({"user": KARITA, "since": "3h"});
    // The What-If replay is a POST that changes nothing, so a 503 on it is retried like a GET.
    stack.demo.faults().push(FaultRule::new(Fault::ServiceUnavailable).on_path("conditionalAccess/evaluate"));
    let (reply, _) = stack.call("explain_sign_in_failure", &args).await;
    assert_success(&reply, "one 503 on the What-If replay");
    assert!(reply.structured["what_if"]["applying_now"].is_array(), "{}", reply.structured);
    assert_eq!(stack.demo.faults().pending(), 0, "the fault was consumed by the replay");

    // When the replay keeps failing, the explanation still stands, without the replay.
    stack.demo.faults().push(FaultRule::new(Fault::ServiceUnavailable).on_path("conditionalAccess/evaluate").times(9));
    let (reply, _) = stack.call("explain_sign_in_failure", &args).await;
    assert!(!reply.is_error, "{}", reply.markdown);
    assert_eq!(reply.structured["error_code"], 53000);
    assert!(reply.structured.get("what_if").is_none_or(Value::is_null), "{}", reply.structured);
    let notes: Vec<&str> =
        reply.structured["notes"].as_array().map(|n| n.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    assert!(notes.iter().any(|n| n.starts_with("What-If replay unavailable: throttled")), "{notes:?}");
    assert!(reply.markdown.contains("note: What-If replay unavailable"), "{}", reply.markdown);
    let replay = reply.graph_requests.iter().find(|r| r.path == "/identity/conditionalAccess/evaluate");
    assert_eq!(replay.map(|r| (r.method.as_str(), r.status)), Some(("POST", 503)), "the failed replay is listed");
    assert_eq!(stack.demo.faults().pending(), 1, "4 of the 9 occurrences were used: one try and three retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_link_that_fails_midway_is_retried_or_reported() {
    let stack = stack().await;
    let graph = GraphService::new(
        graph_settings(stack.demo.base_url()),
        Arc::new(DemoTokenSource::new(entra_mcp::demo::persona_object_id())),
    )
    .expect("graph client");
    let request = || GraphRequest::get("/users").query(Query::new().select(&["id", "userPrincipalName"]).top(5));
    let ids = |items: &[Value]| items.iter().filter_map(|u| u["id"].as_str().map(str::to_owned)).collect::<Vec<_>>();
    let baseline = graph.bind(stack.caller.clone()).list::<Value>(request(), 12).await.expect("three pages");
    let expected = ids(&baseline.items);
    assert_eq!(expected.len(), 12);

    for kind in Kind::ALL {
        // Pages after the first carry `$skiptoken`: only they fail.
        stack.demo.faults().push(FaultRule::new(kind.fault()).on_path("$skiptoken"));
        let client = graph.bind(stack.caller.clone());
        let started = Instant::now();
        let outcome = tokio::time::timeout(BOUND, client.list::<Value>(request(), 12)).await.expect("bounded");
        assert!(started.elapsed() < BOUND);
        stack.demo.faults().clear();
        if kind.retried() {
            // The retried page neither repeats nor skips a row.
            let page = outcome.unwrap_or_else(|e| panic!("one {kind:?} on page 2: {e}"));
            assert_eq!(ids(&page.items), expected, "{kind:?}");
            assert_eq!(client.calls().last().and_then(|c| c.pages), Some(3));
        } else {
            let e = outcome.err().unwrap_or_else(|| panic!("{kind:?} on page 2 should fail"));
            assert_eq!(e.kind, ErrorKind::Upstream);
        }

        stack.demo.faults().push(FaultRule::new(kind.fault()).on_path("$skiptoken").times(PERSISTENT));
        let client = graph.bind(stack.caller.clone());
        let outcome = tokio::time::timeout(BOUND, client.list::<Value>(request(), 12)).await.expect("bounded");
        stack.demo.faults().clear();
        let e = outcome.err().unwrap_or_else(|| panic!("persistent {kind:?} on page 2 should fail"));
        let (expected_kind, status, remedy) = kind.persistent();
        assert_eq!((e.kind, e.remedy.as_deref()), (expected_kind, Some(remedy)), "{kind:?}: {e}");
        assert_eq!(e.graph.as_ref().map(|g| g.status), status, "{kind:?}");
        // The admin sees which request broke: the second page.
        let failed = client.calls().last().cloned().unwrap_or_else(|| panic!("{kind:?}: the failing page is listed"));
        assert_eq!((failed.pages, failed.status), (Some(2), status.unwrap_or(0)), "{kind:?}");
    }
}

/// A Graph user row for the wiremock pages.
fn user_row(n: u32) -> Value {
    json!({"id": format!("00000000-0000-4000-8000-00000000000{n}"), "displayName": format!("Ann {n}"),
           "userPrincipalName": format!("ann{n}@contoso.example"), "userType": "Member", "accountEnabled": true})
}

/// Mounts on `server` a Graph whose `/users` answers two rows and a next link, then `page_two`
/// (`times` times, or always) and the last two rows after that: Graph may return fewer rows
/// than `$top`, and the skill must follow the link.
async fn short_pages(server: &MockServer, page_two: ResponseTemplate, times: Option<u64>) {
    let next = format!("{}/v1.0/users?$skiptoken=page2", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(query_param_is_missing("$skiptoken"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"@odata.count": 4, "value": [user_row(1), user_row(2)], "@odata.nextLink": next}),
            ),
        )
        .mount(server)
        .await;
    let fault = Mock::given(method("GET")).and(path("/v1.0/users")).and(query_param("$skiptoken", "page2"));
    let fault = match times {
        Some(n) => fault.respond_with(page_two).up_to_n_times(n),
        None => fault.respond_with(page_two),
    };
    fault.with_priority(1).mount(server).await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(query_param("$skiptoken", "page2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [user_row(3), user_row(4)]})))
        .with_priority(2)
        .mount(server)
        .await;
}

fn graph_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"code": code, "message": "injected",
        "innerError": {"date": "2026-11-22T10:00:00", "request-id": "11111111-2222-4333-8444-555555555555"}}}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_users_survives_a_failing_second_page() {
    let faults: Vec<(Kind, fn() -> ResponseTemplate)> = vec![
        (Kind::Throttle, || graph_error(429, "TooManyRequests")),
        (Kind::ThrottleRetryAfter, || graph_error(429, "TooManyRequests").insert_header("Retry-After", "1")),
        (Kind::Unavailable, || graph_error(503, "ServiceUnavailable")),
        (Kind::GatewayTimeout, || graph_error(504, "GatewayTimeout")),
        (Kind::Timeout, || ResponseTemplate::new(200).set_delay(Duration::from_millis(1000))),
        (Kind::MalformedJson, || {
            ResponseTemplate::new(200)
                .insert_header("request-id", "11111111-2222-4333-8444-555555555555")
                .set_body_string("{\"value\":[{\"id\":\"0000")
        }),
    ];
    let runs = faults.into_iter().map(|(kind, response)| {
        tokio::spawn(async move {
            let graph = MockServer::start().await;
            let tokens = Arc::new(DemoTokenSource::new(entra_mcp::demo::persona_object_id()));
            let service = GraphService::new(graph_settings(graph.uri()), tokens).expect("graph client");
            let caller = Arc::new(Caller::default());
            let server = EntraServer::new(service, Arc::new(Selection::default()), caller.clone());
            let args = json!({"name": "Ann", "limit": 10}).as_object().cloned();
            let all_four =
                ["ann1@contoso.example", "ann2@contoso.example", "ann3@contoso.example", "ann4@contoso.example"];
            for times in [Some(1), None] {
                short_pages(&graph, response(), times).await;
                let started = Instant::now();
                let reply = tokio::time::timeout(BOUND, server.call("search_users", args.clone(), caller.clone()))
                    .await
                    .expect("bounded")
                    .expect("a known tool");
                assert!(started.elapsed() < BOUND);
                let context = format!("search_users, page 2 {kind:?} {times:?}");
                if times.is_some() && kind.retried() {
                    assert!(!reply.is_error, "{context}: {}", reply.markdown);
                    assert_eq!(strings(&reply.structured["users"], "upn"), all_four, "{context}");
                    assert_eq!(reply.structured["more"], false);
                    assert_eq!(reply.graph_requests[0].pages, Some(2));
                } else {
                    assert_clear_error(&reply, kind, &context);
                    assert_eq!(reply.graph_requests[0].pages, Some(2), "{context}: the failing page is listed");
                }
                // Once page 2 heals, the same server reads both pages.
                graph.reset().await;
                short_pages(
                    &graph,
                    ResponseTemplate::new(200).set_body_json(json!({"value": [user_row(3), user_row(4)]})),
                    None,
                )
                .await;
                let reply = server.call("search_users", args.clone(), caller.clone()).await.expect("a known tool");
                assert!(!reply.is_error, "{context}, healed: {}", reply.markdown);
                assert_eq!(strings(&reply.structured["users"], "upn"), all_four, "{context}, healed");
                graph.reset().await;
            }
        })
    });
    for run in runs.collect::<Vec<_>>() {
        if let Err(e) = run.await {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

#[tokio::test]
async fn a_fault_over_http_is_a_tool_error_and_the_server_keeps_serving() {
    use rmcp::ServiceExt;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let stack = stack().await;
    let listener = entra_mcp::http::bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let cancel = tokio_util::sync::CancellationToken::new();
    let router =
        entra_mcp::http::router(stack.server.clone(), None, entra_mcp::http::allowed_hosts(&[], None), cancel.clone());
    tokio::spawn(entra_mcp::http::serve(listener, router, cancel.clone()));
    let transport = StreamableHttpClientTransport::from_config(StreamableHttpClientTransportConfig::with_uri(format!(
        "http://{addr}/mcp"
    )));
    let client = ().serve(transport).await.expect("initialize over HTTP");

    stack.demo.faults().push(FaultRule::new(Fault::ServiceUnavailable).times(PERSISTENT));
    let started = Instant::now();
    let (kind, text) = common::err(&client, "get_risky_user", json!({"user": KARITA})).await;
    assert!(started.elapsed() < BOUND);
    assert_eq!(kind, "throttled");
    assert!(text.contains("next: retry after 60 s") && text.contains("graph: HTTP 503 ServiceUnavailable"), "{text}");
    stack.demo.faults().clear();

    // A dropped connection is retried unseen, and the server answers as before.
    stack.demo.faults().push(FaultRule::new(Fault::Reset));
    let detail = common::ok(&client, "get_risky_user", json!({"user": KARITA})).await;
    assert_eq!(detail["risk_level"], "high");
    assert_eq!(stack.demo.faults().pending(), 0);
    let health = reqwest::get(format!("http://{addr}/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);
    client.cancel().await.expect("close");
    cancel.cancel();
}
