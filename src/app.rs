//! Wiring: from `Settings` to a running server — the demo emulator, the developer sign-in over
//! stdio, or the resource server with on-behalf-of exchange over HTTP — and the shared Graph
//! service and MCP server on top of whichever token source was chosen.

use std::sync::Arc;

use anyhow::Context;

use crate::auth::credential::{CertificateCredential, ClientCredential, managed_identity};
use crate::auth::demo::DemoTokenSource;
use crate::auth::jwt::{JwtSettings, JwtValidator};
use crate::auth::local::DeveloperTokenSource;
use crate::auth::obo::{OboSettings, OboTokenSource};
use crate::auth::{Caller, TokenSource};
use crate::config::{CredentialSource, Settings};
use crate::demo::{DemoGraph, DemoOptions};
use crate::graph::GraphService;
use crate::http::HttpAuth;
use crate::server::EntraServer;
use crate::skill::{Confirmer, WriteGuard};

/// How the server will be reached; it decides who the caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One local user: stdio, or `tools call` from a shell.
    Local,
    /// Many users, each with their own bearer token: the HTTP resource server.
    Http,
}

/// A server ready to serve, and what it depends on (kept alive as long as the server).
pub struct App {
    pub server: EntraServer,
    pub demo: Option<DemoGraph>,
    /// Present in HTTP tenant mode; the demo has no authentication.
    pub auth: Option<HttpAuth>,
}

impl App {
    pub async fn start(settings: &Settings, mode: Mode) -> anyhow::Result<App> {
        let selection = Arc::new(settings.selection.clone());
        let confirmer = match &settings.writes.confirm_key {
            Some(key) => Confirmer::with_key(key.as_bytes()),
            None => Confirmer::random(),
        };
        let guard = Arc::new(WriteGuard::new(confirmer, &settings.writes.break_glass));
        if let Some(demo_settings) = settings.demo {
            let demo = DemoGraph::launch(DemoOptions {
                scale: demo_settings.scale,
                latency_ms: demo_settings.latency_ms,
                ..DemoOptions::default()
            })
            .await?;
            let persona = crate::demo::persona_object_id();
            let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
            // The demo is the real path: the ordinary Graph client, pointed at the emulator.
            let graph = GraphService::new(settings.graph_settings(demo.base_url()), tokens)?;
            let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
            return Ok(App {
                server: EntraServer::new(graph, selection, caller).with_guard(guard),
                demo: Some(demo),
                auth: None,
            });
        }

        let tenant = &settings.tenant;
        let graph_settings = settings.graph_settings(settings.graph_url.clone());
        match mode {
            Mode::Local => {
                let tokens = DeveloperTokenSource::new(&settings.graph_scope(), tenant.tenant_id.as_deref())?
                    .with_arm_scope(&settings.arm_scope());
                let graph = GraphService::new(graph_settings, Arc::new(tokens))?;
                let caller = Arc::new(Caller { tenant_id: tenant.tenant_id.clone(), ..Caller::default() });
                Ok(App { server: EntraServer::new(graph, selection, caller).with_guard(guard), demo: None, auth: None })
            }
            Mode::Http => {
                let (tenant_id, client_id, credential, public_url) = tenant.require_http()?;
                let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(15)).build()?;
                let mut jwt = JwtSettings::new(&tenant.authority, tenant_id, client_id);
                jwt.app_id_uri = Some(public_url.to_string());
                jwt.required_scope = tenant.required_scope.clone();
                jwt.allowed_clients = tenant.allowed_clients.clone();
                jwt.allowed_tenants = if tenant.allowed_tenants.is_empty() {
                    vec![tenant_id.to_string()]
                } else {
                    tenant.allowed_tenants.clone()
                };
                let validator = JwtValidator::discover(jwt, http.clone())
                    .await
                    .context("AZURE_AUTHORITY_HOST / AZURE_TENANT_ID: OpenID discovery failed")?;
                let credential = client_credential(credential, client_id, settings)?;
                let mut obo = OboSettings::new(&tenant.authority, client_id, credential);
                obo.scopes = vec![settings.graph_scope()];
                obo.arm_scopes = vec![settings.arm_scope()];
                let tokens: Arc<dyn TokenSource> = Arc::new(OboTokenSource::new(obo, http));
                let graph = GraphService::new(graph_settings, tokens)?;
                // Over HTTP every request brings its own caller; there is no local one.
                let nobody = Arc::new(Caller::default());
                Ok(App {
                    server: EntraServer::new(graph, selection, nobody).with_guard(guard),
                    demo: None,
                    auth: Some(HttpAuth {
                        validator,
                        public_url: public_url.to_string(),
                        allowed_origins: tenant.allowed_origins.clone(),
                    }),
                })
            }
        }
    }
}

fn client_credential(
    source: &CredentialSource,
    client_id: &str,
    settings: &Settings,
) -> anyhow::Result<ClientCredential> {
    Ok(match source {
        CredentialSource::Secret(secret) => ClientCredential::Secret(secret.clone()),
        CredentialSource::CertificatePath(path) => {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("AZURE_CLIENT_CERTIFICATE_PATH: cannot read {}", path.display()))?;
            ClientCredential::Certificate(
                CertificateCredential::from_pem(&pem, client_id)
                    .with_context(|| format!("AZURE_CLIENT_CERTIFICATE_PATH: {}", path.display()))?,
            )
        }
        CredentialSource::FederatedTokenFile(path) => ClientCredential::FederatedTokenFile(path.clone()),
        CredentialSource::ManagedIdentity(id) => {
            managed_identity(id.as_deref(), settings.cloud.token_exchange_audience())
                .context("ENTRA_MCP_MANAGED_IDENTITY")?
        }
    })
}
