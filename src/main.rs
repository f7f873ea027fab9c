//! The `entra-mcp` command line: serve over stdio or HTTP, list or call tools
//! from a shell, and print the permissions the enabled skills need.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use entra_mcp::app::{App, Mode};
use entra_mcp::config::{Cloud, DemoSettings, Settings, check_demo_listen, parse_allow_writes, parse_toolsets};
use entra_mcp::skills::Selection;
use rmcp::ServiceExt;
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
    #[arg(long, global = true, env = "ENTRA_MCP_DEMO")]
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
    #[arg(long, global = true, env = "ENTRA_MCP_BETA")]
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
            let service = app.server.serve(rmcp::transport::stdio()).await?;
            service.waiting().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Http { listen, allowed_hosts } => {
            check_demo_listen(settings.demo.is_some(), listen)?;
            let app = App::start(&settings, Mode::Http).await?;
            let listener = entra_mcp::http::bind(listen).await?;
            let addr = listener.local_addr()?;
            let cancel = CancellationToken::new();
            let public_url = app.auth.as_ref().map(|a| a.public_url.as_str());
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
            entra_mcp::http::serve(listener, router, cancel).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tools { command: ToolsCommand::List { json } } => {
            let skills = settings.selection.skills();
            let mut out = std::io::stdout().lock();
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
