//! One `Settings` value from flags and environment: the cloud's endpoints, the demo tenant,
//! the toolsets and write policy. Everything is checked here, at start-up, so a bad setting
//! fails with a message naming it instead of surfacing in the middle of a tool call.

use std::net::SocketAddr;

use anyhow::{Context, bail};

use crate::skills::{Selection, Toolset};

/// A Microsoft cloud: where its sign-in authority and Graph live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Cloud {
    Public,
    Usgov,
    UsgovDod,
    China,
}

impl Cloud {
    pub fn graph_url(self) -> &'static str {
        match self {
            Cloud::Public => "https://graph.microsoft.com",
            Cloud::Usgov => "https://graph.microsoft.us",
            Cloud::UsgovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The audience a managed identity's token must carry to be a federated client assertion.
    pub fn token_exchange_audience(self) -> &'static str {
        use crate::auth::credential::{
            TOKEN_EXCHANGE_AUDIENCE_CHINA, TOKEN_EXCHANGE_AUDIENCE_PUBLIC, TOKEN_EXCHANGE_AUDIENCE_US_GOV,
        };
        match self {
            Cloud::Public => TOKEN_EXCHANGE_AUDIENCE_PUBLIC,
            Cloud::Usgov | Cloud::UsgovDod => TOKEN_EXCHANGE_AUDIENCE_US_GOV,
            Cloud::China => TOKEN_EXCHANGE_AUDIENCE_CHINA,
        }
    }

    pub fn authority(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::Usgov | Cloud::UsgovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }
}

/// The demo tenant's knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSettings {
    /// Users in the synthetic tenant (the story's ~100 at least).
    pub scale: u32,
    pub latency_ms: u64,
}

/// Where the server's own credential for the on-behalf-of exchange comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// `AZURE_CLIENT_SECRET`
    Secret(String),
    /// `AZURE_CLIENT_CERTIFICATE_PATH`: PEM with the private key and the certificate.
    CertificatePath(std::path::PathBuf),
    /// `AZURE_FEDERATED_TOKEN_FILE` (workload identity).
    FederatedTokenFile(std::path::PathBuf),
    /// `ENTRA_MCP_MANAGED_IDENTITY=system|<client id>`.
    ManagedIdentity(Option<String>),
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::Secret(_) => f.write_str("Secret(<redacted>)"),
            CredentialSource::CertificatePath(p) => f.debug_tuple("CertificatePath").field(p).finish(),
            CredentialSource::FederatedTokenFile(p) => f.debug_tuple("FederatedTokenFile").field(p).finish(),
            CredentialSource::ManagedIdentity(id) => f.debug_tuple("ManagedIdentity").field(id).finish(),
        }
    }
}

/// A real tenant: the server's app registration and how callers reach it (DESIGN.md §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    /// `AZURE_TENANT_ID`: the server's home tenant (optional over stdio).
    pub tenant_id: Option<String>,
    /// `AZURE_CLIENT_ID`: the server's app registration.
    pub client_id: Option<String>,
    /// `AZURE_AUTHORITY_HOST`, or the cloud's.
    pub authority: String,
    pub credential: Option<CredentialSource>,
    /// `ENTRA_MCP_PUBLIC_URL`: the server's public base URL (= the app's Application ID URI).
    pub public_url: Option<String>,
    /// `ENTRA_MCP_ALLOWED_TENANTS`: tenants whose users may call (default: the home tenant).
    pub allowed_tenants: Vec<String>,
    /// `ENTRA_MCP_REQUIRED_SCOPE` (default `access_as_user`).
    pub required_scope: String,
    /// `ENTRA_MCP_ALLOWED_ORIGINS`: browser origins accepted besides loopback.
    pub allowed_origins: Vec<String>,
}

fn list(value: Option<String>) -> Vec<String> {
    value.map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

impl TenantSettings {
    /// Reads the tenant-mode environment through `var`, checking each value.
    pub fn from_env(cloud: Cloud, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<TenantSettings> {
        let get = |name: &str| var(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let authority = match get("AZURE_AUTHORITY_HOST") {
            Some(url) => check_endpoint("AZURE_AUTHORITY_HOST", &url)?,
            None => cloud.authority().to_string(),
        };
        let mut credentials = Vec::new();
        if let Some(secret) = get("AZURE_CLIENT_SECRET") {
            credentials.push(("AZURE_CLIENT_SECRET", CredentialSource::Secret(secret)));
        }
        if let Some(path) = get("AZURE_CLIENT_CERTIFICATE_PATH") {
            credentials.push(("AZURE_CLIENT_CERTIFICATE_PATH", CredentialSource::CertificatePath(path.into())));
        }
        if let Some(path) = get("AZURE_FEDERATED_TOKEN_FILE") {
            credentials.push(("AZURE_FEDERATED_TOKEN_FILE", CredentialSource::FederatedTokenFile(path.into())));
        }
        if let Some(mi) = get("ENTRA_MCP_MANAGED_IDENTITY") {
            let id = if mi.eq_ignore_ascii_case("system") { None } else { Some(mi) };
            credentials.push(("ENTRA_MCP_MANAGED_IDENTITY", CredentialSource::ManagedIdentity(id)));
        }
        if credentials.len() > 1 {
            let names: Vec<&str> = credentials.iter().map(|(n, _)| *n).collect();
            bail!("{} are all set: set exactly one credential for the on-behalf-of exchange", names.join(", "));
        }
        let public_url = match get("ENTRA_MCP_PUBLIC_URL") {
            Some(url) => Some(check_endpoint("ENTRA_MCP_PUBLIC_URL", &url)?),
            None => None,
        };
        let tenant_id = get("AZURE_TENANT_ID");
        if let Some(tenant) = &tenant_id
            && (tenant.eq_ignore_ascii_case("common") || tenant.eq_ignore_ascii_case("organizations"))
        {
            bail!("AZURE_TENANT_ID: `{tenant}` is not a tenant; give the tenant id (GUID) or its domain");
        }
        Ok(TenantSettings {
            allowed_tenants: list(get("ENTRA_MCP_ALLOWED_TENANTS")),
            client_id: get("AZURE_CLIENT_ID"),
            tenant_id,
            authority,
            credential: credentials.pop().map(|(_, c)| c),
            public_url,
            required_scope: get("ENTRA_MCP_REQUIRED_SCOPE").unwrap_or_else(|| "access_as_user".to_string()),
            allowed_origins: list(get("ENTRA_MCP_ALLOWED_ORIGINS")),
        })
    }

    /// What HTTP tenant mode cannot do without, each named by its variable.
    pub fn require_http(&self) -> anyhow::Result<(&str, &str, &CredentialSource, &str)> {
        let missing =
            |name: &str| anyhow::anyhow!("{name} is not set: HTTP mode on a real tenant needs it (or run with --demo)");
        let tenant = self.tenant_id.as_deref().ok_or_else(|| missing("AZURE_TENANT_ID"))?;
        let client = self.client_id.as_deref().ok_or_else(|| missing("AZURE_CLIENT_ID"))?;
        let credential = self.credential.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "no credential for the on-behalf-of exchange: set one of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, \
                 AZURE_FEDERATED_TOKEN_FILE or ENTRA_MCP_MANAGED_IDENTITY"
            )
        })?;
        let public_url = self.public_url.as_deref().ok_or_else(|| missing("ENTRA_MCP_PUBLIC_URL"))?;
        Ok((tenant, client, credential, public_url))
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub demo: Option<DemoSettings>,
    pub tenant: TenantSettings,
    pub cloud: Cloud,
    /// Graph base URL (no trailing slash, no version).
    pub graph_url: String,
    pub selection: Selection,
}

/// Parses `--toolsets`: a comma list of toolset names, or `all`, or `default`.
pub fn parse_toolsets(value: &str) -> anyhow::Result<Vec<Toolset>> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("all") {
        return Ok(Toolset::ALL.to_vec());
    }
    if value.is_empty() || value.eq_ignore_ascii_case("default") {
        return Ok(Toolset::ALL.into_iter().filter(|t| t.is_default()).collect());
    }
    let mut toolsets = Vec::new();
    for name in value.split(',').filter(|n| !n.trim().is_empty()) {
        let Some(toolset) = Toolset::parse(name) else {
            let known: Vec<&str> = Toolset::ALL.iter().map(|t| t.name()).collect();
            bail!(
                "--toolsets (ENTRA_MCP_TOOLSETS): unknown toolset `{}`; known: {}, or `all`",
                name.trim(),
                known.join(", ")
            );
        };
        if !toolsets.contains(&toolset) {
            toolsets.push(toolset);
        }
    }
    Ok(toolsets)
}

/// Checks a Graph or authority URL: https, or plain http only for a loopback host (tests).
pub fn check_endpoint(variable: &str, value: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(value).with_context(|| format!("{variable}: `{value}` is not a URL"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => bail!("{variable}: `{value}` must use https (plain http is accepted only for loopback hosts)"),
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("{variable}: `{value}` must not carry a query or fragment");
    }
    Ok(value.trim_end_matches('/').to_string())
}

/// The demo has no authentication, so it may only listen on loopback.
pub fn check_demo_listen(demo: bool, listen: SocketAddr) -> anyhow::Result<()> {
    if demo && !listen.ip().is_loopback() {
        bail!(
            "--listen (ENTRA_MCP_LISTEN): the demo tenant has no authentication and only listens on loopback; `{listen}` is not a loopback address"
        );
    }
    Ok(())
}

impl Settings {
    pub fn new(
        demo: Option<DemoSettings>,
        cloud: Cloud,
        graph_url: Option<&str>,
        selection: Selection,
    ) -> anyhow::Result<Self> {
        Self::with_env(demo, cloud, graph_url, selection, |name| std::env::var(name).ok())
    }

    /// As [`Settings::new`], reading the tenant environment through `var` (tests pass a map).
    pub fn with_env(
        demo: Option<DemoSettings>,
        cloud: Cloud,
        graph_url: Option<&str>,
        selection: Selection,
        var: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let graph_url = match graph_url {
            Some(url) if !url.trim().is_empty() => check_endpoint("ENTRA_MCP_GRAPH_URL", url.trim())?,
            _ => cloud.graph_url().to_string(),
        };
        let tenant = TenantSettings::from_env(cloud, var)?;
        Ok(Settings { demo, tenant, cloud, graph_url, selection })
    }

    /// The Graph scope for the cloud (`https://graph.microsoft.com/.default`).
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.cloud.graph_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn tenant_settings_name_the_variable_at_fault() {
        let two = TenantSettings::from_env(
            Cloud::Public,
            env(&[("AZURE_CLIENT_SECRET", "s"), ("AZURE_FEDERATED_TOKEN_FILE", "/t")]),
        );
        let e = two.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("AZURE_CLIENT_SECRET") && e.contains("AZURE_FEDERATED_TOKEN_FILE"), "{e}");
        let e = TenantSettings::from_env(Cloud::Public, env(&[("AZURE_AUTHORITY_HOST", "http://login.example.com")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("AZURE_AUTHORITY_HOST") && e.contains("https"), "{e}");
        let e =
            TenantSettings::from_env(Cloud::Public, env(&[("AZURE_TENANT_ID", "common")])).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("AZURE_TENANT_ID")));
        let partial =
            TenantSettings::from_env(Cloud::Public, env(&[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")]));
        let e = partial.ok().and_then(|t| t.require_http().err().map(|e| e.to_string())).unwrap_or_default();
        assert!(e.contains("AZURE_CLIENT_SECRET") && e.contains("ENTRA_MCP_MANAGED_IDENTITY"), "{e}");
    }

    #[test]
    fn tenant_settings_defaults_and_lists() {
        let t = TenantSettings::from_env(
            Cloud::Usgov,
            env(&[("ENTRA_MCP_MANAGED_IDENTITY", "system"), ("ENTRA_MCP_ALLOWED_TENANTS", "a, b,,")]),
        );
        let t = t.expect("valid");
        assert_eq!(t.authority, "https://login.microsoftonline.us");
        assert_eq!(t.credential, Some(CredentialSource::ManagedIdentity(None)));
        assert_eq!(t.allowed_tenants, ["a", "b"]);
        assert_eq!(t.required_scope, "access_as_user");
        assert_eq!(format!("{:?}", CredentialSource::Secret("hunter2".into())), "Secret(<redacted>)");
    }

    #[test]
    fn toolsets_parse_and_refuse_unknown_names() {
        assert_eq!(parse_toolsets("users, risk").ok(), Some(vec![Toolset::Users, Toolset::Risk]));
        assert_eq!(parse_toolsets("all").map(|t| t.len()).ok(), Some(14));
        assert!(
            parse_toolsets("default").is_ok_and(|t| t.contains(&Toolset::Signins) && !t.contains(&Toolset::Devices))
        );
        let e = parse_toolsets("users,bogus").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("bogus") && e.contains("ENTRA_MCP_TOOLSETS"));
    }

    #[test]
    fn endpoints_must_be_https_unless_loopback() {
        assert!(check_endpoint("X", "https://graph.microsoft.com/").is_ok_and(|u| u == "https://graph.microsoft.com"));
        assert!(check_endpoint("X", "http://127.0.0.1:9000").is_ok());
        assert!(check_endpoint("X", "http://localhost:9000").is_ok());
        let e = check_endpoint("ENTRA_MCP_GRAPH_URL", "http://graph.example.com")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("ENTRA_MCP_GRAPH_URL") && e.contains("https"));
        assert!(check_endpoint("X", "not a url").is_err());
    }

    #[test]
    fn demo_refuses_non_loopback_listen() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 8080)));
        assert!(check_demo_listen(true, any).is_err());
        assert!(check_demo_listen(false, any).is_ok());
        assert!(check_demo_listen(true, SocketAddr::from(([127, 0, 0, 1], 8080))).is_ok());
    }
}
