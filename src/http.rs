//! The HTTP transport: MCP streamable HTTP at `/mcp` (stateless, JSON responses), the OAuth
//! protected resource metadata (RFC 9728), `/healthz`, bearer-token authentication, the Host
//! and Origin allow-lists, and the server that bounds what a client can hold open: time limits
//! on request heads, bodies and idle connections, and caps on connections and requests in flight.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

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

/// The loopback address the server listens on, as a `Host` value to accept besides the
/// defaults: a server on `127.0.0.2` must accept requests addressed to it. Only loopback: a
/// routable or wildcard listen address says nothing about the names clients use.
pub fn listen_host(listen: SocketAddr) -> Option<String> {
    let ip = listen.ip();
    (ip.is_loopback() && !ip.is_unspecified()).then(|| match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
    })
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

/// What the HTTP layer needs to authenticate callers.
pub struct HttpAuth {
    pub validator: Arc<JwtValidator>,
    /// The server's public base URL (the protected resource).
    pub public_url: String,
    pub allowed_origins: Vec<String>,
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
        // RFC 9728 §3.3: the document found by inserting the well-known segment into a
        // resource's URL must name that URL, so the path form names the endpoint itself.
        let endpoint = Arc::new(auth.validator.resource_metadata(&format!("{resource}/mcp")));
        let serve = |metadata: Arc<serde_json::Value>| {
            move || {
                let metadata = metadata.clone();
                async move { axum::Json((*metadata).clone()) }
            }
        };
        let base = serve(state.metadata.clone());
        // Routes added after the layer are not behind it: discovery must work without a token.
        app = app
            .layer(middleware::from_fn_with_state(state, require_bearer))
            .route("/.well-known/oauth-protected-resource", get(base))
            .route("/.well-known/oauth-protected-resource/mcp", get(serve(endpoint)));
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

/// What one client may hold of the server. Every bound applies before authentication: a
/// connection that never finishes its request head is closed whoever it claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A new connection must deliver its first request head within this; on a kept-alive
    /// connection, a head must be complete this long after its first byte.
    pub header_timeout: Duration,
    /// A request body must have arrived this long after its head; a late one is answered 408
    /// and its connection closed.
    pub body_timeout: Duration,
    /// A connection with no request being handled and no bytes moving for this long is closed:
    /// a kept-alive connection between requests, or a client that stopped reading its answer.
    pub idle_timeout: Duration,
    /// Connections served at once. Past it, a connection is answered 503 with `Retry-After`
    /// (and `/healthz` still 200) and closed.
    pub max_connections: usize,
    /// Requests handled at once, `/healthz` aside; past it, 503 with `Retry-After`.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_in_flight: 256,
        }
    }
}

impl Limits {
    /// Caps beyond what a semaphore can count would panic at start-up; zero would serve nothing.
    fn clamped(self) -> Limits {
        let cap = |n: usize| n.clamp(1, 1 << 20);
        Limits { max_connections: cap(self.max_connections), max_in_flight: cap(self.max_in_flight), ..self }
    }
}

/// Connections over `max_connections` answered 503 at once; past this many as well, a new
/// connection is closed as soon as it is accepted, so a flood costs no more than a socket each.
const OVERFLOW_CONNECTIONS: usize = 64;

/// How long an over-the-limit connection gets to send the request head it is refused on.
const OVERFLOW_DEADLINE: Duration = Duration::from_secs(2);

/// How long shutdown waits for requests in flight to be answered.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves with the default [`Limits`] until `cancel` fires.
pub async fn serve(listener: TcpListener, app: Router, cancel: CancellationToken) -> anyhow::Result<()> {
    serve_with(listener, app, Limits::default(), cancel).await
}

/// Serves HTTP/1.1 until `cancel` fires, then stops accepting, lets requests in flight finish
/// (for at most [`SHUTDOWN_GRACE`]) and returns.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let limits = limits.clamped();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let overflow = Arc::new(Semaphore::new(OVERFLOW_CONNECTIONS));
    let in_flight = Arc::new(Semaphore::new(limits.max_in_flight));
    loop {
        let accepted = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like pass once connections close: pause
                // instead of spinning on the error or giving up serving.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        if let Ok(permit) = connections.clone().try_acquire_owned() {
            tokio::spawn(serve_connection(stream, app.clone(), in_flight.clone(), limits, cancel.clone(), permit));
        } else if let Ok(permit) = overflow.clone().try_acquire_owned() {
            tokio::spawn(refuse_connection(stream, permit));
        } else {
            drop(stream);
        }
    }
    drop(listener);
    // Every connection holds a permit until it closes: all of them back means all closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connections.acquire_many(all)).await;
    Ok(())
}

/// One connection within the bound: hyper serves it while a watchdog closes it when its head,
/// or the wait for the next request, or an answer the client does not read, outlasts the limits.
async fn serve_connection(
    stream: TcpStream,
    app: Router,
    in_flight: Arc<Semaphore>,
    limits: Limits,
    cancel: CancellationToken,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = hyper_util::rt::TokioIo::new(Tracked { inner: stream, activity: activity.clone() });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |request| {
            handle(app.clone(), in_flight.clone(), limits.body_timeout, request, activity.busy())
        })
    };
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    let mut draining = false;
    loop {
        let changed = activity.changed.notified();
        let deadline = activity.deadline(&limits);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = cancel.cancelled(), if !draining => {
                // Closes an idle connection now and a busy one after its answer.
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
            () = changed => {}
            () = sleep_until(deadline) => {
                if activity.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!("closing a stalled connection");
                    return;
                }
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// A connection over the bound: its one request is answered 503 (`/healthz` 200, so a
/// liveness probe does not restart a replica for being busy) and the connection closed.
async fn refuse_connection(stream: TcpStream, _permit: OwnedSemaphorePermit) {
    let service = hyper::service::service_fn(|request: hyper::Request<hyper::body::Incoming>| async move {
        let response = if request.uri().path() == "/healthz" { healthy() } else { overloaded() };
        Ok::<_, Infallible>(with_connection_close(response))
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    let _ = tokio::time::timeout(OVERFLOW_DEADLINE, connection).await;
}

/// One request: the in-flight bound, the body deadline, then the app.
async fn handle(
    app: Router,
    in_flight: Arc<Semaphore>,
    body_timeout: Duration,
    request: hyper::Request<hyper::body::Incoming>,
    _busy: Busy,
) -> Result<Response, Infallible> {
    // `/healthz` is not counted, so it answers while every slot is taken.
    let _permit = if request.uri().path() == "/healthz" {
        None
    } else {
        match in_flight.try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => return Ok(overloaded()),
        }
    };
    let progress = Arc::new(BodyProgress::default());
    let request = request.map(|body| Body::new(DeadlineBody::new(body, body_timeout, progress.clone())));
    let Ok(mut response) = app.oneshot(request).await;
    if progress.timed_out.load(Ordering::Acquire) {
        response = with_connection_close(
            (StatusCode::REQUEST_TIMEOUT, "the request body did not arrive in time\n").into_response(),
        );
    } else if !progress.finished.load(Ordering::Acquire) {
        // An answer given before the body was read (a refused token, a wrong Host): the rest
        // of the body would have to be read before the next request, so close instead.
        response = with_connection_close(response);
    }
    Ok(response)
}

fn healthy() -> Response {
    "ok".into_response()
}

fn overloaded() -> Response {
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, "the server is busy; retry shortly\n").into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn with_connection_close(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// What a connection's watchdog reads: when bytes last moved, whether a request is being
/// handled, and since when it has waited for the next one. Times are milliseconds since `epoch`.
struct Activity {
    epoch: Instant,
    last_io: AtomicU64,
    waiting_since: AtomicU64,
    /// The first byte read while waiting for a request head; [`NOT_STARTED`] when none yet.
    head_started: AtomicU64,
    busy: AtomicUsize,
    served: AtomicBool,
    changed: Notify,
}

const NOT_STARTED: u64 = u64::MAX;

impl Activity {
    fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            last_io: AtomicU64::new(0),
            waiting_since: AtomicU64::new(0),
            head_started: AtomicU64::new(NOT_STARTED),
            busy: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn at(&self, millis: u64, plus: Duration) -> Instant {
        self.epoch + Duration::from_millis(millis) + plus
    }

    fn read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Release);
        if self.busy.load(Ordering::Acquire) == 0
            && self.head_started.compare_exchange(NOT_STARTED, now, Ordering::AcqRel, Ordering::Acquire).is_ok()
        {
            // The head deadline may fall before the one the watchdog sleeps towards.
            self.changed.notify_one();
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Release);
    }

    fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.served.store(true, Ordering::Release);
        self.head_started.store(NOT_STARTED, Ordering::Release);
        Busy(self.clone())
    }

    /// When the connection is to be closed if nothing changes; none while a request is handled
    /// (its body has its own deadline, and the answer may take as long as Graph does).
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        if self.busy.load(Ordering::Acquire) > 0 {
            return None;
        }
        let waiting_since = self.waiting_since.load(Ordering::Acquire);
        if !self.served.load(Ordering::Acquire) {
            return Some(self.at(waiting_since, limits.header_timeout));
        }
        match self.head_started.load(Ordering::Acquire) {
            NOT_STARTED => Some(self.at(waiting_since.max(self.last_io.load(Ordering::Acquire)), limits.idle_timeout)),
            started => Some(self.at(started, limits.header_timeout)),
        }
    }
}

/// Marks a request as being handled for as long as it lives.
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        activity.waiting_since.store(activity.now(), Ordering::Release);
        activity.head_started.store(NOT_STARTED, Ordering::Release);
        activity.busy.fetch_sub(1, Ordering::AcqRel);
        activity.changed.notify_one();
    }
}

/// The socket, noting in [`Activity`] each time bytes move.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, data);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Whether a request's body was read to its end, or ran out of time first.
#[derive(Default)]
struct BodyProgress {
    finished: AtomicBool,
    timed_out: AtomicBool,
}

/// A request body that fails once its deadline passes, so a client that stops sending
/// mid-body cannot keep a request, its slot and its connection forever.
struct DeadlineBody {
    inner: hyper::body::Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    progress: Arc<BodyProgress>,
}

impl DeadlineBody {
    fn new(inner: hyper::body::Incoming, timeout: Duration, progress: Arc<BodyProgress>) -> DeadlineBody {
        use http_body::Body as _;
        if inner.is_end_stream() {
            progress.finished.store(true, Ordering::Release);
        }
        DeadlineBody { inner, deadline: Box::pin(tokio::time::sleep(timeout)), progress }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            if frame.is_none() || this.inner.is_end_stream() {
                this.progress.finished.store(true, Ordering::Release);
            }
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.progress.timed_out.store(true, Ordering::Release);
            let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body did not arrive in time");
            return Poll::Ready(Some(Err(late.into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Binds the listen address, naming the setting when it fails.
pub async fn bind(listen: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("--listen (ENTRA_MCP_LISTEN): cannot listen on {listen}: {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
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

    pub(crate) const PUBLIC_URL: &str = "https://entra-mcp.example";
    const SECRET: &str = "server-secret-value-1234567890";
    const GRAPH_TOKEN: &str = "graph-token-from-the-exchange";

    struct Harness {
        fake: FakeEntra,
        graph: MockServer,
        addr: SocketAddr,
        cancel: CancellationToken,
    }

    async fn harness() -> Harness {
        harness_with(Limits::default()).await
    }

    /// The resource server in tenant mode on 127.0.0.1:0, signing callers in against `fake`
    /// Entra and calling Graph at `graph_url`, with `extra` environment on top.
    pub(crate) async fn serve_tenant(
        fake: &FakeEntra,
        graph_url: &str,
        extra: &[(&str, &str)],
        limits: Limits,
    ) -> (SocketAddr, CancellationToken) {
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("AZURE_TENANT_ID", TENANT.to_string()),
            ("AZURE_CLIENT_ID", CLIENT_ID.to_string()),
            ("AZURE_CLIENT_SECRET", SECRET.to_string()),
            ("AZURE_AUTHORITY_HOST", fake.authority()),
            ("ENTRA_MCP_PUBLIC_URL", PUBLIC_URL.to_string()),
        ]);
        vars.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let settings = Settings::with_env(None, Cloud::Public, Some(graph_url), Selection::default(), |name| {
            vars.get(name).cloned()
        })
        .expect("settings");
        let app = App::start(&settings, Mode::Http).await.expect("app");
        let listener = bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cancel = CancellationToken::new();
        let hosts = allowed_hosts(&[], Some(PUBLIC_URL));
        let router = router(app.server.clone(), app.auth.as_ref(), hosts, cancel.clone());
        tokio::spawn(serve_with(listener, router, limits, cancel.clone()));
        (addr, cancel)
    }

    async fn harness_with(limits: Limits) -> Harness {
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
        let (addr, cancel) = serve_tenant(&fake, &graph.uri(), &[], limits).await;
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

    /// Opens a raw connection and sends `bytes`, the way a slow or stalled client would.
    async fn raw(addr: SocketAddr, bytes: &str) -> tokio::net::TcpStream {
        use tokio::io::AsyncWriteExt as _;
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.write_all(bytes.as_bytes()).await.expect("send");
        stream
    }

    /// Reads until the server closes the connection, failing if it is still open after `within`.
    async fn closed_within(mut stream: tokio::net::TcpStream, within: Duration, what: &str) -> String {
        use tokio::io::AsyncReadExt as _;
        let mut answer = Vec::new();
        let read = tokio::time::timeout(within, stream.read_to_end(&mut answer)).await;
        assert!(read.is_ok(), "{what}: still open after {within:?}");
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn fresh_client() -> reqwest::Client {
        reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client")
    }

    #[tokio::test]
    async fn stalled_heads_bodies_and_idle_connections_are_closed_while_others_are_served() {
        let limits = Limits {
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(2),
            ..Limits::default()
        };
        let h = harness_with(limits).await;
        let alice = sign(key_a(), &h.fake.user_claims(ALICE_OID));
        let started = Instant::now();
        let silent = raw(h.addr, "").await;
        let half_head = raw(h.addr, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl").await;
        // A token that passes, so the body is what the request waits on.
        let half_body = raw(
            h.addr,
            &format!(
                "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {alice}\r\n\
                 Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
                 Content-Length: 200\r\n\r\n{{\"jsonrpc\":\"2.0\","
            ),
        )
        .await;
        let kept_alive = raw(h.addr, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;

        // Everyone else is served meanwhile.
        assert_eq!(post_mcp(h.addr, None).await.status().as_u16(), 401);
        let health = fresh_client().get(format!("http://{}/healthz", h.addr)).send().await.expect("healthz");
        assert_eq!(health.status().as_u16(), 200);

        closed_within(silent, Duration::from_secs(3), "a connection that sent nothing").await;
        closed_within(half_head, Duration::from_secs(3), "a half-sent head").await;
        let answer = closed_within(half_body, Duration::from_secs(3), "a stalled body").await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        let answer = closed_within(kept_alive, Duration::from_secs(4), "an idle kept-alive connection").await;
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
        // Not closed before the limits either: the idle connection outlived the head limit.
        assert!(started.elapsed() >= Duration::from_millis(1900), "{:?}", started.elapsed());
        h.cancel.cancel();
    }

    #[tokio::test]
    async fn over_the_connection_bound_a_request_gets_503_and_healthz_still_answers() {
        let limits = Limits { max_connections: 2, header_timeout: Duration::from_secs(30), ..Limits::default() };
        let h = harness_with(limits).await;
        let first = raw(h.addr, "").await;
        let _second = raw(h.addr, "").await;
        // Let the server accept both before the next one arrives.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let client = fresh_client();
        let started = Instant::now();
        let busy = client.post(format!("http://{}/mcp", h.addr)).body(initialize_body()).send().await.expect("post");
        assert_eq!(busy.status().as_u16(), 503);
        assert_eq!(busy.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        assert!(started.elapsed() < Duration::from_secs(2), "refused at once, not after a wait");
        let health = client.get(format!("http://{}/healthz", h.addr)).send().await.expect("healthz");
        assert_eq!(health.status().as_u16(), 200);

        // A slot freed is a slot served.
        drop(first);
        let mut status = 0;
        for _ in 0..40 {
            status = post_mcp(h.addr, None).await.status().as_u16();
            if status != 503 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(status, 401);
        h.cancel.cancel();
    }

    #[tokio::test]
    async fn over_the_in_flight_bound_a_request_gets_503_and_healthz_still_answers() {
        let limits = Limits { max_in_flight: 1, ..Limits::default() };
        let h = harness_with(limits).await;
        let alice = sign(key_a(), &h.fake.user_claims(ALICE_OID));
        // In flight until its body arrives, which it does not.
        let _stalled = raw(
            h.addr,
            &format!(
                "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {alice}\r\n\
                 Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
                 Content-Length: 200\r\n\r\n{{"
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let busy = post_mcp(h.addr, None).await;
        assert_eq!(busy.status().as_u16(), 503);
        assert_eq!(busy.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        let health = fresh_client().get(format!("http://{}/healthz", h.addr)).send().await.expect("healthz");
        assert_eq!(health.status().as_u16(), 200);
        h.cancel.cancel();
    }

    #[test]
    fn the_loopback_address_listened_on_is_an_accepted_host() {
        let at = |addr: &str| listen_host(addr.parse().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))));
        assert_eq!(at("127.0.0.2:8080").as_deref(), Some("127.0.0.2"));
        assert_eq!(at("[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(at("0.0.0.0:8080"), None);
        assert_eq!(at("10.0.0.5:8080"), None);
    }

    #[tokio::test]
    async fn protected_resource_metadata_is_public() {
        let h = harness().await;
        for (suffix, resource) in [("", PUBLIC_URL.to_string()), ("/mcp", format!("{PUBLIC_URL}/mcp"))] {
            let url = format!("http://{}/.well-known/oauth-protected-resource{suffix}", h.addr);
            let metadata: serde_json::Value = reqwest::get(url).await.expect("get").json().await.expect("json");
            assert_eq!(metadata["resource"], resource, "the document at {suffix:?} names its own resource");
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

    /// Answers each on-behalf-of exchange with a Graph token for the user the assertion names:
    /// `demo:<oid>`, which the demo emulator takes as that user. The fake reads the assertion's
    /// claims without checking its signature; the server under test already did.
    struct ExchangeForAssertionOid;

    impl wiremock::Respond for ExchangeForAssertionOid {
        fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
            match assertion_oid(request) {
                Some(oid) => ResponseTemplate::new(200).set_body_json(json!({
                    "token_type": "Bearer",
                    "scope": "https://graph.microsoft.com/.default",
                    "expires_in": 3600,
                    "ext_expires_in": 3600,
                    "access_token": format!("demo:{oid}"),
                })),
                None => ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})),
            }
        }
    }

    /// The `oid` claim of an exchange's assertion, read without checking the signature.
    fn assertion_oid(exchange: &wiremock::Request) -> Option<String> {
        use base64::Engine as _;
        let form: HashMap<String, String> = url::form_urlencoded::parse(&exchange.body).into_owned().collect();
        let payload = form.get("assertion")?.split('.').nth(1)?;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
        let claims: serde_json::Value = serde_json::from_slice(&claims).ok()?;
        claims["oid"].as_str().map(str::to_owned)
    }

    /// One Graph request as it passed between the server and the emulator.
    #[derive(Debug, Clone)]
    struct SeenByGraph {
        authorization: String,
        path: String,
    }

    /// A loopback proxy in front of the demo emulator that records the `Authorization` header
    /// of every Graph request with the `request-id` Graph answered it with, so each request in
    /// a reply's `graph_requests` can be traced to the token it carried.
    async fn recording_proxy(upstream: String) -> (String, Arc<std::sync::Mutex<Vec<SeenByGraph>>>) {
        let seen: Arc<std::sync::Mutex<Vec<SeenByGraph>>> = Arc::default();
        let log = seen.clone();
        let http = reqwest::Client::new();
        let app = Router::new().fallback(move |request: Request| {
            let (log, http, upstream) = (log.clone(), http.clone(), upstream.clone());
            async move {
                let (parts, body) = request.into_parts();
                let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
                let mut forward = http.request(parts.method.clone(), format!("{upstream}{path}")).body(body);
                for (name, value) in parts.headers.iter().filter(|(name, _)| *name != header::HOST) {
                    forward = forward.header(name, value);
                }
                let Ok(answer) = forward.send().await else { return StatusCode::BAD_GATEWAY.into_response() };
                let header_text = |headers: &axum::http::HeaderMap, name: &str| {
                    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
                };
                let (status, headers) = (answer.status(), answer.headers().clone());
                let bytes = answer.bytes().await.unwrap_or_default();
                log.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(SeenByGraph { authorization: header_text(&parts.headers, "authorization"), path });
                let mut response = (status, bytes).into_response();
                for name in [header::CONTENT_TYPE.as_str(), "request-id"] {
                    if let Some(value) = headers.get(name) {
                        response.headers_mut().insert(name, value.clone());
                    }
                }
                response
            }
        });
        let listener = bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, seen)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_concurrent_users_each_get_only_their_own_graph_token_and_answers() {
        use crate::demo::{DemoGraph, DemoOptions};

        const USERS: usize = 50;
        const CALLS_EACH: usize = 3;
        let people: Vec<(String, String)> = crate::demo::tenant::generate(&DemoOptions::default())
            .users
            .items()
            .iter()
            .filter_map(|u| Some((u["id"].as_str()?.to_string(), u["userPrincipalName"].as_str()?.to_string())))
            .take(USERS)
            .collect();
        assert_eq!(people.len(), USERS, "the demo tenant has enough people");

        let fake = FakeEntra::start(&[key_a()]).await;
        Mock::given(method("POST"))
            .and(path(FakeEntra::token_path(TENANT)))
            .respond_with(ExchangeForAssertionOid)
            .mount(&fake.server)
            .await;
        let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
        let (graph_url, seen) = recording_proxy(demo.base_url()).await;
        let (addr, cancel) = serve_tenant(&fake, &graph_url, &[], Limits::default()).await;

        // Every user at once, each over their own connection with their own token, asking
        // "who am I" several times.
        let sessions = people.iter().cloned().map(|(oid, upn)| {
            let mut claims = fake.user_claims(&oid);
            claims["preferred_username"] = json!(upn);
            let token = sign(key_a(), &claims);
            tokio::spawn(async move {
                let transport = StreamableHttpClientTransport::from_config(
                    StreamableHttpClientTransportConfig::with_uri(format!("http://{addr}/mcp")).auth_header(token),
                );
                let client = ().serve(transport).await.expect("initialize");
                let args = json!({"user": "me"}).as_object().cloned().unwrap_or_default();
                let mut requests = 0usize;
                for _ in 0..CALLS_EACH {
                    let result = client
                        .call_tool(CallToolRequestParams::new("get_user").with_arguments(args.clone()))
                        .await
                        .expect("call");
                    let answer = result.structured_content.unwrap_or_default();
                    assert_ne!(result.is_error, Some(true), "{upn}: {answer}");
                    assert_eq!(answer["id"], oid.as_str(), "{upn} was answered about someone else");
                    assert_eq!(answer["upn"], upn.as_str());
                    let ids = answer["graph_requests"].as_array().cloned().unwrap_or_default();
                    assert!(!ids.is_empty(), "{upn}: the answer lists its Graph requests");
                    requests += ids.len();
                }
                client.cancel().await.expect("close");
                (oid, requests)
            })
        });
        let mut answered = Vec::new();
        for session in sessions.collect::<Vec<_>>() {
            match session.await {
                Ok(done) => answered.push(done),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }

        // One exchange per user, each with that user's own token as the assertion.
        let exchanges = fake.token_requests().await;
        assert_eq!(exchanges.len(), USERS, "one on-behalf-of exchange per user");
        let mut asserted: Vec<String> = exchanges.iter().filter_map(assertion_oid).collect();
        asserted.sort();
        let mut oids: Vec<String> = people.iter().map(|(oid, _)| oid.clone()).collect();
        oids.sort();
        assert_eq!(asserted, oids, "each user's exchange carried that user's token");

        // Every Graph request of every answer went out with the caller's own Graph token.
        let seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let total: usize = answered.iter().map(|(_, n)| n).sum();
        assert_eq!(seen.len(), total, "Graph saw exactly the requests the answers list");
        for (oid, requests) in &answered {
            let bearer = format!("Bearer demo:{oid}");
            let own = seen.iter().filter(|s| s.authorization == bearer).count();
            assert_eq!(own, *requests, "{oid}: every request its answers list went out with its own token");
        }
        assert!(seen.iter().all(|s| s.path.starts_with("/v1.0/me?")), "only `me` was asked for");
        cancel.cancel();
    }
}
