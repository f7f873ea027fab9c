//! The `entra-mcp` command line: serve over stdio or HTTP, list or call tools
//! from a shell, and print the permissions the enabled skills need.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use entra_mcp::app::{App, Mode};
use entra_mcp::config::{Cloud, DemoSettings, Settings, check_demo_listen, parse_allow_writes, parse_toolsets};
use entra_mcp::server::EntraServer;
use entra_mcp::skills::Selection;
use rmcp::ServiceExt;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "entra-mcp",
    version,
    about = "MCP server for Microsoft Entra ID, acting on behalf of the signed-in user"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Common {
    /// Serve the built-in Woodgrove Bank demo tenant (a Graph emulator on loopback).
    #[arg(long, global = true, env = "ENTRA_MCP_DEMO", value_parser = BoolishValueParser::new())]
    demo: bool,
    /// Toolsets to enable: a comma list, `default` (the curated list), `all`, or `discover`
    /// (two tools, find_skills and run_skill, in place of the skills).
    #[arg(long, global = true, env = "ENTRA_MCP_TOOLSETS", default_value = "default")]
    toolsets: String,
    /// List and allow write skills: all, or a comma list of toolsets (each write still needs a
    /// preview and a confirmation).
    #[arg(long, global = true, env = "ENTRA_MCP_ALLOW_WRITES", num_args = 0..=1, default_missing_value = "all")]
    allow_writes: Option<String>,
    /// List beta-only skills.
    #[arg(long, global = true, env = "ENTRA_MCP_BETA", value_parser = BoolishValueParser::new())]
    beta: bool,
    /// Microsoft cloud.
    #[arg(long, global = true, env = "ENTRA_MCP_CLOUD", value_enum, default_value = "public")]
    cloud: Cloud,
    /// Graph base URL (overrides the cloud's).
    #[arg(long, global = true, env = "ENTRA_MCP_GRAPH_URL")]
    graph_url: Option<String>,
    /// Demo tenant size in users (the story's ~100 at least).
    #[arg(long, global = true, env = "ENTRA_MCP_DEMO_SCALE", default_value_t = 1)]
    demo_scale: u32,
    /// Emulated Graph latency per request, in milliseconds.
    #[arg(long, global = true, env = "ENTRA_MCP_DEMO_LATENCY_MS", default_value_t = 0)]
    demo_latency_ms: u64,
    /// Log format on stderr.
    #[arg(long, global = true, env = "ENTRA_MCP_LOG_FORMAT", value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over stdin/stdout.
    Stdio,
    /// Serve MCP at http://ADDR/mcp.
    Http {
        /// Address to listen on.
        #[arg(long, env = "ENTRA_MCP_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Extra accepted Host header values, comma separated (loopback is always accepted).
        #[arg(long, env = "ENTRA_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
        allowed_hosts: Vec<String>,
        #[command(flatten)]
        limits: HttpLimits,
    },
    /// List or call tools from a shell.
    Tools {
        #[command(subcommand)]
        command: ToolsCommand,
    },
    /// Delegated Graph permissions the enabled skills need.
    Permissions {
        #[arg(long)]
        json: bool,
    },
}

/// What one client may hold of the HTTP server (see `entra_mcp::http::Limits`).
#[derive(Args)]
struct HttpLimits {
    /// Seconds a new connection has to send its request head (and a head, once begun, to finish).
    #[arg(long, env = "ENTRA_MCP_HTTP_HEADER_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout_seconds: u64,
    /// Seconds a request body has to arrive after its head; a late one gets 408.
    #[arg(long, env = "ENTRA_MCP_HTTP_BODY_TIMEOUT_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout_seconds: u64,
    /// Seconds a connection may sit with no request and no bytes moving before it is closed.
    #[arg(long, env = "ENTRA_MCP_HTTP_IDLE_TIMEOUT_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout_seconds: u64,
    /// Connections served at once; past it, 503 with Retry-After.
    #[arg(long, env = "ENTRA_MCP_HTTP_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// Requests handled at once (`/healthz` aside); past it, 503 with Retry-After.
    #[arg(long, env = "ENTRA_MCP_HTTP_MAX_IN_FLIGHT", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_in_flight: u64,
}

impl HttpLimits {
    fn limits(&self) -> entra_mcp::http::Limits {
        use std::time::Duration;
        // The parsers cap both counts at a million, which fits any usize.
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        entra_mcp::http::Limits {
            header_timeout: Duration::from_secs(self.header_timeout_seconds),
            body_timeout: Duration::from_secs(self.body_timeout_seconds),
            idle_timeout: Duration::from_secs(self.idle_timeout_seconds),
            max_connections: count(self.max_connections),
            max_in_flight: count(self.max_in_flight),
        }
    }
}

#[derive(Subcommand)]
enum ToolsCommand {
    /// List the enabled skills.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run one skill and print its result.
    Call {
        /// Tool name.
        name: String,
        /// Arguments as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// Print the structured JSON instead of markdown.
        #[arg(long)]
        json: bool,
    },
}

impl Common {
    fn settings(&self) -> anyhow::Result<Settings> {
        let (toolsets, discover) = parse_toolsets(&self.toolsets)?;
        let writes = parse_allow_writes(self.allow_writes.as_deref())?;
        let selection = Selection { toolsets, writes, beta: self.beta, discover };
        let demo = self.demo.then_some(DemoSettings { scale: self.demo_scale, latency_ms: self.demo_latency_ms });
        Settings::new(demo, self.cloud, self.graph_url.as_deref(), selection)
    }
}

fn init_logging(format: &str, default_filter: &str) {
    // stdout is the protocol in stdio mode: every log line goes to stderr.
    let filter = tracing_subscriber::EnvFilter::try_from_env("ENTRA_MCP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).with_env_filter(filter);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Servers keep an audit line per call; a shell user of `tools` wants only the answer.
    let default_filter = match cli.command {
        Command::Stdio | Command::Http { .. } => "warn,entra_mcp=info",
        _ => "warn",
    };
    init_logging(&cli.common.log_format, default_filter);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("entra-mcp: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.common.settings()?;
    match cli.command {
        Command::Stdio => {
            let app = App::start(&settings, Mode::Local).await?;
            eprintln!(
                "entra-mcp {}: serving MCP over stdio{} with {} tools",
                env!("CARGO_PKG_VERSION"),
                if settings.demo.is_some() { " on the Woodgrove Bank demo tenant" } else { "" },
                app.server.tools().len()
            );
            serve_stdio(app.server).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Http { listen, mut allowed_hosts, limits } => {
            check_demo_listen(settings.demo.is_some(), listen)?;
            let app = App::start(&settings, Mode::Http).await?;
            let listener = entra_mcp::http::bind(listen).await?;
            let addr = listener.local_addr()?;
            let cancel = CancellationToken::new();
            let public_url = app.auth.as_ref().map(|a| a.public_url.as_str());
            allowed_hosts.extend(entra_mcp::http::listen_host(listen));
            let hosts = entra_mcp::http::allowed_hosts(&allowed_hosts, public_url);
            let router = entra_mcp::http::router(app.server.clone(), app.auth.as_ref(), hosts, cancel.clone());
            eprintln!(
                "entra-mcp {}: MCP endpoint http://{addr}/mcp{} ({} tools)\n\
                 connect a client, e.g. VS Code .vscode/mcp.json: {{\"servers\":{{\"entra\":{{\"type\":\"http\",\"url\":\"http://{addr}/mcp\"}}}}}}\n\
                 or: claude mcp add --transport http entra http://{addr}/mcp\n\
                 stop with Ctrl-C",
                env!("CARGO_PKG_VERSION"),
                if settings.demo.is_some() { " on the Woodgrove Bank demo tenant" } else { "" },
                app.server.tools().len()
            );
            let shutdown = cancel.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                shutdown.cancel();
            });
            entra_mcp::http::serve_with(listener, router, limits.limits(), cancel).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tools { command: ToolsCommand::List { json } } => {
            let mut out = std::io::stdout().lock();
            // What a host would list: with `--toolsets discover`, the two discovery tools.
            if settings.selection.discover {
                let tools = entra_mcp::discovery::tools();
                if json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&tools)?)?;
                } else {
                    for t in tools {
                        writeln!(out, "{:<26} {:<8} {}", t.name, "discover", t.description.unwrap_or_default())?;
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let skills = settings.selection.skills();
            if json {
                let tools: Vec<_> = skills.iter().map(|s| s.tool()).collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&tools)?)?;
            } else {
                for s in skills {
                    writeln!(out, "{:<26} {:<8} {}", s.decl.name, s.decl.toolset.name(), s.decl.description)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Tools { command: ToolsCommand::Call { name, args, json } } => {
            let arguments = match serde_json::from_str::<serde_json::Value>(&args) {
                Ok(serde_json::Value::Object(map)) => map,
                Ok(_) => {
                    anyhow::bail!("--args must be a JSON object, e.g. '{{\"user\":\"karita@woodgrovebank.com\"}}'")
                }
                Err(e) => anyhow::bail!("--args is not valid JSON: {e}"),
            };
            let app = App::start(&settings, Mode::Local).await?;
            let reply = match app.server.call(&name, Some(arguments), app.server.local_caller()).await {
                Ok(reply) => reply,
                Err(e) => anyhow::bail!("{}", e.message),
            };
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&reply.structured)?)?;
            } else {
                writeln!(out, "{}", reply.markdown)?;
            }
            Ok(if reply.is_error { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Permissions { json } => {
            print_permissions(&settings, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Serves MCP over stdin/stdout. rmcp's line transport drops a line that is not JSON without
/// a word, and answers well-formed JSON that is not a message with a null id; either way a
/// client waits forever on the id it sent. So each line is checked here first: a message
/// passes through to rmcp unchanged, anything else is answered at once, with its own id when
/// it has one. One task writes stdout, a whole line at a time, so answers never interleave.
async fn serve_stdio(server: EntraServer) -> anyhow::Result<()> {
    let (to_rmcp, rmcp_in) = tokio::io::duplex(1 << 16);
    let (rmcp_out, from_rmcp) = tokio::io::duplex(1 << 16);
    let (replies, replies_rx) = mpsc::channel(64);
    let reader = tokio::spawn(read_stdin(to_rmcp, replies));
    let writer = tokio::spawn(write_stdout(from_rmcp, replies_rx));
    let served = async {
        let service = server.serve((rmcp_in, rmcp_out)).await?;
        service.waiting().await?;
        anyhow::Ok(())
    }
    .await;
    // rmcp has stopped (stdin ended or the transport failed): stop reading, then let the
    // writer pass on what is left.
    reader.abort();
    let written = writer.await;
    served?;
    written??;
    Ok(())
}

/// Lines longer than this are dropped, as rmcp would drop them.
const MAX_LINE: usize = rmcp::transport::async_rw::DEFAULT_MAX_LINE_LENGTH;

async fn read_stdin(mut to_rmcp: DuplexStream, replies: mpsc::Sender<Vec<u8>>) -> std::io::Result<()> {
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        line.clear();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX).saturating_add(1);
        if (&mut stdin).take(limit).read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') {
            if line.len() <= MAX_LINE {
                // The input ended mid-line: an incomplete message, as rmcp treats it.
                return Ok(());
            }
            tracing::warn!(max = MAX_LINE, "an incoming line is too long; dropping it");
            skip_line(&mut stdin).await?;
            continue;
        }
        match check_line(&line) {
            None => to_rmcp.write_all(&line).await?,
            Some(answer) => {
                if replies.send(answer).await.is_err() {
                    return Ok(());
                }
            }
        }
    }
}

/// Reads past the rest of an over-long line.
async fn skip_line(stdin: &mut BufReader<tokio::io::Stdin>) -> std::io::Result<()> {
    loop {
        let buffer = stdin.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(());
        }
        if let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            stdin.consume(end + 1);
            return Ok(());
        }
        let all = buffer.len();
        stdin.consume(all);
    }
}

/// `None` when rmcp should have the line; else the JSON-RPC error line to answer it with.
fn check_line(line: &[u8]) -> Option<Vec<u8>> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // rmcp accepts a leading byte order mark.
    let line = line.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let invalid = match serde_json::from_slice::<rmcp::model::ClientJsonRpcMessage>(line) {
        Ok(_) => return None,
        Err(e) => e,
    };
    let (id, code, message) = match serde_json::from_slice::<serde_json::Value>(line) {
        Err(_) => (serde_json::Value::Null, -32700, "Parse error: the line is not JSON".to_string()),
        Ok(value) => match value.get("id") {
            Some(id @ (serde_json::Value::Number(_) | serde_json::Value::String(_))) => {
                let detail = entra_mcp::render::trim(&invalid.to_string(), 200);
                (id.clone(), -32600, format!("Invalid request: {detail}"))
            }
            // Without an id there is nothing for a client to wait on: rmcp's handling stands.
            _ => return None,
        },
    };
    let answer = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let mut answer = answer.to_string().into_bytes();
    answer.push(b'\n');
    Some(answer)
}

async fn write_stdout(from_rmcp: DuplexStream, mut replies: mpsc::Receiver<Vec<u8>>) -> std::io::Result<()> {
    let mut stdout = tokio::io::stdout();
    let mut from_rmcp = BufReader::new(from_rmcp);
    let mut line = Vec::new();
    let (mut rmcp_open, mut replies_open) = (true, true);
    while rmcp_open || replies_open {
        tokio::select! {
            // A read cut short by the other branch leaves its bytes in `line` and resumes.
            read = from_rmcp.read_until(b'\n', &mut line), if rmcp_open => match read {
                Ok(0) | Err(_) => rmcp_open = false,
                Ok(_) => {
                    stdout.write_all(&line).await?;
                    stdout.flush().await?;
                    line.clear();
                }
            },
            reply = replies.recv(), if replies_open => match reply {
                Some(reply) => {
                    stdout.write_all(&reply).await?;
                    stdout.flush().await?;
                }
                None => replies_open = false,
            },
        }
    }
    Ok(())
}

fn print_permissions(settings: &Settings, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let skills = settings.selection.skills();
    if json {
        let document = entra_mcp::permissions::manifest(&skills, &settings.tenant);
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    } else {
        write!(out, "{}", entra_mcp::permissions::text(&skills))?;
    }
    Ok(())
}
