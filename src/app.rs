//! Wiring: from `Settings` to a running server — start the demo emulator when asked, pick the
//! token source, build the shared Graph service and the MCP server.

use std::sync::Arc;

use anyhow::bail;

use crate::auth::Caller;
use crate::auth::demo::DemoTokenSource;
use crate::config::Settings;
use crate::demo::{DemoGraph, DemoOptions};
use crate::graph::{GraphService, GraphSettings};
use crate::server::EntraServer;

/// A server ready to serve, and the emulator it talks to (kept alive as long as the server).
pub struct App {
    pub server: EntraServer,
    pub demo: Option<DemoGraph>,
}

impl App {
    pub async fn start(settings: &Settings) -> anyhow::Result<App> {
        let Some(demo_settings) = settings.demo else {
            bail!(
                "no tenant connection is configured: run with --demo (ENTRA_MCP_DEMO=1) for the built-in Woodgrove Bank tenant; \
                 signing in to a real tenant (developer login over stdio, on-behalf-of over HTTP) needs AZURE_TENANT_ID and AZURE_CLIENT_ID"
            );
        };
        let demo = DemoGraph::start(DemoOptions {
            scale: demo_settings.scale,
            latency_ms: demo_settings.latency_ms,
            ..DemoOptions::default()
        })
        .await?;
        let persona = crate::demo::persona_object_id();
        let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
        // The demo is the real path: the ordinary Graph client, pointed at the emulator.
        let graph = GraphService::new(GraphSettings { base_url: demo.base_url(), ..GraphSettings::default() }, tokens)?;
        let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
        let server = EntraServer::new(graph, Arc::new(settings.selection.clone()), caller);
        Ok(App { server, demo: Some(demo) })
    }
}
