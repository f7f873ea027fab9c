//! Start-up and context-size figures: time from spawning `entra-mcp stdio --demo` to the first
//! `tools/list` answer, and the byte size of `tools/list` (what a host shows the model: name,
//! description, input schema; and the whole list with output schemas) for the default toolsets
//! and for all of them.
//!
//! Run: `cargo build --release && cargo run --release --example startup`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rmcp::ServiceExt;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use tokio::process::Command;

fn binary() -> PathBuf {
    // examples live in target/<profile>/examples; the binary one level up.
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().and_then(|p| p.parent()).map(PathBuf::from).unwrap_or_default();
    dir.join("entra-mcp")
}

async fn spawn_to_list(toolsets: &str) -> anyhow::Result<(Duration, usize, usize)> {
    let started = Instant::now();
    let transport = TokioChildProcess::new(Command::new(binary()).configure(|c| {
        c.args(["stdio", "--demo", "--toolsets", toolsets])
            .env("ENTRA_MCP_LOG", "error")
            .stderr(std::process::Stdio::null());
    }))?;
    let client = ().serve(transport).await?;
    let tools = client.list_all_tools().await?;
    let elapsed = started.elapsed();
    let full = serde_json::to_vec(&tools)?.len();
    let host: Vec<serde_json::Value> = tools
        .iter()
        .map(|t| serde_json::json!({"name": t.name, "description": t.description, "inputSchema": t.input_schema}))
        .collect();
    let host = serde_json::to_vec(&host)?.len();
    client.cancel().await?;
    Ok((elapsed, host, full))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if !binary().exists() {
        anyhow::bail!("{} not found: run `cargo build --release` first", binary().display());
    }
    let mut times = Vec::new();
    for _ in 0..15 {
        times.push(spawn_to_list("default").await?.0);
    }
    times.sort();
    let (_, host_default, full_default) = spawn_to_list("default").await?;
    let (_, host_all, full_all) = spawn_to_list("all").await?;
    println!(
        "spawn to first tools/list (15 runs): median {:.1} ms, min {:.1} ms, max {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
    println!(
        "tools/list, default toolsets: {host_default} bytes as a host shows it (name, description, inputSchema); {full_default} bytes in full"
    );
    println!("tools/list, all toolsets:     {host_all} bytes as a host shows it; {full_all} bytes in full");
    Ok(())
}
