//! GraphClient against a wiremock Graph: paging, retries within a bounded wait, which requests
//! may be retried, error mapping with Graph's request-id, and the token that reaches Graph.
//! Also the bounds of one tool call's Graph work: a nextLink leaving Graph's origin or version
//! path is not followed (a second server stands for the foreign origin and must see nothing),
//! endless pages end at the page cap, and a slow or throttling Graph ends at the deadline —
//! each stop answering with the pages read, `more`, a note and a `stopped` record.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_mcp::auth::{AccessToken, Caller, TokenSource};
use entra_mcp::error::{ErrorKind, SkillError};
use entra_mcp::graph::{GraphClient, GraphRequest, GraphService, GraphSettings, Query};
use entra_mcp::server::EntraServer;
use entra_mcp::skills::Selection;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use wiremock::matchers::{any, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct FixedToken;

impl TokenSource for FixedToken {
    fn graph_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(async { Ok(AccessToken::new("graph-token-for-tests")) })
    }
}

/// Limits short enough to keep the tests quick; `deadline` and `max_pages` are the defaults
/// unless a test says otherwise.
fn settings(server: &MockServer) -> GraphSettings {
    GraphSettings {
        base_url: server.uri(),
        timeout: Duration::from_millis(800),
        max_retries: 3,
        max_retry_wait: Duration::from_secs(4),
        initial_backoff: Duration::from_millis(20),
        ..GraphSettings::default()
    }
}

fn client(server: &MockServer) -> GraphClient {
    client_with(settings(server))
}

fn client_with(settings: GraphSettings) -> GraphClient {
    let service = GraphService::new(settings, Arc::new(FixedToken)).expect("client builds");
    service.bind(Arc::new(Caller::default()))
}

fn graph_error(code: &str, request_id: &str) -> Value {
    json!({"error": {"code": code, "message": "Something went wrong.", "innerError": {"date": "2026-11-22T10:00:00", "request-id": request_id}}})
}

#[tokio::test]
async fn follows_next_links_up_to_the_cap_and_reports_more() {
    let server = MockServer::start().await;
    let next = format!("{}/v1.0/users?$skiptoken=page2", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(query_param("$skiptoken", "page2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "c"}, {"id": "d"}], "@odata.nextLink": format!("{}/v1.0/users?$skiptoken=page3", server.uri())})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(header("authorization", "Bearer graph-token-for-tests"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": next})),
        )
        .mount(&server)
        .await;
    let graph = client(&server);
    let page = graph.list::<Value>(GraphRequest::get("/users").query(Query::new().select(&["id"]).top(2)), 3).await;
    let page = page.expect("listed");
    let ids: Vec<&str> = page.items.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert!(page.more, "a third page exists");
    let calls = graph.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].pages, Some(2));
    assert_eq!(calls[0].query, "$select=id&$top=2");
    // The token went to Graph, and is nowhere in what the admin is shown.
    assert!(!serde_json::to_string(&calls).unwrap_or_default().contains("graph-token-for-tests"));
}

#[tokio::test]
async fn retries_429_honouring_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/x"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(graph_error("TooManyRequests", "r-429")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "x"})))
        .mount(&server)
        .await;
    let started = Instant::now();
    let user: Value = client(&server).get(GraphRequest::get("/users/x")).await.expect("retried");
    assert_eq!(user["id"], "x");
    assert!(started.elapsed() >= Duration::from_millis(950), "waited for Retry-After");
}

#[tokio::test]
async fn gives_up_as_throttled_within_the_bounded_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .respond_with(ResponseTemplate::new(503).set_body_json(graph_error("ServiceUnavailable", "r-503")))
        .mount(&server)
        .await;
    let started = Instant::now();
    let e = client(&server).list::<Value>(GraphRequest::get("/users"), 10).await.expect_err("fails");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.remedy.as_deref().is_some_and(|r| r.starts_with("retry after")));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(4), "one try and three retries");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_fails_fast() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let started = Instant::now();
    let e = client(&server).list::<Value>(GraphRequest::get("/users"), 10).await.expect_err("fails");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.remedy.as_deref(), Some("retry after 120 s"));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn writes_are_not_retried_after_503_but_are_after_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/identityProtection/riskyUsers/dismiss"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let graph = client(&server);
    let e =
        graph.get::<Value>(GraphRequest::post("/identityProtection/riskyUsers/dismiss", json!({"userIds": []}))).await;
    assert!(e.is_err());
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "a write is sent once");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/identityProtection/riskyUsers/dismiss"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/identityProtection/riskyUsers/dismiss"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let ok = client(&server)
        .get::<Value>(GraphRequest::post("/identityProtection/riskyUsers/dismiss", json!({"userIds": []})))
        .await;
    assert!(ok.is_ok(), "429 means Graph did nothing, so a write may be retried");
}

#[tokio::test]
async fn errors_keep_graph_code_request_id_and_date() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/nobody@woodgrovebank.com"))
        .respond_with(ResponseTemplate::new(404).set_body_json(graph_error("Request_ResourceNotFound", "r-404")))
        .mount(&server)
        .await;
    let graph = client(&server);
    let e = graph.get::<Value>(GraphRequest::get("/users/nobody@woodgrovebank.com")).await.expect_err("404");
    assert_eq!(e.kind, ErrorKind::NotFound);
    let g = e.graph.expect("graph details");
    assert_eq!(
        (g.status, g.code.as_deref(), g.request_id.as_deref()),
        (404, Some("Request_ResourceNotFound"), Some("r-404"))
    );
    assert_eq!(graph.calls()[0].status, 404);
}

#[tokio::test]
async fn malformed_json_and_timeouts_are_upstream_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/groups"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let graph = client(&server);
    let e = graph.list::<Value>(GraphRequest::get("/users"), 10).await.expect_err("bad json");
    assert_eq!(e.kind, ErrorKind::Upstream);
    let started = Instant::now();
    let e = graph.list::<Value>(GraphRequest::get("/groups"), 10).await.expect_err("timeout");
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(e.message.contains("timed out"));
    assert!(started.elapsed() < Duration::from_secs(6), "bounded: {:?}", started.elapsed());
}

#[tokio::test]
async fn advanced_queries_send_consistency_level() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(header("ConsistencyLevel", "eventual"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [], "@odata.count": 0})))
        .mount(&server)
        .await;
    let q = Query::new().filter(entra_mcp::odata::Expr::ne("userType", "Member")).count();
    let page = client(&server).list::<Value>(GraphRequest::get("/users").query(q), 5).await.expect("CL sent");
    assert_eq!(page.total, Some(0));
}

#[tokio::test]
async fn a_claims_challenge_is_surfaced_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header(
                    "WWW-Authenticate",
                    r#"Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ==""#,
                )
                .set_body_json(graph_error("InvalidAuthenticationToken", "r-401")),
        )
        .mount(&server)
        .await;
    let e = client(&server).list::<Value>(GraphRequest::get("/users"), 10).await.expect_err("401");
    assert_eq!(e.kind, ErrorKind::ConsentRequired);
    assert!(
        e.remedy.as_deref().is_some_and(|r| r.contains("eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ=="))
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "not retried");
}

/// A catch-all standing for a foreign origin: whatever reaches it is a leaked token.
async fn foreign(listener: Option<TcpListener>) -> MockServer {
    let server = match listener {
        Some(listener) => MockServer::builder().listener(listener).start().await,
        None => MockServer::start().await,
    };
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "stolen"}]})))
        .mount(&server)
        .await;
    server
}

/// A Graph whose first page of `/v1.0/users` holds `a` and links to `next`.
async fn graph_linking_to(server: &MockServer, next: &str) {
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "a"}], "@odata.nextLink": next})),
        )
        .mount(server)
        .await;
}

/// Lists `/users` on `graph` and checks the answer is the first page only, with `more`, a note
/// saying the link was not followed and the same reason in the request record.
async fn assert_stops_at_first_page(graph_server: &MockServer, link: &str) {
    let graph = client(graph_server);
    let page = graph.list::<Value>(GraphRequest::get("/users"), 10).await.unwrap_or_else(|e| panic!("{link}: {e:?}"));
    let ids: Vec<&str> = page.items.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["a"], "{link}: the first page only");
    assert!(page.more, "{link}: the list says more may exist");
    let notes = graph.notes();
    assert_eq!(notes.len(), 1, "{link}: {notes:?}");
    assert!(notes[0].contains("GET v1.0 /users") && notes[0].contains("not followed"), "{link}: {notes:?}");
    assert!(!notes[0].contains(link), "the note does not repeat Graph's link");
    let calls = graph.calls();
    assert_eq!(calls.len(), 1);
    let stopped = calls[0].stopped.as_deref().unwrap_or_default();
    assert!(stopped.contains("not followed"), "{link}: {stopped}");
    let record = serde_json::to_value(&calls[0]).unwrap_or_default();
    assert_eq!(record["stopped"].as_str(), Some(stopped), "the reason is in graph_requests");
    assert_eq!(graph_server.received_requests().await.map(|r| r.len()), Some(1), "{link}: Graph asked once");
}

#[tokio::test]
async fn next_links_to_another_origin_are_not_followed_and_the_token_stays_home() {
    let evil = foreign(None).await;
    let evil_port = evil.address().port();
    for hostile in [
        // Another port on the same host.
        format!("http://127.0.0.1:{evil_port}/v1.0/users?$skiptoken=x"),
        // Another host name for the same machine.
        format!("http://localhost:{evil_port}/v1.0/users?$skiptoken=x"),
        // Graph's origin as user info in front of the foreign one: a string prefix passes it.
        "{graph}@127.0.0.1:{evil_port}/v1.0/users?$skiptoken=x".replace("{evil_port}", &evil_port.to_string()),
    ] {
        let graph_server = MockServer::start().await;
        let link = hostile.replace("{graph}", &graph_server.uri());
        graph_linking_to(&graph_server, &link).await;
        assert_stops_at_first_page(&graph_server, &link).await;
        assert_eq!(evil.received_requests().await.map(|r| r.len()), Some(0), "{link} reached the foreign origin");
    }
}

#[tokio::test]
async fn a_port_that_only_starts_with_graphs_port_is_another_origin() {
    // Graph on a four-digit port P and the foreign origin on P followed by a digit: the link
    // `http://127.0.0.1:P<d>/…` starts with Graph's base URL as a string.
    let mut found = None;
    for port in (2000u16..6500).step_by(97) {
        let Ok(graph_listener) = TcpListener::bind(("127.0.0.1", port)) else { continue };
        let evil_listener = (0..10u16).find_map(|d| TcpListener::bind(("127.0.0.1", port * 10 + d)).ok());
        if let Some(evil_listener) = evil_listener {
            found = Some((graph_listener, evil_listener));
            break;
        }
    }
    let Some((graph_listener, evil_listener)) = found else { panic!("no pair of free loopback ports") };
    let graph_server = MockServer::builder().listener(graph_listener).start().await;
    let evil = foreign(Some(evil_listener)).await;
    let link = format!("http://127.0.0.1:{}/v1.0/users?$skiptoken=x", evil.address().port());
    assert!(link.starts_with(&graph_server.uri()), "{link} shares the base URL's text");
    graph_linking_to(&graph_server, &link).await;
    assert_stops_at_first_page(&graph_server, &link).await;
    assert_eq!(evil.received_requests().await.map(|r| r.len()), Some(0), "the foreign port was reached");
}

#[tokio::test]
async fn next_links_off_graphs_scheme_user_info_or_version_path_are_not_followed() {
    for hostile in [
        // Another scheme for the same host and port.
        "https://{host}/v1.0/users?$skiptoken=x",
        // User info on Graph's own origin.
        "http://user:secret@{host}/v1.0/users?$skiptoken=x",
        // Graph's origin, another version than the request's, or no version at all.
        "http://{host}/beta/users?$skiptoken=x",
        "http://{host}/v1.0/../beta/users?$skiptoken=x",
        "http://{host}/v1.0evil/users?$skiptoken=x",
        "http://{host}/users?$skiptoken=x",
        "not a link",
    ] {
        let graph_server = MockServer::start().await;
        let link = hostile.replace("{host}", &graph_server.address().to_string());
        graph_linking_to(&graph_server, &link).await;
        assert_stops_at_first_page(&graph_server, &link).await;
    }
}

#[tokio::test]
async fn a_next_link_on_graphs_origin_and_version_is_followed_in_its_parsed_form() {
    let server = MockServer::start().await;
    // A dot segment that stays under the version: the parsed link is Graph's, and it is the
    // parsed form that is requested.
    let next = format!("http://{}/v1.0/x/../users?$skiptoken=2", server.address());
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [{"id": "b"}]})))
        .mount(&server)
        .await;
    graph_linking_to(&server, &next).await;
    let graph = client(&server);
    let page = graph.list::<Value>(GraphRequest::get("/users"), 10).await.expect("listed");
    let ids: Vec<&str> = page.items.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert!(!page.more);
    assert!(graph.notes().is_empty());
    assert_eq!(graph.calls()[0].stopped, None);
}

/// A Graph that answers every `/v1.0/auditLogs/signIns` page with no rows and a link to the
/// next, as real Graph does for a quiet sign-in log; `delay` per page.
async fn endless_empty_pages(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    let next = format!("{}/v1.0/auditLogs/signIns?$skiptoken=more", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/auditLogs/signIns"))
        .respond_with(
            ResponseTemplate::new(200).set_delay(delay).set_body_json(json!({"value": [], "@odata.nextLink": next})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn endless_empty_pages_end_at_the_page_cap_with_a_note() {
    let server = endless_empty_pages(Duration::ZERO).await;
    let defaults = GraphSettings::default();
    let graph = client(&server);
    let started = Instant::now();
    let page = graph.list::<Value>(GraphRequest::get("/auditLogs/signIns"), 10).await.expect("the pages read");
    assert!(started.elapsed() < defaults.deadline, "within the deadline: {:?}", started.elapsed());
    assert!(page.items.is_empty() && page.more);
    let sent = server.received_requests().await.map(|r| r.len());
    assert_eq!(sent, Some(defaults.max_pages as usize), "the default page cap");
    let calls = graph.calls();
    assert_eq!(calls[0].pages, Some(defaults.max_pages));
    assert!(calls[0].stopped.as_deref().is_some_and(|s| s.contains("page cap")), "{calls:?}");
    let notes = graph.notes();
    assert!(notes.iter().any(|n| n.contains(&format!("stopped after {} pages", defaults.max_pages))), "{notes:?}");

    // A skill may ask for fewer pages, and a service may be set to fewer; neither raises it.
    let server = endless_empty_pages(Duration::ZERO).await;
    let graph = client(&server);
    let page = graph.list::<Value>(GraphRequest::get("/auditLogs/signIns").max_pages(3), 10).await.expect("read");
    assert!(page.more);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
    let server = endless_empty_pages(Duration::ZERO).await;
    let graph = client_with(GraphSettings { max_pages: 4, ..settings(&server) });
    let page = graph.list::<Value>(GraphRequest::get("/auditLogs/signIns").max_pages(500), 10).await.expect("read");
    assert!(page.more);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(4));
}

#[tokio::test]
async fn slow_endless_pages_end_at_the_deadline_with_the_pages_read() {
    let server = endless_empty_pages(Duration::from_millis(150)).await;
    let deadline = Duration::from_millis(1000);
    let graph = client_with(GraphSettings { deadline, ..settings(&server) });
    let started = Instant::now();
    let page = graph.list::<Value>(GraphRequest::get("/auditLogs/signIns"), 10).await.expect("the pages read");
    let took = started.elapsed();
    assert!(took < deadline + Duration::from_millis(300), "ends by the deadline: {took:?}");
    assert!(page.more);
    let notes = graph.notes();
    assert!(notes.iter().any(|n| n.contains("stopped at the 1 s deadline")), "{notes:?}");
    let calls = graph.calls();
    assert_eq!(calls.len(), 1, "one record for the list: {calls:?}");
    assert!(calls[0].stopped.as_deref().is_some_and(|s| s.contains("deadline")));
    assert!(calls[0].pages.is_some_and(|p| p < GraphSettings::default().max_pages));
}

#[tokio::test]
async fn a_slow_graph_ends_at_the_deadline_not_the_request_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)).set_body_json(json!({"value": []})))
        .mount(&server)
        .await;
    let deadline = Duration::from_millis(700);
    let graph = client_with(GraphSettings { deadline, timeout: Duration::from_secs(20), ..settings(&server) });
    let started = Instant::now();
    let e = graph.list::<Value>(GraphRequest::get("/users"), 10).await.expect_err("nothing read");
    let took = started.elapsed();
    assert!(took < deadline + Duration::from_millis(300), "ends by the deadline: {took:?}");
    assert_eq!(e.kind, ErrorKind::Upstream);
    assert!(e.message.contains("deadline"), "{}", e.message);
    assert!(graph.calls()[0].stopped.as_deref().is_some_and(|s| s.contains("deadline")));
    // Once the deadline has passed, nothing more is sent.
    let e = graph.get::<Value>(GraphRequest::get("/users/x")).await.expect_err("past the deadline");
    assert!(e.message.contains("not sent"), "{}", e.message);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "only the first request went out");
}

#[tokio::test]
async fn a_fresh_deadline_is_a_whole_one_sharing_the_record() {
    // What a confirmed write gets after the human took their time to approve it.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "x"})))
        .mount(&server)
        .await;
    let graph = client_with(GraphSettings { deadline: Duration::from_millis(300), ..settings(&server) });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(graph.get::<Value>(GraphRequest::get("/users/x")).await.is_err(), "past the deadline");
    let fresh = graph.with_fresh_deadline();
    assert!(fresh.get::<Value>(GraphRequest::get("/users/x")).await.is_ok());
    assert_eq!(graph.calls().len(), 2, "one record for both");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "the late request was not sent");
}

#[tokio::test]
async fn retries_stop_at_the_deadline() {
    // A Retry-After the retry budget would allow but the deadline would not: no waiting it out.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "2"))
        .mount(&server)
        .await;
    let graph = client_with(GraphSettings {
        deadline: Duration::from_millis(1500),
        max_retry_wait: Duration::from_secs(30),
        ..settings(&server)
    });
    let started = Instant::now();
    let e = graph.get::<Value>(GraphRequest::get("/users/x")).await.expect_err("throttled");
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.message.contains("deadline"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_millis(500), "gave up at once: {:?}", started.elapsed());
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));

    // Many quick retries allowed by count and budget still end at the deadline.
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let deadline = Duration::from_millis(800);
    let graph = client_with(GraphSettings {
        deadline,
        max_retries: 1000,
        max_retry_wait: Duration::from_secs(60),
        initial_backoff: Duration::from_millis(20),
        ..settings(&server)
    });
    let started = Instant::now();
    let e = graph.get::<Value>(GraphRequest::get("/users/x")).await.expect_err("unavailable");
    assert!(started.elapsed() <= deadline + Duration::from_millis(200), "{:?}", started.elapsed());
    assert!(e.message.contains("deadline"), "{}", e.message);
}

#[tokio::test]
async fn a_tool_answer_carries_the_stop_as_more_a_note_and_a_stopped_record() {
    let graph_server = endless_empty_pages(Duration::ZERO).await;
    let graph = GraphService::new(GraphSettings { max_pages: 5, ..settings(&graph_server) }, Arc::new(FixedToken))
        .expect("graph");
    let caller = Arc::new(Caller::default());
    let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());
    let reply = server.call("list_sign_ins", None, caller).await.expect("a known tool");
    assert!(!reply.is_error, "{}", reply.markdown);
    let answer = &reply.structured;
    let notes: Vec<&str> = answer["notes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert!(notes.iter().any(|n| n.contains("stopped after 5 pages")), "{answer}");
    assert!(reply.markdown.contains("stopped after 5 pages"), "{}", reply.markdown);
    let stopped = answer["graph_requests"][0]["stopped"].as_str().unwrap_or_default();
    assert!(stopped.contains("page cap"), "{answer}");
    assert_eq!(graph_server.received_requests().await.map(|r| r.len()), Some(5));
}
