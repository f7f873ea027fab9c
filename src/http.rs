//! The HTTP transport: MCP streamable HTTP at `/mcp` (stateless, JSON responses), `/healthz`,
//! and the Host allow-list.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::server::EntraServer;

/// Hosts accepted in the `Host` header besides loopback (`ENTRA_MCP_ALLOWED_HOSTS`).
pub fn allowed_hosts(extra: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1", "[::1]"].iter().map(|h| h.to_string()).collect();
    hosts.extend(extra.iter().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()));
    hosts
}

/// The axum app. Stateless: every request builds its own MCP server from shared `Arc`s, so any
/// number of replicas can sit behind a load balancer.
pub fn router(server: EntraServer, hosts: Vec<String>, cancel: CancellationToken) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_allowed_hosts(hosts)
        .with_cancellation_token(cancel);
    let mcp = StreamableHttpService::new(move || Ok(server.clone()), Arc::new(NeverSessionManager::default()), config);
    Router::new().nest_service("/mcp", mcp).route("/healthz", get(|| async { "ok" }))
}

/// Serves until `cancel` fires.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, cancel: CancellationToken) -> anyhow::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(async move { cancel.cancelled().await }).await?;
    Ok(())
}

/// Binds the listen address, naming the setting when it fails.
pub async fn bind(listen: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("--listen (ENTRA_MCP_LISTEN): cannot listen on {listen}: {e}"))
}
