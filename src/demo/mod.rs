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

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

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
    base_url: String,
    /// Set once the tenant is generated; until then requests wait in the listen backlog.
    state: Arc<OnceLock<Arc<emulator::EmulatorState>>>,
    /// Outlives a regeneration and exists before the tenant does, so faults can be queued
    /// before the first request.
    faults: Arc<FaultInjector>,
    server: tokio::task::JoinHandle<()>,
}

impl DemoGraph {
    /// Generates the tenant, binds 127.0.0.1 on an ephemeral port and starts serving; returns
    /// once the tenant is served.
    pub async fn start(opts: DemoOptions) -> anyhow::Result<DemoGraph> {
        let (listener, base_url) = bind().await?;
        let faults = Arc::new(FaultInjector::default());
        let state = generate(opts, base_url.clone(), faults.clone()).await?;
        let cell = Arc::new(OnceLock::new());
        let _ = cell.set(state.clone());
        let server = tokio::spawn(serve(listener, state));
        Ok(DemoGraph { base_url, state: cell, faults, server })
    }

    /// Binds at once and generates the tenant in the background, so a host's `initialize` and
    /// `tools/list` are answered without waiting for it: only the first Graph request waits
    /// (in the listen backlog) until the tenant is served.
    pub async fn launch(opts: DemoOptions) -> anyhow::Result<DemoGraph> {
        let (listener, base_url) = bind().await?;
        let faults = Arc::new(FaultInjector::default());
        let cell = Arc::new(OnceLock::new());
        let server = tokio::spawn({
            let (cell, faults, base_url) = (cell.clone(), faults.clone(), base_url.clone());
            async move {
                match generate(opts, base_url, faults).await {
                    Ok(state) => {
                        let _ = cell.set(state.clone());
                        serve(listener, state).await;
                    }
                    // The listener closes, so Graph requests fail as a connection error.
                    Err(error) => tracing::error!(%error, "demo tenant generation failed"),
                }
            }
        });
        Ok(DemoGraph { base_url, state: cell, faults, server })
    }

    /// `http://127.0.0.1:PORT`; Graph paths are served under `/v1.0/…` and `/beta/…`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// In-process control of injected faults.
    pub fn faults(&self) -> &FaultInjector {
        &self.faults
    }

    /// Graph requests served so far (emulator control requests excluded).
    pub fn request_count(&self) -> u64 {
        self.state.get().map_or(0, |state| state.requests.load(Ordering::Relaxed))
    }

    /// Writes (PATCH, POST, DELETE, actions, `$ref` changes) applied to the tenant so far.
    pub fn writes_applied(&self) -> usize {
        self.state.get().map_or(0, |state| state.writes_applied())
    }

    /// The emulator's state, for tests that read or regenerate the tenant directly.
    #[cfg(test)]
    pub(crate) fn state(&self) -> &emulator::EmulatorState {
        self.state.get().expect("DemoGraph::start returns once the tenant is served")
    }
}

async fn bind() -> anyhow::Result<(tokio::net::TcpListener, String)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    Ok((listener, base_url))
}

async fn generate(
    opts: DemoOptions,
    base_url: String,
    faults: Arc<FaultInjector>,
) -> anyhow::Result<Arc<emulator::EmulatorState>> {
    let generation = opts.clone();
    // Generation is CPU-bound (about a second at 10,000 users); keep it off the runtime.
    let tenant = tokio::task::spawn_blocking(move || tenant::generate(&generation)).await?;
    Ok(Arc::new(emulator::EmulatorState::new(opts, tenant, base_url).with_faults(faults)))
}

async fn serve(listener: tokio::net::TcpListener, state: Arc<emulator::EmulatorState>) {
    let app = emulator::router(state);
    if let Err(error) = axum::serve(listener, app).await {
        tracing::warn!(%error, "demo Graph emulator stopped");
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
