//! One `Settings` value from flags and environment: the cloud's endpoints, the demo tenant,
//! the toolsets and write policy. Everything is checked here, at start-up, so a bad setting
//! fails with a message naming it instead of surfacing in the middle of a tool call.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::graph::GraphSettings;
use crate::skill::Toolset;
use crate::skills::Selection;

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

    /// Azure Resource Manager's base URL: the one request that is not Graph's
    /// (`get_entra_diagnostic_settings`) goes there, with a token for `{arm_url}/.default`.
    pub fn arm_url(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::Usgov | Cloud::UsgovDod => "https://management.usgovcloudapi.net",
            Cloud::China => "https://management.chinacloudapi.cn",
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

/// A real tenant: the server's app registration and how callers reach it.
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
    /// `ENTRA_MCP_ALLOWED_CLIENTS`: application (client) ids of the MCP clients whose tokens
    /// are accepted (`azp`/`appid`); empty accepts any client, with a warning at start-up.
    pub allowed_clients: Vec<String>,
}

fn list(value: Option<String>) -> Vec<String> {
    value.map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

/// Client ids are GUIDs; refusing anything else at start-up catches a pasted display name or
/// Application ID URI, which would otherwise silently lock every client out.
fn allowed_clients(ids: Vec<String>) -> anyhow::Result<Vec<String>> {
    for id in &ids {
        if uuid::Uuid::parse_str(id).is_err() {
            bail!("ENTRA_MCP_ALLOWED_CLIENTS: `{id}` is not an application (client) id; give a comma list of GUIDs");
        }
    }
    Ok(ids)
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
            allowed_clients: allowed_clients(list(get("ENTRA_MCP_ALLOWED_CLIENTS")))?,
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
    /// `ENTRA_MCP_ARM_URL`: Azure Resource Manager's base URL (no trailing slash); the cloud's
    /// unless overridden.
    pub arm_url: String,
    pub selection: Selection,
    pub writes: WriteSettings,
    pub graph_limits: GraphLimits,
}

/// How much Graph work one tool call may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphLimits {
    /// `ENTRA_MCP_GRAPH_DEADLINE_SECONDS`: every request, page and retry of one tool call ends
    /// by then.
    pub deadline: Duration,
    /// `ENTRA_MCP_MAX_PAGES`: pages one list request reads at most.
    pub max_pages: u32,
}

impl Default for GraphLimits {
    fn default() -> Self {
        let defaults = GraphSettings::default();
        GraphLimits { deadline: defaults.deadline, max_pages: defaults.max_pages }
    }
}

impl GraphLimits {
    fn from_env(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<GraphLimits> {
        let defaults = GraphLimits::default();
        let deadline = match whole_number(var, "ENTRA_MCP_GRAPH_DEADLINE_SECONDS", 1, 3600)? {
            Some(seconds) => Duration::from_secs(u64::from(seconds)),
            None => defaults.deadline,
        };
        let max_pages = whole_number(var, "ENTRA_MCP_MAX_PAGES", 1, 10_000)?.unwrap_or(defaults.max_pages);
        Ok(GraphLimits { deadline, max_pages })
    }
}

/// A variable holding a whole number within `min..=max`, if set.
fn whole_number(var: &impl Fn(&str) -> Option<String>, name: &str, min: u32, max: u32) -> anyhow::Result<Option<u32>> {
    let Some(value) = var(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) else { return Ok(None) };
    match value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => bail!("{name}: `{}` is not a whole number from {min} to {max}", crate::render::trim(&value, 40)),
    }
}

/// Parses `--toolsets`: a comma list of toolset names, `default` (the curated default list),
/// `all`, or `discover` (optionally with toolsets: `discover,users,risk`), which lists
/// `find_skills` and `run_skill` in place of the skills themselves.
pub fn parse_toolsets(value: &str) -> anyhow::Result<(Option<Vec<Toolset>>, bool)> {
    let mut discover = false;
    let mut toolsets: Option<Vec<Toolset>> = None;
    let mut all = false;
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name.eq_ignore_ascii_case("discover") {
            discover = true;
        } else if name.eq_ignore_ascii_case("all") {
            all = true;
        } else if name.eq_ignore_ascii_case("default") {
            toolsets.get_or_insert_with(Vec::new);
        } else {
            let Some(toolset) = Toolset::parse(name) else {
                let known: Vec<&str> = Toolset::ALL.iter().map(|t| t.name()).collect();
                bail!(
                    "--toolsets (ENTRA_MCP_TOOLSETS): unknown toolset `{}`; known: {}, or `default`, `all`, `discover`",
                    crate::render::trim(name, 60),
                    known.join(", ")
                );
            };
            let list = toolsets.get_or_insert_with(Vec::new);
            if !list.contains(&toolset) {
                list.push(toolset);
            }
        }
    }
    if all || (discover && toolsets.as_ref().is_none_or(Vec::is_empty)) {
        return Ok((Some(Toolset::ALL.to_vec()), discover));
    }
    // `default` alone (or nothing) is the curated list.
    Ok((toolsets.filter(|t| !t.is_empty()), discover))
}

/// Parses `--allow-writes`: absent (no writes), `all` (or a bare flag, `true`), or a comma
/// list of toolsets whose writes are allowed.
pub fn parse_allow_writes(value: Option<&str>) -> anyhow::Result<Vec<Toolset>> {
    let Some(value) = value.map(str::trim) else { return Ok(Vec::new()) };
    if value.is_empty() || ["all", "true", "1", "yes"].iter().any(|v| value.eq_ignore_ascii_case(v)) {
        return Ok(Toolset::ALL.to_vec());
    }
    if ["false", "0", "no"].iter().any(|v| value.eq_ignore_ascii_case(v)) {
        return Ok(Vec::new());
    }
    let mut toolsets = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let toolset = Toolset::parse(name).ok_or_else(|| {
            anyhow::anyhow!(
                "--allow-writes (ENTRA_MCP_ALLOW_WRITES): unknown toolset `{}`; give `all` or a comma list of toolsets",
                crate::render::trim(name, 60)
            )
        })?;
        if !toolsets.contains(&toolset) {
            toolsets.push(toolset);
        }
    }
    Ok(toolsets)
}

/// How writes are guarded: the break-glass accounts no tier-3 change may target, and the key
/// confirmation tokens are signed with.
#[derive(Clone, Default)]
pub struct WriteSettings {
    /// UPNs or object ids from `ENTRA_MCP_BREAK_GLASS` (comma separated).
    pub break_glass: Vec<String>,
    /// `ENTRA_MCP_CONFIRM_KEY`: replicas behind one Service must share it; else random per
    /// process.
    pub confirm_key: Option<String>,
}

impl std::fmt::Debug for WriteSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteSettings")
            .field("break_glass", &self.break_glass)
            .field("confirm_key", &self.confirm_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl WriteSettings {
    fn from_env(demo: bool, var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<WriteSettings> {
        let break_glass = match var("ENTRA_MCP_BREAK_GLASS") {
            Some(list) => list.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
            // The demo tenant's two emergency access accounts.
            None if demo => crate::demo::tenant::story::break_glass_upns(),
            None => Vec::new(),
        };
        let confirm_key = var("ENTRA_MCP_CONFIRM_KEY").map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
        if let Some(key) = &confirm_key
            && key.len() < 32
        {
            bail!("ENTRA_MCP_CONFIRM_KEY must be at least 32 characters");
        }
        Ok(WriteSettings { break_glass, confirm_key })
    }
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
        let arm_url = match var("ENTRA_MCP_ARM_URL").map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
            Some(url) => check_endpoint("ENTRA_MCP_ARM_URL", &url)?,
            None => cloud.arm_url().to_string(),
        };
        let writes = WriteSettings::from_env(demo.is_some(), &var)?;
        let graph_limits = GraphLimits::from_env(&var)?;
        let tenant = TenantSettings::from_env(cloud, var)?;
        Ok(Settings { demo, tenant, cloud, graph_url, arm_url, selection, writes, graph_limits })
    }

    /// The Graph client's settings for `base_url` (the cloud's Graph, or the demo emulator),
    /// with the configured limits. The demo emulator serves Azure Resource Manager's one path
    /// too; a real tenant's ARM requests go to [`Settings::arm_url`].
    pub fn graph_settings(&self, base_url: String) -> GraphSettings {
        GraphSettings {
            arm_base_url: if self.demo.is_some() { None } else { Some(self.arm_url.clone()) },
            base_url,
            deadline: self.graph_limits.deadline,
            max_pages: self.graph_limits.max_pages,
            ..GraphSettings::default()
        }
    }

    /// The Graph scope for the cloud (`https://graph.microsoft.com/.default`).
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.cloud.graph_url())
    }

    /// The Azure Resource Manager scope for the cloud (`https://management.azure.com/.default`);
    /// an `ENTRA_MCP_ARM_URL` override moves the requests, not the audience.
    pub fn arm_scope(&self) -> String {
        format!("{}/.default", self.cloud.arm_url())
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
        assert!(t.allowed_clients.is_empty());
        let vscode = "aebc6443-996d-45c2-90f0-388ff96faa56";
        let t = TenantSettings::from_env(
            Cloud::Public,
            env(&[("ENTRA_MCP_ALLOWED_CLIENTS", &format!("{vscode}, bbbbbbbb-0000-4000-8000-00000000000b,"))]),
        );
        assert_eq!(t.expect("valid").allowed_clients, [vscode, "bbbbbbbb-0000-4000-8000-00000000000b"]);
        let e = TenantSettings::from_env(Cloud::Public, env(&[("ENTRA_MCP_ALLOWED_CLIENTS", "VS Code")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("ENTRA_MCP_ALLOWED_CLIENTS") && e.contains("VS Code"), "{e}");
        assert_eq!(format!("{:?}", CredentialSource::Secret("hunter2".into())), "Secret(<redacted>)");
    }

    #[test]
    fn toolsets_parse_and_refuse_unknown_names() {
        assert_eq!(parse_toolsets("users, risk").ok(), Some((Some(vec![Toolset::Users, Toolset::Risk]), false)));
        assert_eq!(parse_toolsets("all").ok().and_then(|t| t.0).map(|t| t.len()), Some(14));
        assert_eq!(parse_toolsets("default").ok(), Some((None, false)));
        assert_eq!(parse_toolsets("discover").ok(), Some((Some(Toolset::ALL.to_vec()), true)));
        assert_eq!(parse_toolsets("discover,users").ok(), Some((Some(vec![Toolset::Users]), true)));
        let e = parse_toolsets("users,bogus").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("bogus") && e.contains("ENTRA_MCP_TOOLSETS"));
    }

    #[test]
    fn allow_writes_is_all_or_a_list_of_toolsets() {
        assert_eq!(parse_allow_writes(None).ok(), Some(vec![]));
        assert_eq!(parse_allow_writes(Some("")).ok().map(|t| t.len()), Some(14));
        assert_eq!(parse_allow_writes(Some("all")).ok().map(|t| t.len()), Some(14));
        assert_eq!(parse_allow_writes(Some("false")).ok(), Some(vec![]));
        assert_eq!(parse_allow_writes(Some("users,groups")).ok(), Some(vec![Toolset::Users, Toolset::Groups]));
        assert!(parse_allow_writes(Some("users,nope")).is_err());
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
    fn graph_limits_default_and_name_the_variable_at_fault() {
        assert_eq!(GraphLimits::from_env(&env(&[])).ok(), Some(GraphLimits::default()));
        let set =
            GraphLimits::from_env(&env(&[("ENTRA_MCP_GRAPH_DEADLINE_SECONDS", " 12 "), ("ENTRA_MCP_MAX_PAGES", "5")]));
        assert_eq!(set.ok(), Some(GraphLimits { deadline: Duration::from_secs(12), max_pages: 5 }));
        for (name, value) in [
            ("ENTRA_MCP_GRAPH_DEADLINE_SECONDS", "0"),
            ("ENTRA_MCP_GRAPH_DEADLINE_SECONDS", "1.5"),
            ("ENTRA_MCP_MAX_PAGES", "-1"),
            ("ENTRA_MCP_MAX_PAGES", "lots"),
        ] {
            let e = GraphLimits::from_env(&env(&[(name, value)])).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(name), "{name}={value}: {e}");
        }
    }

    #[test]
    fn resource_manager_follows_the_cloud_unless_overridden() {
        let settings = |cloud, pairs: &[(&str, &str)]| {
            Settings::with_env(None, cloud, None, Selection::default(), env(pairs)).expect("valid settings")
        };
        let gov = settings(Cloud::Usgov, &[]);
        assert_eq!(gov.arm_url, "https://management.usgovcloudapi.net");
        assert_eq!(gov.arm_scope(), "https://management.usgovcloudapi.net/.default");
        assert_eq!(gov.graph_settings(gov.graph_url.clone()).arm_base_url.as_deref(), Some(gov.arm_url.as_str()));
        let local = settings(Cloud::Public, &[("ENTRA_MCP_ARM_URL", "http://127.0.0.1:9001/")]);
        assert_eq!(local.arm_url, "http://127.0.0.1:9001");
        assert_eq!(local.arm_scope(), "https://management.azure.com/.default", "the audience stays the cloud's");
        let e = Settings::with_env(
            None,
            Cloud::Public,
            None,
            Selection::default(),
            env(&[("ENTRA_MCP_ARM_URL", "http://arm.example.com")]),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("ENTRA_MCP_ARM_URL") && e.contains("https"), "{e}");
        let demo = Settings::with_env(
            Some(DemoSettings { scale: 0, latency_ms: 0 }),
            Cloud::Public,
            None,
            Selection::default(),
            env(&[]),
        )
        .expect("demo settings");
        assert_eq!(demo.graph_settings("http://127.0.0.1:1".into()).arm_base_url, None, "the emulator serves ARM");
    }

    #[test]
    fn demo_refuses_non_loopback_listen() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 8080)));
        assert!(check_demo_listen(true, any).is_err());
        assert!(check_demo_listen(false, any).is_ok());
        assert!(check_demo_listen(true, SocketAddr::from(([127, 0, 0, 1], 8080))).is_ok());
    }
}
