//! The demo Graph emulator as a process of its own, so the benchmark can measure the server
//! and Graph separately: `emulator [--scale N] [--latency-ms N]` generates Woodgrove Bank,
//! binds 127.0.0.1 on an ephemeral port, prints one line `READY <base_url>` on stdout, and
//! serves until stdin closes or Ctrl-C.
//!
//! Run: `cargo run --release --example emulator -- --scale 10000 --latency-ms 100`

use std::io::Write as _;

use clap::Parser;
use entra_mcp::demo::{DemoGraph, DemoOptions};
use tokio::io::AsyncReadExt as _;

#[derive(Parser)]
#[command(about = "Serve the Woodgrove Bank demo tenant as a Graph emulator on 127.0.0.1")]
struct Cli {
    /// Tenant size in users (at or below the story's own size, only the story is generated).
    #[arg(long, default_value_t = 0)]
    scale: u32,
    /// Latency added to every Graph request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let demo = DemoGraph::start(DemoOptions { scale: cli.scale, latency_ms: cli.latency_ms, ..DemoOptions::default() })
        .await?;
    {
        // The parent waits for this line; flush it now, since stdout is a pipe and buffered.
        let mut out = std::io::stdout().lock();
        writeln!(out, "READY {}", demo.base_url())?;
        out.flush()?;
    }
    // The parent owns our lifetime through stdin: when it exits (or drops the pipe) we stop,
    // even if it was killed before it could signal us.
    let stdin_closed = async {
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 256];
        while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
    };
    tokio::select! {
        _ = stdin_closed => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(demo);
    Ok(())
}
