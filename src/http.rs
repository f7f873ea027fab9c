//! The HTTP transport: MCP streamable HTTP at `/mcp` (stateless, JSON responses), the OAuth
//! protected resource metadata (RFC 9728), `/healthz`, bearer-token authentication, and the
//! Host and Origin allow-lists.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::app::HttpAuth;
use crate::auth::jwt::JwtValidator;
use crate::server::EntraServer;

/// Hosts accepted in the `Host` header: loopback, the public URL's host, and any extras
/// (`ENTRA_MCP_ALLOWED_HOSTS`). Anything else gets 403 (DNS-rebinding protection).
pub fn allowed_hosts(extra: &[String], public_url: Option<&str>) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1", "[::1]"].iter().map(|h| h.to_string()).collect();
    if let Some(url) = public_url.and_then(|u| url::Url::parse(u).ok())
        && let Some(host) = url.host_str()
    {
        hosts.push(host.to_string());
        if let Some(port) = url.port() {
            hosts.push(format!("{host}:{port}"));
        }
    }
    hosts.extend(extra.iter().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()));
    hosts
}

/// Browser origins accepted: loopback on any port, plus `ENTRA_MCP_ALLOWED_ORIGINS`. Requests
/// without an `Origin` (native clients) pass; a foreign one gets 403.
pub fn allowed_origins(extra: &[String]) -> Vec<String> {
    let mut origins: Vec<String> =
        ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"].iter().map(|o| o.to_string()).collect();
    origins.extend(extra.iter().cloned());
    origins
}

/// The protected resource metadata URL advertised in `WWW-Authenticate`.
fn metadata_url(public_url: &str) -> String {
    format!("{}/.well-known/oauth-protected-resource", public_url.trim_end_matches('/'))
}

#[derive(Clone)]
struct AuthState {
    validator: Arc<JwtValidator>,
    metadata_url: String,
    metadata: Arc<serde_json::Value>,
}

/// The axum app. Stateless: every request builds its own MCP server from shared `Arc`s, so any
/// number of replicas can sit behind a load balancer. With `auth`, `/mcp` needs a valid bearer
/// token and each request carries its own caller.
pub fn router(server: EntraServer, auth: Option<&HttpAuth>, hosts: Vec<String>, cancel: CancellationToken) -> Router {
    let origins = allowed_origins(auth.map(|a| a.allowed_origins.as_slice()).unwrap_or_default());
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .with_cancellation_token(cancel);
    let mcp = StreamableHttpService::new(move || Ok(server.clone()), Arc::new(NeverSessionManager::default()), config);
    let mut app = Router::new().nest_service("/mcp", mcp);
    if let Some(auth) = auth {
        let resource = auth.public_url.trim_end_matches('/').to_string();
        let state = AuthState {
            validator: auth.validator.clone(),
            metadata_url: metadata_url(&resource),
            metadata: Arc::new(auth.validator.resource_metadata(&resource)),
        };
        let metadata = state.metadata.clone();
        let serve_metadata = move || {
            let metadata = metadata.clone();
            async move { axum::Json((*metadata).clone()) }
        };
        // Routes added after the layer are not behind it: discovery must work without a token.
        app = app
            .layer(middleware::from_fn_with_state(state, require_bearer))
            .route("/.well-known/oauth-protected-resource", get(serve_metadata.clone()))
            .route("/.well-known/oauth-protected-resource/mcp", get(serve_metadata));
    }
    app.route("/healthz", get(|| async { "ok" }))
}

/// Validates the bearer token and attaches the caller; refuses with 401/403 and a
/// `WWW-Authenticate` challenge that points at the protected resource metadata.
async fn require_bearer(State(state): State<AuthState>, mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let scope = state.validator.client_scope().to_string();
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        let challenge = format!("Bearer resource_metadata=\"{}\", scope=\"{scope}\"", state.metadata_url);
        return challenge_response(StatusCode::UNAUTHORIZED, &challenge);
    };
    match state.validator.validate(&token).await {
        Ok(caller) => {
            request.extensions_mut().insert(Arc::new(caller));
            next.run(request).await
        }
        Err(rejection) => {
            tracing::info!(target: "entra_mcp::audit", %rejection, "request refused");
            let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            challenge_response(status, &rejection.www_authenticate(&state.metadata_url, &scope))
        }
    }
}

fn challenge_response(status: StatusCode, challenge: &str) -> Response {
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
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

#[cfg(test)]
mod tests {
    //! The resource server end to end, against fakes of Entra (discovery, JWKS, token endpoint)
    //! and Graph: bad tokens never reach Entra or Graph; a good one is exchanged once, and
    //! Graph only ever sees the exchanged token.

    use std::collections::HashMap;

    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    use serde_json::json;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::app::{App, Mode};
    use crate::auth::testing::{ALICE_OID, BOB_OID, CLIENT_ID, FakeEntra, TENANT, capture_logs, key_a, key_b, sign};
    use crate::config::{Cloud, Settings};
    use crate::skills::Selection;

    const PUBLIC_URL: &str = "https://entra-mcp.example";
    const SECRET: &str = "server-secret-value-1234567890";
    const GRAPH_TOKEN: &str = "graph-token-from-the-exchange";

    struct Harness {
        fake: FakeEntra,
        graph: MockServer,
        addr: SocketAddr,
        cancel: CancellationToken,
    }

    async fn harness() -> Harness {
        let fake = FakeEntra::start(&[key_a()]).await;
        fake.mount_token_endpoint_success(GRAPH_TOKEN, 3600).await;
        let graph = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1.0/users/karita@contoso.example"))
            .and(header("authorization", format!("Bearer {GRAPH_TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "0e5f2c1a-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
                "displayName": "Karita Ahlberg",
                "userPrincipalName": "karita@contoso.example",
                "accountEnabled": true
            })))
            .mount(&graph)
            .await;
        let vars: HashMap<&str, String> = HashMap::from([
            ("AZURE_TENANT_ID", TENANT.to_string()),
            ("AZURE_CLIENT_ID", CLIENT_ID.to_string()),
            ("AZURE_CLIENT_SECRET", SECRET.to_string()),
            ("AZURE_AUTHORITY_HOST", fake.authority()),
            ("ENTRA_MCP_PUBLIC_URL", PUBLIC_URL.to_string()),
        ]);
        let settings = Settings::with_env(None, Cloud::Public, Some(&graph.uri()), Selection::default(), |name| {
            vars.get(name).cloned()
        })
        .expect("settings");
        let app = App::start(&settings, Mode::Http).await.expect("app");
        let listener = bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cancel = CancellationToken::new();
        let hosts = allowed_hosts(&[], Some(PUBLIC_URL));
        let router = router(app.server.clone(), app.auth.as_ref(), hosts, cancel.clone());
        tokio::spawn(serve(listener, router, cancel.clone()));
        Harness { fake, graph, addr, cancel }
    }

    fn initialize_body() -> &'static str {
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
    }

    async fn post_mcp(addr: SocketAddr, authorization: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(format!("http://{addr}/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body(initialize_body());
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.send().await.expect("request")
    }

    fn unsigned(header: &serde_json::Value, claims: &serde_json::Value) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.", b64.encode(header.to_string()), b64.encode(claims.to_string()))
    }

    #[tokio::test]
    async fn bad_tokens_get_401_or_403_and_reach_neither_entra_nor_graph() {
        let h = harness().await;
        let good = h.fake.user_claims(ALICE_OID);
        let mut expired = good.clone();
        expired["exp"] = json!(1_000_000_000);
        expired["nbf"] = json!(999_999_000);
        let mut wrong_audience = good.clone();
        wrong_audience["aud"] = json!("00000003-0000-0000-c000-000000000000");
        let mut app_only = good.clone();
        app_only["idtyp"] = json!("app");
        app_only.as_object_mut().map(|c| c.remove("scp"));
        app_only["roles"] = json!(["User.Read.All"]);
        let mut no_scope = good.clone();
        no_scope["scp"] = json!("User.Read");
        let cases: Vec<(&str, Option<String>, u16)> = vec![
            ("no header", None, 401),
            ("basic scheme", Some("Basic dXNlcjpwYXNz".into()), 401),
            ("empty bearer", Some("Bearer ".into()), 401),
            ("garbage", Some("Bearer not.a.jwt".into()), 401),
            ("expired", Some(format!("Bearer {}", sign(key_a(), &expired))), 401),
            ("wrong audience", Some(format!("Bearer {}", sign(key_a(), &wrong_audience))), 401),
            ("app-only", Some(format!("Bearer {}", sign(key_a(), &app_only))), 401),
            ("unknown signing key", Some(format!("Bearer {}", sign(key_b(), &good))), 401),
            ("alg none", Some(format!("Bearer {}", unsigned(&json!({"alg": "none", "typ": "JWT"}), &good))), 401),
            ("missing scope", Some(format!("Bearer {}", sign(key_a(), &no_scope))), 403),
        ];
        for (name, authorization, status) in cases {
            let response = post_mcp(h.addr, authorization.as_deref()).await;
            assert_eq!(response.status().as_u16(), status, "{name}");
            let challenge =
                response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert!(
                challenge.starts_with(
                    "Bearer resource_metadata=\"https://entra-mcp.example/.well-known/oauth-protected-resource\""
                ),
                "{name}: {challenge}"
            );
            assert!(challenge.contains("scope=\""), "{name}: {challenge}");
            if status == 403 {
                assert!(challenge.contains("insufficient_scope"), "{name}: {challenge}");
            }
        }
        assert!(h.fake.token_requests().await.is_empty(), "no bad token was exchanged");
        assert_eq!(h.graph.received_requests().await.map(|r| r.len()), Some(0), "Graph saw nothing");
        h.cancel.cancel();
    }

    #[tokio::test]
    async fn protected_resource_metadata_is_public() {
        let h = harness().await;
        for suffix in ["", "/mcp"] {
            let url = format!("http://{}/.well-known/oauth-protected-resource{suffix}", h.addr);
            let metadata: serde_json::Value = reqwest::get(url).await.expect("get").json().await.expect("json");
            assert_eq!(metadata["resource"], PUBLIC_URL);
            assert_eq!(metadata["authorization_servers"][0], format!("{}/{TENANT}/v2.0", h.fake.authority()));
            assert_eq!(metadata["bearer_methods_supported"][0], "header");
        }
        h.cancel.cancel();
    }

    #[tokio::test]
    async fn a_valid_token_is_exchanged_once_and_graph_sees_only_the_exchanged_token() {
        let (logs, _guard) = capture_logs();
        let h = harness().await;
        let alice = sign(key_a(), &h.fake.user_claims(ALICE_OID));
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(format!("http://{}/mcp", h.addr)).auth_header(alice.clone()),
        );
        let client = ().serve(transport).await.expect("initialize with a valid token");
        let args = json!({"user": "karita@contoso.example"}).as_object().cloned().unwrap_or_default();
        for _ in 0..20 {
            let result = client
                .call_tool(CallToolRequestParams::new("get_user").with_arguments(args.clone()))
                .await
                .expect("call");
            assert_ne!(result.is_error, Some(true), "{:?}", result.content);
            assert_eq!(
                result.structured_content.as_ref().map(|s| s["display_name"].clone()),
                Some(json!("Karita Ahlberg"))
            );
        }
        let exchanges = h.fake.token_requests().await;
        assert_eq!(exchanges.len(), 1, "twenty calls, one exchange");
        let form: HashMap<String, String> = url::form_urlencoded::parse(&exchanges[0].body).into_owned().collect();
        assert_eq!(form.get("assertion"), Some(&alice), "the caller's token is only the assertion");
        assert_eq!(form.get("requested_token_use").map(String::as_str), Some("on_behalf_of"));
        assert_eq!(form.get("grant_type").map(String::as_str), Some("urn:ietf:params:oauth:grant-type:jwt-bearer"));
        assert_eq!(form.get("client_id").map(String::as_str), Some(CLIENT_ID));
        assert_eq!(form.get("scope").map(String::as_str), Some("https://graph.microsoft.com/.default"));
        let graph_requests = h.graph.received_requests().await.unwrap_or_default();
        assert_eq!(graph_requests.len(), 20);
        for request in &graph_requests {
            let authorization = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert_eq!(authorization, format!("Bearer {GRAPH_TOKEN}"), "Graph never sees the caller's token");
        }
        client.cancel().await.expect("close");

        // A second user gets their own exchange.
        let bob = sign(key_a(), &h.fake.user_claims(BOB_OID));
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(format!("http://{}/mcp", h.addr)).auth_header(bob.clone()),
        );
        let client = ().serve(transport).await.expect("bob initializes");
        let _ = client.call_tool(CallToolRequestParams::new("get_user").with_arguments(args)).await.expect("call");
        assert_eq!(h.fake.token_requests().await.len(), 2);
        client.cancel().await.expect("close");
        h.cancel.cancel();

        let logged = logs.contents();
        for secret in [alice.as_str(), bob.as_str(), GRAPH_TOKEN, SECRET] {
            assert!(!logged.contains(secret), "a token or secret reached the logs");
        }
    }
}
