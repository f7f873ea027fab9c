//! The benchmark: speed, scale and resilience figures of the real server, measured from the
//! outside and printed next to their targets (BENCHMARKS.md records a run).
//!
//! Topology, all on loopback: the demo Graph emulator runs as its own process
//! (`examples/emulator.rs`); a fake Entra tenant (OpenID discovery, JWKS, and a token endpoint
//! that counts on-behalf-of exchanges) runs inside this process; the real `entra-mcp http`
//! binary runs in tenant mode against both, so every call goes through token validation, the
//! OBO cache and the ordinary Graph client. rmcp clients drive it over streamable HTTP with
//! tokens minted here, and `entra-mcp stdio --demo` children over stdio.
//!
//! Run (from the repository root):
//!
//! ```sh
//! cargo build --release --examples --bin entra-mcp && cargo run --release --example bench
//! ```
//!
//! `--only overhead,throughput,...` runs a subset, `--quick` shortens every run, `--help`
//! lists the rest. Not part of `cargo test`: it prints figures, it asserts nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use axum::extract::{Path as UrlPath, State};
use axum::routing::{get, post};
use base64::Engine as _;
use clap::{Parser, ValueEnum};
use entra_mcp::skill::Toolset;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject, Tool};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt as _;
use tokio::process::{Child, ChildStdin, Command};

type Client = RunningService<RoleClient, ()>;

const TENANT: &str = "11111111-1111-4111-8111-111111111111";
const CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const KID: &str = "bench-key";
const KARITA: &str = "karita@woodgrovebank.com";
/// Linux reports process CPU time in clock ticks of 1/100 s on every mainstream platform.
const CLOCK_TICKS_PER_SEC: f64 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Section {
    /// Server overhead per tool call (p50, p99) against direct Graph requests.
    Overhead,
    /// Calls per second at concurrency 1, 8 and 64 over HTTP, and resident memory under load.
    Throughput,
    /// Calls per second and latency over stdio.
    Stdio,
    /// Composite skills with 100 ms per Graph request.
    Composites,
    /// Spawn to the first tools/list answer, and tools/list sizes.
    Startup,
    /// On-behalf-of exchanges per 1,000 calls.
    Obo,
    /// List results against the raw Graph JSON for the same rows.
    Bytes,
    /// List and search latency on a large tenant.
    Scale,
    /// Resident memory across repeated bursts of 200 concurrent calls.
    Bursts,
}

#[derive(Parser)]
#[command(about = "entra-mcp benchmark: prints speed, scale and resilience figures next to their targets")]
struct Cli {
    /// Sections to run (comma list); all by default.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Section>,
    /// Shorter runs everywhere (fewer samples, 2 s per throughput level, a 20,000-user tenant).
    #[arg(long)]
    quick: bool,
    /// Seconds per concurrency level.
    #[arg(long)]
    seconds: Option<u64>,
    /// Sequential samples for the overhead figure.
    #[arg(long)]
    samples: Option<usize>,
    /// Users in the large tenant of the scale section.
    #[arg(long)]
    scale: Option<u32>,
}

/// The run's knobs after `--quick` and the explicit flags are applied.
struct Plan {
    sections: Vec<Section>,
    seconds: Duration,
    samples: usize,
    scale: u32,
    /// Repetitions of each composite and of each large-tenant query.
    repeats: usize,
    spawns: usize,
}

impl Plan {
    fn from(cli: &Cli) -> Plan {
        let quick = cli.quick;
        Plan {
            sections: if cli.only.is_empty() { Section::value_variants().to_vec() } else { cli.only.clone() },
            seconds: Duration::from_secs(cli.seconds.unwrap_or(if quick { 2 } else { 5 })),
            samples: cli.samples.unwrap_or(if quick { 300 } else { 2000 }),
            scale: cli.scale.unwrap_or(if quick { 20_000 } else { 100_000 }),
            repeats: if quick { 3 } else { 10 },
            spawns: if quick { 5 } else { 15 },
        }
    }

    fn runs(&self, section: Section) -> bool {
        self.sections.contains(&section)
    }
}

// ---------------------------------------------------------------------------------------------
// Figures and the summary table

struct Row {
    figure: String,
    value: String,
    target: String,
    /// `None` when the figure has no target (context for the others).
    met: Option<bool>,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
}

impl Report {
    fn add(&mut self, figure: impl Into<String>, value: impl Into<String>, target: &str, met: Option<bool>) {
        self.rows.push(Row { figure: figure.into(), value: value.into(), target: target.to_string(), met });
    }

    fn print(&self) {
        let width = self.rows.iter().map(|r| r.figure.chars().count()).max().unwrap_or(0);
        let value_width = self.rows.iter().map(|r| r.value.chars().count()).max().unwrap_or(0);
        println!("\n== Summary\n");
        println!("{:<width$}  {:<value_width$}  {:<16}  met", "figure", "measured", "target");
        for r in &self.rows {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            println!("{:<width$}  {:<value_width$}  {:<16}  {met}", r.figure, r.value, r.target);
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`th percentile (nearest rank) of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

// ---------------------------------------------------------------------------------------------
// Processes

/// Examples live in target/<profile>/examples; the server binary one level up.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent().and_then(|p| p.parent()).map(PathBuf::from).unwrap_or_default()
}

fn server_binary() -> PathBuf {
    target_dir().join("entra-mcp")
}

fn emulator_binary() -> PathBuf {
    target_dir().join("examples").join("emulator")
}

/// A port nobody listens on right now (the server binds it a moment later).
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Resident memory of a process in KB (`VmRSS` in /proc/<pid>/status).
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat).
fn cpu_time(pid: Option<u32>) -> Duration {
    let path = pid.map(|p| format!("/proc/{p}/stat")).unwrap_or_else(|| "/proc/self/stat".to_string());
    let Ok(stat) = std::fs::read_to_string(path) else { return Duration::ZERO };
    // The command name (field 2) may contain spaces; the fields after it never do.
    let Some((_, rest)) = stat.rsplit_once(')') else { return Duration::ZERO };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    Duration::from_secs_f64(ticks / CLOCK_TICKS_PER_SEC)
}

/// Removes the server's own settings inherited from the shell, so only ours apply.
fn clean_env(cmd: &mut Command) {
    for (name, _) in std::env::vars() {
        if name.starts_with("ENTRA_MCP_") || name.starts_with("AZURE_") {
            cmd.env_remove(name);
        }
    }
}

/// The emulator process; dropping it closes its stdin (it exits) and kills it.
struct Emulator {
    _child: Child,
    _stdin: ChildStdin,
    pid: u32,
    base_url: String,
    ready_after: Duration,
}

async fn start_emulator(scale: u32, latency_ms: u64) -> anyhow::Result<Emulator> {
    let started = Instant::now();
    let mut cmd = Command::new(emulator_binary());
    cmd.args(["--scale", &scale.to_string(), "--latency-ms", &latency_ms.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = cmd.spawn().with_context(|| format!("spawning {}", emulator_binary().display()))?;
    let pid = child.id().context("emulator pid")?;
    let stdin = child.stdin.take().context("emulator stdin")?;
    let stdout = child.stdout.take().context("emulator stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    // Generating a large tenant takes a while; the line comes when it is served.
    let line = tokio::time::timeout(Duration::from_secs(900), lines.next_line())
        .await
        .context("the emulator did not print READY within 15 minutes")??
        .context("the emulator exited before READY")?;
    let base_url = line.strip_prefix("READY ").context("the emulator's first line is not READY")?.trim().to_string();
    Ok(Emulator { _child: child, _stdin: stdin, pid, base_url, ready_after: started.elapsed() })
}

/// One `entra-mcp http` process in tenant mode.
struct Server {
    child: Child,
    pid: u32,
    url: String,
    log: PathBuf,
}

impl Server {
    fn mcp_url(&self) -> String {
        format!("{}/mcp", self.url)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Spawns the server in tenant mode; returns once `/healthz` answers (the server is listening
/// only after OpenID discovery against the fake Entra has succeeded).
async fn start_server(fake: &FakeEntra, graph_url: &str, toolsets: &str) -> anyhow::Result<Server> {
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let log = std::env::temp_dir().join(format!("entra-mcp-bench-{}-{port}.log", std::process::id()));
    let mut cmd = Command::new(server_binary());
    clean_env(&mut cmd);
    cmd.args(["http", "--listen", &format!("127.0.0.1:{port}"), "--toolsets", toolsets])
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", "bench-client-secret")
        .env("AZURE_AUTHORITY_HOST", &fake.authority)
        .env("ENTRA_MCP_PUBLIC_URL", &url)
        .env("ENTRA_MCP_GRAPH_URL", graph_url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // The audit line per call stays on, as in production; it goes to a file.
        .stderr(std::fs::File::create(&log)?)
        .kill_on_drop(true);
    let child = cmd.spawn().with_context(|| format!("spawning {}", server_binary().display()))?;
    let pid = child.id().context("server pid")?;
    let mut server = Server { child, pid, url, log };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = http.get(format!("{}/healthz", server.url)).send().await
            && response.status().is_success()
        {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            bail!("the server exited ({status}):\n{}", server.log_tail());
        }
        if Instant::now() > deadline {
            bail!("the server did not answer /healthz within 30 s:\n{}", server.log_tail());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The fake Entra tenant

struct FakeState {
    authority: String,
    jwks: Value,
    exchanges: AtomicU64,
}

/// Discovery, JWKS and a token endpoint on 127.0.0.1, plus the key that signs callers' tokens.
struct FakeEntra {
    authority: String,
    encoding: EncodingKey,
    state: Arc<FakeState>,
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

impl FakeEntra {
    async fn start() -> anyhow::Result<FakeEntra> {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let pkcs8 = pair.as_der().expect("PKCS#8 encoding");
        let encoding = EncodingKey::from_rsa_pem(pem_encode("PRIVATE KEY", pkcs8.as_ref()).as_bytes())?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)?;
        jwk.common.key_id = Some(KID.to_string());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let authority = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(FakeState {
            authority: authority.clone(),
            jwks: json!({ "keys": [serde_json::to_value(jwk)?] }),
            exchanges: AtomicU64::new(0),
        });
        let app = axum::Router::new()
            .route("/{tenant}/v2.0/.well-known/openid-configuration", get(discovery))
            .route("/{tenant}/discovery/v2.0/keys", get(jwks))
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .with_state(state.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("fake Entra stopped: {error}");
            }
        });
        Ok(FakeEntra { authority, encoding, state })
    }

    fn exchanges(&self) -> u64 {
        self.state.exchanges.load(Ordering::Relaxed)
    }

    /// A delegated v2.0 access token for this server, as Entra would issue it to user `n`.
    fn user_token(&self, n: u32) -> String {
        let now = jsonwebtoken::get_current_timestamp();
        let oid = format!("b0000000-0000-4000-8000-{n:012}");
        let claims = json!({
            "aud": CLIENT_ID,
            "iss": format!("{}/{TENANT}/v2.0", self.authority),
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "ver": "2.0",
            "tid": TENANT,
            "oid": oid,
            "sub": format!("sub-{oid}"),
            "azp": "bbbbbbbb-0000-4000-8000-00000000000b",
            "scp": "access_as_user",
            "preferred_username": format!("user{n}@contoso.example"),
            "name": format!("user {n}"),
        });
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KID.to_string());
        jsonwebtoken::encode(&header, &claims, &self.encoding).expect("signing")
    }
}

async fn discovery(State(state): State<Arc<FakeState>>, UrlPath(tenant): UrlPath<String>) -> axum::Json<Value> {
    let authority = &state.authority;
    axum::Json(json!({
        "issuer": format!("{authority}/{tenant}/v2.0"),
        "jwks_uri": format!("{authority}/{tenant}/discovery/v2.0/keys"),
        "token_endpoint": format!("{authority}/{tenant}/oauth2/v2.0/token"),
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(state): State<Arc<FakeState>>) -> axum::Json<Value> {
    axum::Json(state.jwks.clone())
}

/// The on-behalf-of grant: counts every request and answers with an hour-long Graph token.
async fn token(
    State(state): State<Arc<FakeState>>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> (axum::http::StatusCode, axum::Json<Value>) {
    let n = state.exchanges.fetch_add(1, Ordering::Relaxed) + 1;
    let obo = form.get("grant_type").map(String::as_str) == Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
        && form.get("requested_token_use").map(String::as_str) == Some("on_behalf_of")
        && form.get("assertion").is_some_and(|a| !a.is_empty());
    if !obo {
        let error = json!({"error": "invalid_request", "error_description": "not an on-behalf-of request"});
        return (axum::http::StatusCode::BAD_REQUEST, axum::Json(error));
    }
    let granted = json!({
        "token_type": "Bearer",
        "scope": "https://graph.microsoft.com/.default",
        "expires_in": 3600,
        "ext_expires_in": 3600,
        "access_token": format!("bench-graph-token-{n}"),
    });
    (axum::http::StatusCode::OK, axum::Json(granted))
}

// ---------------------------------------------------------------------------------------------
// MCP clients and calls

/// How a client holds its HTTP connections to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connections {
    /// One pooled connection reused call after call, as hosts and proxies do.
    KeepAlive,
    /// rmcp's default client: pooling off, so every call opens a new TCP connection.
    PerCall,
}

async fn http_client(server: &Server, token: String, connections: Connections) -> anyhow::Result<Client> {
    let config = StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(token);
    let transport = match connections {
        Connections::PerCall => StreamableHttpClientTransport::from_config(config),
        Connections::KeepAlive => StreamableHttpClientTransport::with_client(reqwest::Client::new(), config),
    };
    Ok(().serve(transport).await?)
}

/// `entra-mcp stdio --demo` (its emulator in-process), with its pid for memory readings.
async fn stdio_client(toolsets: &str) -> anyhow::Result<(Client, Option<u32>)> {
    stdio_client_with(&["--toolsets", toolsets]).await
}

/// An `entra-mcp stdio --demo` child with these further arguments (toolsets, writes, beta).
async fn stdio_client_with(extra: &[&str]) -> anyhow::Result<(Client, Option<u32>)> {
    let command = Command::new(server_binary()).configure(|c| {
        clean_env(c);
        c.args(["stdio", "--demo"]).args(extra).env("ENTRA_MCP_LOG", "error");
    });
    // The builder, not `new`: `new` lets the child's start-up line through to our stderr.
    let (transport, _) = TokioChildProcess::builder(command).stderr(Stdio::null()).spawn()?;
    let pid = transport.id();
    let client = ().serve(transport).await?;
    Ok((client, pid))
}

fn args(value: Value) -> JsonObject {
    value.as_object().cloned().unwrap_or_default()
}

fn params(tool: &str, arguments: &JsonObject) -> CallToolRequestParams {
    CallToolRequestParams::new(tool.to_string()).with_arguments(arguments.clone())
}

/// Calls a tool and insists on a successful answer (setup and measured calls alike).
async fn call(client: &Client, tool: &str, arguments: &JsonObject) -> anyhow::Result<CallToolResult> {
    let result = client.call_tool(params(tool, arguments)).await.with_context(|| format!("{tool}: call failed"))?;
    if result.is_error == Some(true) {
        let text = serde_json::to_string(&result.content).unwrap_or_default();
        bail!("{tool} answered with a tool error: {text}");
    }
    Ok(result)
}

fn graph_requests(result: &CallToolResult) -> Vec<Value> {
    result
        .structured_content
        .as_ref()
        .and_then(|s| s.get("graph_requests"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// What a batch of concurrent calls achieved.
struct Load {
    calls: usize,
    errors: usize,
    elapsed: Duration,
    /// Sorted.
    latencies: Vec<Duration>,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// `concurrency` loops spread over `clients`, each calling `tool` back to back until `duration`
/// has passed.
async fn drive(
    clients: &[Arc<Client>],
    concurrency: usize,
    duration: Duration,
    tool: &str,
    arguments: &JsonObject,
) -> Load {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..concurrency {
        let client = clients[i % clients.len()].clone();
        let request = params(tool, arguments);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match client.call_tool(request.clone()).await {
                    Ok(result) if result.is_error != Some(true) => latencies.push(sent.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        });
    }
    let mut load = Load { calls: 0, errors: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    while let Some(joined) = tasks.join_next().await {
        if let Ok((latencies, errors)) = joined {
            load.latencies.extend(latencies);
            load.errors += errors;
        }
    }
    load.elapsed = started.elapsed();
    load.calls = load.latencies.len();
    load.latencies.sort();
    load
}

/// Samples a process's resident memory until stopped; returns the peak.
fn sample_rss(pid: u32) -> (tokio::task::JoinHandle<u64>, tokio::sync::oneshot::Sender<()>) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let sampler = tokio::spawn(async move {
        let mut peak = 0;
        loop {
            peak = peak.max(rss_kb(pid).unwrap_or(0));
            tokio::select! {
                _ = &mut stopped => return peak,
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
    });
    (sampler, stop)
}

// ---------------------------------------------------------------------------------------------
// Direct Graph requests (the bench calling the emulator itself)

/// Replays the Graph requests a skill reports in `graph_requests` against the emulator.
struct GraphReplay {
    http: reqwest::Client,
    base_url: String,
}

impl GraphReplay {
    fn new(base_url: &str) -> GraphReplay {
        GraphReplay { http: reqwest::Client::new(), base_url: base_url.to_string() }
    }

    /// The URL of a recorded request; without `$select` when `raw` (what a client that asks
    /// Graph for whole objects would get).
    fn url(&self, call: &Value, raw: bool) -> String {
        let version = call["version"].as_str().unwrap_or("v1.0");
        let path = call["path"].as_str().unwrap_or("/");
        // The recorded query is decoded; every option starts with `$`, so `&$` separates them.
        let query = call["query"].as_str().unwrap_or("");
        let mut options: Vec<String> = Vec::new();
        for (i, option) in query.split("&$").enumerate().filter(|(_, o)| !o.is_empty()) {
            let option = if i == 0 { option.to_string() } else { format!("${option}") };
            let (name, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
            if raw && name == "$select" {
                continue;
            }
            options.push(format!("{name}={}", entra_mcp::graph::odata::encode_value(value)));
        }
        let base = &self.base_url;
        if options.is_empty() {
            format!("{base}/{version}{path}")
        } else {
            format!("{base}/{version}{path}?{}", options.join("&"))
        }
    }

    /// GETs a recorded request (following `@odata.nextLink` as many pages as the skill did);
    /// returns the body bytes.
    async fn fetch(&self, call: &Value, raw: bool) -> anyhow::Result<usize> {
        let pages = call["pages"].as_u64().unwrap_or(1).max(1);
        let mut url = self.url(call, raw);
        let mut bytes = 0;
        for _ in 0..pages {
            let mut request = self.http.get(&url).bearer_auth("bench-direct");
            for header in call["headers"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if let Some((name, value)) = header.split_once(':') {
                    request = request.header(name.trim(), value.trim());
                }
            }
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            if !status.is_success() {
                bail!("GET {url}: HTTP {status}: {}", String::from_utf8_lossy(&body));
            }
            bytes += body.len();
            let next = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("@odata.nextLink").and_then(Value::as_str).map(str::to_string));
            match next {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(bytes)
    }

    /// Every GET of a skill's answer, replayed concurrently as the skill would; the time taken.
    async fn replay_all(&self, calls: &[Value]) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let gets = calls.iter().filter(|c| c["method"] == "GET");
        futures::future::try_join_all(gets.map(|c| self.fetch(c, false))).await?;
        Ok(started.elapsed())
    }
}

// ---------------------------------------------------------------------------------------------
// Sections

/// A bare MCP client: one JSON-RPC `tools/call` per POST on a kept-alive connection, what a
/// host does once initialized (the HTTP mode is stateless, so no session ties calls together).
/// Its own cost is that of the direct Graph request's client, so their difference is the
/// server's.
struct PlainMcp {
    http: reqwest::Client,
    url: String,
    token: String,
    next_id: AtomicU64,
}

impl PlainMcp {
    fn new(server: &Server, token: String) -> PlainMcp {
        PlainMcp { http: reqwest::Client::new(), url: server.mcp_url(), token, next_id: AtomicU64::new(1) }
    }

    async fn call(&self, tool: &str, arguments: &JsonObject) -> anyhow::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        let reply: Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)))?;
        if reply["result"].is_null() || reply["result"]["isError"] == true {
            bail!("{tool}: {reply}");
        }
        Ok(reply)
    }
}

/// Server overhead per call: get_user end to end over MCP minus the same Graph request made
/// directly. Samples interleave so every series sees the same machine load.
async fn overhead(
    plan: &Plan,
    server: &Server,
    token: String,
    clients: (&Client, &Client),
    emulator: &Emulator,
    report: &mut Report,
) -> anyhow::Result<()> {
    println!("\n== Overhead per tool call (get_user, one Graph request, emulator at 0 ms)");
    let (keep_alive, per_call) = clients;
    let plain = PlainMcp::new(server, token);
    let arguments = args(json!({"user": KARITA}));
    let first = call(keep_alive, "get_user", &arguments).await?;
    let requests = graph_requests(&first);
    let [graph_call] = requests.as_slice() else { bail!("get_user made {} Graph requests, not one", requests.len()) };
    let replay = GraphReplay::new(&emulator.base_url);
    for _ in 0..200 {
        plain.call("get_user", &arguments).await?;
        call(keep_alive, "get_user", &arguments).await?;
        call(per_call, "get_user", &arguments).await?;
        replay.fetch(graph_call, false).await?;
    }
    let mut series: [Vec<Duration>; 4] = Default::default();
    for _ in 0..plan.samples {
        let t = Instant::now();
        replay.fetch(graph_call, false).await?;
        series[0].push(t.elapsed());
        let t = Instant::now();
        plain.call("get_user", &arguments).await?;
        series[1].push(t.elapsed());
        let t = Instant::now();
        call(keep_alive, "get_user", &arguments).await?;
        series[2].push(t.elapsed());
        let t = Instant::now();
        call(per_call, "get_user", &arguments).await?;
        series[3].push(t.elapsed());
    }
    for v in &mut series {
        v.sort();
    }
    let names = [
        "direct Graph request (bench → emulator)",
        "MCP, plain JSON-RPC POST, kept-alive",
        "MCP, rmcp client, kept-alive",
        "MCP, rmcp client, new connection per call",
    ];
    for (name, v) in names.iter().zip(&series) {
        println!(
            "{name:<44} p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} samples)",
            ms(percentile(v, 50.0)),
            ms(percentile(v, 90.0)),
            ms(percentile(v, 99.0)),
            ms(percentile(v, 100.0)),
            v.len()
        );
    }
    let difference = |i: usize, p: f64| ms(percentile(&series[i], p)) - ms(percentile(&series[0], p));
    for (i, name) in names.iter().enumerate().skip(1) {
        println!("overhead, {:<34} p50 {:.3} ms  p99 {:.3} ms", &name[5..], difference(i, 50.0), difference(i, 99.0));
    }
    let (p50, p99) = (difference(1, 50.0), difference(1, 99.0));
    report.add("overhead per call, p50", format!("{p50:.3} ms"), "≤ 0.3 ms", Some(p50 <= 0.3));
    report.add("overhead per call, p99", format!("{p99:.3} ms"), "≤ 2 ms", Some(p99 <= 2.0));
    for (i, label) in [(2, "  … with the rmcp client"), (3, "  … rmcp client, new connection per call")] {
        report.add(
            format!("{label}, p50 / p99"),
            format!("{:.3} / {:.3} ms", difference(i, 50.0), difference(i, 99.0)),
            "",
            None,
        );
    }
    Ok(())
}

/// Calls per second at concurrency 1, 8 and 64 over HTTP; memory idle and under load.
async fn throughput(
    plan: &Plan,
    clients: &[(Connections, Vec<Arc<Client>>)],
    server: &Server,
    emulator: &Emulator,
    report: &mut Report,
) -> anyhow::Result<()> {
    let arguments = args(json!({"user": KARITA}));
    let mut peak_rss = 0;
    for (connections, clients) in clients {
        let label = match connections {
            Connections::KeepAlive => "kept-alive connections",
            Connections::PerCall => "a new connection per call (rmcp's default client)",
        };
        println!("\n== Throughput over HTTP (get_user, emulator at 0 ms, {} clients, {label})", clients.len());
        for client in clients {
            call(client, "get_user", &arguments).await?;
        }
        for concurrency in [1usize, 8, 64] {
            let used = &clients[..concurrency.min(clients.len())];
            // A short warm-up at this level, so connection pools are filled before timing.
            drive(used, concurrency, Duration::from_millis(300), "get_user", &arguments).await;
            let (sampler, stop) = sample_rss(server.pid);
            let cpu_before = [cpu_time(Some(server.pid)), cpu_time(Some(emulator.pid)), cpu_time(None)];
            let load = drive(used, concurrency, plan.seconds, "get_user", &arguments).await;
            let cpu_after = [cpu_time(Some(server.pid)), cpu_time(Some(emulator.pid)), cpu_time(None)];
            let _ = stop.send(());
            let peak = sampler.await.unwrap_or(0);
            peak_rss = peak_rss.max(peak);
            let per_call =
                |i: usize| (cpu_after[i].saturating_sub(cpu_before[i])).as_secs_f64() * 1e6 / load.calls.max(1) as f64;
            println!(
                "concurrency {concurrency:>2}: {:>6.0} calls/s  p50 {:.2} ms  p99 {:.2} ms  errors {}  | CPU per call: server {:.0} µs, emulator {:.0} µs, bench clients {:.0} µs  | server RSS peak {:.1} MB",
                load.per_second(),
                ms(percentile(&load.latencies, 50.0)),
                ms(percentile(&load.latencies, 99.0)),
                load.errors,
                per_call(0),
                per_call(1),
                per_call(2),
                peak as f64 / 1024.0
            );
            let kept = *connections == Connections::KeepAlive;
            if kept {
                let met = (concurrency > 1).then_some(load.per_second() >= 5000.0 && load.errors == 0);
                let target = if concurrency > 1 { "≥ 5,000/s" } else { "" };
                report.add(
                    format!("calls/s over HTTP, concurrency {concurrency}"),
                    format!("{:.0}", load.per_second()),
                    target,
                    met,
                );
            } else {
                report.add(
                    format!("  … new connection per call, concurrency {concurrency}"),
                    format!("{:.0}", load.per_second()),
                    "",
                    None,
                );
            }
            if concurrency == 64 {
                let server_cpu = per_call(0);
                println!(
                    "  the server used {server_cpu:.0} µs of CPU per call: {:.0} calls/s on 2 cores of its own",
                    2e6 / server_cpu.max(1.0)
                );
                let figure = if kept { "server CPU per call" } else { "  … new connection per call, server CPU" };
                report.add(figure, format!("{server_cpu:.0} µs"), "", None);
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_kb(server.pid).unwrap_or(0);
    println!(
        "server RSS: peak under load {:.1} MB, idle after load {:.1} MB",
        peak_rss as f64 / 1024.0,
        after as f64 / 1024.0
    );
    report.add("server RSS under load (peak)", format!("{:.1} MB", peak_rss as f64 / 1024.0), "", None);
    report.add(
        "server RSS idle after load",
        format!("{:.1} MB", after as f64 / 1024.0),
        "≤ 20 MB",
        Some(after <= 20 * 1024),
    );
    Ok(())
}

/// Over stdio: sequential latency and calls per second of `entra-mcp stdio --demo` children.
async fn stdio(plan: &Plan, report: &mut Report) -> anyhow::Result<()> {
    println!("\n== stdio (entra-mcp stdio --demo, emulator in-process at 0 ms, get_user)");
    let arguments = args(json!({"user": KARITA}));
    let (client, pid) = stdio_client("default").await?;
    call(&client, "get_user", &arguments).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = pid.and_then(rss_kb).unwrap_or(0);
    let mut latencies = Vec::new();
    for _ in 0..plan.samples.min(1000) {
        let t = Instant::now();
        call(&client, "get_user", &arguments).await?;
        latencies.push(t.elapsed());
    }
    latencies.sort();
    println!(
        "sequential: p50 {:.3} ms  p99 {:.3} ms  | RSS idle {:.1} MB (server, emulator and demo tenant together)",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        idle as f64 / 1024.0
    );
    report.add("stdio get_user latency p50", format!("{:.3} ms", ms(percentile(&latencies, 50.0))), "", None);
    report.add("stdio --demo RSS idle (incl. emulator)", format!("{:.1} MB", idle as f64 / 1024.0), "", None);
    let mut clients = vec![Arc::new(client)];
    for concurrency in [1usize, 8, 64] {
        // Several hosts, each with its own server process, at the highest level.
        let processes = if concurrency >= 64 { 4 } else { 1 };
        while clients.len() < processes {
            let (client, _) = stdio_client("default").await?;
            call(&client, "get_user", &arguments).await?;
            clients.push(Arc::new(client));
        }
        let used = &clients[..processes];
        drive(used, concurrency, Duration::from_millis(300), "get_user", &arguments).await;
        let load = drive(used, concurrency, plan.seconds, "get_user", &arguments).await;
        println!(
            "concurrency {concurrency:>2} over {processes} process(es): {:>7.0} calls/s  p50 {:.2} ms  p99 {:.2} ms  errors {}",
            load.per_second(),
            ms(percentile(&load.latencies, 50.0)),
            ms(percentile(&load.latencies, 99.0)),
            load.errors
        );
        report.add(
            format!("calls/s over stdio, concurrency {concurrency}"),
            format!("{:.0}", load.per_second()),
            "",
            None,
        );
    }
    Ok(())
}

/// Composite skills with 100 ms per Graph request: their latency in round trips.
async fn composites(plan: &Plan, fake: &FakeEntra, report: &mut Report) -> anyhow::Result<()> {
    println!("\n== Composite skills (emulator at 100 ms per Graph request)");
    let emulator = start_emulator(0, 100).await?;
    let server = start_server(fake, &emulator.base_url, "default").await?;
    let client = http_client(&server, fake.user_token(900), Connections::KeepAlive).await?;
    let group = call(&client, "get_group", &args(json!({"group": "Finance App Users"}))).await?;
    let group_id = group.structured_content.as_ref().and_then(|s| s["id"].as_str()).unwrap_or_default().to_string();
    let cases: Vec<(&str, &str, Value)> = vec![
        ("get_user (one request, for scale)", "get_user", json!({"user": KARITA})),
        ("get_risky_user", "get_risky_user", json!({"user": KARITA})),
        ("explain_sign_in_failure", "explain_sign_in_failure", json!({"user": KARITA, "since": "48h"})),
        ("get_user_memberships", "get_user_memberships", json!({"user": KARITA})),
        ("get_group by name", "get_group", json!({"group": "Finance App Users"})),
        ("get_group by id", "get_group", json!({"group": group_id})),
        ("list_group_members by name", "list_group_members", json!({"group": "Finance App Users", "nested": true})),
        ("list_group_members by id", "list_group_members", json!({"group": group_id, "nested": true})),
    ];
    println!("{:<36} {:>9} {:>12} {:>15}", "skill", "median", "round trips", "Graph requests");
    for (label, tool, arguments) in cases {
        let arguments = args(arguments);
        let mut times = Vec::new();
        let mut requests = 0;
        for _ in 0..plan.repeats.min(5) {
            let t = Instant::now();
            let result = call(&client, tool, &arguments).await?;
            times.push(t.elapsed());
            requests = graph_requests(&result).len();
        }
        times.sort();
        let median = ms(percentile(&times, 50.0));
        let trips = median / 100.0;
        println!("{label:<36} {median:>6.0} ms {trips:>12.2} {requests:>15}");
        let met = if tool == "get_user" { None } else { Some(trips <= 1.3) };
        report.add(
            format!("{label}: round trips"),
            format!("{trips:.2} ({requests} requests)"),
            if met.is_some() { "≤ 1.3" } else { "" },
            met,
        );
    }
    client.cancel().await?;
    Ok(())
}

/// Spawn to the first tools/list answer (stdio demo, and HTTP tenant mode), then tools/list sizes.
async fn startup(plan: &Plan, fake: &FakeEntra, report: &mut Report) -> anyhow::Result<()> {
    println!("\n== Start-up and tools/list");
    let mut times = Vec::new();
    for _ in 0..plan.spawns {
        let started = Instant::now();
        let (client, _) = stdio_client("default").await?;
        client.list_all_tools().await?;
        times.push(started.elapsed());
        client.cancel().await?;
    }
    times.sort();
    let median = ms(percentile(&times, 50.0));
    println!(
        "stdio --demo, spawn to first tools/list ({} runs): median {median:.1} ms, min {:.1} ms, max {:.1} ms",
        times.len(),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    report.add("spawn to first tools/list (stdio --demo)", format!("{median:.1} ms"), "≤ 30 ms", Some(median <= 30.0));

    // HTTP tenant mode: includes OpenID discovery and the JWKS fetch from the (local) fake.
    let mut times = Vec::new();
    let token = fake.user_token(901);
    for _ in 0..plan.spawns.min(5) {
        let started = Instant::now();
        let server = start_server(fake, "http://127.0.0.1:9", "default").await?;
        let client = http_client(&server, token.clone(), Connections::KeepAlive).await?;
        client.list_all_tools().await?;
        times.push(started.elapsed());
        client.cancel().await?;
    }
    times.sort();
    let median = ms(percentile(&times, 50.0));
    println!("http tenant mode, spawn to first tools/list ({} runs): median {median:.1} ms", times.len());
    report.add("spawn to first tools/list (http, tenant)", format!("{median:.1} ms"), "", None);

    tool_list_sizes(report).await
}

/// What a host shows the model of a tool list: each tool's name, description and input schema,
/// as one compact JSON array (output schemas and annotations stay with the host).
fn model_visible_bytes(tools: &[Tool]) -> anyhow::Result<usize> {
    let visible: Vec<Value> = tools
        .iter()
        .map(|t| {
            let mut tool = json!({"name": t.name, "inputSchema": t.input_schema});
            if let Some(description) = &t.description {
                tool["description"] = json!(description);
            }
            tool
        })
        .collect();
    Ok(serde_json::to_vec(&visible)?.len())
}

/// tools/list as the real binary answers it over stdio: the model-visible bytes of the default
/// list, of each toolset on its own, of all toolsets with writes and beta, and of discovery
/// mode; and the whole list (output schemas included) for default and all.
async fn tool_list_sizes(report: &mut Report) -> anyhow::Result<()> {
    let toolsets: Vec<&str> = Toolset::ALL.iter().map(|t| t.name()).collect();
    let mut lists: Vec<(String, Vec<&str>)> = vec![("default".into(), vec!["--toolsets", "default"])];
    lists.extend(toolsets.iter().map(|t| (format!("--toolsets {t}"), vec!["--toolsets", t])));
    lists.push(("all, writes, beta".into(), vec!["--toolsets", "all", "--allow-writes", "--beta"]));
    lists.push(("discover".into(), vec!["--toolsets", "discover"]));
    println!(
        "\ntools/list over stdio, in bytes: model-visible (name, description, inputSchema as one compact JSON array) and in full"
    );
    println!("{:<26} {:>6} {:>14} {:>10}", "list", "tools", "model-visible", "in full");
    // Toolsets that list no skill yet share one summary row.
    let mut empty = Vec::new();
    for (label, extra) in lists {
        let (client, _) = stdio_client_with(&extra).await?;
        let tools = client.list_all_tools().await?;
        client.cancel().await?;
        let visible = model_visible_bytes(&tools)?;
        let full = serde_json::to_vec(&tools)?.len();
        println!("{label:<26} {:>6} {visible:>14} {full:>10}", tools.len());
        if tools.is_empty() {
            empty.push(extra[1]);
            continue;
        }
        let (target, met) = match label.as_str() {
            "default" => ("≤ 48 KB", Some(visible <= 48 * 1024)),
            "discover" => ("≤ 4 KB", Some(visible <= 4 * 1024)),
            _ => ("", None),
        };
        report.add(
            format!("tools/list, {label}, model-visible"),
            format!("{} ({} tool{})", kb(visible), tools.len(), if tools.len() == 1 { "" } else { "s" }),
            target,
            met,
        );
        if label == "default" || label.starts_with("all") {
            report.add(format!("tools/list, {label}, in full"), kb(full), "", None);
        }
    }
    if !empty.is_empty() {
        println!("toolsets with no skill yet: {}", empty.join(", "));
        report.add(format!("tools/list, {} other toolsets alone", empty.len()), "empty (no skills yet)", "", None);
    }
    Ok(())
}

/// On-behalf-of exchanges per 1,000 calls, from the fake token endpoint's counter.
async fn obo(fake: &FakeEntra, server: &Server, report: &mut Report) -> anyhow::Result<()> {
    println!("\n== On-behalf-of exchanges (fake token endpoint, get_user)");
    let arguments = args(json!({"user": KARITA}));
    // Fresh tokens: users 1000.. have never called, so their first calls start cold.
    let one = Arc::new(http_client(server, fake.user_token(1000), Connections::KeepAlive).await?);
    let before = fake.exchanges();
    for _ in 0..1000 {
        call(&one, "get_user", &arguments).await?;
    }
    let single = fake.exchanges() - before;
    let mut ten = Vec::new();
    for n in 1001..=1010 {
        ten.push(Arc::new(http_client(server, fake.user_token(n), Connections::KeepAlive).await?));
    }
    // Ten users at once, 100 calls each, started together: the concurrent first calls of a user
    // must share one exchange.
    let before = fake.exchanges();
    let batch = |clients: Vec<Arc<Client>>| {
        let arguments = arguments.clone();
        async move {
            let tasks = clients.into_iter().map(|client| {
                let arguments = arguments.clone();
                async move {
                    // Four calls of a user in flight at a time, as a host running tools in parallel.
                    let lanes = (0..4).map(|_| async {
                        for _ in 0..25 {
                            call(&client, "get_user", &arguments).await?;
                        }
                        anyhow::Ok(())
                    });
                    futures::future::try_join_all(lanes).await.map(|_| ())
                }
            });
            futures::future::try_join_all(tasks).await.map(|_| ())
        }
    };
    batch(ten.clone()).await?;
    let cold = fake.exchanges() - before;
    let before = fake.exchanges();
    batch(ten.clone()).await?;
    let warm = fake.exchanges() - before;
    let hits = |exchanges: u64| 100.0 * (1.0 - exchanges as f64 / 1000.0);
    println!("one user, 1,000 calls (first call cold):       {single} exchanges ({:.1} % cache hits)", hits(single));
    println!("ten users, 100 calls each, concurrent, cold:   {cold} exchanges ({:.1} % cache hits)", hits(cold));
    println!("the same ten users, 1,000 more calls:          {warm} exchanges ({:.1} % cache hits)", hits(warm));
    report.add(
        "OBO exchanges / 1,000 calls, 1 user",
        format!("{single} ({:.1} % hits)", hits(single)),
        "≥ 99.9 % hits",
        // Compared as counts: 99.9 % of 1,000 is one exchange, and floating point may disagree.
        Some(single <= 1),
    );
    report.add(
        "OBO exchanges / 1,000 calls, 10 users, cold",
        format!("{cold} ({:.1} % hits)", hits(cold)),
        "one per user",
        Some(cold <= 10),
    );
    report.add(
        "OBO exchanges / 1,000 calls, 10 users, warm",
        format!("{warm} ({:.1} % hits)", hits(warm)),
        "≥ 99.9 % hits",
        Some(warm <= 1),
    );
    Ok(())
}

/// Each list skill's answer against the raw Graph JSON of the same rows.
async fn bytes(client: &Client, emulator: &Emulator, report: &mut Report) -> anyhow::Result<()> {
    println!("\n== List results against raw Graph JSON (same filter and $top, no $select)");
    let cases: Vec<(&str, Value)> = vec![
        ("search_users", json!({"user_type": "member"})),
        ("list_sign_ins", json!({"since": "48h"})),
        ("list_directory_audits", json!({})),
        ("list_risky_users", json!({})),
        ("list_risk_detections", json!({})),
        ("list_group_members", json!({"group": "Finance App Users", "nested": true})),
        ("get_user_memberships", json!({"user": KARITA})),
    ];
    let replay = GraphReplay::new(&emulator.base_url);
    println!(
        "{:<24} {:>5} {:>7} {:>11} {:>11} {:>14} {:>10} {:>7} {:>10}",
        "skill", "rows", "text", "structured", "MCP result", "Graph $select", "Graph raw", "ratio", "text/raw"
    );
    for (tool, arguments) in cases {
        let result = call(client, tool, &args(arguments)).await?;
        let text: usize = result.content.iter().filter_map(|c| c.as_text()).map(|t| t.text.len()).sum();
        let structured = result
            .structured_content
            .as_ref()
            .map(|s| serde_json::to_vec(s).map(|v| v.len()))
            .transpose()?
            .unwrap_or(0);
        let whole = serde_json::to_vec(&result)?.len();
        let rows = result.structured_content.as_ref().and_then(|s| s["returned"].as_u64()).unwrap_or(0);
        let mut selected = 0;
        let mut raw = 0;
        for request in graph_requests(&result).iter().filter(|c| c["method"] == "GET") {
            selected += replay.fetch(request, false).await?;
            raw += replay.fetch(request, true).await?;
        }
        let ratio = 100.0 * whole as f64 / raw.max(1) as f64;
        // Many hosts put only the text block in the model's context; its share is printed too.
        let text_ratio = 100.0 * text as f64 / raw.max(1) as f64;
        println!(
            "{tool:<24} {rows:>5} {text:>7} {structured:>11} {whole:>11} {selected:>14} {raw:>10} {ratio:>6.1}% {text_ratio:>9.1}%"
        );
        report.add(
            format!("{tool}: result / raw Graph bytes"),
            format!("{ratio:.1} % ({whole} / {raw} B; text {text_ratio:.1} %)"),
            "≤ 15 %",
            Some(ratio <= 15.0),
        );
    }
    Ok(())
}

/// List and search latency on a large tenant, with the emulator's own time for comparison.
async fn scale(plan: &Plan, fake: &FakeEntra, report: &mut Report) -> anyhow::Result<()> {
    println!("\n== A {}-user tenant", plan.scale);
    let emulator = start_emulator(plan.scale, 0).await?;
    println!(
        "emulator ready after {:.1} s (generation), RSS {:.0} MB",
        emulator.ready_after.as_secs_f64(),
        rss_kb(emulator.pid).unwrap_or(0) as f64 / 1024.0
    );
    let server = start_server(fake, &emulator.base_url, "default").await?;
    let client = http_client(&server, fake.user_token(902), Connections::KeepAlive).await?;
    let replay = GraphReplay::new(&emulator.base_url);
    let cases: Vec<(&str, &str, Value)> = vec![
        ("search_users by name", "search_users", json!({"name": "Kar"})),
        ("list_sign_ins for a user (7d)", "list_sign_ins", json!({"user": KARITA, "since": "7d"})),
        ("list_directory_audits (7d)", "list_directory_audits", json!({})),
    ];
    println!("{:<32} {:>10} {:>10} {:>22}", "skill", "p50", "max", "Graph alone (p50)");
    for (label, tool, arguments) in cases {
        let arguments = args(arguments);
        let first = call(&client, tool, &arguments).await?;
        let requests = graph_requests(&first);
        let mut mcp = Vec::new();
        let mut direct = Vec::new();
        for _ in 0..plan.repeats {
            let t = Instant::now();
            call(&client, tool, &arguments).await?;
            mcp.push(t.elapsed());
            direct.push(replay.replay_all(&requests).await?);
        }
        mcp.sort();
        direct.sort();
        let p50 = ms(percentile(&mcp, 50.0));
        println!(
            "{label:<32} {p50:>7.1} ms {:>7.1} ms {:>19.1} ms",
            ms(percentile(&mcp, 100.0)),
            ms(percentile(&direct, 50.0))
        );
        report.add(
            format!("{label}, {} users", plan.scale),
            format!("{p50:.1} ms (Graph {:.1} ms)", ms(percentile(&direct, 50.0))),
            "",
            None,
        );
    }
    client.cancel().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kb: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    format!("{model}, {cores} cores, {:.1} GB RAM", memory_kb as f64 / 1024.0 / 1024.0)
}

/// The 1, 5 and 15 minute load averages (/proc/loadavg).
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn require(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        bail!(
            "{} not found: run `cargo build --release --examples --bin entra-mcp` first (with the same CARGO_TARGET_DIR)",
            path.display()
        );
    }
    Ok(())
}

/// Twenty bursts of 200 concurrent `get_user` calls from 8 users on a fresh server, a second
/// apart: resident memory after each, and 10 s after the last. Memory that a burst takes and
/// the allocator keeps is reused by the next burst; growth across bursts would be a leak.
async fn bursts(fake: &FakeEntra, report: &mut Report) -> anyhow::Result<()> {
    const BURSTS: usize = 20;
    const CALLS: usize = 200;
    println!("\n== Bursts ({BURSTS} × {CALLS} concurrent get_user calls, a fresh server)");
    let emulator = start_emulator(0, 0).await?;
    let server = start_server(fake, &emulator.base_url, "default").await?;
    let mut clients = Vec::new();
    for n in 0..8 {
        clients.push(Arc::new(http_client(&server, fake.user_token(300 + n), Connections::KeepAlive).await?));
    }
    let arguments = args(json!({"user": KARITA}));
    let before = rss_kb(server.pid).unwrap_or(0);
    let mut after_each = Vec::new();
    let mut errors = 0;
    for _ in 0..BURSTS {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..CALLS {
            let client = clients[i % clients.len()].clone();
            let request = params("get_user", &arguments);
            tasks.spawn(async move { matches!(client.call_tool(request).await, Ok(r) if r.is_error != Some(true)) });
        }
        while let Some(done) = tasks.join_next().await {
            errors += usize::from(!matches!(done, Ok(true)));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        after_each.push(rss_kb(server.pid).unwrap_or(0));
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let settled = rss_kb(server.pid).unwrap_or(0);
    let mb = |kb: u64| kb as f64 / 1024.0;
    let first = after_each.first().copied().unwrap_or(0);
    let fifth = after_each.get(4).copied().unwrap_or(first);
    let last = after_each.last().copied().unwrap_or(0);
    println!(
        "RSS before {:.1} MB; after bursts 1, 5, {BURSTS}: {:.1}, {:.1}, {:.1} MB; 10 s after the last: {:.1} MB; {errors} errors",
        mb(before),
        mb(first),
        mb(fifth),
        mb(last),
        mb(settled)
    );
    report.add(
        "RSS 10 s after 20 bursts of 200 concurrent calls",
        format!("{:.1} MB (before {:.1} MB)", mb(settled), mb(before)),
        "≤ 40 MB",
        Some(settled <= 40 * 1024),
    );
    report.add(
        "RSS growth from burst 5 to burst 20",
        format!("{:+.1} MB", mb(last) - mb(fifth)),
        "no growth (≤ 2 MB)",
        Some(last <= fifth + 2 * 1024),
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let plan = Plan::from(&cli);
    require(&server_binary())?;
    require(&emulator_binary())?;
    println!("entra-mcp benchmark on {}; load average {}", machine(), load_average());
    let mut report = Report::default();
    let fake = FakeEntra::start().await?;

    // One emulator and one server serve every section that runs at 0 ms.
    let shared = [Section::Overhead, Section::Throughput, Section::Obo, Section::Bytes];
    if shared.iter().any(|s| plan.runs(*s)) {
        let emulator = start_emulator(0, 0).await?;
        let server = start_server(&fake, &emulator.base_url, "default").await?;
        let idle = rss_kb(server.pid).unwrap_or(0);
        println!("\nserver pid {}: RSS idle right after start {:.1} MB", server.pid, idle as f64 / 1024.0);
        report.add(
            "server RSS idle (fresh)",
            format!("{:.1} MB", idle as f64 / 1024.0),
            "≤ 20 MB",
            Some(idle <= 20 * 1024),
        );
        let mut kept = Vec::new();
        let mut fresh = Vec::new();
        for n in 0..8 {
            kept.push(Arc::new(http_client(&server, fake.user_token(n), Connections::KeepAlive).await?));
            fresh.push(Arc::new(http_client(&server, fake.user_token(100 + n), Connections::PerCall).await?));
        }
        if plan.runs(Section::Overhead) {
            let clients = (kept[0].as_ref(), fresh[0].as_ref());
            overhead(&plan, &server, fake.user_token(200), clients, &emulator, &mut report).await?;
        }
        if plan.runs(Section::Throughput) {
            let clients = [(Connections::KeepAlive, kept.clone()), (Connections::PerCall, fresh.clone())];
            throughput(&plan, &clients, &server, &emulator, &mut report).await?;
        }
        if plan.runs(Section::Obo) {
            obo(&fake, &server, &mut report).await?;
        }
        if plan.runs(Section::Bytes) {
            bytes(&kept[0], &emulator, &mut report).await?;
        }
        // Once the clients hang up, the server holds no connection state from them.
        drop((kept, fresh));
        tokio::time::sleep(Duration::from_secs(2)).await;
        let idle = rss_kb(server.pid).unwrap_or(0);
        println!("\nserver RSS idle once every client has disconnected: {:.1} MB", idle as f64 / 1024.0);
        report.add(
            "server RSS idle, clients disconnected",
            format!("{:.1} MB", idle as f64 / 1024.0),
            "≤ 20 MB",
            Some(idle <= 20 * 1024),
        );
    }
    if plan.runs(Section::Stdio) {
        stdio(&plan, &mut report).await?;
    }
    if plan.runs(Section::Composites) {
        composites(&plan, &fake, &mut report).await?;
    }
    if plan.runs(Section::Startup) {
        startup(&plan, &fake, &mut report).await?;
    }
    if plan.runs(Section::Scale) {
        scale(&plan, &fake, &mut report).await?;
    }
    if plan.runs(Section::Bursts) {
        bursts(&fake, &mut report).await?;
    }
    report.print();
    // The machine may be shared: a busy neighbour shows here and explains a slow run.
    println!("\nload average at the end: {}", load_average());
    Ok(())
}
