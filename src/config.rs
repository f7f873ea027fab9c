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

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub demo: Option<DemoSettings>,
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
        let graph_url = match graph_url {
            Some(url) if !url.trim().is_empty() => check_endpoint("ENTRA_MCP_GRAPH_URL", url.trim())?,
            _ => cloud.graph_url().to_string(),
        };
        Ok(Settings { demo, cloud, graph_url, selection })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
