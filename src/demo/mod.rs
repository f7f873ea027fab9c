//! The embedded demo tenant: `--demo` starts a Microsoft Graph emulator on 127.0.0.1 serving
//! Woodgrove Bank, a synthetic tenant, and points the ordinary Graph client at it. Nothing
//! above the HTTP layer knows it is a demo, so the emulator behaves like Graph for everything
//! the skills use: paths, query options, consistency rules, paging, errors, throttling.
//!
//! - `tenant`: the deterministic generator (the story plus scale).
//! - `emulator`: the axum server answering Graph's paths from the tenant.
//! - `faults`: injected throttling, outages, slowness and broken responses.

mod emulator;
pub mod faults;
pub mod tenant;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};

pub use faults::{Fault, FaultInjector, FaultRule};

/// How to build and serve the demo tenant.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Target number of users; at or below the story's own size, only the story is generated.
    pub scale: u32,
    /// Seed for the background activity and generated staff (the story never changes).
    pub seed: u64,
    /// Pins the anchor all timestamps are relative to; `None` uses the current time and
    /// re-anchors hourly.
    pub now: Option<DateTime<Utc>>,
    /// Delay added to every Graph response.
    pub latency_ms: u64,
    /// Serve `/_emulator/faults` over HTTP (fault injection by another process). Off unless
    /// asked for: in-process callers use [`DemoGraph::faults`].
    pub control: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { scale: 0, seed: 1, now: None, latency_ms: 0, control: false }
    }
}

/// A running Graph emulator. Dropping it stops the server.
pub struct DemoGraph {
    state: Arc<emulator::EmulatorState>,
    server: tokio::task::JoinHandle<()>,
}

impl DemoGraph {
    /// Generates the tenant, binds 127.0.0.1 on an ephemeral port and starts serving.
    pub async fn start(opts: DemoOptions) -> anyhow::Result<DemoGraph> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let generation = opts.clone();
        // Generation is CPU-bound (about a second at 10,000 users); keep it off the runtime.
        let tenant = tokio::task::spawn_blocking(move || tenant::generate(&generation)).await?;
        let state = Arc::new(emulator::EmulatorState::new(opts, tenant, base_url));
        let app = emulator::router(state.clone());
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "demo Graph emulator stopped");
            }
        });
        Ok(DemoGraph { state, server })
    }

    /// `http://127.0.0.1:PORT`; Graph paths are served under `/v1.0/…` and `/beta/…`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// In-process control of injected faults.
    pub fn faults(&self) -> &FaultInjector {
        &self.state.faults
    }

    /// Graph requests served so far (emulator control requests excluded).
    pub fn request_count(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// Writes (PATCH, POST, DELETE, actions, `$ref` changes) applied to the tenant so far.
    pub fn writes_applied(&self) -> usize {
        self.state.writes_applied()
    }
}

impl Drop for DemoGraph {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The object id of the signed-in persona, Jordan Reyes.
pub fn persona_object_id() -> String {
    tenant::persona_id()
}
