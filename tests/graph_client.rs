//! GraphClient against a wiremock Graph: paging, retries within a bounded wait, which requests
//! may be retried, error mapping with Graph's request-id, and the token that reaches Graph.

use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_mcp::auth::{AccessToken, Caller, TokenSource};
use entra_mcp::error::{ErrorKind, SkillError};
use entra_mcp::graph::{GraphClient, GraphRequest, GraphService, GraphSettings, Query};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct FixedToken;

impl TokenSource for FixedToken {
    fn graph_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(async { Ok(AccessToken::new("graph-token-for-tests")) })
    }
}

fn client(server: &MockServer) -> GraphClient {
    let settings = GraphSettings {
        base_url: server.uri(),
        timeout: Duration::from_millis(800),
        max_retries: 3,
        max_retry_wait: Duration::from_secs(4),
        initial_backoff: Duration::from_millis(20),
    };
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
async fn a_next_link_to_another_host_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"value": [{"id": "a"}], "@odata.nextLink": "https://attacker.example/v1.0/users?$skiptoken=x"}),
        ))
        .mount(&server)
        .await;
    let e = client(&server).list::<Value>(GraphRequest::get("/users"), 10).await.err();
    assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Upstream));
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
