//! The client allow-list end to end: the real app and router with `ENTRA_MCP_ALLOWED_CLIENTS`,
//! against a fake Entra. A token from a client that is not listed is refused with 403 at the
//! bearer middleware, so no on-behalf-of exchange is ever attempted for it; a listed client's
//! token is exchanged as usual.

use std::net::SocketAddr;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::jwt::CLIENT_NOT_ALLOWED_REASON;
use super::testing::{ALICE_OID, FakeEntra, key_a, sign};
use crate::http::Limits;
use crate::http::tests::{PUBLIC_URL, serve_tenant};

const ALLOWED_CLIENT: &str = "c11e0000-0000-4000-8000-0000000000c1";
const OTHER_CLIENT: &str = "0e4e0000-0000-4000-8000-0000000000e4";

struct Server {
    fake: FakeEntra,
    addr: SocketAddr,
    cancel: CancellationToken,
}

async fn start(allowed_clients: Option<&str>) -> Server {
    let fake = FakeEntra::start(&[key_a()]).await;
    fake.mount_token_endpoint_success("graph-token", 3600).await;
    // Graph is never reached successfully here: only whether an exchange happened matters.
    let extra: Vec<(&str, &str)> =
        allowed_clients.map(|list| ("ENTRA_MCP_ALLOWED_CLIENTS", list)).into_iter().collect();
    let (addr, cancel) = serve_tenant(&fake, "http://127.0.0.1:9", &extra, Limits::default()).await;
    Server { fake, addr, cancel }
}

/// A v2.0 token naming its client in `azp`.
fn v2_token(fake: &FakeEntra, client: &str) -> String {
    let mut claims = fake.user_claims(ALICE_OID);
    claims["azp"] = json!(client);
    sign(key_a(), &claims)
}

/// A v1.0-style token naming its client in `appid`, without `azp`.
fn v1_token(fake: &FakeEntra, client: &str) -> String {
    let mut claims = fake.user_claims(ALICE_OID);
    claims.as_object_mut().map(|c| c.remove("azp"));
    claims["ver"] = json!("1.0");
    claims["appid"] = json!(client);
    sign(key_a(), &claims)
}

/// Initializes and calls a tool that needs Graph (hence an exchange), over plain HTTP with
/// `token`; returns the status of each request.
async fn initialize_and_call(addr: SocketAddr, token: &str) -> (u16, u16) {
    let post = |body: serde_json::Value| {
        reqwest::Client::new()
            .post(format!("http://{addr}/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .bearer_auth(token)
            .body(body.to_string())
            .send()
    };
    let initialize = post(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
    .await
    .expect("initialize");
    let call = post(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "get_user", "arguments": {"user": "karita@contoso.example"}}}))
    .await
    .expect("tools/call");
    let challenge = call.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if call.status().as_u16() == 403 {
        assert!(challenge.contains("error=\"insufficient_scope\""), "{challenge}");
        assert!(challenge.contains(CLIENT_NOT_ALLOWED_REASON), "{challenge}");
        assert!(challenge.starts_with(&format!("Bearer resource_metadata=\"{PUBLIC_URL}/")), "{challenge}");
    }
    (initialize.status().as_u16(), call.status().as_u16())
}

#[tokio::test]
async fn a_client_outside_the_allow_list_gets_403_and_no_exchange() {
    let s = start(Some(&format!("{ALLOWED_CLIENT}, bbbbbbbb-0000-4000-8000-00000000000b"))).await;
    for (name, token) in [("v2 azp", v2_token(&s.fake, OTHER_CLIENT)), ("v1 appid", v1_token(&s.fake, OTHER_CLIENT))] {
        assert_eq!(initialize_and_call(s.addr, &token).await, (403, 403), "{name}");
    }
    assert!(s.fake.token_requests().await.is_empty(), "no on-behalf-of request for a refused client");

    // A listed client passes the middleware and its token is exchanged.
    let (initialize, _) = initialize_and_call(s.addr, &v2_token(&s.fake, ALLOWED_CLIENT)).await;
    assert_eq!(initialize, 200);
    assert_eq!(s.fake.token_requests().await.len(), 1, "the allowed v2 client's token was exchanged");
    let (initialize, _) = initialize_and_call(s.addr, &v1_token(&s.fake, ALLOWED_CLIENT)).await;
    assert_eq!(initialize, 200);
    assert_eq!(s.fake.token_requests().await.len(), 2, "the allowed v1 client's token was exchanged");
    s.cancel.cancel();
}

#[tokio::test]
async fn without_an_allow_list_any_client_is_accepted() {
    let s = start(None).await;
    let (initialize, _) = initialize_and_call(s.addr, &v2_token(&s.fake, OTHER_CLIENT)).await;
    assert_eq!(initialize, 200);
    assert_eq!(s.fake.token_requests().await.len(), 1);
    s.cancel.cancel();
}
