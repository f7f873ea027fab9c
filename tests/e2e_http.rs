//! The real HTTP app on 127.0.0.1:0 with an rmcp client: every skill's examples on the demo tenant
//! under both MCP revisions, the Host allow-list, `/healthz`, and the demo's loopback-only rule.

mod common;

use std::net::SocketAddr;

use entra_mcp::app::{App, Mode};
use entra_mcp::config::{Cloud, DemoSettings, Settings};
use entra_mcp::skills::Selection;
use rmcp::ServiceExt;
use rmcp::model::ProtocolVersion;
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use tokio_util::sync::CancellationToken;

struct Running {
    addr: SocketAddr,
    cancel: CancellationToken,
    _app: App,
}

async fn start() -> Running {
    let settings =
        Settings::new(Some(DemoSettings { scale: 1, latency_ms: 0 }), Cloud::Public, None, Selection::everything())
            .expect("settings");
    let app = App::start(&settings, Mode::Http).await.expect("app starts");
    let listener = entra_mcp::http::bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let cancel = CancellationToken::new();
    let router =
        entra_mcp::http::router(app.server.clone(), None, entra_mcp::http::allowed_hosts(&[], None), cancel.clone());
    tokio::spawn(entra_mcp::http::serve(listener, router, cancel.clone()));
    Running { addr, cancel, _app: app }
}

fn transport(addr: SocketAddr) -> StreamableHttpClientTransport<reqwest::Client> {
    StreamableHttpClientTransport::from_config(StreamableHttpClientTransportConfig::with_uri(format!(
        "http://{addr}/mcp"
    )))
}

#[tokio::test]
async fn every_skill_answers_its_examples_over_http() {
    let server = start().await;
    let client = ().serve(transport(server.addr)).await.expect("initialize over HTTP");
    common::check_every_skill(&client, &Selection::everything()).await;
    client.cancel().await.expect("close");
    server.cancel.cancel();
}

#[tokio::test]
async fn the_2026_revision_is_served_statelessly() {
    let server = start().await;
    let lifecycle = ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] };
    let client = ().serve_with_lifecycle(transport(server.addr), lifecycle).await.expect("server/discover");
    let karita = common::ok(&client, "get_user", serde_json::json!({"user": "karita@woodgrovebank.com"})).await;
    assert_eq!(karita["display_name"], "Karita Ahlberg");
    common::check_risk(&client).await;
    client.cancel().await.expect("close");
    server.cancel.cancel();
}

#[tokio::test]
async fn health_and_host_checks() {
    let server = start().await;
    let http = reqwest::Client::new();
    let health = http.get(format!("http://{}/healthz", server.addr)).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    let foreign = http
        .post(format!("http://{}/mcp", server.addr))
        .header("Host", "evil.example.com")
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .send()
        .await
        .expect("request");
    assert_eq!(foreign.status(), 403, "a foreign Host is refused (DNS rebinding)");
    server.cancel.cancel();
}

#[tokio::test]
async fn the_demo_refuses_to_listen_beyond_loopback() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_entra-mcp"))
        .args(["http", "--demo", "--listen", "0.0.0.0:0"])
        .output()
        .await
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--listen") && stderr.contains("loopback"), "{stderr}");
}
